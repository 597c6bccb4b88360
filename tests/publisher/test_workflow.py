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


def pending_post(session, rt, office, channels=("portal", "archive")) -> int:
    return factories.pending_post(session, rt, office, channels=channels,
                                  scheduled_at=(clock.system_now() + timedelta(days=1)).isoformat())


def test_two_approvers_at_once_one_wins(rt, session, office):
    post_id = pending_post(session, rt, office)
    barrier = threading.Barrier(2, timeout=10)
    outcomes: dict[str, str] = {}

    def approve_as(name: str) -> None:
        with rt.sessions() as own:
            barrier.wait()
            try:
                workflow.approve(own, rt, office.actor(name), post_id)
                own.commit()
                outcomes[name] = "approved"
            except Conflict as exc:
                outcomes[name] = f"conflict: {exc.message}"

    threads = [threading.Thread(target=approve_as, args=(n,)) for n in ("marko", "vesna")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(v.split(":")[0] for v in outcomes.values()) == ["approved", "conflict"], outcomes
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.post_id == post_id)) == 2
    approvals = session.scalars(select(AuditEvent).where(AuditEvent.action == "post.approve")).all()
    assert len(approvals) == 1


def test_the_author_can_never_approve_even_as_approver(rt, session, office):
    post = workflow.create_post(session, rt, office.actor("olga"), {"body": "Tekst", "channels": ["archive"]})
    workflow.submit(session, rt, office.actor("olga"), post.id)
    with pytest.raises(Forbidden, match="four eyes"):
        workflow.approve(session, rt, office.actor("olga"), post.id)
    with pytest.raises(Forbidden, match="four eyes"):
        workflow.reject(session, rt, office.actor("olga"), post.id, "ne")


def test_a_disabled_channel_blocks_submission(rt, session, office):
    office.channels["archive"].enabled = False
    post = workflow.create_post(session, rt, office.actor("ana"), {"body": "Tekst", "channels": ["archive"]})
    with pytest.raises(workflow.Invalid, match="archive: the channel is disabled"):
        workflow.submit(session, rt, office.actor("ana"), post.id)


def test_the_idempotency_key_changes_with_the_approved_content(rt, session, office):
    post_id = pending_post(session, rt, office, channels=("archive",))
    workflow.approve(session, rt, office.actor("marko"), post_id)
    first = session.scalar(select(Delivery.idempotency_key))
    workflow.edit_post(session, rt, office.actor("ana"), post_id, {"body": "Novi tekst"})
    workflow.approve(session, rt, office.actor("marko"), post_id)
    session.commit()
    assert session.scalar(select(Delivery.idempotency_key)) != first
    assert session.scalar(select(func.count()).select_from(Delivery)) == 1
