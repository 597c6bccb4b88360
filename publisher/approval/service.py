"""The approval moves for any registered subject: submit, approve, send back, withdraw; and what may go out.

Rules kept here: who decides is the subject area's "approve" rule; four eyes by approval.rules (nobody who
wrote, edited or submitted it approves or sends it back); an approval binds the hash of the version the
approver read and keeps that frozen version, and only that version may go out; an edit of what would go out
after approval lapses the approval (back to waiting: nothing goes out until someone approves again).
Every move locks the subject's request row first, so racing moves queue and exactly one wins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from publisher.approval import rules
from publisher.approval.models import ApprovalRequest, ApprovalSendBack, ApprovalState, ApprovalVersion
from publisher.approval.subject import Subject, SubjectType, load, registered
from publisher.audit import trail
from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.clock import system_now
from publisher.core.errors import Conflict, Forbidden, Invalid
from publisher.notifications import making as notify


@dataclass(frozen=True)
class Waiting:
    """One thing waiting for a person's approval, for the shared approvals list."""

    subject: Subject
    title: str
    submitted_at: datetime


@dataclass(frozen=True)
class Step:
    """One line of a subject's approval history: an approval or a send-back."""

    kind: str  # "approved" or "sent_back"
    at: datetime
    by: str  # the person's account name
    content_hash: str
    comment: str = ""


def submit(session: Session, actor: Actor, subject: Subject, *, now: datetime | None = None) -> ApprovalRequest:
    """Ask for approval of the record as it is; refused when its area says this version cannot go out."""
    kind, record = load(session, subject)
    permissions.require(actor, kind.area, "submit")
    now = now or system_now()
    frozen = kind.freeze(record)
    request = _locked(session, subject)
    before = request.state if request else None
    if request is not None and request.state == ApprovalState.WAITING:
        raise Conflict(f"{kind.noun} is already waiting for approval", code="already_waiting")
    if request is not None and request.state == ApprovalState.APPROVED and _last_hash(session, request) == \
            rules.frozen_hash(frozen):
        raise Conflict(f"{kind.noun} is approved as it is", code="already_approved")
    _refuse_problems(kind, record, frozen)
    if request is None:
        request = ApprovalRequest(subject_type=subject.type, subject_id=subject.id, submitted_at=now)
        session.add(request)
    request.state, request.submitted_by_id, request.submitted_at, request.updated_at = \
        ApprovalState.WAITING, actor.user.id, now, now
    try:
        session.flush()
    except IntegrityError:  # someone submitted the same record a moment ago
        raise Conflict(f"{kind.noun} is already waiting for approval", code="already_waiting") from None
    _audit(session, actor, "approval.submit", subject, before, request.state, rules.frozen_hash(frozen))
    notify.subject_submitted(session, actor, subject.label, kind.title(record), kind.area,
                             _writers(kind, record, request), now)
    return request


def approve(session: Session, actor: Actor, subject: Subject, seen_hash: str, *,
            now: datetime | None = None) -> ApprovalVersion:
    """Approve exactly the version the approver read (`seen_hash`); it is frozen with the approval."""
    kind, record = load(session, subject)
    permissions.require(actor, kind.area, "approve")
    seen_hash = rules.require_seen_hash(seen_hash)
    request = _waiting(session, kind, subject)
    _refuse_contributor(kind, record, request, actor, subject, "approve")
    frozen = kind.freeze(record)
    current = rules.frozen_hash(frozen)
    rules.check_seen_hash(seen_hash, current, kind.noun)
    _refuse_problems(kind, record, frozen)
    now = now or system_now()
    version = ApprovalVersion(request_id=request.id, content_hash=current, frozen=frozen,
                              approved_by_id=actor.user.id, approved_at=now)
    session.add(version)
    request.state, request.updated_at = ApprovalState.APPROVED, now
    session.flush()
    if kind.approved is not None:
        kind.approved(session, record, frozen)
    _audit(session, actor, "approval.approve", subject, ApprovalState.WAITING, request.state, current,
           {"version_id": version.id})
    notify.subject_approved(session, actor, subject.label, kind.title(record), _writers(kind, record, request), now)
    return version


