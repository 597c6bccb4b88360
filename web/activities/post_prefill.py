"""A new post for an event ("compose a post for this event"): its title is the event's title in the post's
language, and an announcement starts with a line saying when and where, written in the post's language and
script. The office writes the rest; nothing here is sent anywhere."""

from __future__ import annotations

from publisher.activities.models import Event
from publisher.activities.timing import EventTime
from publisher.text.translit import CYRILLIC, LATIN, derive
from web.dates import format_date, format_wall_time
from web.i18n import BABEL_LOCALES


def title(event: Event, language: str) -> str:
    """The event's title in `language` (the other Serbian script transliterated), else in its first language."""
    return event.title.get(language) or next((text for _lang, text in event.title.items()), "")


def when_and_where(event: Event, language: str) -> str:
    """When and where, in the post's language: "Monday, 7 December 2026 10:00, Room 1, Belgrade" (the
    event's own wall time and zone: a trip abroad keeps its local time)."""
    locale = BABEL_LOCALES.get(language, "en")
    time = EventTime.of(event)
    start, _end = time.first()
    local = start.astimezone(time.tz)
    when = format_date(local.date(), "long", locale) if event.all_day else format_wall_time(local, "long", locale)
    place = ", ".join(part for part in (event.place, event.city) if part)
    return ", ".join(part for part in (when, derive(place, language) if language in (LATIN, CYRILLIC) else place) if part)
