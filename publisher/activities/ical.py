"""Feed items as one RFC 5545 calendar (the `icalendar` package): the public agenda, a person's feed, the
weekly plan's attachment. What an item carries was decided by publisher.activities.feed_item; this module
only writes it.

Choices a subscriber sees:
- one VTIMEZONE per zone used (built from zoneinfo, covering the years the items span); times are written in
  their own zone with TZID (a trip abroad keeps its zone), all-day events as dates with DTEND the day after;
- a recurring event is one VEVENT with its RRULE (UNTIL in UTC when the event has times, as RFC 5545 asks);
  a cancelled single occurrence is an override VEVENT (same UID, RECURRENCE-ID) with STATUS:CANCELLED and no
  EXDATE, so a calendar that subscribed shows it cancelled instead of silently dropping it; a moved one is
  an override at its new time;
- STATUS is TENTATIVE, CONFIRMED or CANCELLED; RFC 5545 has no "postponed", so a postponed event is
  TENTATIVE and its summary starts with the word "postponed" in the feed's language (a cancelled one starts
  with "cancelled" too: several calendar programs show STATUS:CANCELLED no differently);
- BUSY detail: a neutral summary ("busy"), no description, place or category, CLASS:CONFIDENTIAL;
  PUBLIC: CLASS:PUBLIC; FULL: guests and internal notes in DESCRIPTION, CLASS:CONFIDENTIAL;
- a cancelled event is TRANSP:TRANSPARENT (it no longer takes the time), every other OPAQUE;
- DTSTAMP: in a feed (no METHOD) RFC 5545 (3.8.7.2) makes it the time the event was last revised, so it is
  LAST-MODIFIED and the same bytes come back until something changes (an ETag can answer 304); in a calendar
  sent with a METHOD it is `now`, when the message was made.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from threading import Lock
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, vDuration, vRecur
from icalendar import Event as VEvent

from publisher.activities.feed_item import Detail, FeedItem
from publisher.activities.feed_words import WORDS, word
from publisher.activities.kinds import Status
from publisher.core.errors import Invalid
from publisher.core.multilingual import LANGUAGES, MultilingualText
from publisher.recurrence.series import Series, Wall
from publisher.recurrence.wall_time import to_utc
from publisher.text.translit import CYRILLIC, LATIN, derive

PRODID = "-//publisher//activities//EN"
METHODS = frozenset({"PUBLISH", "REQUEST", "CANCEL"})  # RFC 5546: a plan sent by e-mail is PUBLISH
REFRESH = timedelta(hours=1)  # how often a subscribed calendar is asked to fetch the feed again
_STATUS = {Status.TENTATIVE: "TENTATIVE", Status.CONFIRMED: "CONFIRMED", Status.CANCELLED: "CANCELLED",
           Status.POSTPONED: "TENTATIVE"}


def calendar(items: Iterable[FeedItem], *, language: str, name: str, now: datetime,
             method: str | None = None) -> bytes:
    """The items as one VCALENDAR (bytes, UTF-8, CRLF lines), their words in `language` (sr-Cyrl, sr-Latn, sq,
    en), named `name`; `method` (RFC 5546, e.g. PUBLISH) for a calendar sent by e-mail."""
    if language not in WORDS:
        raise Invalid(f"language {language[:20]!r} is not one of {', '.join(LANGUAGES)}", code="bad_language",
                      details={"field": "lang"})
    if method is not None and method not in METHODS:
        raise Invalid(f"method {method[:20]!r} is not one of {', '.join(sorted(METHODS))}", code="bad_method",
                      details={"field": "method"})
    if now.tzinfo is None:
        raise Invalid("now must be an aware instant", code="bad_time", details={"field": "now"})
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method is not None:
        cal.add("method", method)
    cal.add("name", name)  # RFC 7986
    cal.add("x-wr-calname", name)  # what most calendar programs read
    if method is None:  # a subscription: ask to be fetched again
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(REFRESH))
    years: dict[str, tuple[int, int]] = {}  # zone -> the first and last year its VTIMEZONE must cover
    written: list[bytes] = []
    used: set[str] = set()
    for item in items:
        series = item.time.series()
        stamp = (now if method is not None else item.updated_at).astimezone(UTC)
        lines, tzids = _written(item, series, language, stamp, keep=method is None)
        written.append(lines)
        used |= tzids
        first, last = _years(item, series)
        low, high = years.get(item.time.zone, (first, last))
        years[item.time.zone] = (min(low, first), max(high, last))
    for zone in sorted(used):
        low, high = years[zone]
        cal.add_component(Timezone.from_tzid(zone, first_date=date(low, 1, 1), last_date=date(high + 1, 1, 1)))
    # The events go after the time zones, as the calendar's last components: the same bytes as adding them
    # to `cal`, but an unchanged event's lines come from the cache.
    head = cal.to_ical()
    assert head.endswith(_END)
    return head[: -len(_END)] + b"".join(written) + _END


_END = b"END:VCALENDAR\r\n"
# An event's VEVENT lines in a feed depend only on the item and the language (DTSTAMP is its LAST-MODIFIED),
# and writing them is most of a feed's cost: a feed of 3,000 events took a second and a half each time.
# Kept per (language, item), the least recently used dropped first; a changed event is a new key.
_CACHE_SIZE = 20_000
_cache: OrderedDict[bytes, tuple[bytes, frozenset[str]]] = OrderedDict()
_cache_lock = Lock()


def _written(item: FeedItem, series: Series | None, language: str, stamp: datetime, *,
             keep: bool) -> tuple[bytes, frozenset[str]]:
    """The item's VEVENTs as lines, and the TZIDs they use."""
    key = hashlib.sha256(repr((language, stamp, item)).encode()).digest() if keep else b""
    if keep:
        with _cache_lock:
            found = _cache.get(key)
            if found is not None:
                _cache.move_to_end(key)
                return found
    holder = Calendar()
    for component in _vevents(item, series, language, stamp):
        holder.add_component(component)
    made = (b"".join(component.to_ical() for component in holder.subcomponents),
            frozenset(holder.get_used_tzids()))
    if keep:
        with _cache_lock:
            _cache[key] = made
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return made


