"""The events and the officials in the JSON API (/api/v1/events, /api/v1/officials), on the API's blueprint.

Imported by web.app before the blueprint is registered: the routes join the token authentication, the error
mapping and the OpenAPI document of web.api. Views parse and present; publisher.activities decides. The JSON
schemas check the types before a service sees the body; the service's refusals name the field
(details["field"]).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, g, jsonify, request, url_for

from publisher.activities import approval as event_approval  # registers the event as an approval subject
from publisher.activities import calendar, events, officials
from publisher.activities.input import read_event
from publisher.activities.kinds import Kind, Status, Visibility
from publisher.activities.models import CITY, MAX_NAMES, MAX_OFFICIALS, NAME, NOTES, PLACE, TITLE, Official
from publisher.approval import service as approval_service
from publisher.core import limits, parse, permissions
from publisher.core.errors import (
    Conflict,
    Invalid,
    Malformed,
    NotFound,
    PreconditionFailed,
)
from publisher.core.multilingual import LANGUAGES, MultilingualText
from publisher.recurrence.limits import MAX_RULE_TEXT, MAX_SPAN
from web import event_json, params, presenters
from web.api import bp
from web.context import db, runtime
from web.endpoints import endpoint

TAG = "events"
DEFAULT_SPAN = timedelta(days=7)
_MAX_SORT = 1_000_000


def _languages(limit: int, what: str) -> dict[str, Any]:
    return {"type": "object", "propertyNames": {"enum": list(LANGUAGES)},
            "additionalProperties": {"type": "string", "maxLength": limit},
            "description": f"{what}: language -> text, as written (sr-Cyrl, sr-Latn, sq, en); the other Serbian "
                           "script is derived unless written too"}


_WALL_TEXT = {"type": "string", "maxLength": 32}
_NAMES = {"type": "array", "maxItems": MAX_NAMES, "items": {"type": "string", "maxLength": NAME}}
EVENT_FIELDS: dict[str, Any] = {
    "kind": {"enum": [k.value for k in Kind]},
    "title": _languages(TITLE, "the title"),
    "description": _languages(NOTES, "the description"),
    "all_day": {"type": "boolean", "default": False},
    "zone": {"type": "string", "maxLength": 64, "description": "IANA zone, e.g. Europe/Belgrade"},
    "start": {**_WALL_TEXT, "description": "local wall time in `zone`, 2026-12-07T10:00; a date when all-day"},
    "end": {**_WALL_TEXT, "description": "local wall time in `zone`; an all-day event's last day, inclusive"},
    "rule": {"type": ["string", "null"], "maxLength": MAX_RULE_TEXT,
             "description": "an RFC 5545 RRULE (FREQ=WEEKLY;COUNT=10) with an end; null or empty: a single event"},
    "place": {"type": "string", "maxLength": PLACE}, "city": {"type": "string", "maxLength": CITY},
    "country": {"type": "string", "maxLength": 2, "description": "ISO 3166-1 alpha-2 (RS, XK, BE)"},
    "officials": {"type": "array", "maxItems": MAX_OFFICIALS, "items": {"type": "integer"},
                  "description": "ids from GET /api/v1/officials"},
    "organisations": {**_NAMES, "description": "names; public once approved"},
    "guests": {**_NAMES, "description": "names; never public"},
    "status": {"enum": [s.value for s in Status], "default": Status.TENTATIVE.value},
    "visibility": {"enum": [v.value for v in Visibility], "default": Visibility.INTERNAL.value},
    "public_from": {"type": ["string", "null"], "maxLength": 32,
                    "description": "local wall time in `zone` from which the public may see it; null: once approved"},
    "internal_notes": {"type": "string", "maxLength": NOTES, "description": "never public"},
}
EVENT_BODY = {
    "type": "object", "required": ["kind", "title", "zone", "start", "end"], "additionalProperties": False,
    "properties": EVENT_FIELDS,
    "examples": [{"kind": "press_conference", "title": {"sr-Cyrl": "Конференција за медије"},
                  "zone": "Europe/Belgrade", "start": "2026-12-07T10:00", "end": "2026-12-07T11:00",
                  "status": "confirmed", "visibility": "public"}],
}
STATUS_BODY = {"type": "object", "required": ["status"], "additionalProperties": False,
               "properties": {"status": {"enum": [s.value for s in Status]},
                              "reason": {"type": "string", "maxLength": 500, "description": "kept in the audit"}}}
MOVE_BODY = {"type": "object", "required": ["start"], "additionalProperties": False,
             "properties": {"start": {**_WALL_TEXT, "description": "the occurrence's new local start in the event's "
                                      "zone (a date for an all-day series); it keeps its length"}}}
APPROVE_BODY = {"type": "object", "required": ["content_hash"], "additionalProperties": False,
                "properties": {"content_hash": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                                                "description": "current.content_hash from GET .../approval: exactly "
                                                               "that version is approved"}}}
SEND_BACK_BODY = {"type": "object", "required": ["comment"], "additionalProperties": False,
                  "properties": {"comment": {"type": "string", "maxLength": limits.COMMENT}}}
OFFICIAL_BODY = {
    "type": "object", "required": ["name", "role"], "additionalProperties": False,
    "properties": {"name": {"type": "string", "maxLength": NAME}, "role": {"enum": list(officials.ROLES)},
                   "position": _languages(TITLE, "the position, e.g. Министарка привреде"),
                   "user_id": {"type": ["integer", "null"], "minimum": 1, "maximum": parse.MAX_ID,
                               "description": "the person's account, so their own feed shows their events"},
                   "active": {"type": "boolean", "default": True,
                              "description": "false: off the list; their past events keep them"},
                   "sort": {"type": "integer", "minimum": -_MAX_SORT, "maximum": _MAX_SORT, "default": 0}}}
WINDOW_QUERY = {
    "after": {"type": "string", "maxLength": 40, "description": "start of the window: a date (midnight in the "
              "office's zone), a local time 2026-12-07T10:00 in the office's zone, or ISO 8601 with an offset; "
              "default: today"},
    "before": {"type": "string", "maxLength": 40, "description": "end of the window, written like `after`; "
               f"default: 7 days after it; at most {MAX_SPAN.days} days after it"},
    "kind": {"type": "array", "items": {"enum": [k.value for k in Kind]}, "description": "repeat for several"},
    "status": {"type": "array", "items": {"enum": [s.value for s in Status]}, "description": "repeat for several"},
    "official": {"type": "integer", "minimum": 1, "maximum": parse.MAX_ID, "description": "only this official's"},
}
_ONE = {200: "", 403: "", 404: ""}
_WRITE = {200: "", 400: "", 403: "", 404: "", 409: "", 422: ""}
_INSTANT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
                      r"(Z|[+-][0-9]{2}:[0-9]{2})?)?", re.ASCII)


# --- events ---------------------------------------------------------------------------------------------


@endpoint(bp, "/events", "GET", "The occurrences of events overlapping a window, with conflicts (one official in "
          "two places at once)", tag=TAG, query=WINDOW_QUERY, responses={200: "", 400: "", 403: ""},
          response_schema=event_json.OCCURRENCES)
def events_list() -> tuple[Response, int]:
    permissions.require(g.actor, "activities", "read")
    after, before = _window()
    filters = calendar.Filters(kinds=frozenset(_choices("kind", Kind)), statuses=frozenset(_choices("status", Status)),
                               official_id=_official_filter())
    found = calendar.occurrences(db(), after, before, filters)
    # Conflicts with any event, not only the filtered ones: a press conference clashes with a meeting too.
    everything = found if filters == calendar.Filters() else calendar.occurrences(db(), after, before)
    clashes = calendar.conflicts(everything)
    return _done({"after": presenters.when(after), "before": presenters.when(before),
                  "items": [event_json.occurrence(o, clashes.get(o.key, set())) for o in found]})


@endpoint(bp, "/events", "POST", "Plan an event", tag=TAG, body=EVENT_BODY,
          responses={201: "Created; Location names it, ETag is its version", 400: "", 403: "", 422: ""},
          response_schema=event_json.EVENT)
def events_create(body: dict[str, Any]) -> tuple[Response, int]:
    event = events.create(db(), g.actor, read_event(body), now=runtime().clock())
    response, status = _event_answer(event, 201)
    response.headers["Location"] = url_for("api.events_show", event_id=event.id)
    return response, status


@endpoint(bp, "/events/<int:event_id>", "GET", "One event with everything the office knows of it; its ETag is "
          "the version PUT needs in If-Match", tag=TAG, responses=_ONE, response_schema=event_json.EVENT)
def events_show(event_id: int) -> tuple[Response, int]:
    permissions.require(g.actor, "activities", "read")
    return _event_answer(events.get(db(), event_id))


@endpoint(bp, "/events/<int:event_id>", "PUT", "Change an event to the fields sent (If-Match: its ETag from GET); "
          "a change of its public fields waits for approval again, the public keeps the last approved version",
          tag=TAG, body=EVENT_BODY, responses={**_WRITE, 412: "", 428: ""}, response_schema=event_json.EVENT)
def events_update(event_id: int, body: dict[str, Any]) -> tuple[Response, int]:
    expected = _if_match()
    data = read_event(body)
    if expected is None:  # If-Match: * overwrites whatever is there
        expected = events.get(db(), event_id).version
    try:
        event = events.update(db(), g.actor, event_id, data, expected_version=expected, now=runtime().clock())
    except Conflict as exc:
        if exc.code != "stale":
            raise
        raise PreconditionFailed(exc.message, details=exc.details) from None
    return _event_answer(event)


@endpoint(bp, "/events/<int:event_id>/status", "POST", "Confirm, cancel, postpone or make tentative, at once "
          "(no second approval; audited with the reason)", tag=TAG, body=STATUS_BODY, responses=_WRITE,
          response_schema=event_json.EVENT)
def events_status(event_id: int, body: dict[str, Any]) -> tuple[Response, int]:
    event = events.set_status(db(), g.actor, event_id, body["status"], reason=body.get("reason", ""),
                              now=runtime().clock())
    return _event_answer(event)


_ORIGINAL = "the occurrence's start by the rule, as GET /api/v1/events gives it in `original`"


@endpoint(bp, "/events/<int:event_id>/occurrences/<original>/cancel", "POST", "Cancel one occurrence of a "
          f"recurring event ({_ORIGINAL}); it goes out at once", tag=TAG, responses=_WRITE,
          response_schema=event_json.EVENT)
def occurrence_cancel(event_id: int, original: str) -> tuple[Response, int]:
    with _naming(original):
        event = events.cancel_occurrence(db(), g.actor, event_id, original, now=runtime().clock())
    return _event_answer(event)


@endpoint(bp, "/events/<int:event_id>/occurrences/<original>/restore", "POST", "Undo the cancellation or the move "
          "of one occurrence", tag=TAG, responses=_WRITE, response_schema=event_json.EVENT)
def occurrence_restore(event_id: int, original: str) -> tuple[Response, int]:
    with _naming(original):
        event = events.restore_occurrence(db(), g.actor, event_id, original, now=runtime().clock())
    return _event_answer(event)


@endpoint(bp, "/events/<int:event_id>/occurrences/<original>/move", "POST", "Move one occurrence to another start "
          "(a new public time: it waits for approval like an edit)", tag=TAG, body=MOVE_BODY, responses=_WRITE,
          response_schema=event_json.EVENT)
def occurrence_move(event_id: int, original: str, body: dict[str, Any]) -> tuple[Response, int]:
    start = body["start"].strip()
    try:
        moved = parse.day(start) if len(start) == 10 else parse.local_minute(start.replace(" ", "T"))
    except parse.ParseError as exc:
        raise Invalid(f"start: {exc}", code="bad_time", details={"field": "start"}) from None
    with _naming(original, moved_to=True):
        event = events.move_occurrence(db(), g.actor, event_id, original, moved.isoformat()[:16],
                                       now=runtime().clock())
    return _event_answer(event)


# --- the approval of an event's public fields (publisher.approval, four eyes) ------------------------------


@endpoint(bp, "/events/<int:event_id>/approval", "GET", "Where the approval of the event's public fields stands: "
          "the version as it is now and its hash, the last approved version", tag=TAG, responses=_ONE,
          response_schema=event_json.APPROVAL)
def events_approval(event_id: int) -> tuple[Response, int]:
    permissions.require(g.actor, "activities", "read")
    return _approval_answer(events.get(db(), event_id).id)


@endpoint(bp, "/events/<int:event_id>/submit", "POST", "Ask for approval of the public fields as they are",
          tag=TAG, responses=_WRITE, response_schema=event_json.APPROVAL)
def events_submit(event_id: int) -> tuple[Response, int]:
    approval_service.submit(db(), g.actor, _subject(event_id), now=runtime().clock())
    return _approval_answer(event_id)


@endpoint(bp, "/events/<int:event_id>/approve", "POST", "Approve exactly the version read (someone who did not "
          "write, edit or submit it)", tag=TAG, body=APPROVE_BODY, responses=_WRITE,
          response_schema=event_json.APPROVAL)
def events_approve(event_id: int, body: dict[str, Any]) -> tuple[Response, int]:
    approval_service.approve(db(), g.actor, _subject(event_id), body["content_hash"], now=runtime().clock())
    return _approval_answer(event_id)


@endpoint(bp, "/events/<int:event_id>/send-back", "POST", "Send the public fields back to their writers with a "
          "comment", tag=TAG, body=SEND_BACK_BODY, responses=_WRITE, response_schema=event_json.APPROVAL)
def events_send_back(event_id: int, body: dict[str, Any]) -> tuple[Response, int]:
    approval_service.send_back(db(), g.actor, _subject(event_id), body["comment"], now=runtime().clock())
    return _approval_answer(event_id)


@endpoint(bp, "/events/<int:event_id>/withdraw", "POST", "Take the public fields back from approval (one of "
          "their writers)", tag=TAG, responses=_WRITE, response_schema=event_json.APPROVAL)
def events_withdraw(event_id: int) -> tuple[Response, int]:
    approval_service.withdraw(db(), g.actor, _subject(event_id), now=runtime().clock())
    return _approval_answer(event_id)


# --- officials ------------------------------------------------------------------------------------------


@endpoint(bp, "/officials", "GET", "The office's list of officials who take part in events", tag=TAG,
          query={"all": {"type": "boolean", "default": False, "description": "true: the inactive ones too"}},
          responses={200: "", 400: "", 403: ""}, response_schema=event_json.OFFICIALS)
def officials_list() -> tuple[Response, int]:
    permissions.require(g.actor, "activities", "read")
    everyone = _flag("all")
    return _done([event_json.official(o) for o in officials.listed(db(), active_only=not everyone)])


@endpoint(bp, "/officials", "POST", "Add an official to the list", tag=TAG, body=OFFICIAL_BODY,
          responses={201: "", 400: "", 403: "", 422: ""}, response_schema=event_json.OFFICIAL)
def officials_create(body: dict[str, Any]) -> tuple[Response, int]:
    official = _save_official(body, None)
    response, status = _done(event_json.official(official), 201)
    response.headers["Location"] = url_for("api.officials_show", official_id=official.id)
    return response, status


@endpoint(bp, "/officials/<int:official_id>", "GET", "One official", tag=TAG, responses=_ONE,
          response_schema=event_json.OFFICIAL)
def officials_show(official_id: int) -> tuple[Response, int]:
    permissions.require(g.actor, "activities", "read")
    return _done(event_json.official(officials.get(db(), official_id)))


@endpoint(bp, "/officials/<int:official_id>", "PUT", "Change an official to the fields sent", tag=TAG,
          body=OFFICIAL_BODY, responses=_WRITE, response_schema=event_json.OFFICIAL)
def officials_update(official_id: int, body: dict[str, Any]) -> tuple[Response, int]:
    return _done(event_json.official(_save_official(body, official_id)))


def _save_official(body: dict[str, Any], official_id: int | None) -> Official:
    permissions.require(g.actor, "activities", "officials")
    try:
        position = MultilingualText.from_json(body.get("position"))
    except Invalid as exc:
        raise Invalid(f"position: {exc.message}", code=exc.code, details={"field": "position"}) from None
    official = officials.save(db(), g.actor, name=body["name"], role=body["role"], position=position,
                              user_id=body.get("user_id"), active=body.get("active", True), sort=body.get("sort", 0),
                              official_id=official_id)
    db().refresh(official)  # the person linked now, not the one loaded before
    return official


# --- helpers --------------------------------------------------------------------------------------------


def _done(payload: Any, status: int = 200) -> tuple[Response, int]:
    db().commit()
    return jsonify(payload), status


def _event_answer(event: Any, status: int = 200) -> tuple[Response, int]:
    db().flush()
    db().refresh(event)  # the version after this change (the ETag a following PUT names), who changed it
    subject = event_approval.subject(event)
    state = approval_service.state(db(), subject)
    payload = event_json.event(event, approval_state=str(state) if state else None)
    response, status = _done(payload, status)
    response.set_etag(str(payload["version"]))
    return response, status


def _approval_answer(event_id: int) -> tuple[Response, int]:
    subject = _subject(event_id)
    session = db()
    session.flush()
    state = approval_service.state(session, subject)
    payload = event_json.approval(
        event_id, str(state) if state else None, approval_service.current_hash(session, subject),
        approval_service.last_approved(session, subject), approval_service.may_decide(session, g.actor, subject),
        approval_service.history(session, subject))
    return _done(payload)


def _subject(event_id: int) -> Any:
    return event_approval.subject(events.get(db(), event_id))


def _if_match() -> int | None:
    """The event's version a PUT changes; None for `*`."""
    tag = params.if_match_tag("event", "/api/v1/events/ID", code="bad_if_match")
    if tag is None:
        return None
    found = parse.record_id(tag)
    if found is None:
        raise params.bad_if_match("event", "/api/v1/events/ID", code="bad_if_match")
    return found


