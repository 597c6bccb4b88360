"""Events: create, edit, change the status, cancel or move one occurrence. Every change is audited.

Rules kept here:
- officers and the cabinet write events (permissions "activities");
- every change a subscribed calendar must take over raises the event's SEQUENCE (RFC 5545, 3.8.7.4);
- an edit of what the public would read lapses the approval of the public fields (publisher.approval): the
  public keeps seeing the last approved version until a second person approves the new one;
- a change of status goes out at once, without a second approval (a cancelled or postponed event must not
  wait for one), and is audited with who did it;
- an edit names the version it changes (`expected_version`), so that two people cannot overwrite each other.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.activities import approval as event_approval
from publisher.activities import publication
from publisher.activities.input import EventInput
from publisher.activities.kinds import Status
from publisher.activities.models import Event, EventEditor, EventParticipant, Official
from publisher.activities.timing import EventTime, show
from publisher.approval import service as approval_service
from publisher.audit import trail
from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.clock import system_now
from publisher.core.errors import Conflict, Invalid, NotFound

UID_DOMAIN = "publisher.events"  # the right-hand side of every event's UID: stable across hosts and renames


def get(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id) if 0 < event_id < 2**31 else None
    if event is None:
        raise NotFound(f"no event with id {event_id}")
    return event


def create(session: Session, actor: Actor, data: EventInput, *, now: datetime | None = None) -> Event:
    permissions.require(actor, "activities", "write")
    now = now or system_now()
    event = Event(uid=f"{uuid.uuid4()}@{UID_DOMAIN}", created_by_id=_user_id(actor), created_at=now, sequence=0)
    _apply(session, event, data)
    event.updated_by_id, event.updated_at, event.status_changed_at = _user_id(actor), now, now
    session.add(event)
    _add_editor(event, actor)
    session.flush()
    trail.record(session, actor, "event.create", subject=subject_label(event), after=_audited(event))
    return event


def update(session: Session, actor: Actor, event_id: int, data: EventInput, *, expected_version: int | None,
           now: datetime | None = None) -> Event:
    """Change the event to `data`; `expected_version` is the version the writer read (None: refused)."""
    permissions.require(actor, "activities", "edit")
    event = get(session, event_id)
    _check_version(event, expected_version)
    before = _audited(event)
    calendar_before = _calendar_facing(event)
    _apply(session, event, data)
    after = _audited(event)
    if after == before:
        return event
    now = now or system_now()
    if data.status != before["status"]:
        event.status_changed_at = now
    if _calendar_facing(event) != calendar_before:
        event.sequence += 1
    event.updated_by_id, event.updated_at = _user_id(actor), now
    _add_editor(event, actor)
    session.flush()
    trail.record(session, actor, "event.edit", subject=subject_label(event), before=before, after=after)
    approval_service.needs_approval_again(session, actor, event_approval.subject(event), now=now)
    publication.refresh(session, event)  # a tightened visibility or "public from" takes effect at once
    return event


def set_status(session: Session, actor: Actor, event_id: int, status: Status | str, *, reason: str = "",
               now: datetime | None = None) -> Event:
    """Cancel, postpone, confirm or make tentative, at once: the public sees the new status without a second
    approval (what it announced stays the last approved version), and the change is audited."""
    permissions.require(actor, "activities", "status")
    try:
        status = Status(status)
    except ValueError:
        raise Invalid(f"status must be one of {', '.join(s.value for s in Status)}", code="bad_choice",
                      details={"field": "status"}) from None
    event = get(session, event_id)
    if event.status == status:
        return event
    now = now or system_now()
    before = event.status
    event.status, event.status_changed_at, event.updated_at = status, now, now
    event.sequence += 1
    session.flush()
    trail.record(session, actor, "event.status", subject=subject_label(event), before={"status": before},
                 after={"status": str(status)}, detail={"reason": reason[:500]} if reason else None)
    publication.refresh(session, event)
    return event


def cancel_occurrence(session: Session, actor: Actor, event_id: int, original: str, *,
                      now: datetime | None = None) -> Event:
    """Cancel one occurrence of a recurring event (named by its original start, as the calendar shows it)."""
    return _change_occurrence(session, actor, event_id, original, "skip", None, now)


def move_occurrence(session: Session, actor: Actor, event_id: int, original: str, start: str, *,
                    now: datetime | None = None) -> Event:
    """Move one occurrence to another start (same length); its original start keeps naming it."""
    return _change_occurrence(session, actor, event_id, original, "move", start, now)


def restore_occurrence(session: Session, actor: Actor, event_id: int, original: str, *,
                       now: datetime | None = None) -> Event:
    """Undo a cancellation or a move of one occurrence."""
    return _change_occurrence(session, actor, event_id, original, "restore", None, now)


def subject_label(event: Event) -> str:
    return f"event:{event.id}"


def _change_occurrence(session: Session, actor: Actor, event_id: int, original: str, how: str, start: str | None,
                       now: datetime | None) -> Event:
    permissions.require(actor, "activities", "status" if how == "skip" else "edit")
    event = get(session, event_id)
    if not event.rule:
        raise Invalid("only a recurring event has occurrences to cancel or move one by one", code="not_recurring")
    exceptions = {"skipped": list((event.exceptions or {}).get("skipped", [])),
                  "moved": [dict(m) for m in (event.exceptions or {}).get("moved", [])]}
    original = (original or "").strip()[:32]
    exceptions["skipped"] = [s for s in exceptions["skipped"] if s != original]
    exceptions["moved"] = [m for m in exceptions["moved"] if m.get("original") != original]
    if how == "skip":
        exceptions["skipped"].append(original)
    elif how == "move":
        exceptions["moved"].append({"original": original, "start": (start or "").strip()[:32].replace(" ", "T")})
    time = EventTime.of(event)
    changed = EventTime(all_day=time.all_day, zone=time.zone, start=time.start, end=time.end, rule=time.rule,
                        exceptions=exceptions)  # refuses an original the rule never makes, naming it
    before = dict(event.exceptions or {})
    if changed.to_columns()["exceptions"] == before:
        return event
    for key, value in changed.to_columns().items():
        setattr(event, key, value)
    now = now or system_now()
    event.sequence += 1
    event.updated_by_id, event.updated_at = _user_id(actor), now
    _add_editor(event, actor)
    session.flush()
    trail.record(session, actor, f"event.occurrence_{how}", subject=subject_label(event),
                 before={"exceptions": before}, after={"exceptions": event.exceptions},
                 detail={"original": original, **({"start": start} if start else {})})
    if how != "skip":  # a moved occurrence is a new public time: it waits for approval like any edit
        approval_service.needs_approval_again(session, actor, event_approval.subject(event), now=now)
    publication.refresh(session, event)  # a cancelled occurrence goes out at once
    return event


def _apply(session: Session, event: Event, data: EventInput) -> None:
    officials = _officials(session, data.official_ids, event.official_ids)
    event.kind, event.title, event.description = str(data.kind), data.title, data.description
    time = data.time
    if event.id is not None and event.exceptions and _same_series(event, data):
        # An edit of the title or the length keeps the occurrences cancelled or moved one by one.
        time = EventTime(all_day=time.all_day, zone=time.zone, start=time.start, end=time.end, rule=time.rule,
                         exceptions=dict(event.exceptions))
    for key, value in time.to_columns().items():
        setattr(event, key, value)
    event.place, event.city, event.country = data.place, data.city, data.country
    event.organisations, event.guests = list(data.organisations), list(data.guests)
    event.status, event.visibility, event.public_from = str(data.status), str(data.visibility), data.public_from
    event.internal_notes = data.internal_notes
    wanted = [o.id for o in officials]
    if [p.official_id for p in event.participants] != sorted(wanted):
        event.participants = [EventParticipant(official_id=i) for i in sorted(wanted)]


def _same_series(event: Event, data: EventInput) -> bool:
    """Whether the edit keeps the series' start and rule, so its single changes still apply."""
    return (event.rule or None) == (data.time.rule or None) and event.start_local == show(data.time.start) \
        and event.all_day == data.time.all_day and event.zone == data.time.zone