def _vevents(item: FeedItem, series: Series | None, language: str, stamp: datetime) -> list[VEvent]:
    time_ = item.time
    tz = time_.tz
    master = _base(item, language, stamp, item.status)
    if time_.all_day:
        master.add("dtstart", time_.start)
        master.add("dtend", time_.end + timedelta(days=1))  # type: ignore[operator]
    else:
        master.add("dtstart", _aware(time_.start, tz))  # type: ignore[arg-type]
        master.add("dtend", _aware(time_.end, tz))  # type: ignore[arg-type]
    if series is None:
        return [master]
    master.add("rrule", vRecur.from_ical(_rule_text(series)))
    found = [master]
    for original in sorted(series.skipped, key=series.wall):
        found.append(_override(item, series, original, original, series.duration, language, stamp,
                               Status.CANCELLED))
    for original, moved in sorted(series.moved.items(), key=lambda pair: series.wall(pair[0])):
        found.append(_override(item, series, original, moved.start, moved.duration or series.duration, language,
                               stamp, item.status))
    return found


def _override(item: FeedItem, series: Series, original: Wall, start: Wall, length: timedelta, language: str,
              stamp: datetime, status: str) -> VEvent:
    """One occurrence of a series, changed: RECURRENCE-ID names it by its original start."""
    event = _base(item, language, stamp, status)
    tz = series.tz
    if series.all_day:
        event.add("recurrence-id", original)
        event.add("dtstart", start)
        event.add("dtend", start + length)
    else:
        event.add("recurrence-id", _aware(original, tz))  # type: ignore[arg-type]
        begins = to_utc(start, tz)  # type: ignore[arg-type]
        event.add("dtstart", begins.astimezone(tz))
        event.add("dtend", (begins + length).astimezone(tz))  # a duration is real time
    return event


