"""The events in the dashboard's calendar (web/queue.py): their filters in the address (what to show, event
kind, official, event status; bookmarkable like the posts' own), the words for kinds and statuses, and a
day's posts and events in one list by time.

Only a person who may read events (activities.read) sees them, and the filters for them; for anyone else the
calendar is the posts' calendar and the event parameters of an address are left unread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import abort, request, url_for
from flask_babel import gettext
from flask_login import current_user

from publisher.activities import calendar_days, officials
from publisher.activities.calendar import Filters as CoreFilters
from publisher.activities.calendar_days import DayEvent, EventDays
from publisher.activities.models import Event, Official
from publisher.core.multilingual import MultilingualText
from publisher.core.parse import record_id
from publisher.text.translit import CYRILLIC, LATIN, to_latin
from web.activities import words
from web.context import db
from web.i18n import interface_language

# The words are the event pages' (web.activities.words): one wording of a kind across the dashboard.
KINDS = words.KINDS
STATUSES = words.STATUS_MARKS

SHOW = ("posts", "events")  # ?show=; without it both
EVENT_PAGE = "activities.show"  # the event's own page (web/activities)


@dataclass(frozen=True)
class EventFilters:
    show: str | None = None  # "posts", "events", or None for both
    kinds: tuple[str, ...] = ()
    official_id: int | None = None
    statuses: tuple[str, ...] = ()

    @property
    def posts(self) -> bool:
        return self.show != "events"

    @property
    def events(self) -> bool:
        return self.show != "posts"

    def core(self) -> CoreFilters:
        return CoreFilters(kinds=frozenset(self.kinds), official_id=self.official_id,
                           statuses=frozenset(self.statuses))

    def args(self) -> dict[str, Any]:
        """For url_for, beside the posts' filters: only what is set."""
        found: dict[str, Any] = {"show": self.show, "official": self.official_id,
                                 "kind": list(self.kinds) or None, "event_status": list(self.statuses) or None}
        return {k: v for k, v in found.items() if v is not None}


def read_filters(listed: list[Official]) -> EventFilters:
    """The event filters of the address; a value nobody could have chosen in the form is a bad request."""
    show = request.args.get("show") or None
    if show is not None and show not in SHOW:
        abort(400, gettext("Choose what to show: posts, events, or both."))
    kinds = tuple(dict.fromkeys(k for k in request.args.getlist("kind") if k))
    if any(k not in KINDS for k in kinds):
        abort(400, gettext("Choose one of the kinds of event listed."))
    statuses = tuple(dict.fromkeys(s for s in request.args.getlist("event_status") if s))
    if any(s not in STATUSES for s in statuses):
        abort(400, gettext("Choose one of the event statuses listed."))
    raw = request.args.get("official") or None
    official_id = record_id(raw) if raw is not None else None
    if raw is not None and official_id not in {o.id for o in listed}:
        abort(400, gettext("Choose one of the officials listed."))
    return EventFilters(show, kinds, official_id, statuses)


def may_read() -> bool:
    return bool(current_user.may("activities", "read"))


def officials_for_filter() -> list[Official]:
    """Everyone on the list, those no longer active too: their past events are still in the calendar."""
    return officials.listed(db(), active_only=False)


def event_days(first: date, count: int, zone: str, filters: EventFilters) -> EventDays:
    return calendar_days.days(db(), current_user.actor(), first, count, zone, filters.core())


def event_url(event_id: int) -> str:
    return url_for(EVENT_PAGE, event_id=event_id)


def event_title(event: Event) -> str:
    """The title in the reader's language, else in the first language it was written in."""
    return text_in(event.title, interface_language()) or gettext("(untitled event %(id)d)", id=event.id)


def text_in(text: MultilingualText, language: str) -> str:
    """`text` in `language`, else in the language its reader most likely reads: Serbian in the reader's
    script (a Latin one for readers of Albanian and English), else English, else any."""
    script = CYRILLIC if language == CYRILLIC else LATIN
    for candidate in (language, script, "en", "sq"):
        if found := text.get(candidate):
            return found
    return next((value for _language, value in text.items() if value), "")


def official_name(official: Official) -> str:
    """A name as the office wrote it; in Latin letters for a reader of a Latin-script language."""
    return official.name if interface_language() == CYRILLIC else to_latin(official.name)


def day_items(posts: list[Any], events: list[DayEvent]) -> list[tuple[str, Any]]:
    """A day's posts (those without a time first, as given) and events in one list: events that take the
    whole day at the top, then the posts without a time, then posts and events by their time."""
    keyed: list[tuple[tuple[int, float], tuple[str, Any]]] = []
    for event in events:
        keyed.append(((0, event.occurrence.start.timestamp()) if event.whole_day
                      else (2, event.occurrence.start.timestamp()), ("event", event)))
    for post in posts:
        keyed.append(((1, 0.0) if post.local is None else (2, post.local.timestamp()), ("post", post)))
    keyed.sort(key=lambda pair: pair[0])  # stable: posts at the same time keep their order
    return [item for _key, item in keyed]