def send_back(session: Session, actor: Actor, subject: Subject, comment: str, *,
              now: datetime | None = None) -> ApprovalSendBack:
    """Send it back to its writers with a comment telling them what to change."""
    kind, record = load(session, subject)
    permissions.require(actor, kind.area, "approve")
    request = _waiting(session, kind, subject)
    _refuse_contributor(kind, record, request, actor, subject, "send back")
    comment = rules.send_back_comment(comment)
    now = now or system_now()
    row = ApprovalSendBack(request_id=request.id, content_hash=rules.frozen_hash(kind.freeze(record)),
                           comment=comment, sent_back_by_id=actor.user.id, sent_back_at=now)
    session.add(row)
    request.state, request.updated_at = ApprovalState.SENT_BACK, now
    session.flush()
    _audit(session, actor, "approval.send_back", subject, ApprovalState.WAITING, request.state, row.content_hash,
           {"comment": comment})
    notify.subject_sent_back(session, actor, subject.label, kind.title(record), _writers(kind, record, request),
                             now, comment)
    return row


def withdraw(session: Session, actor: Actor, subject: Subject, *, now: datetime | None = None) -> ApprovalRequest:
    """Its writer takes it back before anyone decides (to fix it); the approvers no longer see it."""
    kind, record = load(session, subject)
    permissions.require(actor, kind.area, "submit")
    request = _waiting(session, kind, subject)
    if actor.user.id not in _writers(kind, record, request):
        raise Forbidden(f"only who wrote or edited {subject.type} {subject.id} may withdraw it from approval",
                        code="not_a_contributor")
    request.state, request.updated_at = ApprovalState.WITHDRAWN, now or system_now()
    session.flush()
    _audit(session, actor, "approval.withdraw", subject, ApprovalState.WAITING, request.state, None)
    return request


def approved_version(session: Session, subject: Subject) -> dict[str, Any] | None:
    """What may go out now: the frozen version last approved, or None (never approved, or changed since)."""
    request = _request(session, subject)
    if request is None or request.state != ApprovalState.APPROVED:
        return None
    return _last_version(session, request).frozen


def last_approved(session: Session, subject: Subject) -> ApprovalVersion | None:
    """The version approved last, whatever the state now: while an edit waits for approval, the public keeps
    reading this one (an area whose public pages show the last approved version, such as the agenda)."""
    request = _request(session, subject)
    if request is None:
        return None
    return session.scalars(select(ApprovalVersion).where(ApprovalVersion.request_id == request.id)
                           .order_by(ApprovalVersion.id.desc()).limit(1)).first()


def needs_approval_again(session: Session, actor: Actor, subject: Subject, *,
                         now: datetime | None = None) -> bool:
    """The area calls this after every change to what the record would send. When the record no longer freezes
    to the approved version, the approval lapses: back to waiting, and nothing goes out until someone approves
    again. Returns whether an approval lapsed."""
    kind, record = load(session, subject)
    request = _locked(session, subject)
    if request is None or request.state != ApprovalState.APPROVED:
        return False
    approved = _last_hash(session, request)
    current = rules.frozen_hash(kind.freeze(record))
    if current == approved:
        return False
    request.state, request.updated_at = ApprovalState.WAITING, now or system_now()
    session.flush()
    _audit(session, actor, "approval.lapse", subject, ApprovalState.APPROVED, request.state, current,
           {"approved_hash": approved})
    # Approved once, changed since: the approvers have it to decide again.
    notify.subject_submitted(session, actor, subject.label, kind.title(record), kind.area,
                             _writers(kind, record, request), request.updated_at)
    return True


def state(session: Session, subject: Subject) -> ApprovalState | None:
    """Where its approval stands (None: never submitted)."""
    request = _request(session, subject)
    return ApprovalState(request.state) if request else None


def current_hash(session: Session, subject: Subject) -> tuple[dict[str, Any], str]:
    """The record's frozen version as it is now and its hash: what an approver reads and names."""
    kind, record = load(session, subject)
    frozen = kind.freeze(record)
    return frozen, rules.frozen_hash(frozen)


def history(session: Session, subject: Subject) -> list[Step]:
    """Its approvals and send-backs, oldest first."""
    request = _request(session, subject)
    if request is None:
        return []
    steps = [Step("approved", v.approved_at, v.approved_by.name if v.approved_by else "", v.content_hash)
             for v in session.scalars(select(ApprovalVersion).where(ApprovalVersion.request_id == request.id))]
    steps += [Step("sent_back", s.sent_back_at, s.sent_back_by.name if s.sent_back_by else "", s.content_hash,
                   s.comment)
              for s in session.scalars(select(ApprovalSendBack).where(ApprovalSendBack.request_id == request.id))]
    return sorted(steps, key=lambda step: step.at)