def _base(item: FeedItem, language: str, stamp: datetime, status: str) -> VEvent:
    """The fields every VEVENT of an item carries (a series' overrides too)."""
    event = VEvent()
    event.add("uid", item.uid)
    event.add("dtstamp", stamp)
    event.add("sequence", item.sequence)
    if item.created_at is not None:
        event.add("created", item.created_at.astimezone(UTC))
    event.add("last-modified", item.updated_at.astimezone(UTC))
    event.add("status", _STATUS.get(status, "TENTATIVE"))
    event.add("summary", _summary(item, language, status))
    if item.detail != Detail.BUSY:
        description = _description(item, language)
        if description:
            event.add("description", description)
        location = ", ".join(_names(language, (item.place, item.city)) + ([item.country] if item.country else []))
        if location:
            event.add("location", location)
        event.add("categories", [word(language, item.kind)])
    event.add("class", "PUBLIC" if item.detail == Detail.PUBLIC else "CONFIDENTIAL")
    event.add("transp", "TRANSPARENT" if status == Status.CANCELLED else "OPAQUE")
    return event


def _summary(item: FeedItem, language: str, status: str) -> str:
    if item.detail == Detail.BUSY:
        summary = word(language, "busy")
    else:
        summary = text_in(item.title, language) or word(language, item.kind)
    if status in (Status.CANCELLED, Status.POSTPONED):
        return f"{word(language, status)}: {summary}"
    return summary


def _description(item: FeedItem, language: str) -> str:
    parts = [text_in(item.description, language)]
    for key, names in (("officials", item.officials), ("organisations", item.organisations),
                       ("guests", item.guests if item.detail == Detail.FULL else ())):
        if names:
            parts.append(f"{word(language, key)}: " + "; ".join(_names(language, names)))
    if item.detail == Detail.FULL and item.internal_notes.strip():
        parts.append(f"{word(language, 'internal_notes')}:\n{item.internal_notes.strip()}")
    return "\n\n".join(part for part in parts if part)


# When a text is not in the feed's language: the nearest a reader of that language can read. Latin letters
# before Cyrillic for the Albanian and English reader (a Serbian text can always be read in Latin, derived).
_FALLBACK = {CYRILLIC: (CYRILLIC, LATIN, "en", "sq"), LATIN: (LATIN, "en", "sq"), "sq": ("sq", "en", LATIN),
             "en": ("en", LATIN, "sq")}


def text_in(text: MultilingualText, language: str) -> str:
    """The text in `language` (the other Serbian script derived), else in the nearest language it has."""
    for candidate in _FALLBACK.get(language, LANGUAGES):
        found = text.get(candidate)
        if found:
            return found
    return ""


def _names(language: str, names: Iterable[str]) -> list[str]:
    """Names and places as the office wrote them; in Latin letters in every feed but the Cyrillic one (a reader
    of the Latin, Albanian or English feed may not read Cyrillic). Never the other way: a Latin name may be
    foreign (NATO, Bruxelles) and the transliterator would spoil it."""
    if language == CYRILLIC:
        return [name for name in names if name and name.strip()]
    return [derive(name, LATIN) for name in names if name and name.strip()]


def _rule_text(series: Series) -> str:
    """The RRULE with UNTIL of the same value type as DTSTART (RFC 5545 3.3.10): a UTC time for a timed
    series (the last second of a date UNTIL, in the series' zone), a date for an all-day one."""
    rule = series.rule
    parts = [part for part in rule.text.split(";") if not part.startswith("UNTIL=")]
    if rule.until is not None:
        until = rule.until
        if series.all_day and isinstance(until, datetime):
            parts.append(f"UNTIL={until.astimezone(series.tz):%Y%m%d}")
        elif not series.all_day and not isinstance(until, datetime):
            last = to_utc(datetime.combine(until, time(23, 59, 59)), series.tz)
            parts.append(f"UNTIL={last:%Y%m%dT%H%M%SZ}")
        else:
            parts.append(f"UNTIL={until:%Y%m%dT%H%M%SZ}" if isinstance(until, datetime) else f"UNTIL={until:%Y%m%d}")
    return ";".join(parts)


def _years(item: FeedItem, series: Series | None) -> tuple[int, int]:
    """The years an item's VTIMEZONE must cover: from its first start to its last occurrence (moves too)."""
    first, last = item.time.start.year, item.time.end.year
    if series is not None:
        last = max([last, series.last.year] + [series.wall(m.start).year for m in series.moved.values()])
    return first, last + 1  # an occurrence's end may pass into the next year


def _aware(wall: datetime, tz: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=tz, fold=0)
