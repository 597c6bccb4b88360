"""The queue (a list by time) and the calendar (a month grid, a week with an hour grid, or the week as a list
of days, Monday to Sunday in the office's zone), both filtered by channel and state through the address, so
a filtered view can be bookmarked; and moving a post in time (also where calendar.js drops a dragged post:
the move page prefilled with the new time, which is the confirmation)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.fields import DateField, TimeField
from wtforms.validators import AnyOf, InputRequired, Optional

from publisher.core import parse
from publisher.core.errors import Invalid, InvalidTransition
from publisher.core.models import Post
from publisher.core.parse import record_id
from publisher.core.states import PostStatus
from publisher.destinations.channel_store import list_channels
from publisher.posts import calendar, workflow
from publisher.posts.schedule_time import DST_CHOICES, resolve_zone, to_local
from web import calendar_events, dates, params
from web.calendar_events import EventFilters
from web.context import db, runtime
from web.labels import POST_STATES
from web.roles import permission_required

bp = Blueprint("queue", __name__)


@dataclass(frozen=True)
class Filters:
    status: str | None
    channel_id: int | None
    text: str = ""  # the search box (core.search_index)
    problems: dict[str, str] = field(default_factory=dict)  # the search box's, in the reader's language
    events: EventFilters | None = None  # the calendar's, for a person who may read events

    def args(self) -> dict[str, Any]:
        """For url_for: only what is set, so addresses stay short and bookmarkable."""
        found = {k: v for k, v in (("status", self.status), ("channel", self.channel_id), ("q", self.text or None))
                 if v is not None}
        return found | (self.events.args() if self.events else {})

    @property
    def http_status(self) -> int:
        return 422 if self.problems else 200


def _filters() -> Filters:
    """The query's filters; an address nobody could have made from the form is a bad request."""
    status = request.args.get("status") or None
    if status is not None and status not in {str(s) for s in PostStatus}:
        abort(400)
    raw = request.args.get("channel") or None
    channel_id = record_id(raw) if raw is not None else None
    if raw is not None and channel_id is None:
        abort(400, gettext("Choose one of the channels listed."))
    text, problem = params.search_arg("q")
    return Filters(status, channel_id, text, {"q": problem} if problem else {})


def _day_arg(name: str) -> date:
    """The day the address names (?week=, ?from=), else today in the office's zone."""
    raw = request.args.get(name)
    if not raw:
        rt = runtime()
        return calendar.today(rt.clock(), rt.settings.timezone)
    try:
        return parse.day(raw)
    except parse.ParseError:
        abort(400, gettext("Enter a date as year-month-day between the years %(low)d and %(high)d, "
                           "for example 2025-03-31.", low=parse.MIN_YEAR, high=parse.MAX_YEAR))


VIEWS = ("month", "week", "list")


def _calendar_view() -> str:
    """?view=; without one the month, except for an old address naming a week (?week=), which was a list."""
    view = request.args.get("view") or ("list" if request.args.get("week") else "month")
    if view not in VIEWS:
        abort(400, gettext("Choose one of the views: month, week or list."))
    return view


def _local_minute(raw: str) -> datetime:
    """"2026-12-07T10:00" (a wall-clock minute), else 400 with what is expected."""
    try:
        return parse.local_minute(raw)
    except parse.ParseError:
        abort(400, gettext("Enter a time as year-month-day, T, hour:minute between the years %(low)d and "
                           "%(high)d, for example 2026-12-07T10:00.", low=parse.MIN_YEAR, high=parse.MAX_YEAR))


def _page(template: str, **context: Any) -> str:
    rt = runtime()
    return render_template(template, channels=list_channels(db()), timezone=rt.settings.timezone,
                           today=calendar.today(rt.clock(), rt.settings.timezone),
                           may_move=current_user.may("posts", "move"), **context)