@contextmanager
def _naming(original: str, moved_to: bool = False) -> Iterator[None]:
    """Name the request's field in a refusal of a change to one occurrence: the series names its own parts
    ("skipped", "moved"), the caller sent `original` in the path and the new `start` in the body."""
    try:
        yield
    except Invalid as exc:
        details = dict(exc.details) if isinstance(exc.details, dict) else {}
        if exc.code != "not_recurring" and details.get("field") in (None, "skipped", "moved"):
            about_original = not moved_to or details.get("value") == original.strip()[:32]
            details["field"] = "original" if about_original else "start"
            exc.details = details
        raise


def _window() -> tuple[datetime, datetime]:
    zone = ZoneInfo(runtime().settings.timezone)
    after = _instant("after", zone)
    if after is None:
        today = runtime().clock().astimezone(zone).date()
        after = datetime.combine(today, datetime.min.time(), zone)
    before = _instant("before", zone) or after + DEFAULT_SPAN
    if before <= after:
        raise Malformed("the window is empty: `before` must be later than `after`", code="bad_window",
                        details={"parameter": "before"})
    if before - after > MAX_SPAN:
        raise Malformed(f"the window is longer than {MAX_SPAN.days} days: ask for less at a time", code="bad_window",
                        details={"parameter": "before", "max_days": MAX_SPAN.days})
    return after.astimezone(ZoneInfo("UTC")), before.astimezone(ZoneInfo("UTC"))


