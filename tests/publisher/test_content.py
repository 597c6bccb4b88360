"""The worker's light content load and the ORM one give the adapter the same Content."""

from __future__ import annotations

import io
from pathlib import Path

from channels.base import Content, MediaItem, ScriptVersion
from publisher.destinations.content import content_for, content_hash, load_contents, with_other_script
from publisher.media.store import store_upload
from publisher.posts import workflow
from tests.factories.media import jpeg_bytes, png_bytes
from tests.factories.office import make_office


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


def test_a_serbian_post_reaches_the_adapter_in_both_scripts():
    photo = MediaItem(path=Path("/nonexistent"), content_type="image/png", sha256="0" * 64, size=1,
                      alt_text="Министар у Нишу")
    content = with_other_script(Content(post_id=1, title="Саопштење", text="Министар је посетио Ниш.",
                                        language="sr-Cyrl", media=(photo,)))
    assert content.other_script == ScriptVersion("sr-Latn", "Saopštenje", "Ministar je posetio Niš.",
                                                 ("Ministar u Nišu",))
    latin = with_other_script(Content(post_id=1, title="Vesti", text="Džon i Ljiljana", language="sr-Latn"))
    assert latin.other_script == ScriptVersion("sr-Cyrl", "Вести", "Џон и Љиљана", ())


def test_other_languages_carry_no_other_script():
    for language in ("en", "sq"):
        content = Content(post_id=1, title="Title", text="Text", language=language)
        assert with_other_script(content) is content