@bp.get("/calendar")
@permission_required("posts", "plan")
def calendar_week() -> tuple[str, int]:
    filters = _filters()
    view = _calendar_view()
    day = _day_arg("day" if "day" in request.args else "week")
    officials = calendar_events.officials_for_filter() if calendar_events.may_read() else None
    if officials is not None:
        filters = replace(filters, events=calendar_events.read_filters(officials))
    rt = runtime()
    zone = rt.settings.timezone
    now = rt.clock().astimezone(resolve_zone(zone))
    shown = (calendar.month if view == "month" else calendar.week)(
        db(), day, zone, status=filters.status, channel_id=filters.channel_id, text=filters.text)
    waiting = calendar.waiting(db(), zone, status=filters.status, channel_id=filters.channel_id, text=filters.text)
    events = None
    if filters.events is not None:
        if not filters.events.posts:
            shown, waiting = _without_posts(shown), []
        if filters.events.events:
            first, count = _span(shown)
            events = calendar_events.event_days(first, count, zone, filters.events)
    may_write = current_user.may("posts", "write")
    compose = url_for("compose.new")  # once: a week has up to 168 empty slots

    def compose_at(moment: date | datetime) -> str | None:
        """Compose for an empty slot (a day: at DAY_HOUR), while that moment is still ahead."""
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, time(DAY_HOUR), tzinfo=now.tzinfo)
        if not may_write or moment <= now:
            return None
        return f"{compose}?at={moment.date().isoformat()}T{moment.hour:02d}:{moment.minute:02d}"

    return _page(f"calendar_{view}.html", shown=shown, view=view, day=day, filters=filters,
                 period_nav=_period_nav(shown), compose_at=compose_at, now=now,
                 waiting=waiting,
                 waiting_limit=calendar.WAITING_LIMIT, month_shown=calendar.MONTH_SHOWN,
                 nothing_found=bool(filters.text) and not waiting and not _any_entry(shown),
                 events=events, officials=officials, event_kinds=calendar_events.KINDS,
                 event_statuses=calendar_events.STATUSES, event_url=calendar_events.event_url,
                 event_title=calendar_events.event_title, official_name=calendar_events.official_name,
                 day_items=calendar_events.day_items), filters.http_status


def _span(shown: calendar.Month | calendar.Week) -> tuple[date, int]:
    """The first day the view shows and how many days it shows."""
    if isinstance(shown, calendar.Month):
        return shown.weeks[0][0].date, sum(len(week) for week in shown.weeks)
    return shown.days[0].date, len(shown.days)


def _without_posts(shown: calendar.Month | calendar.Week) -> calendar.Month | calendar.Week:
    """The same days without their posts: the calendar of events only (?show=events)."""
    if isinstance(shown, calendar.Month):
        return replace(shown, weeks=[[calendar.Day(d.date, []) for d in week] for week in shown.weeks])
    return replace(shown, days=[calendar.Day(d.date, []) for d in shown.days], more=False)


def _any_entry(shown: calendar.Month | calendar.Week) -> bool:
    days = [d for week in shown.weeks for d in week] if isinstance(shown, calendar.Month) else shown.days
    return any(day.entries for day in days)


DAY_HOUR = 9  # an empty day of the month grid composes for 09:00


@dataclass(frozen=True)
class PeriodNav:
    label: str
    previous: date
    next: date
    previous_label: str
    today_label: str
    next_label: str


def _period_nav(shown: calendar.Month | calendar.Week) -> PeriodNav:
    if isinstance(shown, calendar.Month):
        return PeriodNav(gettext("Months"), shown.previous, shown.next, gettext("Previous month"),
                         gettext("This month"), gettext("Next month"))
    return PeriodNav(gettext("Weeks"), shown.previous, shown.next, gettext("Previous week"), gettext("This week"),
                     gettext("Next week"))


@bp.get("/queue")
@permission_required("posts", "plan")
def index() -> tuple[str, int]:
    filters = _filters()
    zone = runtime().settings.timezone
    start_day = _day_arg("from")
    after = request.args.get("after") or None
    if after is not None:
        try:
            calendar.parse_cursor(after)
        except ValueError:
            abort(400)
    page = calendar.upcoming(db(), calendar.local_midnight(start_day, zone), zone, after=after,
                             status=filters.status, channel_id=filters.channel_id, text=filters.text)
    link_args = filters.args() | ({"from": start_day.isoformat()} if "from" in request.args else {})
    return (_page("queue.html", page=page, filters=filters, start_day=start_day, after=after, link_args=link_args),
            filters.http_status)


# --- moving a post in time -----------------------------------------------------------------------------

class MoveForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date, for example 2026-03-29."))],
                    format="%Y-%m-%d")
    clock = TimeField(_l("Time"), validators=[InputRequired(_l("Enter the time, for example 09:30."))],
                      format="%H:%M")
    dst_choice = StringField(_l("Which one?"), validators=[
        Optional(), AnyOf(DST_CHOICES, message=_l("Choose one of the two times."))])
    back = HiddenField()  # the calendar view to return to; anything else returns to the week


@bp.route("/queue/<int:post_id>/move", methods=["GET", "POST"])
@permission_required("posts", "move")
def move(post_id: int) -> Response | str | tuple[str, int]:
    post = workflow.get_post(db(), post_id)
    if request.method == "GET":
        local = to_local(post.scheduled_at, post.timezone) if post.scheduled_at else None
        proposed = _local_minute(request.args["to"]) if request.args.get("to") else None
        chosen = proposed or (local.replace(tzinfo=None) if local else None)
        form = MoveForm(formdata=None, day=chosen.date() if chosen else None,
                        clock=chosen.time().replace(second=0) if chosen else None, back=_back_view())
        return _move_page(post, form, proposed=proposed.replace(tzinfo=resolve_zone(post.timezone)) if proposed
                          else None)
    form = MoveForm()
    if not form.validate():
        return _move_page(post, form, 422)
    try:
        moved = calendar.move(db(), runtime(), current_user.actor(), post_id, form.day.data, form.clock.data,
                              dst_choice=form.dst_choice.data or None)
    except InvalidTransition:
        db().rollback()
        post = workflow.get_post(db(), post_id)
        form.form_errors.append(gettext("This post can no longer be moved: it is %(state)s.",
                                        state=POST_STATES.get(post.status, post.status)))
        return _move_page(post, form, 409)
    except Invalid as exc:
        db().rollback()
        _time_error(form, exc, post.timezone)
        return _move_page(workflow.get_post(db(), post_id), form, 422, ambiguous=exc.code == "ambiguous_local_time",
                          choices=(exc.details or {}).get("choices", []))
    db().commit()
    when = to_local(moved.scheduled_at, moved.timezone)
    if moved.status == PostStatus.PENDING_APPROVAL:
        flash(gettext("Moved to %(time)s. The post waits for approval again.", time=dates.format_datetime(when, "short")),
              "success")
    else:
        flash(gettext("Moved to %(time)s.", time=dates.format_datetime(when, "short")), "success")
    return redirect(url_for("queue.calendar_week", view=_back_view(form.back.data), day=when.date().isoformat()))


def _back_view(raw: str | None = None) -> str:
    """The calendar view the move started from (a dragged post: month or week), else the week."""
    view = raw if raw is not None else request.args.get("view", "")
    return view if view in VIEWS else "week"


def _hhmm(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%H:%M")


def _time_error(form: MoveForm, exc: Invalid, zone: str) -> None:
    """The workflow's refusal in the person's language, on the field it concerns."""
    details = exc.details or {}
    day = form.day.data.isoformat() if form.day.data else ""
    clock = form.clock.data.strftime("%H:%M") if form.clock.data else ""
    if exc.code == "nonexistent_local_time":
        form.clock.errors.append(gettext(
            "%(time)s does not exist on %(date)s in %(zone)s: the clocks jump from %(start)s to %(end)s. "
            "Choose a time before %(start)s or from %(end)s on.", time=clock, date=day, zone=zone,
            start=_hhmm(details["gap_start"]), end=_hhmm(details["gap_end"])))
    elif exc.code == "ambiguous_local_time":
        form.dst_choice.errors.append(gettext(
            "%(time)s happens twice on %(date)s in %(zone)s, because the clocks go back an hour. "
            "Choose which of the two you mean.", time=clock, date=day, zone=zone))
    elif exc.code == "time_in_past":
        form.clock.errors.append(gettext("That time has passed. Choose a time in the future."))
    else:
        form.form_errors.append(exc.message)


def _move_page(post: Post, form: MoveForm, status: int = 200, *, ambiguous: bool = False,
               choices: list[dict[str, Any]] | None = None, proposed: datetime | None = None) -> tuple[str, int]:
    return render_template("queue_move.html", post=post, form=form, ambiguous=ambiguous or bool(
        form.dst_choice.data), choices=choices or [], movable=post.status in calendar.MOVABLE, proposed=proposed,
        current=to_local(post.scheduled_at, post.timezone) if post.scheduled_at else None), status