def may_decide(session: Session, actor: Actor, subject: Subject) -> bool:
    """Whether this person may approve or send it back now (their role, four eyes, and it is waiting)."""
    kind, record = load(session, subject)
    request = _request(session, subject)
    return (request is not None and request.state == ApprovalState.WAITING and actor.user is not None
            and permissions.may(actor.user, kind.area, "approve")
            and actor.user.id not in _writers(kind, record, request))


def writers(session: Session, subject: Subject) -> set[int]:
    """Who may not decide on it: its authors and co-editors, and whoever submitted it."""
    kind, record = load(session, subject)
    request = _request(session, subject)
    return _writers(kind, record, request) if request else set(kind.contributors(record))


def waiting_for(session: Session, actor: Actor, *, limit: int = 50) -> list[Waiting]:
    """Everything, across the registered areas, waiting for this person's approval (four eyes applied)."""
    if actor.user is None:
        return []
    kinds = {kind.name: kind for kind in registered() if permissions.may(actor.user, kind.area, "approve")}
    if not kinds:
        return []
    out: list[Waiting] = []
    requests = session.scalars(select(ApprovalRequest)
                               .where(ApprovalRequest.state == ApprovalState.WAITING,
                                      ApprovalRequest.subject_type.in_(list(kinds)))
                               .order_by(ApprovalRequest.submitted_at, ApprovalRequest.id))
    for request in requests:
        kind = kinds[request.subject_type]
        record = kind.load(session, request.subject_id)
        if record is None or actor.user.id in _writers(kind, record, request):
            continue
        out.append(Waiting(Subject(kind.name, request.subject_id), kind.title(record), request.submitted_at))
        if len(out) == limit:
            break
    return out


def _request(session: Session, subject: Subject) -> ApprovalRequest | None:
    return session.scalar(select(ApprovalRequest).where(ApprovalRequest.subject_type == subject.type,
                                                        ApprovalRequest.subject_id == subject.id))


def _locked(session: Session, subject: Subject) -> ApprovalRequest | None:
    # Lock the row first (PostgreSQL; SQLite already holds its write lock) and read it afresh, so that of two
    # approvers at once the second sees what the first decided.
    request_id = session.scalar(select(ApprovalRequest.id).where(ApprovalRequest.subject_type == subject.type,
                                                                 ApprovalRequest.subject_id == subject.id)
                                .with_for_update())
    return None if request_id is None else session.get(ApprovalRequest, request_id, populate_existing=True)


def _waiting(session: Session, kind: SubjectType, subject: Subject) -> ApprovalRequest:
    request = _locked(session, subject)
    if request is None or request.state != ApprovalState.WAITING:
        now = "not submitted" if request is None else ApprovalState(request.state).value.replace("_", " ")
        raise Conflict(f"{kind.noun} is not waiting for approval (it is {now})", code="not_waiting",
                       details={"state": request.state if request else None})
    return request


def _writers(kind: SubjectType, record: Any, request: ApprovalRequest) -> set[int]:
    """Its authors and co-editors as the area names them, and whoever submitted it."""
    writers = set(kind.contributors(record))
    if request.submitted_by_id is not None:
        writers.add(request.submitted_by_id)
    return writers


def _refuse_contributor(kind: SubjectType, record: Any, request: ApprovalRequest, actor: Actor, subject: Subject,
                        verb: str) -> None:
    rules.refuse_contributor(actor.user.id, _writers(kind, record, request), f"{subject.type} {subject.id}", verb)


def _refuse_problems(kind: SubjectType, record: Any, frozen: dict[str, Any]) -> None:
    problems = kind.problems(record, frozen)
    if problems:
        summary = "; ".join(p.message for p in problems)
        raise Invalid(f"{kind.noun} cannot go out as it is: {summary}", code="invalid_content",
                      details={"problems": [p.as_dict() for p in problems]})


def _last_version(session: Session, request: ApprovalRequest) -> ApprovalVersion:
    return session.scalars(select(ApprovalVersion).where(ApprovalVersion.request_id == request.id)
                           .order_by(ApprovalVersion.id.desc()).limit(1)).one()


def _last_hash(session: Session, request: ApprovalRequest) -> str | None:
    return session.scalar(select(ApprovalVersion.content_hash).where(ApprovalVersion.request_id == request.id)
                          .order_by(ApprovalVersion.id.desc()).limit(1))


def _audit(session: Session, actor: Actor, action: str, subject: Subject, before: str | None, after: str,
           content_hash: str | None, detail: dict[str, Any] | None = None) -> None:
    trail.record(session, actor, action, subject=subject.label,
                 before={"state": str(before) if before else None},
                 after={"state": str(after), "content_hash": content_hash}, detail=detail)
