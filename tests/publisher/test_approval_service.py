"""Approval of anything: the four-eyes rules on a subject type whose records are dicts the test holds."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from publisher.approval import service
from publisher.approval.models import ApprovalRequest, ApprovalState
from publisher.approval.rules import frozen_hash
from publisher.approval.subject import Subject
from publisher.core.errors import Conflict, Forbidden, Invalid, NotFound
from publisher.core.models import AuditEvent, User
from publisher.notifications.models import Notification
from tests.factories.approval import notices  # noqa: F401 - fixture
from tests.support.race import at_once

pytestmark = pytest.mark.usefixtures("notices")


def submitted(session, office, notices, notice_id=1, *authors):  # noqa: F811
    """A notice by ana (and `authors`), submitted by ana."""
    subject = notices.add(notice_id, "Konkurs", "Rok je 1. mart.", office.users["ana"].id,
                          *(office.users[a].id for a in authors))
    service.submit(session, office.actor("ana"), subject)
    return subject


def seen(session, subject) -> str:
    return service.current_hash(session, subject)[1]


def test_approval_binds_exactly_the_frozen_version_read(session, office, notices):  # noqa: F811
    subject = submitted(session, office, notices)
    version = service.approve(session, office.actor("marko"), subject, seen(session, subject))
    assert version.frozen == {"title": "Konkurs", "body": "Rok je 1. mart."}
    assert version.content_hash == frozen_hash(version.frozen)
    session.commit()
    notices.records[1]["body"] = "Rok je 2. mart."  # changed behind the service's back: the approval still binds
    assert service.approved_version(session, subject) == {"title": "Konkurs", "body": "Rok je 1. mart."}


def test_the_author_cannot_approve_or_send_back_even_as_approver(session, office, notices):  # noqa: F811
    subject = notices.add(1, "Konkurs", "Tekst", office.users["olga"].id)
    service.submit(session, office.actor("olga"), subject)
    with pytest.raises(Forbidden, match=r"you wrote or edited notice 1; another approver must approve it") as exc:
        service.approve(session, office.actor("olga"), subject, seen(session, subject))
    assert exc.value.code == "own_work"
    with pytest.raises(Forbidden, match="four eyes"):
        service.send_back(session, office.actor("olga"), subject, "Ispravi rok")
    assert service.state(session, subject) == ApprovalState.WAITING


def test_a_co_editor_cannot_approve(session, office, notices):  # noqa: F811
    subject = submitted(session, office, notices, 1, "olga")
    with pytest.raises(Forbidden, match="four eyes"):
        service.approve(session, office.actor("olga"), subject, seen(session, subject))
    assert [w.subject for w in service.waiting_for(session, office.actor("olga"))] == []
    assert [w.subject for w in service.waiting_for(session, office.actor("marko"))] == [subject]


def test_who_submitted_cannot_approve_though_the_area_does_not_name_them(session, office, notices):  # noqa: F811
    subject = notices.add(1, "Konkurs", "Tekst", office.users["ana"].id)
    service.submit(session, office.actor("olga"), subject)
    with pytest.raises(Forbidden, match="four eyes"):
        service.approve(session, office.actor("olga"), subject, seen(session, subject))


def test_only_the_areas_approvers_decide(session, office, notices):  # noqa: F811
    subject = submitted(session, office, notices)
    with pytest.raises(Forbidden, match="approving a notice needs the role approver or head_of_office"):
        service.approve(session, office.actor("bojan"), subject, seen(session, subject))
    assert service.waiting_for(session, office.actor("bojan")) == []


def test_a_stale_hash_is_refused_with_the_current_one(session, office, notices):  # noqa: F811
    subject = submitted(session, office, notices)
    old = seen(session, subject)
    notices.records[1]["body"] = "Rok je 3. mart."
    with pytest.raises(Conflict, match="the notice changed after you opened it") as exc:
        service.approve(session, office.actor("marko"), subject, old)
    assert exc.value.code == "content_changed"
    assert exc.value.details == {"content_hash": seen(session, subject)}
    with pytest.raises(Invalid, match="content hash of the version you read"):
        service.approve(session, office.actor("marko"), subject, "")
    assert service.approved_version(session, subject) is None


def test_an_edit_after_approval_lapses_it_and_nothing_goes_out_until_approved_again(session, office,
                                                                                      notices):  # noqa: F811
    subject = submitted(session, office, notices)
    service.approve(session, office.actor("marko"), subject, seen(session, subject))
    assert not service.needs_approval_again(session, office.actor("ana"), subject)  # nothing changed

    notices.records[1]["body"] = "Rok je 5. mart."
    assert service.needs_approval_again(session, office.actor("ana"), subject)
    assert service.state(session, subject) == ApprovalState.WAITING
    assert service.approved_version(session, subject) is None

    service.approve(session, office.actor("vesna"), subject, seen(session, subject))
    assert service.approved_version(session, subject) == {"title": "Konkurs", "body": "Rok je 5. mart."}
    assert [step.by for step in service.history(session, subject)] == ["marko", "vesna"]


def test_sending_back_needs_a_comment_and_keeps_it(session, office, notices):  # noqa: F811
    subject = submitted(session, office, notices)
    for empty in ("", "   "):
        with pytest.raises(Invalid, match="needs a comment") as exc:
            service.send_back(session, office.actor("marko"), subject, empty)
        assert exc.value.code == "comment_required"
    with pytest.raises(Invalid, match="at most 2000"):
        service.send_back(session, office.actor("marko"), subject, "x" * 2001)
    service.send_back(session, office.actor("marko"), subject, "  Navedi tačan rok.  ")
    assert service.state(session, subject) == ApprovalState.SENT_BACK
    [step] = service.history(session, subject)
    assert (step.kind, step.by, step.comment, step.content_hash) == ("sent_back", "marko", "Navedi tačan rok.",
                                                                      seen(session, subject))
    with pytest.raises(Conflict, match="not waiting for approval"):
        service.approve(session, office.actor("marko"), subject, seen(session, subject))


def test_an_unpublishable_version_is_refused_at_submit(session, office, notices):  # noqa: F811
    subject = notices.add(1, "Konkurs", "  ", office.users["ana"].id)
    with pytest.raises(Invalid, match="the notice cannot go out as it is: the notice has no text") as exc:
        service.submit(session, office.actor("ana"), subject)
    assert exc.value.details["problems"][0]["code"] == "empty"
    assert session.scalar(select(ApprovalRequest)) is None


def test_submit_twice_and_unknown_records_are_refused_by_name(session, office, notices):  # noqa: F811
    subject = submitted(session, office, notices)
    with pytest.raises(Conflict, match="already waiting"):
        service.submit(session, office.actor("ana"), subject)
    with pytest.raises(NotFound, match="no notice with id 9"):
        service.submit(session, office.actor("ana"), Subject("notice", 9))
    with pytest.raises(NotFound, match="nothing called 'letter' is approved here"):
        service.submit(session, office.actor("ana"), Subject("letter", 1))


def test_withdraw_is_for_its_writers_only(session, office, notices):  # noqa: F811
    subject = submitted(session, office, notices)
    with pytest.raises(Forbidden, match="only who wrote or edited notice 1"):
        service.withdraw(session, office.actor("bojan"), subject)
    service.withdraw(session, office.actor("ana"), subject)
    assert service.waiting_for(session, office.actor("marko")) == []
    service.submit(session, office.actor("ana"), subject)  # fixed, asked again
    assert service.state(session, subject) == ApprovalState.WAITING


def test_every_move_is_audited(session, office, notices):  # noqa: F811
    subject = submitted(session, office, notices)
    service.send_back(session, office.actor("marko"), subject, "Dodaj rok")
    service.submit(session, office.actor("ana"), subject)
    service.approve(session, office.actor("vesna"), subject, seen(session, subject))
    notices.records[1]["title"] = "Konkurs 2"
    service.needs_approval_again(session, office.actor("ana"), subject)
    service.withdraw(session, office.actor("ana"), subject)
    session.commit()
    events = session.scalars(select(AuditEvent).where(AuditEvent.subject == "notice:1").order_by(AuditEvent.id))
    assert [(e.action, e.who, e.after["state"]) for e in events] == [
        ("approval.submit", "ana", "waiting"), ("approval.send_back", "marko", "sent_back"),
        ("approval.submit", "ana", "waiting"), ("approval.approve", "vesna", "approved"),
        ("approval.lapse", "ana", "waiting"), ("approval.withdraw", "ana", "withdrawn")]


def test_two_approvers_at_once_one_wins(rt, session, office, notices):  # noqa: F811
    subject = submitted(session, office, notices)
    hash_read = seen(session, subject)
    session.commit()
    outcomes = at_once(rt, ("marko", "vesna"),
                       lambda own, name: service.approve(own, office.actor(name), subject, hash_read))
    assert sorted(getattr(v, "code", "done") for v in outcomes.values()) == ["done", "not_waiting"], outcomes
    session.expire_all()
    assert len(service.history(session, subject)) == 1
    assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "approval.approve")).all()) == 1


def test_the_deciders_and_the_writers_are_told_as_for_posts(session, office, notices):  # noqa: F811
    subject = submitted(session, office, notices, 1, "olga")
    told = told_of(session)
    assert told == {("awaiting_approval", name) for name in ("marko", "vesna")}  # olga co-wrote it
    service.send_back(session, office.actor("marko"), subject, "Dodaj rok")
    assert told_of(session) - told == {("sent_back", "ana"), ("sent_back", "olga")}
    sent_back = session.scalar(select(Notification).where(Notification.kind == "sent_back").limit(1))
    assert sent_back.post_id is None
    assert sent_back.data == {"title": "Konkurs", "subject": "notice:1", "comment": "Dodaj rok", "by": "marko"}


def told_of(session) -> set[tuple[str, str]]:
    session.flush()
    return {(kind, name) for kind, name in session.execute(
        select(Notification.kind, User.name).join(User, User.id == Notification.user_id))}
