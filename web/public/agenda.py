"""The public agenda on the public site: GET /agenda (the coming weeks' public events, by day), /agenda/<id> (one
event), /agenda/meetings (the log of meetings with organisations) and /agenda/meetings.csv.

Everything comes from publisher.activities.public_view, which reads only the approved public copies of events
(agenda_entries) whose "public from" has passed: an event that is not public now answers 404, exactly as an
id that never existed does. The language is the public site's (?lang=, else the browser's).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Response, abort, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from publisher.activities.kinds import Kind, Status
from publisher.activities.public_view import PublicEvent, meetings, public_event, public_events
from publisher.core.parse import MAX_YEAR, MIN_YEAR
from publisher.recurrence.limits import MAX_SPAN
from web.context import db, runtime
from web.i18n import interface_language
from web.public.agenda_items import Item, Reading, items, listed_days
from web.public.agenda_words import KINDS, kind_word, status_word
from web.public.headers import public_blueprint
from web.recurrence_words import describe
from web.spreadsheet import line_writer

bp = public_blueprint("agenda", __name__)

FEED_PATH = "/agenda.ics"  # the iCalendar feed of the same events (web/public, another module)
WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")
MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
DEFAULT_LOG_MONTHS = 6  # the meetings log shows this many months unless a period is chosen
MAX_LOG_MONTHS = 12  # one page or file of the log covers at most a year (one expansion window, MAX_SPAN)
UPCOMING = 10  # occurrences of a series listed on its page
NOT_HAPPENED = frozenset({Status.CANCELLED, Status.POSTPONED})  # not in the log of meetings that took place


# The dashboard's words for these (web.app, which this module may not import: it registers the public site).
ERROR_TITLES = {400: _l("The request could not be understood"), 404: _l("There is no such page")}
ERROR_HINTS = {404: _l("Check the address, or start again from the overview.")}


@bp.errorhandler(400)
@bp.errorhandler(404)
def _refused(exc: HTTPException) -> tuple[str, int]:
    """The public site's own error page in both apps (the full app would show the dashboard's)."""
    status = exc.code or 400
    custom = exc.description if exc.description != type(exc).description else None
    return render_template("public/error.html", status=status, title=ERROR_TITLES[status],
                           detail=custom or ERROR_HINTS.get(status), back=None), status


# --- /agenda ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    items: list[Item]


@dataclass(frozen=True)
class Week:
    monday: date
    days: list[Day]

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)


@bp.get("/agenda")
def index() -> str:
    rt = runtime()
    zone = ZoneInfo(rt.settings.timezone)
    now = rt.now()
    this_monday = _monday(now.astimezone(zone).date())
    first = _week_arg() or this_monday
    kinds = _kinds_arg()
    count = 1 + rt.settings.agenda_weeks_ahead
    last = first + timedelta(weeks=count) - timedelta(days=1)
    after, before = _instant(first, zone), _instant(last + timedelta(days=1), zone)
    reading = Reading(interface_language())
    by_day: dict[date, list[Item]] = {}
    for event in public_events(db(), now, after=after, before=before, kinds=kinds or None):
        for item in items(event, after, before, zone.key):
            for day in listed_days(item, first, last):
                by_day.setdefault(day, []).append(item)
    weeks = [Week(monday, [Day(d, sorted(by_day[d], key=_order)) for d in _days(monday, 7) if d in by_day])
             for monday in (first + timedelta(weeks=n) for n in range(count))]
    kind = next(iter(kinds)) if len(kinds) == 1 else ""
    return render_template(
        "public/agenda.html", weeks=weeks, reading=reading, kind=kind, kinds=KINDS, kind_word=kind_word,
        status_word=status_word, office_zone=reading.zone_name(zone.key), this_week=_week_text(this_monday),
        shown_week=_week_text(first), earlier=_agenda_url(first - timedelta(weeks=1), kind),
        later=_agenda_url(first + timedelta(weeks=1), kind),
        current=None if first == this_monday else _agenda_url(this_monday, kind),
        feed_url=feed_url(reading.language),
        switch_args={k: v for k, v in (("week", request.args.get("week") and _week_text(first)), ("kind", kind)) if v})


def _order(item: Item) -> tuple[Any, ...]:
    return (not item.all_day, item.start, item.event.id)


def _agenda_url(monday: date, kind: str) -> str:
    args = {"week": _week_text(monday), "lang": interface_language()}
    if kind:
        args["kind"] = kind
    return url_for("agenda.index", **args)


def feed_url(language: str) -> str:
    """The iCalendar feed in the reader's language (served by another module of the public site)."""
    return f"{request.script_root}{FEED_PATH}?{urlencode({'lang': language})}"


