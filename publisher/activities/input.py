"""An event's fields as a form or the API sends them, checked into an `EventInput`.

The page and the API both send plain values (texts, lists, ids, "2026-03-02T10:00" local times); every refusal
is an Invalid naming its field (details["field"]), so the page can put it next to that field and the API can
say it in its error. Nothing here touches the database: the officials named are checked by the service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from publisher.activities import models
from publisher.activities.kinds import Kind, Status, Visibility
from publisher.activities.timing import EventTime
from publisher.core.errors import Invalid
from publisher.core.limits import check_length
from publisher.core.multilingual import MultilingualText
from publisher.core.parse import MAX_YEAR, MIN_YEAR
from publisher.recurrence.limits import MAX_RULE_TEXT
from publisher.recurrence.wall_time import to_utc

_WALL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_COUNTRY = re.compile(r"[A-Z]{2}", re.ASCII)
FIELDS = frozenset({"kind", "title", "description", "all_day", "zone", "start", "end", "rule", "place", "city",
                    "country", "officials", "organisations", "guests", "status", "visibility", "public_from",
                    "internal_notes"})


@dataclass(frozen=True)
class EventInput:
    kind: Kind
    title: MultilingualText
    description: MultilingualText
    time: EventTime
    place: str
    city: str
    country: str
    official_ids: tuple[int, ...]
    organisations: tuple[str, ...]
    guests: tuple[str, ...]
    status: Status
    visibility: Visibility
    public_from: datetime | None  # aware UTC
    internal_notes: str


def read_event(data: Mapping[str, Any]) -> EventInput:
    """The checked fields; Invalid naming the first field that is wrong."""
    unknown = set(data) - FIELDS
    if unknown:
        name = sorted(unknown)[0][:40]
        raise Invalid(f"an event has no field {name!r}", code="unknown_field", details={"field": name})
    kind = _choice(data.get("kind"), Kind, "kind")
    title = _text(data.get("title"), "title", models.TITLE)
    if not title:
        raise Invalid("an event needs a title in at least one language", code="required", details={"field": "title"})
    description = _text(data.get("description"), "description", models.NOTES)
    all_day = data.get("all_day", False)
    if not isinstance(all_day, bool):
        raise Invalid("all_day is true or false", code="bad_value", details={"field": "all_day"})
    zone = _string(data.get("zone"), "zone", 64)
    if not zone:
        raise Invalid("the event needs a time zone (an IANA name such as Europe/Belgrade)", code="required",
                      details={"field": "zone"})
    start = _wall(data.get("start"), "start", all_day)
    end = _wall(data.get("end"), "end", all_day)
    rule = _string(data.get("rule"), "rule", MAX_RULE_TEXT).upper() or None
    if rule and rule.startswith("RRULE:"):
        rule = rule[len("RRULE:"):]
    time = EventTime(all_day=all_day, zone=zone, start=start, end=end, rule=rule)
    country = _string(data.get("country"), "country", 2).upper()
    if country and not _COUNTRY.fullmatch(country):
        raise Invalid(f"{country!r} is not a two-letter country code (ISO 3166-1, such as RS or XK)",
                      code="bad_country", details={"field": "country"})
    public_from_text = _string(data.get("public_from"), "public_from", 32)
    public_from = None
    if public_from_text:
        local = _wall(public_from_text, "public_from", False)
        public_from = to_utc(local, time.tz)  # type: ignore[arg-type]
    return EventInput(
        kind=kind, title=title, description=description, time=time,
        place=_string(data.get("place"), "place", models.PLACE), city=_string(data.get("city"), "city", models.CITY),
        country=country, official_ids=_ids(data.get("officials")),
        organisations=_names(data.get("organisations"), "organisations"), guests=_names(data.get("guests"), "guests"),
        status=_choice(data.get("status") or Status.TENTATIVE, Status, "status"),
        visibility=_choice(data.get("visibility") or Visibility.INTERNAL, Visibility, "visibility"),
        public_from=public_from, internal_notes=_string(data.get("internal_notes"), "internal_notes", models.NOTES,
                                                        strip=False),
    )


def _choice(value: Any, choices: type, name: str) -> Any:
    try:
        return choices(value)
    except ValueError:
        allowed = ", ".join(c.value for c in choices)
        raise Invalid(f"{name} must be one of {allowed}", code="bad_choice",
                      details={"field": name, "allowed": [c.value for c in choices]}) from None


def _string(value: Any, name: str, limit: int, *, strip: bool = True) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{name} must be text", code="bad_value", details={"field": name})
    if "\x00" in value:
        raise Invalid(f"{name} holds a NUL character", code="bad_value", details={"field": name})
    return check_length(value.strip() if strip else value, name, limit)


def _text(value: Any, name: str, limit: int) -> MultilingualText:
    try:
        text = MultilingualText.from_json(value)
    except Invalid as error:
        raise Invalid(f"{name}: {error.message}", code=error.code, details={"field": name}) from None
    for language, written in text.written.items():
        check_length(written, f"{name} ({language})", limit)
        if "\x00" in written:
            raise Invalid(f"{name} ({language}) holds a NUL character", code="bad_value", details={"field": name})
    return MultilingualText({lang: t.strip() for lang, t in text.written.items()})


def _wall(value: Any, name: str, all_day: bool) -> datetime | date:
    text = value.strip() if isinstance(value, str) else ""
    found: datetime | date | None = None
    try:
        if all_day and _DATE.fullmatch(text):
            found = date.fromisoformat(text)
        elif not all_day and _WALL.fullmatch(text):
            found = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        pass
    if found is not None:
        if not MIN_YEAR <= found.year <= MAX_YEAR:  # near year 1 or 9999 the UTC offset overflows
            raise Invalid(f"{name}: a date between the years {MIN_YEAR} and {MAX_YEAR} is expected",
                          code="bad_time", details={"field": name})
        return found
    want = "a date such as 2026-03-02" if all_day else "a local date and time such as 2026-03-02T10:00"
    shown = text[:40] if text else "nothing"
    raise Invalid(f"{name}: {shown!r} is not {want}", code="bad_time", details={"field": name})


def _ids(value: Any) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple) or len(value) > models.MAX_OFFICIALS:
        raise Invalid(f"officials is a list of at most {models.MAX_OFFICIALS} ids", code="bad_value",
                      details={"field": "officials"})
    ids: list[int] = []
    for item in value:
        if isinstance(item, str) and item.strip().isdigit():
            item = int(item.strip())
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item < 2**31:
            raise Invalid("officials is a list of ids", code="bad_value", details={"field": "officials"})
        if item not in ids:
            ids.append(item)
    return tuple(ids)


def _names(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):  # a form's textarea: one per line
        value = value.splitlines()
    if not isinstance(value, list | tuple) or len(value) > models.MAX_NAMES:
        raise Invalid(f"{name} is a list of at most {models.MAX_NAMES} names", code="bad_value",
                      details={"field": name})
    names: list[str] = []
    for item in value:
        text = _string(item, name, models.NAME)
        if text and text not in names:
            names.append(text)
    return tuple(names)
