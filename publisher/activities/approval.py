"""The event as an approval subject: exactly the fields the public may read are frozen and approved.

Frozen: kind, title and description in every language they can be read in (derived Serbian script
included), the time as written with its zone and rule and single changes, the place, the officials taking
part (name and position), the organisations, and the visibility with its "public from". Not frozen: the
internal notes and the guests (never public), and the status and the cancelled occurrences, which go out at
once (events.set_status, events.cancel_occurrence; publication merges them into the public copy).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from channels.base import Problem
from publisher.activities import publication
from publisher.activities.kinds import APPROVAL_TYPE, Visibility
from publisher.activities.models import Event
from publisher.approval.subject import Subject, SubjectType, register

TYPE = APPROVAL_TYPE


def subject(event: Event) -> Subject:
    return Subject(TYPE, event.id)


def freeze(event: Event) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "title": dict(event.title.items()),
        "description": dict(event.description.items()),
        "all_day": event.all_day, "zone": event.zone, "start": event.start_local, "end": event.end_local,
        # Moved occurrences are new public times; cancelled ones go out at once, like a cancelled event.
        "rule": event.rule, "exceptions": {"moved": list((event.exceptions or {}).get("moved", []))},
        "place": event.place, "city": event.city, "country": event.country,
        "officials": [{"id": o.id, "name": o.name, "role": o.role, "position": dict(o.position.items())}
                      for o in event.officials],
        "organisations": list(event.organisations or []),
        "visibility": event.visibility,
        "public_from": event.public_from.isoformat() if event.public_from else None,
    }


def _problems(event: Event, frozen: dict[str, Any]) -> list[Problem]:
    if event.visibility != Visibility.PUBLIC:
        return [Problem("agenda", "the event is internal: only a public event's fields are approved for the public",
                        field="visibility", code="internal_event")]
    return []


def _load(session: Session, event_id: int) -> Event | None:
    return session.get(Event, event_id)


EVENT = register(SubjectType(
    name=TYPE, area="activities", load=_load, freeze=freeze, contributors=lambda event: event.writer_ids,
    title=lambda event: event.title.get(event.title.languages()[0]) if event.title else f"#{event.id}",
    problems=_problems, noun="the event", approved=lambda session, event, frozen: publication.refresh(session, event),
))
