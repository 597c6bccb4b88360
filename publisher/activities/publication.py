"""The public copy of each event (AgendaEntry), kept in step with its approval, status and visibility.

`refresh` is called after every change that can alter what the public sees: an approval (the approval
subject's hook), a change of status, an edit (visibility or "public from" may have tightened; an edit of the
content itself changes nothing public until it is approved) and a change of one occurrence's status.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from publisher.activities.kinds import APPROVAL_TYPE, Visibility
from publisher.activities.models import AgendaEntry, Event
from publisher.activities.timing import EventTime
from publisher.approval import service as approval_service
from publisher.approval.subject import Subject
from publisher.core.errors import Invalid


def refresh(session: Session, event: Event) -> AgendaEntry | None:
    """Write, change or remove the event's public copy; returns it (None: the public sees nothing of it)."""
    entry = session.get(AgendaEntry, event.id)
    approved = approval_service.last_approved(session, Subject(APPROVAL_TYPE, event.id))
    if event.visibility != Visibility.PUBLIC or approved is None or \
            approved.frozen.get("visibility") != Visibility.PUBLIC:
        if entry is not None:
            session.delete(entry)
            session.flush()
        return None
    frozen = _with_cancellations(approved.frozen, event)
    time = frozen_time(frozen)
    starts_at = time.first()[0]
    approved_from = datetime.fromisoformat(frozen["public_from"]) if frozen.get("public_from") else None
    public_from = max((t for t in (approved_from, event.public_from) if t is not None), default=None)
    updated = max(t for t in (approved.approved_at, event.status_changed_at) if t is not None)
    values = {"uid": event.uid, "sequence": event.sequence, "status": event.status, "kind": frozen["kind"],
              "public_from": public_from, "starts_at": starts_at, "last_ends_at": time.last_end(),
              "frozen": frozen, "approved_at": approved.approved_at, "updated_at": updated}
    if entry is None:
        entry = AgendaEntry(event_id=event.id, **values)
        session.add(entry)
    else:
        for key, value in values.items():
            setattr(entry, key, value)
    session.flush()
    return entry


def frozen_time(frozen: dict) -> EventTime:
    """The time of an approved version (publisher.activities.approval.freeze)."""
    read = date.fromisoformat if frozen["all_day"] else datetime.fromisoformat
    return EventTime(all_day=frozen["all_day"], zone=frozen["zone"], start=read(frozen["start"]),
                     end=read(frozen["end"]), rule=frozen.get("rule"), exceptions=frozen.get("exceptions") or {})


def _with_cancellations(frozen: dict, event: Event) -> dict:
    """The approved version with the occurrences cancelled since: a cancellation goes out at once. An
    occurrence the approved rule does not make (the rule changed, waiting for approval) is left out."""
    skipped = [s for s in (event.exceptions or {}).get("skipped", []) if isinstance(s, str)]
    if not frozen.get("rule") or not skipped:
        return frozen
    moved = (frozen.get("exceptions") or {}).get("moved", [])
    moved_originals = {m.get("original") for m in moved}
    kept: list[str] = []
    for original in skipped:
        if original in moved_originals:
            continue
        trial = {**frozen, "exceptions": {"moved": moved, "skipped": [*kept, original]}}
        try:
            frozen_time(trial)
        except Invalid:
            continue
        kept.append(original)
    return {**frozen, "exceptions": {"moved": moved, "skipped": kept}}
