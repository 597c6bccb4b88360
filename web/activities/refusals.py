"""The event form's refusals in the reader's language: the core (publisher.activities, publisher.recurrence)
refuses in English for the API and the log; the form says the same in the four languages, next to the field
it names. A refusal without words here (rare, technical: a hand-written RRULE) is shown as the core wrote it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext

from publisher.core.errors import Invalid
from publisher.recurrence.limits import MAX_DURATION, MAX_YEARS

Words = Callable[[dict[str, Any]], str]


def _gap(details: dict[str, Any]) -> str:
    value = str(details.get("value", ""))
    return gettext("%(time)s does not exist on %(date)s in %(zone)s: the clocks jump from %(start)s to %(end)s. "
                   "Choose a time before %(start)s or from %(end)s on.", time=value[11:16], date=value[:10],
                   zone=details.get("zone", ""), start=str(details.get("gap_start", ""))[11:16],
                   end=str(details.get("gap_end", ""))[11:16])


def _series(details: dict[str, Any]) -> str | None:
    part, field = details.get("part"), details.get("field")
    if part == "COUNT":
        return gettext("Repeated this many times, the event would go on for more than %(years)d years: a series "
                       "ends within %(years)d years.", years=MAX_YEARS)
    if part == "UNTIL":
        return gettext("The last day must be after the start and within %(years)d years of it.", years=MAX_YEARS)
    if field == "start":
        return gettext("The first day must be one of the days the repetition names: start the series on its first "
                       "occurrence.")
    return None


# code -> field named by the refusal ("" for any) -> words
WORDS: dict[str, dict[str, Words]] = {
    "required": {"title": lambda _: gettext("Write the title in at least one language."),
                 "zone": lambda _: gettext("Choose the time zone.")},
    "ends_before_start": {"end": lambda _: gettext("The event ends before it starts, or when it starts.")},
    "bad_country": {"country": lambda _: gettext("Write the country as its two-letter code, such as RS or XK.")},
    "inactive_official": {"officials": lambda _: gettext("One of the people chosen is no longer on the list.")},
    "time_in_gap": {"": _gap},
    "too_long_event": {"": lambda _: gettext("An event lasts at most %(days)d days: plan a longer trip as several "
                                             "events.", days=MAX_DURATION.days)},
    "bad_time": {"": lambda _: gettext("Enter a real date and time, for example 2031-03-30 and 09:30.")},
    "bad_zone": {"": lambda _: gettext("Choose the time zone.")},
}

# Where a series' refusal points on the form: its end (until, count) is asked beside the repetition.
_SERIES_FIELDS = {"COUNT": "count", "UNTIL": "until"}


def worded(exc: Invalid, *, rule_by_hand: bool = False) -> tuple[str | None, str]:
    """(the field the refusal names, as the core names it; the words for the reader). `rule_by_hand`: the
    repetition was written as an RRULE, so a refusal of its end points there, not at "until" or "count"."""
    details = exc.details if isinstance(exc.details, dict) else {}
    field = details.get("field")
    if exc.code == "invalid_recurrence":
        said = _series(details)
        part = str(details.get("part"))
        if part in _SERIES_FIELDS:
            field = "rule" if rule_by_hand else _SERIES_FIELDS[part]
        return field, said or exc.message
    if exc.code == "time_in_gap" and field in ("start", "end"):
        field = f"{field}_time"  # the hour is what to change
    by_field = WORDS.get(exc.code, {})
    words = by_field.get(str(field or "")) or by_field.get("")
    return field, words(details) if words else exc.message