def _week_arg() -> date | None:
    """?week=2026-W50 as its Monday; None when absent; 400 naming it when it is no week."""
    raw = request.args.get("week", "").strip()
    if not raw:
        return None
    found = WEEK.fullmatch(raw)
    problem = gettext("The week “%(week)s” cannot be read: write it as a year and a week number, such as "
                      "%(example)s.", week=raw[:20], example="2026-W50")
    if found is None:
        abort(400, description=problem)
    year, number = int(found.group(1)), int(found.group(2))
    if not MIN_YEAR <= year <= MAX_YEAR:
        abort(400, description=problem)
    try:
        return date.fromisocalendar(year, number, 1)
    except ValueError:
        abort(400, description=gettext("The year %(year)d has no week %(number)d.", year=year, number=number))


def _kinds_arg() -> frozenset[str]:
    chosen = frozenset(k for k in request.args.getlist("kind") if k)
    unknown = sorted(chosen - {k.value for k in Kind})
    if unknown:
        abort(400, description=gettext("There is no kind of event “%(kind)s”: choose one from the list.",
                                       kind=unknown[0][:40]))
    return chosen


def _week_text(monday: date) -> str:
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _days(first: date, count: int) -> Iterator[date]:
    return (first + timedelta(days=n) for n in range(count))


