"""Deleting a draft, duplicating a post, withdrawing one from approval, and doing several posts at once
(publisher.posts.drafts, workflow.withdraw, publisher.posts.bulk): what each leaves behind, who may, and
that one refused post never stops the others."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from publisher.core import clock
from publisher.core.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound
from publisher.core.models import (
    AuditEvent,
    Delivery,
    Media,
    Post,
    PostApproval,
    PostChannel,
    PostContributor,
    PostMedia,
)
from publisher.core.states import PostStatus
from publisher.media.store import store_upload
from publisher.posts import approvals, bulk, drafts, effects, workflow
from publisher.posts.schedule_time import to_local
from publisher.publishing import holds
from tests.factories import posts as factories
from tests.factories.media import png_bytes
from tests.factories.posts import approve_as_read


def tomorrow() -> str:
    return (clock.system_now() + timedelta(days=1)).isoformat()


def count(session, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return session.scalar(query)


def with_picture(session, rt, office) -> Post:
    media, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=office.actor("ana"),
                            alt_text="Грб")
    return factories.draft_post(session, rt, office, channels=("portal", "archive"), title="Са сликом",
                                media=[{"id": media.id, "alt_text": "Министар на конференцији"}],
                                variants={"portal": "Посебан текст"}, scheduled_at=tomorrow())


# --- deleting ----------------------------------------------------------------------------------------------

def test_deleting_a_draft_removes_its_rows_but_not_the_library_file(rt, session, office):
    post = with_picture(session, rt, office)
    post_id, media_id = post.id, post.media_links[0].media_id
    session.commit()
    drafts.delete_post(session, office.actor("bojan"), post_id, base_hash=post.content_hash)
    session.commit()
    assert session.get(Post, post_id) is None
    for model in (PostChannel, PostMedia, PostContributor, PostApproval):
        assert count(session, model, post_id=post_id) == 0, model
    assert session.get(Media, media_id) is not None
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "post.delete"))
    assert event.post_id == post_id and event.before["title"] == "Са сликом"


def test_a_post_sent_back_may_be_deleted_also_after_an_earlier_approval(rt, session, office):
    post_id = factories.approved_post(session, rt, office, scheduled_at=tomorrow())
    workflow.edit_post(session, rt, office.actor("ana"), post_id, {"body": "Ново"})  # back for approval
    workflow.reject(session, rt, office.actor("vesna"), post_id, "Не овако")
    session.commit()
    assert count(session, PostApproval, post_id=post_id) == 1
    drafts.delete_post(session, office.actor("ana"), post_id)
    session.commit()
    assert session.get(Post, post_id) is None and count(session, PostApproval, post_id=post_id) == 0


@pytest.mark.parametrize("state", ["pending", "approved"])
def test_a_post_waiting_or_approved_is_not_deleted(rt, session, office, state):
    make = factories.pending_post if state == "pending" else factories.approved_post
    post_id = make(session, rt, office, scheduled_at=tomorrow())
    with pytest.raises(Conflict) as refused:
        drafts.delete_post(session, office.actor("ana"), post_id)
    assert refused.value.code == "not_deletable"
    session.rollback()
    assert session.get(Post, post_id) is not None


def test_deleting_names_the_version_confirmed(rt, session, office):
    post = factories.draft_post(session, rt, office)
    session.commit()
    with pytest.raises(Conflict) as refused:
        drafts.delete_post(session, office.actor("ana"), post.id, base_hash="0" * 64)
    assert refused.value.code == "content_changed"


def test_only_officers_delete_and_an_unknown_post_is_not_found(rt, session, office):
    post = factories.draft_post(session, rt, office)
    session.commit()
    with pytest.raises(Forbidden, match="deleting a draft needs the role officer"):
        drafts.delete_post(session, office.actor("marko"), post.id)
    with pytest.raises(NotFound):
        drafts.delete_post(session, office.actor("ana"), 999_999)


# --- duplicating -------------------------------------------------------------------------------------------

def test_a_published_post_duplicates_into_a_draft_of_the_duplicator(rt, session, office):
    source = with_picture(session, rt, office)
    workflow.submit(session, rt, office.actor("ana"), source.id)
    approve_as_read(session, rt, office.actor("marko"), source.id)
    session.commit()
    copy = drafts.duplicate(session, rt, office.actor("olga"), source.id)
    session.commit()
    assert copy.id != source.id and copy.status == PostStatus.DRAFT
    assert copy.author_id == office.users["olga"].id and copy.contributor_ids == {office.users["olga"].id}
    assert (copy.title, copy.body, copy.language, copy.variants) == \
        (source.title, source.body, source.language, source.variants)
    assert [c.name for c in copy.channels] == [c.name for c in source.channels]
    assert [(m.media_id, m.alt_text) for m in copy.media_links] == \
        [(m.media_id, m.alt_text) for m in source.media_links]
    assert copy.scheduled_at is None and copy.approved_by is None and not copy.deliveries
    assert count(session, PostApproval, post_id=copy.id) == 0
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "post.duplicate"))
    assert event.post_id == copy.id and event.detail == {"from_post": source.id}
    # the copy needs its own approval, by someone other than who duplicated it
    workflow.submit(session, rt, office.actor("olga"), copy.id)
    with pytest.raises(Forbidden) as refused:
        approve_as_read(session, rt, office.actor("olga"), copy.id)
    assert refused.value.code == "own_post"


def test_an_approver_does_not_duplicate(rt, session, office):
    post = factories.draft_post(session, rt, office)
    with pytest.raises(Forbidden):
        drafts.duplicate(session, rt, office.actor("marko"), post.id)


# --- withdrawing -------------------------------------------------------------------------------------------

def test_the_author_withdraws_a_post_from_approval(rt, session, office):
    post_id = factories.pending_post(session, rt, office)
    workflow.withdraw(session, rt, office.actor("ana"), post_id)
    session.commit()
    assert session.get(Post, post_id).status == PostStatus.DRAFT
    assert post_id not in [p.id for p in approvals.waiting(session, office.users["marko"]).mine_to_approve.items]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "post.withdraw"))
    assert (event.before, event.after["status"]) == ({"status": "pending_approval"}, "draft")


def test_a_contributor_withdraws_but_another_officer_may_not(rt, session, office):
    post_id = factories.pending_post(session, rt, office)
    with pytest.raises(Forbidden) as refused:
        workflow.withdraw(session, rt, office.actor("bojan"), post_id)
    assert refused.value.code == "not_a_contributor"
    session.rollback()
    workflow.edit_post(session, rt, office.actor("bojan"), post_id, {"body": "Боље"})
    workflow.withdraw(session, rt, office.actor("bojan"), post_id)
    assert session.get(Post, post_id).status == PostStatus.DRAFT


def test_only_a_waiting_post_is_withdrawn(rt, session, office):
    post_id = factories.approved_post(session, rt, office, scheduled_at=tomorrow())
    with pytest.raises(InvalidTransition):
        workflow.withdraw(session, rt, office.actor("ana"), post_id)


# --- what a confirmation says ------------------------------------------------------------------------------

def test_cancelling_an_approved_post_names_the_deliveries_it_stops(rt, session, office):
    post_id = factories.approved_post(session, rt, office, channels=("portal", "archive"), scheduled_at=tomorrow())
    effect = effects.cancel_effect(session, session.get(Post, post_id))
    assert effect.unsent == ["portal", "archive"] and effect.loses_approval


def test_a_hold_counts_what_it_stops(rt, session, office):
    factories.approved_post(session, rt, office, channels=("portal", "archive"), scheduled_at=tomorrow())
    factories.approved_post(session, rt, office, channels=("archive",))  # due now
    now = clock.system_now()
    assert holds.held_work(session, now) == holds.HeldWork(waiting=3, due=1)
    assert holds.held_work(session, now, office.channels["portal"]) == holds.HeldWork(waiting=1, due=0)


# --- several at once ---------------------------------------------------------------------------------------

def test_approving_several_refuses_a_changed_one_alone(rt, session, office):
    first, changed, own = (factories.pending_post(session, rt, office, author=a, scheduled_at=tomorrow())
                           for a in ("ana", "bojan", "olga"))
    seen = {p: session.get(Post, p).content_hash for p in (first, changed, own)}
    workflow.edit_post(session, rt, office.actor("bojan"), changed, {"body": "Промењено"})
    session.commit()
    outcomes = bulk.approve_many(session, rt, office.actor("olga"), seen)
    session.commit()
    assert [(o.post_id, o.code) for o in outcomes] == \
        [(first, "approved"), (changed, "content_changed"), (own, "own_post")]
    assert session.get(Post, first).status == PostStatus.SCHEDULED
    assert count(session, Delivery, post_id=first) == 1
    assert session.get(Post, changed).status == PostStatus.PENDING_APPROVAL
    assert session.get(Post, own).status == PostStatus.PENDING_APPROVAL


def test_too_many_or_none_is_refused_as_a_whole(rt, session, office):
    with pytest.raises(Invalid) as refused:
        bulk.cancel_many(session, rt, office.actor("ana"), range(1, bulk.MAX_POSTS + 2))
    assert refused.value.code == "too_many"
    with pytest.raises(Invalid) as refused:
        bulk.cancel_many(session, rt, office.actor("ana"), [])
    assert refused.value.code == "none_chosen"


def test_cancelling_several_reports_each(rt, session, office):
    draft = factories.draft_post(session, rt, office).id
    approved = factories.approved_post(session, rt, office, scheduled_at=tomorrow())
    session.commit()
    outcomes = bulk.cancel_many(session, rt, office.actor("marko"), [draft, approved, approved, 999_999])
    session.commit()
    assert [o.code for o in outcomes] == ["cancelled", "cancelled", "not_found"]
    assert count(session, Delivery, post_id=approved, status="cancelled") == 1


def test_moving_several_sends_approved_ones_back_and_keeps_the_local_time(rt, session, office):
    approved = factories.approved_post(session, rt, office, scheduled_at="2031-03-29T09:30",
                                       timezone="Europe/Belgrade")  # summer time starts on the 30th
    draft = factories.draft_post(session, rt, office, scheduled_at="2031-03-28T09:30",
                                 timezone="Europe/Belgrade").id
    no_time = factories.draft_post(session, rt, office).id
    session.commit()
    outcomes = bulk.move_many(session, rt, office.actor("ana"), [approved, draft, no_time],
                              shift=timedelta(days=1))
    session.commit()
    assert [o.code for o in outcomes] == ["moved_back", "moved", "no_time"]
    local = {p: to_local(session.get(Post, p).scheduled_at, "Europe/Belgrade") for p in (approved, draft)}
    assert local[approved].isoformat() == "2031-03-30T09:30:00+02:00"
    assert local[draft].isoformat() == "2031-03-29T09:30:00+01:00"
    assert session.get(Post, approved).status == PostStatus.PENDING_APPROVAL
    assert count(session, Delivery, post_id=approved) == 0


def test_moving_several_to_a_day_keeps_each_time_of_day(rt, session, office):
    first = factories.draft_post(session, rt, office, scheduled_at="2031-06-16T08:00", timezone="Europe/Belgrade").id
    second = factories.draft_post(session, rt, office).id
    session.commit()
    outcomes = bulk.move_many(session, rt, office.actor("ana"), [first, second], day=date(2031, 6, 20))
    assert [o.code for o in outcomes] == ["moved", "no_time"]
    outcomes = bulk.move_many(session, rt, office.actor("ana"), [second], day=date(2031, 6, 20), clock=time(7, 15))
    assert [o.code for o in outcomes] == ["moved"]
    assert to_local(session.get(Post, first).scheduled_at, "Europe/Belgrade").isoformat() == "2031-06-20T08:00:00+02:00"
    with pytest.raises(Invalid):
        bulk.move_many(session, rt, office.actor("ana"), [first], shift=timedelta(0))


def test_each_post_is_settled_on_its_own_so_a_batch_never_holds_the_write_lock_throughout(rt, session, office):
    done = factories.draft_post(session, rt, office).id
    session.commit()
    seen_committed = []

    def settle() -> None:
        session.commit()
        with rt.read_sessions() as reader:  # another connection sees each post as soon as it is done
            seen_committed.append(reader.get(Post, done).status)

    outcomes = bulk.cancel_many(session, rt, office.actor("ana"), [done, 999_999], settle=settle)
    assert [o.code for o in outcomes] == ["cancelled", "not_found"]
    assert seen_committed == ["cancelled", "cancelled"]
