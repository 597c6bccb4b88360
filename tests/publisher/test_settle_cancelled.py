"""A post whose failing channel was cancelled did not go out everywhere: it is not "published" (issue 11)."""

from __future__ import annotations

from publisher.core.models import Post
from publisher.publishing import deliveries
from tests.factories.publishing import BASE, post_with_deliveries


def test_cancelling_the_failed_channel_leaves_the_post_partly_published(session, office):
    made = post_with_deliveries(session, office, "Saopštenje", {"portal": "sent", "archive": "failed"})
    made.post.status = "partially_published"
    session.commit()
    deliveries.decide(session, office.actor("marko"), made.deliveries["archive"].id, "cancel", now=BASE)
    session.commit()
    session.expire_all()
    assert session.get(Post, made.post.id).status == "partially_published"


def test_a_post_whose_every_channel_failed_and_was_cancelled_is_failed(session, office):
    made = post_with_deliveries(session, office, "Saopštenje", {"portal": "failed", "archive": "failed"})
    made.post.status = "failed"
    session.commit()
    for name in ("portal", "archive"):
        deliveries.decide(session, office.actor("marko"), made.deliveries[name].id, "cancel", now=BASE)
    session.commit()
    session.expire_all()
    assert session.get(Post, made.post.id).status == "failed"