def _instant(name: str, zone: ZoneInfo) -> datetime | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    found: datetime | None = None
    if _INSTANT.fullmatch(raw):
        try:
            found = datetime.fromisoformat(raw)
        except ValueError:
            pass
    if found is None or not parse.MIN_YEAR <= found.year <= parse.MAX_YEAR:
        raise Malformed(f"query parameter {name!r} must be a date (2026-12-07), a local time (2026-12-07T10:00) or "
                        f"ISO 8601 with an offset, in the years {parse.MIN_YEAR} to {parse.MAX_YEAR}",
                        code="bad_parameter", details={"parameter": name})
    return found if found.tzinfo is not None else found.replace(tzinfo=zone)


def _choices(name: str, choices: type) -> list[str]:
    wanted = request.args.getlist(name)
    allowed = [c.value for c in choices]
    for value in wanted:
        if value not in allowed:
            raise Malformed(f"query parameter {name!r} must be one of {', '.join(allowed)}", code="bad_parameter",
                            details={"parameter": name, "allowed": allowed})
    return wanted


def _official_filter() -> int | None:
    official_id = params.query_number("official", None, 1)
    if official_id is None:
        return None
    try:
        return officials.get(db(), official_id).id
    except NotFound:
        raise Malformed(f"query parameter 'official': no official with id {official_id}", code="bad_parameter",
                        details={"parameter": "official"}) from None


def _flag(name: str) -> bool:
    raw = request.args.get(name, "").strip().lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise Malformed(f"query parameter {name!r} is true or false", code="bad_parameter", details={"parameter": name})

