"""Events and officials as tests need them: fields a form would send, made through the services."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from publisher.activities import approval as _event_approval  # noqa: F401 - registers the approval subject
from publisher.activities import events, officials
from publisher.activities.input import read_event
from publisher.activities.models import Event, Official
from publisher.core.actor import Actor
from publisher.core.multilingual import MultilingualText
from tests.factories.people import SYSTEM


def event_fields(**overrides: Any) -> dict[str, Any]:
    """A confirmed, public press conference on Monday 7 December 2026, 10:00-11:00 in Belgrade."""
    fields: dict[str, Any] = {
        "kind": "press_conference", "title": {"sr-Cyrl": "Конференција за медије министра"},
        "description": {"sr-Cyrl": "О новом закону о медијима."}, "all_day": False, "zone": "Europe/Belgrade",
        "start": "2026-12-07T10:00", "end": "2026-12-07T11:00", "place": "Сала 1, Немањина 11",
        "city": "Београд", "country": "RS", "status": "confirmed", "visibility": "public",
        "internal_notes": "Обезбеђење: улаз са задње стране.",
    }
    fields.update(overrides)
    return fields


def make_event(session: Session, actor: Actor, **overrides: Any) -> Event:
    """An event made by `actor` through the service (flushed, not committed)."""
    return events.create(session, actor, read_event(event_fields(**overrides)))


def edit_event(session: Session, actor: Actor, event: Event, **overrides: Any) -> Event:
    """The event changed by `actor` to its current fields with `overrides`."""
    return events.update(session, actor, event.id, read_event({**fields_of(event), **overrides}),
                         expected_version=event.version)


def fields_of(event: Event) -> dict[str, Any]:
    return {"kind": event.kind, "title": event.title.to_json(), "description": event.description.to_json(),
            "all_day": event.all_day, "zone": event.zone, "start": event.start_local, "end": event.end_local,
            "rule": event.rule or "", "place": event.place, "city": event.city, "country": event.country,
            "officials": sorted(event.official_ids), "organisations": list(event.organisations),
            "guests": list(event.guests), "status": event.status, "visibility": event.visibility,
            "internal_notes": event.internal_notes}


def make_official(session: Session, name: str = "Др Јована Петровић", role: str = "minister", **kw: Any) -> Official:
    return officials.save(session, SYSTEM, name=name, role=role,
                          position=MultilingualText(kw.pop("position", {"sr-Cyrl": "Министарка"})), **kw)

