"""What each person wants to be told, and where: per kind of notification, in the dashboard and by e-mail.

A person without a row for a kind has the default: everything in the dashboard; by e-mail what needs them
(a post to approve, a reminder, their post sent back or failed), not the good news.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.audit import trail
from publisher.core.actor import Actor
from publisher.core.errors import Invalid
from publisher.notifications.models import NotificationChoice

AWAITING_APPROVAL = "awaiting_approval"  # to approvers who did not write the post
APPROVAL_REMINDER = "approval_reminder"  # the same post still waits, after the reminder period
APPROVED = "approved"  # to the post's author and contributors, as the rest below
SENT_BACK = "sent_back"
PUBLISHED = "published"
FAILED = "failed"  # some or all of its channels did not get it
ALERT = "alert"  # an alert that concerns the person (publishing.alerts.concerned); alerts mail themselves
# To those who may send it: next week's plan was prepared and waits for their "send" (or could not be made).
WEEKLY_PLAN_WAITING = "weekly_plan_waiting"
KINDS = (AWAITING_APPROVAL, APPROVAL_REMINDER, APPROVED, SENT_BACK, PUBLISHED, FAILED, ALERT, WEEKLY_PLAN_WAITING)
MAILED_KINDS = tuple(k for k in KINDS if k != ALERT)  # an alert has its own mail already (alerts.queue_pending)


@dataclass(frozen=True)
class Choice:
    dashboard: bool
    email: bool


DEFAULTS: dict[str, Choice] = {
    AWAITING_APPROVAL: Choice(True, True),
    APPROVAL_REMINDER: Choice(True, True),
    APPROVED: Choice(True, False),
    SENT_BACK: Choice(True, True),
    PUBLISHED: Choice(True, False),
    FAILED: Choice(True, True),
    ALERT: Choice(True, False),
    WEEKLY_PLAN_WAITING: Choice(True, True),
}


def choices_of(session: Session, user_id: int) -> dict[str, Choice]:
    """One person's choices for every kind, the defaults filled in."""
    rows = session.scalars(select(NotificationChoice).where(NotificationChoice.user_id == user_id))
    return {**DEFAULTS, **{r.kind: Choice(r.dashboard, r.email) for r in rows if r.kind in DEFAULTS}}


def choices_for(session: Session, user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], Choice]:
    """Many people's choices for some kinds, (user, kind) -> choice: what making notifications asks, once for
    all their recipients."""
    ids, kinds = sorted(set(user_ids)), sorted(set(kinds))
    chosen = {(r.user_id, r.kind): Choice(r.dashboard, r.email) for r in session.scalars(
        select(NotificationChoice).where(NotificationChoice.user_id.in_(ids), NotificationChoice.kind.in_(kinds)))}
    return {(uid, kind): chosen.get((uid, kind), DEFAULTS[kind]) for uid in ids for kind in kinds}


def save_choices(session: Session, actor: Actor, wanted: Mapping[str, Choice]) -> dict[str, Choice]:
    """Store a person's own choices (every kind named; the rest keep theirs). Alerts are never mailed here."""
    if actor.user is None:
        raise Invalid("only a person has notification choices")
    unknown = sorted(set(wanted) - set(KINDS))
    if unknown:
        raise Invalid(f"unknown kind(s) of notification: {', '.join(unknown)}; known: {', '.join(KINDS)}",
                      code="unknown_kind")
    before = choices_of(session, actor.user.id)
    rows = {r.kind: r for r in session.scalars(
        select(NotificationChoice).where(NotificationChoice.user_id == actor.user.id))}
    for kind, choice in wanted.items():
        email = choice.email and kind in MAILED_KINDS
        row = rows.get(kind) or NotificationChoice(user_id=actor.user.id, kind=kind)
        row.dashboard, row.email = bool(choice.dashboard), bool(email)
        session.add(row)
    session.flush()
    after = choices_of(session, actor.user.id)
    changed = {k: {"dashboard": v.dashboard, "email": v.email} for k, v in after.items() if before[k] != v}
    if changed:
        trail.record(session, actor, "notifications.choices", subject=f"user:{actor.user.id}", after=changed)
    return after
