"""Workflow services directly: races between approvers, and what an approval binds to."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from publisher.core import clock
from publisher.core.errors import Conflict, Forbidden
from publisher.core.models import AuditEvent, Delivery
from publisher.posts import workflow
from tests.factories import posts as factories
from tests.factories.posts import approve_as_read
from tests.support.race import at_once


def pending_post(session, rt, office, channels=("portal", "archive")) -> int:
    return factories.pending_post(session, rt, office, channels=channels,
                                  scheduled_at=(clock.system_now() + timedelta(days=1)).isoformat())


def test_two_approvers_at_once_one_wins(rt, session, office):
    post_id = pending_post(session, rt, office)
    outcomes = at_once(rt, ("marko", "vesna"),
                       lambda own, name: approve_as_read(own, rt, office.actor(name), post_id))
    refused = [v for v in outcomes.values() if v is not None]
    assert len(outcomes) == 2 and len(refused) == 1 and isinstance(refused[0], Conflict), outcomes
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.post_id == post_id)) == 2
    approvals = session.scalars(select(AuditEvent).where(AuditEvent.action == "post.approve")).all()
    assert len(approvals) == 1


def test_the_author_can_never_approve_even_as_approver(rt, session, office):
    post = workflow.create_post(session, rt, office.actor("olga"), {"body": "Tekst", "channels": ["archive"]})
    workflow.submit(session, rt, office.actor("olga"), post.id)
    with pytest.raises(Forbidden, match="four eyes"):
        approve_as_read(session, rt, office.actor("olga"), post.id)
    with pytest.raises(Forbidden, match="four eyes"):
        workflow.reject(session, rt, office.actor("olga"), post.id, "ne")


def test_a_disabled_channel_blocks_submission(rt, session, office):
    office.channels["archive"].enabled = False
    post = workflow.create_post(session, rt, office.actor("ana"), {"body": "Tekst", "channels": ["archive"]})
    with pytest.raises(workflow.Invalid, match="archive: the channel is disabled"):
        workflow.submit(session, rt, office.actor("ana"), post.id)


def test_the_idempotency_key_changes_with_the_approved_content(rt, session, office):
    post_id = pending_post(session, rt, office, channels=("archive",))
    approve_as_read(session, rt, office.actor("marko"), post_id)
    first = session.scalar(select(Delivery.idempotency_key))
    workflow.edit_post(session, rt, office.actor("ana"), post_id, {"body": "Novi tekst"})
    approve_as_read(session, rt, office.actor("marko"), post_id)
    session.commit()
    assert session.scalar(select(Delivery.idempotency_key)) != first
    assert session.scalar(select(func.count()).select_from(Delivery)) == 1


def test_of_many_saves_of_one_version_exactly_one_wins(rt, session, office):
    """The version an editor started from is compared under the post's lock, not before it."""
    post = factories.draft_post(session, rt, office)
    session.commit()
    opened, editors = post.content_hash, ("ana", "bojan", "olga") * 3
    barrier = threading.Barrier(len(editors), timeout=20)
    outcomes: list[str] = []

    def save(n: int, name: str) -> None:
        with rt.sessions() as own:
            barrier.wait()
            try:
                workflow.edit_post(own, rt, office.actor(name), post.id, {"body": f"Verzija {n}"}, base_hash=opened)
                own.commit()
                outcomes.append("saved")
            except Conflict as exc:
                own.rollback()
                outcomes.append(exc.code)

    threads = [threading.Thread(target=save, args=(n, name)) for n, name in enumerate(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["content_changed"] * (len(editors) - 1) + ["saved"]
    session.expire_all()
    edits = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "post.edit"))
    assert edits == 1
