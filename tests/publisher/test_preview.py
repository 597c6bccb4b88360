"""The preview per channel shows what goes out: a post waiting for approval as it would be frozen now (the
version whose hash the approver binds), an approved one as its approval froze it, whatever changed since."""

from __future__ import annotations

import io

from sqlalchemy import update

from channels import registry
from channels.base import Content
from publisher.core.models import Media, Post
from publisher.destinations.content import content_hash
from publisher.destinations.preview import channel_previews, post_previews
from publisher.media.store import store_upload
from tests.factories.media import png_bytes
from tests.factories.office import add_channel
from tests.factories.posts import approve_as_read, pending_post

TEXT = "Министарство привреде објављује нови програм. Више: https://www.privreda.gov.rs/vesti"


def photo(session, rt, office, alt: str = "Министар у Нишу") -> Media:
    media, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=office.actor("ana"),
                            filename="nis.png", alt_text=alt)
    session.commit()
    return media


def with_x(session, rt, office) -> None:
    add_channel(session, rt, office, "X nalog", "x", registry.adapter_class("x").example_settings)
    session.commit()


def test_a_waiting_post_is_previewed_as_the_version_the_approver_binds(rt, session, office):
    with_x(session, rt, office)
    image = photo(session, rt, office)
    post_id = pending_post(session, rt, office, channels=("X nalog", "archive"), language="sr-Cyrl", body=TEXT,
                           media=[image.id])
    session.commit()
    post = session.get(Post, post_id)

    shown = post_previews(session, rt, post)

    assert shown.content_hash == post.content_hash == content_hash(post)
    assert [p.name for p in shown.channels] == ["X nalog", "archive"]
    x = shown.channels[0]
    assert x.text == TEXT and x.outgoing.limit == 280 and x.outgoing.counting == "x-weighted"
    assert x.outgoing.used == len(TEXT) - len("https://www.privreda.gov.rs/vesti") + 23  # a link counts 23
    assert [(m.media_id, m.kind, m.alt_text) for m in x.media] == [(image.id, "image", "Министар у Нишу")]
    assert x.outgoing.card_url is None  # a post with an image gets no link card
    assert x.fits == len(TEXT)


def test_an_approved_post_is_previewed_as_its_approval_froze_it(rt, session, office):
    with_x(session, rt, office)
    post_id = pending_post(session, rt, office, channels=("X nalog",), language="sr-Cyrl", body=TEXT)
    approve_as_read(session, rt, office.actor("marko"), post_id)
    session.commit()
    # Behind every service's back: the preview must keep showing what the worker will send.
    session.execute(update(Post).where(Post.id == post_id).values(body="Нешто друго"))
    session.commit()
    post = session.get(Post, post_id)

    (x,) = post_previews(session, rt, post).channels
    assert x.text == TEXT
    assert post_previews(session, rt, post, live=True).channels[0].text == "Нешто друго"


def test_the_part_over_the_limit_is_counted_by_the_channel_itself(rt, session, office):
    with_x(session, rt, office)
    long = "Министарство " * 18 + "https://www.privreda.gov.rs/ " + "а" * 300  # the link counts 23, not 28

    (x,) = channel_previews(session, rt, [(office.channels["X nalog"],
                                           Content(post_id=0, title="", text=long, language="sr-Cyrl"))])

    assert x.outgoing.over and x.outgoing.used == 234 + 23 + 1 + 300
    assert x.fits == 234 + 28 + 1 + (280 - 234 - 23 - 1)  # the whole link, then the letters up to 280
