"""What the public agenda shows of its events: each occurrence in a window as an item, with its times in the
office's zone (and in its own zone when it takes place elsewhere), its texts in the reader's language, and
the days it is listed on.

Only publisher.activities.public_view.PublicEvent is read here (the approved public copy), so nothing an item
carries can be internal. An occurrence of a series that was cancelled on its own stays listed, as cancelled:
someone who planned to come must learn that it will not take place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_timezone_location, get_timezone_name

from publisher.activities.public_view import PublicEvent
from publisher.core.multilingual import MultilingualText
from publisher.recurrence.wall_time import to_utc
from publisher.text.translit import CYRILLIC, to_latin
from web.i18n import BABEL_LOCALES
from web.public.agenda_words import role_word

# Where to look for a text that is not written in the reader's language: the languages the reader most likely
# also reads, Serbian in the other script first (MultilingualText derives it).
FALLBACK = {
    "sr-Cyrl": ("sr-Cyrl", "sr-Latn", "en", "sq"),
    "sr-Latn": ("sr-Latn", "sr-Cyrl", "en", "sq"),
    "sq": ("sq", "en", "sr-Latn", "sr-Cyrl"),
    "en": ("en", "sr-Latn", "sr-Cyrl", "sq"),
}
_CLDR = {"en": "en_GB"}  # as web.dates shows English


@dataclass(frozen=True)
class Shown:
    """A text and the language it is in, when that is not the page's (for the element's lang attribute)."""

    text: str
    lang: str | None = None


@dataclass(frozen=True)
class Person:
    name: str
    position: Shown


@dataclass(frozen=True)
class Reading:
    """How a reader of `language` is shown an event's texts."""

    language: str

    @property
    def locale(self) -> str:
        return BABEL_LOCALES[self.language]

    def text(self, value: MultilingualText) -> Shown:
        for language in FALLBACK[self.language]:
            found = value.get(language)
            if found:
                return Shown(found, None if language == self.language else language)
        return Shown("")

    def name(self, value: str) -> str:
        """A name or place as written, in Latin letters for a reader who does not read Cyrillic."""
        return value if self.language == CYRILLIC else to_latin(value)

    def country(self, code: str) -> str:
        return _territories(self.locale).get(code, code) if code else ""

    def zone_name(self, zone: str) -> str:
        """A zone as people name it: "Central European Time", "srednjeevropsko vreme"."""
        return get_timezone_name(ZoneInfo(zone), locale=_CLDR.get(self.language, self.locale))

    def city_of(self, zone: str) -> str:
        """The city a zone is named after, in the language: "Njujork", "Bruksel"."""
        return get_timezone_location(ZoneInfo(zone), locale=_CLDR.get(self.language, self.locale), return_city=True)

    def place(self, event: PublicEvent) -> str:
        parts = [self.name(event.place), self.name(event.city), self.country(event.country)]
        return ", ".join(p for p in parts if p)

    def people(self, event: PublicEvent) -> list[Person]:
        out = []
        for official in event.officials:
            position = self.text(MultilingualText({k: v for k, v in (official.get("position") or {}).items()
                                                   if isinstance(v, str)}))
            if not position.text:
                position = Shown(role_word(official.get("role", "")))
            out.append(Person(self.name(official.get("name", "")), position))
        return out

    def organisations(self, event: PublicEvent) -> list[str]:
        return [self.name(o) for o in event.organisations if isinstance(o, str)]


@cache
def _territories(locale: str) -> dict[str, str]:
    return dict(Locale.parse(_CLDR.get(locale, locale)).territories)


@dataclass(frozen=True)
class Item:
    """One occurrence of a public event, as the agenda lists it."""

    event: PublicEvent
    start: datetime  # aware, in the office's zone
    end: datetime
    all_day: bool
    days: int  # an all-day occurrence's days; 1 for a timed one
    status: str  # the event's, or "cancelled" for an occurrence cancelled on its own
    own_zone: str | None  # the event's zone, when its clock differs from the office's

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        """An all-day occurrence's last day; a timed one's end day in the office's zone."""
        if self.all_day:
            return self.day + timedelta(days=self.days - 1)
        return (self.end - timedelta(microseconds=1)).date()

    @property
    def hours(self) -> str:
        return _hours(self.start, self.end)

    @property
    def own_hours(self) -> str:
        assert self.own_zone is not None
        tz = ZoneInfo(self.own_zone)
        return _hours(self.start.astimezone(tz), self.end.astimezone(tz))

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


def _hours(start: datetime, end: datetime) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"  # the same 24-hour clock in every language (web.dates)


def items(event: PublicEvent, after: datetime, before: datetime, office_zone: str) -> list[Item]:
    """The event's occurrences overlapping [after, before), its occurrences cancelled one by one included."""
    time = event.time
    office = ZoneInfo(office_zone)
    found = []
    days = time.length.days if time.all_day else 1
    for occurrence in time.occurrences(after, before):
        if time.all_day:
            start = datetime.combine(occurrence.local_start, datetime.min.time(), tzinfo=office)  # type: ignore[arg-type]
            end = start + timedelta(days=days)
        else:
            start, end = occurrence.start.astimezone(office), occurrence.end.astimezone(office)
        own = None if time.all_day else _own_zone(time.zone, office, start)
        found.append(Item(event, start, end, time.all_day, days, event.status, own))
    for skipped in _cancelled_occurrences(event):
        start, end = _instants(skipped, time.length, time.zone, time.all_day)
        if start < before and end > after:
            if time.all_day:
                local = datetime.combine(skipped, datetime.min.time(), tzinfo=office)  # type: ignore[arg-type]
                found.append(Item(event, local, local + timedelta(days=days), True, days, "cancelled", None))
            else:
                found.append(Item(event, start.astimezone(office), end.astimezone(office), False, 1, "cancelled",
                                  _own_zone(time.zone, office, start)))
    return sorted(found, key=lambda i: i.start)


def _cancelled_occurrences(event: PublicEvent) -> list[date | datetime]:
    """The originals of the occurrences cancelled one by one (publication keeps only those the rule makes)."""
    if not event.frozen.get("rule"):
        return []
    read = date.fromisoformat if event.frozen.get("all_day") else datetime.fromisoformat
    out: list[date | datetime] = []
    for text in (event.frozen.get("exceptions") or {}).get("skipped", []):
        try:
            out.append(read(text))
        except (TypeError, ValueError):
            continue
    return out


def _instants(original: date | datetime, length: timedelta, zone: str, all_day: bool) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    if all_day:
        midnight = datetime.combine(original, datetime.min.time())  # type: ignore[arg-type]
        return to_utc(midnight, tz), to_utc(midnight + length, tz)
    start = to_utc(original, tz)  # type: ignore[arg-type]
    return start, start + length


def _own_zone(zone: str, office: ZoneInfo, moment: datetime) -> str | None:
    """The event's zone when its clock then differs from the office's (a trip abroad), else None."""
    if zone == office.key or moment.astimezone(ZoneInfo(zone)).utcoffset() == moment.astimezone(office).utcoffset():
        return None
    return zone


def listed_days(item: Item, first: date, last: date) -> list[date]:
    """The days an item is listed on, within [first, last]: an all-day occurrence on each of its days, a timed
    one on the day it starts (or the first day shown, when it began before)."""
    if item.all_day:
        days = [item.day + timedelta(days=n) for n in range(item.days)]
        return [d for d in days if first <= d <= last]
    return [max(item.day, first)] if item.day <= last else []
