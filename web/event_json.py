"""What the JSON API says of an event, one of its occurrences, its approval and an official, and the JSON
schemas of those answers (the OpenAPI document declares them; the fuzz test holds the answers to them).

Texts in several languages are shown in every language they can be read in, each marked whether it was
written or derived (the other Serbian script, by transliteration); a client that writes the event back sends
only the written ones. Times are UTC instants (`Z`) and, beside them, the local time with its offset in the
event's own zone; the start and end as written (`start`, `end`, local wall time or dates) are what PUT takes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from publisher.activities.calendar import Occurrence
from publisher.activities.kinds import Kind, Status, Visibility
from publisher.activities.models import Event, Official
from publisher.activities.officials import ROLES
from publisher.approval.models import ApprovalVersion
from publisher.approval.service import Step
from publisher.core.multilingual import LANGUAGES, MultilingualText
from web.presenters import when

_NULLABLE_TEXT = {"type": ["string", "null"]}
_INSTANT = {"type": "string", "description": "UTC, ISO 8601 with Z"}
TEXTS = {
    "type": "object", "propertyNames": {"enum": list(LANGUAGES)},
    "additionalProperties": {"type": "object", "required": ["text", "derived"], "additionalProperties": False,
                             "properties": {"text": {"type": "string"}, "derived": {"type": "boolean"}}},
    "description": "language -> {text, derived}: every language the text can be read in; `derived` marks the "
                   "Serbian script made by transliteration from the other one",
}
OFFICIAL_BRIEF = {"type": "object", "required": ["id", "name", "role"],
                  "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "role": {"enum": list(ROLES)}}}
EVENT = {
    "type": "object",
    "required": ["id", "uid", "version", "sequence", "kind", "title", "description", "all_day", "zone", "start",
                 "end", "rule", "exceptions", "starts_at", "ends_at", "last_ends_at", "place", "city", "country",
                 "officials", "organisations", "guests", "status", "visibility", "public_from", "public_from_utc",
                 "internal_notes", "approval"],
    "properties": {
        "id": {"type": "integer"}, "uid": {"type": "string", "description": "iCalendar UID: never changes"},
        "version": {"type": "integer", "description": "the ETag; PUT names it in If-Match"},
        "sequence": {"type": "integer", "description": "iCalendar SEQUENCE"},
        "kind": {"enum": [k.value for k in Kind]}, "title": TEXTS, "description": TEXTS,
        "all_day": {"type": "boolean"}, "zone": {"type": "string"},
        "start": {"type": "string", "description": "as written: local wall time in `zone`, or a date when all-day"},
        "end": {"type": "string", "description": "as written; an all-day event's last day, inclusive"},
        "rule": _NULLABLE_TEXT, "exceptions": {"type": "object"},
        "starts_at": _INSTANT, "ends_at": _INSTANT, "last_ends_at": _INSTANT,
        "place": {"type": "string"}, "city": {"type": "string"}, "country": {"type": "string"},
        "officials": {"type": "array", "items": OFFICIAL_BRIEF},
        "organisations": {"type": "array", "items": {"type": "string"}},
        "guests": {"type": "array", "items": {"type": "string"}},
        "status": {"enum": [s.value for s in Status]}, "visibility": {"enum": [v.value for v in Visibility]},
        "public_from": {"type": ["string", "null"], "description": "local wall time in `zone`, as PUT takes it"},
        "public_from_utc": {"type": ["string", "null"]},
        "internal_notes": {"type": "string"},
        "created_by": _NULLABLE_TEXT, "updated_by": _NULLABLE_TEXT,
        "created_at": _INSTANT, "updated_at": _INSTANT, "status_changed_at": _NULLABLE_TEXT,
        "approval": {"type": "object", "required": ["state"], "properties": {"state": _NULLABLE_TEXT}},
    },
}
OCCURRENCE = {
    "type": "object",
    "required": ["event_id", "original", "recurring", "moved", "start", "end", "start_local", "end_local", "zone",
                 "all_day", "status", "kind", "title", "officials", "conflicts"],
    "properties": {
        "event_id": {"type": "integer"},
        "original": {"type": ["string", "null"], "description": "a recurring event's occurrence: its start by the "
                     "rule, as written (what /occurrences/{original}/... takes); null for a single event"},
        "recurring": {"type": "boolean"}, "moved": {"type": "boolean"},
        "start": _INSTANT, "end": {**_INSTANT, "description": "UTC; an all-day event ends at the next midnight"},
        "start_local": {"type": "string", "description": "ISO 8601 with the offset of `zone`"},
        "end_local": {"type": "string"}, "zone": {"type": "string"}, "all_day": {"type": "boolean"},
        "status": {"enum": [s.value for s in Status], "description": "the event's, or cancelled for one cancelled "
                                                                     "occurrence of a series"},
        "kind": {"enum": [k.value for k in Kind]}, "visibility": {"enum": [v.value for v in Visibility]},
        "title": TEXTS, "officials": {"type": "array", "items": OFFICIAL_BRIEF},
        "conflicts": {"type": "array", "items": {"type": "integer"},
                      "description": "ids of the officials who would be in two places at once"},
    },
}
OCCURRENCES = {"type": "object", "required": ["after", "before", "items"],
               "properties": {"after": _INSTANT, "before": _INSTANT, "items": {"type": "array", "items": OCCURRENCE}}}
_VERSION = {"type": "object", "required": ["content_hash", "frozen"],
            "properties": {"content_hash": {"type": "string"}, "frozen": {"type": "object"},
                           "approved_at": {"type": "string"}, "approved_by": _NULLABLE_TEXT}}
APPROVAL = {
    "type": "object", "required": ["event_id", "state", "current", "last_approved", "may_decide", "history"],
    "properties": {
        "event_id": {"type": "integer"},
        "state": {"type": ["string", "null"], "description": "waiting, approved, sent_back, withdrawn; null: never "
                                                             "submitted"},
        "current": {**_VERSION, "description": "the public fields as they are now and their hash: what /approve "
                                               "names in content_hash"},
        "last_approved": {"oneOf": [{"type": "null"}, _VERSION],
                          "description": "what the public reads while an edit waits"},
        "may_decide": {"type": "boolean", "description": "whether the caller may approve or send it back now"},
        "history": {"type": "array", "items": {"type": "object"}},
    },
}
OFFICIAL = {
    "type": "object", "required": ["id", "name", "role", "position", "user_id", "active", "sort"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "role": {"enum": list(ROLES)},
                   "position": TEXTS, "user_id": {"type": ["integer", "null"]}, "user": _NULLABLE_TEXT,
                   "active": {"type": "boolean"}, "sort": {"type": "integer"}},
}
OFFICIALS = {"type": "array", "items": OFFICIAL}


def texts(text: MultilingualText) -> dict[str, dict[str, Any]]:
    return {language: {"text": shown, "derived": text.is_derived(language)} for language, shown in text.items()}


def event(e: Event, *, approval_state: str | None) -> dict[str, Any]:
    return {
        "id": e.id, "uid": e.uid, "version": e.version, "sequence": e.sequence, "kind": e.kind,
        "title": texts(e.title), "description": texts(e.description), "all_day": e.all_day, "zone": e.zone,
        "start": e.start_local, "end": e.end_local, "rule": e.rule,
        "exceptions": {"skipped": list((e.exceptions or {}).get("skipped", [])),
                       "moved": list((e.exceptions or {}).get("moved", []))},
        "starts_at": when(e.starts_at), "ends_at": when(e.ends_at), "last_ends_at": when(e.last_ends_at),
        "place": e.place, "city": e.city, "country": e.country, "officials": [_official_brief(o) for o in e.officials],
        "organisations": list(e.organisations or []), "guests": list(e.guests or []),
        "status": e.status, "visibility": e.visibility,
        "public_from": _wall(e.public_from, e.zone) if e.public_from else None,
        "public_from_utc": when(e.public_from), "internal_notes": e.internal_notes,
        "created_by": e.created_by.name if e.created_by else None,
        "updated_by": e.updated_by.name if e.updated_by else None,
        "created_at": when(e.created_at), "updated_at": when(e.updated_at),
        "status_changed_at": when(e.status_changed_at), "approval": {"state": approval_state},
    }


def occurrence(o: Occurrence, conflicts: set[int]) -> dict[str, Any]:
    e = o.event
    zone = ZoneInfo(e.zone)
    return {
        "event_id": e.id, "original": _original(o.original) if e.rule else None, "recurring": bool(e.rule),
        "moved": o.moved, "start": when(o.start), "end": when(o.end),
        "start_local": o.start.astimezone(zone).isoformat(timespec="seconds"),
        "end_local": o.end.astimezone(zone).isoformat(timespec="seconds"), "zone": e.zone, "all_day": e.all_day,
        "status": o.status, "kind": e.kind, "visibility": e.visibility, "title": texts(e.title),
        "officials": [_official_brief(x) for x in e.officials], "conflicts": sorted(conflicts),
    }


def approval(event_id: int, state: str | None, current: tuple[dict[str, Any], str],
             last: ApprovalVersion | None, may_decide: bool, history: list[Step]) -> dict[str, Any]:
    frozen, content_hash = current
    return {
        "event_id": event_id, "state": state, "current": {"content_hash": content_hash, "frozen": frozen},
        "last_approved": None if last is None else {
            "content_hash": last.content_hash, "frozen": last.frozen, "approved_at": when(last.approved_at),
            "approved_by": last.approved_by.name if last.approved_by else None},
        "may_decide": may_decide,
        "history": [{"kind": s.kind, "at": when(s.at), "by": s.by, "content_hash": s.content_hash,
                     "comment": s.comment} for s in history],
    }


def official(o: Official) -> dict[str, Any]:
    return {"id": o.id, "name": o.name, "role": o.role, "position": texts(o.position), "user_id": o.user_id,
            "user": o.user.name if o.user else None, "active": o.active, "sort": o.sort}


def _official_brief(o: Official) -> dict[str, Any]:
    return {"id": o.id, "name": o.name, "role": o.role}


def _original(value: datetime | date) -> str:
    return value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, datetime) else value.isoformat()


def _wall(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