def _officials(session: Session, ids: tuple[int, ...], already: set[int]) -> list[Official]:
    found = {o.id: o for o in session.scalars(select(Official).where(Official.id.in_(ids)))} if ids else {}
    for official_id in ids:
        official = found.get(official_id)
        if official is None:
            raise Invalid(f"no official with id {official_id}", code="unknown_official",
                          details={"field": "officials", "id": official_id})
        if not official.active and official_id not in already:
            raise Invalid(f"{official.name} is no longer on the list of officials", code="inactive_official",
                          details={"field": "officials", "id": official_id})
    return [found[i] for i in ids]


def _check_version(event: Event, expected: int | None) -> None:
    if expected is None:
        raise Conflict("say which version of the event you changed", code="version_required")
    if expected != event.version:
        raise Conflict("someone else changed this event since you opened it: reload it and make your change again",
                       code="stale", details={"version": event.version})


def _add_editor(event: Event, actor: Actor) -> None:
    user_id = _user_id(actor)
    if user_id is not None and user_id not in {e.user_id for e in event.editors}:
        event.editors.append(EventEditor(user_id=user_id))


def _user_id(actor: Actor) -> int | None:
    return actor.user.id if actor.user else None


def _calendar_facing(event: Event) -> dict[str, Any]:
    """What a subscribed calendar shows of an event (its private feed may show the notes too)."""
    state = _audited(event)
    state.pop("version", None)
    return state


def _audited(event: Event) -> dict[str, Any]:
    return {"kind": event.kind, "title": event.title.to_json(), "description": event.description.to_json(),
            "all_day": event.all_day, "zone": event.zone, "start": event.start_local, "end": event.end_local,
            "rule": event.rule, "exceptions": event.exceptions, "place": event.place, "city": event.city,
            "country": event.country, "officials": sorted(event.official_ids),
            "organisations": list(event.organisations or []), "guests": list(event.guests or []),
            "status": event.status, "visibility": event.visibility,
            "public_from": event.public_from.isoformat() if event.public_from else None,
            "internal_notes": event.internal_notes}
