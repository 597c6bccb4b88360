"""The worker's light content load and the ORM one give the adapter the same Content."""

from __future__ import annotations

import io

from publisher import workflow
from publisher.content import content_for, content_hash, load_contents
from publisher.media import store_upload
from tests.factories import jpeg_bytes, make_office, png_bytes


def test_both_ways_of_reading_a_post_agree(rt, session):
    office = make_office(session, rt)
    ana = office.actor("ana")
    first, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=ana, alt_text="Grb")
    second, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(jpeg_bytes()), actor=ana,
                             filename="sala.jpg", alt_text="Sala")
    post = workflow.create_post(session, rt, ana, {
        "title": "Naslov", "body": "Telo", "language": "sr-Latn", "channels": ["portal", "archive"],
        "media": [second.id, {"id": first.id, "alt_text": "Grb Srbije, za ovu objavu"}],
        "variants": {"archive": "Kraće za arhivu"}})
    session.commit()
    light = load_contents(session, [(post.id, c.name) for c in post.channels], rt.settings.media_dir)
    for channel in post.channels:
        assert light[(post.id, channel.name)] == content_for(post, channel, rt.settings.media_dir)
    light = light[(post.id, "archive")]
    assert [m.alt_text for m in light.media] == ["Sala", "Grb Srbije, za ovu objavu"]
    assert light.text == "Kraće za arhivu" and light.media[0].path.exists()
    assert len(content_hash(post)) == 64
