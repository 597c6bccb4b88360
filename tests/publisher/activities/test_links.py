"""An event's links to posts and photos: linked, re-linked in another role, unlinked, found from the post, kept
to who may edit events, audited on the event; a deleted post takes its link along."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from publisher.activities import links
from publisher.core.errors import Forbidden, Invalid, NotFound
from publisher.core.models import AuditEvent, Post
from publisher.media.store import store_upload
from tests.factories.events import make_event
from tests.factories.media import png_bytes
from tests.factories.posts import draft_post


def test_posts_are_linked_in_a_role_listed_and_unlinked(session, rt, office):
    event = make_event(session, office.actor("ana"))
    before = draft_post(session, rt, office, title="Најава конференције")
    after = draft_post(session, rt, office, title="Извештај са конференције")
    session.commit()
    links.link_post(session, office.actor("ana"), event.id, after.id, "report")
    links.link_post(session, office.actor("bojan"), event.id, before.id)
    assert [(link.post.title, link.role) for link in links.posts_of(session, event.id)] == \
        [("Најава конференције", "announcement"), ("Извештај са конференције", "report")]
    links.link_post(session, office.actor("ana"), event.id, before.id, "other")  # again: only the role changes
    assert [link.event_id for link in links.events_of_post(session, before.id)] == [event.id]
    links.unlink_post(session, office.actor("ana"), event.id, after.id)
    session.commit()
    assert [(link.post_id, link.role) for link in links.posts_of(session, event.id)] == [(before.id, "other")]
    rows = session.scalars(select(AuditEvent).where(AuditEvent.subject == f"event:{event.id}",
                                                    AuditEvent.action.like("event.post%")).order_by(AuditEvent.id))
    assert [(r.action, r.post_id) for r in rows] == [("event.post_link", after.id), ("event.post_link", before.id),
                                                     ("event.post_role", before.id), ("event.post_unlink", after.id)]


def test_refusals_name_the_problem(session, rt, office):
    event = make_event(session, office.actor("ana"))
    post = draft_post(session, rt, office)
    session.commit()
    with pytest.raises(Forbidden):
        links.link_post(session, office.actor("jelena"), event.id, post.id)
    with pytest.raises(Invalid, match="role must be one of announcement, report, other"):
        links.link_post(session, office.actor("ana"), event.id, post.id, "teaser")
    with pytest.raises(NotFound, match="no post with id 999999"):
        links.link_post(session, office.actor("ana"), event.id, 999999)
    with pytest.raises(NotFound, match="is not linked"):
        links.unlink_post(session, office.actor("ana"), event.id, post.id)
    with pytest.raises(NotFound, match="no event"):
        links.link_post(session, office.actor("ana"), 2**40, post.id)


def test_a_deleted_post_takes_its_link_along(session, rt, office):
    event = make_event(session, office.actor("ana"))
    post = draft_post(session, rt, office)
    links.link_post(session, office.actor("ana"), event.id, post.id)
    session.commit()
    session.delete(session.get(Post, post.id))
    session.commit()
    session.expire_all()
    assert links.posts_of(session, event.id) == []


def test_photos_from_the_library_are_linked_once_and_unlinked(session, rt, office):
    event = make_event(session, office.actor("ana"))
    photo, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=office.actor("ana"),
                            filename="sastanak.png")
    session.commit()
    links.link_media(session, office.actor("bojan"), event.id, photo.id)
    links.link_media(session, office.actor("bojan"), event.id, photo.id)
    assert [m.media_id for m in links.media_of(session, event.id)] == [photo.id]
    with pytest.raises(NotFound, match="no media item"):
        links.link_media(session, office.actor("ana"), event.id, photo.id + 1000)
    with pytest.raises(Forbidden):
        links.unlink_media(session, office.actor("marko"), event.id, photo.id)
    links.unlink_media(session, office.actor("ana"), event.id, photo.id)
    session.commit()
    assert links.media_of(session, event.id) == []
    assert [a for (a,) in session.execute(select(AuditEvent.action).where(
        AuditEvent.subject == f"event:{event.id}", AuditEvent.action.like("event.media%")))] == \
        ["event.media_link", "event.media_unlink"]