def _instant(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of `day` in `zone`, as an aware instant."""
    return datetime.combine(day, datetime.min.time(), tzinfo=zone)


# --- /agenda/<id> -----------------------------------------------------------------------------------------


@bp.get("/agenda/<int:event_id>")
def event(event_id: int) -> str:
    rt = runtime()
    now = rt.now()
    found = public_event(db(), event_id, now)
    if found is None:
        abort(404)  # never public, not yet public, or no longer: the same answer
    zone = ZoneInfo(rt.settings.timezone)
    reading = Reading(interface_language())
    return render_template(
        "public/agenda_event.html", event=found, reading=reading, kind_word=kind_word, status_word=status_word,
        occurrences=_shown_occurrences(found, now, zone), rule=_rule_words(found, reading.language),
        office_zone=reading.zone_name(zone.key), paragraphs=_paragraphs(reading.text(found.description).text),
        week_url=_agenda_url(_monday(found.time.first()[0].astimezone(zone).date()), ""),
        feed_url=feed_url(reading.language))


def _shown_occurrences(event: PublicEvent, now: datetime, zone: ZoneInfo) -> list[Item]:
    """The next occurrences (a past event: its first ones), at most UPCOMING."""
    start = event.time.first()[0]
    after = now if event.time.last_end() > now and start < now else start
    return items(event, after, after + MAX_SPAN, zone.key)[:UPCOMING]


def _rule_words(event: PublicEvent, language: str) -> str | None:
    series = event.time.series()
    return describe(series, language) if series is not None else None


def _paragraphs(text: str) -> list[list[str]]:
    """A description as paragraphs (blank lines) of lines, for the template to escape and join."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return [[line for line in block.strip().split("\n")] for block in re.split(r"\n[ \t]*\n", text) if block.strip()]


# --- /agenda/meetings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    first: date
    items: list[Item]


@bp.get("/agenda/meetings")
def meetings_log() -> str:
    rt = runtime()
    first, last = _period_args(rt.now(), ZoneInfo(rt.settings.timezone))
    found = _meetings(first, last)
    months: dict[date, list[Item]] = {}
    for item in found:
        months.setdefault(item.day.replace(day=1), []).append(item)
    reading = Reading(interface_language())
    period = {"from": _month_text(first), "to": _month_text(last)}
    return render_template(
        "public/agenda_meetings.html", months=[Month(m, months[m]) for m in sorted(months, reverse=True)],
        reading=reading, kind_word=kind_word, first=_month_text(first), last=_month_text(last),
        delay=rt.settings.agenda_meetings_delay_days, office_zone=reading.zone_name(rt.settings.timezone),
        csv_url=url_for("agenda.meetings_csv", **period, lang=reading.language), switch_args=period)


@bp.get("/agenda/meetings.csv")
def meetings_csv() -> Response:
    rt = runtime()
    first, last = _period_args(rt.now(), ZoneInfo(rt.settings.timezone))
    found = _meetings(first, last)
    reading = Reading(interface_language())
    line = line_writer()

    def rows() -> Iterator[str]:
        yield codecs.BOM_UTF8.decode("utf-8")  # Excel reads UTF-8 (Cyrillic, č, ë) only with the mark
        yield line([gettext("Date"), gettext("Start"), gettext("End"), gettext("Place"), gettext("City"),
                    gettext("Country"), gettext("Who took part"), gettext("Organisations"), gettext("Subject"),
                    gettext("Address")])
        for item in found:
            event = item.event
            yield line([item.day.isoformat(), "" if item.all_day else f"{item.start:%H:%M}",
                        "" if item.all_day else f"{item.end:%H:%M}", reading.name(event.place),
                        reading.name(event.city), reading.country(event.country),
                        "; ".join(f"{p.name} ({p.position.text})" for p in reading.people(event)),
                        "; ".join(reading.organisations(event)), reading.text(event.title).text,
                        url_for("agenda.event", event_id=event.id, lang=reading.language, _external=True)])

    body = "".join(rows())  # a year of one office's meetings: small, and a 200 only once it is all there
    name = f"meetings-{_month_text(first)}-{_month_text(last)}.csv"
    return Response(body, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _meetings(first: date, last: date) -> list[Item]:
    """The meetings with organisations held in the months [first, last] and at least the delay ago, by date."""
    rt = runtime()
    now, zone = rt.now(), ZoneInfo(rt.settings.timezone)
    delay = rt.settings.agenda_meetings_delay_days
    after = _instant(first, zone)
    before = _instant(_next_month(last), zone)
    cutoff = now - timedelta(days=delay)
    if cutoff <= after:
        return []  # nothing in the period is old enough yet
    found = []
    for event in meetings(db(), now, delay_days=delay, after=after, before=before):
        if event.status in NOT_HAPPENED:
            continue
        found += [i for i in items(event, after, min(before, cutoff), zone.key)
                  if not i.cancelled and i.end <= cutoff]
    return sorted(found, key=lambda i: (i.start, i.event.id))


def _period_args(now: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """?from=2026-01&to=2026-06 as the first days of those months; by default the last DEFAULT_LOG_MONTHS."""
    this_month = now.astimezone(zone).date().replace(day=1)
    last = _month_arg("to") or this_month
    first = _month_arg("from") or _months_before(last, DEFAULT_LOG_MONTHS - 1)
    if first > last:
        abort(400, description=gettext("The period starts (“from”) after it ends (“to”): choose a start month "
                                       "before the end month."))
    if _months_before(last, MAX_LOG_MONTHS - 1) > first:
        abort(400, description=gettext("Choose a period of at most %(num)d months.", num=MAX_LOG_MONTHS))
    return first, last


def _month_arg(name: str) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    found = MONTH.fullmatch(raw)
    if found is None or not MIN_YEAR <= int(found.group(1)) <= MAX_YEAR or not 1 <= int(found.group(2)) <= 12:
        abort(400, description=gettext("The month “%(month)s” in “%(name)s” cannot be read: write it as a year "
                                       "and a month, such as %(example)s.", month=raw[:20], name=name,
                                       example="2026-12"))
    return date(int(found.group(1)), int(found.group(2)), 1)


def _month_text(first: date) -> str:
    return f"{first:%Y-%m}"


def _next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def _months_before(first: date, count: int) -> date:
    index = first.year * 12 + first.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)
