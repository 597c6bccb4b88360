"""The queue and the calendar: posts by publication time, a week (Monday to Sunday in the office's zone), a
month (the six Monday-to-Sunday weeks that hold it) or a page at a time, and moving a post in time.

Every read is one range scan on an index over scheduled_at (alone, or after the state) with a LIMIT, and
one more select for the channel names of the rows read: the page costs the same with ten or ten thousand
posts in the database. Weeks are cut at local midnights, turned to UTC through the zone, so a week with a
daylight-saving change is 167 or 169 hours long and every time in it is shown as the wall clock said; the
week's hour grid knows the hour that does not exist and the hour that happens twice.

Posts "as soon as approved" have no time (scheduled_at is NULL). While they wait (draft, waiting for
approval, sent back, or approved a moment before the worker takes them) they are listed by `waiting` and
shown on today: approved now, they would go out today. Once they went out they are shown at their approval
time (`_went_out`: an index range over the state and the NULL time, then the approval time of those rows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, exists, func, literal, select, tuple_
from sqlalchemy.orm import Session

from publisher.core import search_index
from publisher.core.actor import Actor
from publisher.core.models import Channel, Post, PostChannel
from publisher.core.runtime import Runtime
from publisher.core.states import POST_MOVES, PostStatus
from publisher.posts import workflow
from publisher.posts.schedule_time import resolve_zone

WEEK_LIMIT = 500  # more than a press office publishes in a week; past it the page says so
MONTH_SHOWN = 3  # posts a day of the month grid shows before "+N more"
WAITING_LIMIT = 100  # posts without a time shown on today; past it the page says so
PAGE_SIZE = 50
EXCERPT = 160
MOVABLE = frozenset(POST_MOVES["edit"])  # a post may move in time while it may be edited
WENT_OUT = frozenset({PostStatus.PUBLISHING, PostStatus.PUBLISHED, PostStatus.PARTIALLY_PUBLISHED,
                      PostStatus.FAILED})


@dataclass(frozen=True)
class Entry:
    id: int
    title: str
    excerpt: str
    status: str
    scheduled_at: datetime | None  # UTC; None: as soon as approved
    local: datetime | None  # the entry's moment on the office's wall clock (an unscheduled post's approval)
    channels: list[str]

    @property
    def movable(self) -> bool:
        return self.status in MOVABLE


    @property
    def as_soon_as_approved(self) -> bool:
        return self.scheduled_at is None

    @property
    def clock(self) -> str:
        """"09:30": the wall-clock time a dragged entry keeps on another day ("" without a time)."""
        return f"{self.local.hour:02d}:{self.local.minute:02d}" if self.local else ""


@dataclass(frozen=True)
class Slot:
    """One hour of a day in the week's grid, on the wall clock."""

    start: datetime  # local, aware; for a repeated hour the first of the two
    exists: bool  # False for the hour the clocks skip
    entries: list[Entry]


@dataclass(frozen=True)
class Day:
    date: date
    entries: list[Entry]
    unread: int = 0  # the day's posts beyond those read (the month reads MONTH_SHOWN a day)

    @property
    def count(self) -> int:
        return len(self.entries) + self.unread

    def slots(self, zone: str) -> list[Slot]:
        """The day's 24 wall-clock hours with the entries that begin in each."""
        tz = resolve_zone(zone)
        by_hour: dict[int, list[Entry]] = {}
        for entry in self.entries:
            if entry.local is not None:
                by_hour.setdefault(entry.local.hour, []).append(entry)
        slots = []
        for hour in range(24):
            start = datetime.combine(self.date, time(hour), tzinfo=tz)
            exists = start.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == start.replace(tzinfo=None)
            slots.append(Slot(start, exists, by_hour.get(hour, [])))
        return slots


@dataclass(frozen=True)
class Week:
    monday: date
    start: datetime  # UTC instant of Monday 00:00 local
    end: datetime  # UTC instant of the next Monday 00:00 local
    days: list[Day]
    more: bool  # WEEK_LIMIT rows were shown and there are more
    offsets: tuple[timedelta, timedelta]  # the zone's UTC offset at the start and at the end

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def clocks_change(self) -> bool:
        return self.offsets[0] != self.offsets[1]

    @property
    def offset_labels(self) -> tuple[str, str]:
        """"+01:00", "+02:00": the offsets as a person reads them after "UTC"."""
        return _offset_label(self.offsets[0]), _offset_label(self.offsets[1])


@dataclass(frozen=True)
class Month:
    first: date  # the first day of the month
    weeks: list[list[Day]]  # six Monday-to-Sunday weeks, the first holding the 1st
    more: bool = False  # never: every day says how many posts it has

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=31)).replace(day=1)

    def holds(self, day: date) -> bool:
        return (day.year, day.month) == (self.first.year, self.first.month)


def _offset_label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    return f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    next_after: str | None  # the cursor of the next page, None on the last


def local_midnight(day: date, zone: str) -> datetime:
    """The UTC instant at which `day` begins in `zone` (a midnight inside a gap: the first instant after)."""
    return datetime.combine(day, time(0), tzinfo=resolve_zone(zone)).astimezone(UTC)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def today(now: datetime, zone: str) -> date:
    return now.astimezone(resolve_zone(zone)).date()


def _filters(status: str | None, channel_id: int | None, text: str = "") -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if (found := search_index.matches(Post.search_text, text)) is not None:
        where.append(found)  # checked on the rows of the time range, which stays the scan
    if status:
        where.append(Post.status == status)
    if channel_id is not None:
        # EXISTS, checked on post_channels' primary key for each post in the time range: the time range
        # stays the scan (an IN list would read every post the channel ever had first).
        where.append(exists().where(PostChannel.post_id == Post.id, PostChannel.channel_id == channel_id))
    return where


def _columns(moment: Any = Post.scheduled_at) -> list[Any]:
    # Columns, not Post objects: a Post loads its author, channels, media and deliveries, each a query.
    return [Post.id, Post.title, func.substr(Post.body, 1, EXCERPT).label("excerpt"), Post.status,
            Post.scheduled_at, moment.label("moment")]


def _entries(session: Session, where: list[ColumnElement[bool]], limit: int, zone: str,
             moment: Any = Post.scheduled_at) -> list[Entry]:
    """Entries by `moment` (the publication time; the approval time of a post without one)."""
    rows = session.execute(select(*_columns(moment)).where(*where).order_by(moment, Post.id).limit(limit)).all()
    return _built(session, rows, zone)


def _built(session: Session, rows: Sequence[Any], zone: str) -> list[Entry]:
    """Entries of the rows read (id, title, excerpt, status, scheduled_at, moment), with their channels' names."""
    names: dict[int, list[str]] = {row.id: [] for row in rows}
    if names:
        for post_id, name in session.execute(
                select(PostChannel.post_id, Channel.name).join(Channel, Channel.id == PostChannel.channel_id)
                .where(PostChannel.post_id.in_(list(names))).order_by(PostChannel.post_id, Channel.name)):
            names[post_id].append(name)
    tz = resolve_zone(zone)
    return [Entry(row.id, row.title, row.excerpt or "", row.status, row.scheduled_at,
                  row.moment.astimezone(tz) if row.moment else None, names[row.id]) for row in rows]


def _days(session: Session, first: date, count: int, zone: str, limit: int, status: str | None,
          channel_id: int | None, text: str = "") -> tuple[list[Day], bool]:
    """`count` days from `first` with their posts by local day; whether `limit` cut the list."""
    start, end = local_midnight(first, zone), local_midnight(first + timedelta(days=count), zone)
    entries = _entries(session, [Post.scheduled_at >= start, Post.scheduled_at < end,
                                 *_filters(status, channel_id, text)], limit + 1, zone)
    more = len(entries) > limit
    entries = entries[:limit] + _went_out(session, start, end, zone, status, channel_id, text)
    by_day: dict[date, list[Entry]] = {first + timedelta(days=i): [] for i in range(count)}
    for entry in sorted(entries, key=lambda e: (e.local, e.id)):
        by_day[entry.local.date()].append(entry)
    return [Day(d, e) for d, e in by_day.items()], more


def _went_out(session: Session, start: datetime, end: datetime, zone: str, status: str | None,
              channel_id: int | None, text: str = "") -> list[Entry]:
    """Posts without a time that went out between start and end, at their approval time."""
    states = [s for s in WENT_OUT if status in (None, s)]
    if not states:
        return []
    return _entries(session, [Post.status.in_(states), Post.scheduled_at.is_(None), Post.approved_at >= start,
                              Post.approved_at < end, *_filters(None, channel_id, text)], WAITING_LIMIT, zone,
                    moment=Post.approved_at)


def week(session: Session, day: date, zone: str, *, status: str | None = None,
         channel_id: int | None = None, text: str = "") -> Week:
    """The Monday-to-Sunday week (in `zone`) that holds `day`, its posts grouped by local day."""
    monday = monday_of(day)
    start, end = local_midnight(monday, zone), local_midnight(monday + timedelta(days=7), zone)
    days, more = _days(session, monday, 7, zone, WEEK_LIMIT, status, channel_id, text)
    tz = resolve_zone(zone)
    return Week(monday, start, end, days, more,
                (start.astimezone(tz).utcoffset(), (end - timedelta(seconds=1)).astimezone(tz).utcoffset()))


def month(session: Session, day: date, zone: str, *, status: str | None = None,
          channel_id: int | None = None, text: str = "") -> Month:
    """The month that holds `day` as six Monday-to-Sunday weeks (in `zone`): one range read that returns
    the first MONTH_SHOWN posts of each day and how many the day has (a window over the local day, which a
    CASE over the 42 local midnights computes on both databases), however many posts the month holds."""
    first = day.replace(day=1)
    monday = monday_of(first)
    midnights = [local_midnight(monday + timedelta(days=i), zone) for i in range(43)]
    day_number = _day_number(Post.scheduled_at, midnights, 0, 42)
    # The window runs over narrow rows (id, time); only the posts shown are joined for their columns.
    ranked = (select(Post.id, day_number.label("day_number"),
                     func.row_number().over(partition_by=day_number, order_by=(Post.scheduled_at, Post.id))
                     .label("rank"),
                     func.count().over(partition_by=day_number).label("total"))
              .where(Post.scheduled_at >= midnights[0], Post.scheduled_at < midnights[-1],
                     *_filters(status, channel_id, text)).subquery())
    rows = session.execute(select(*_columns(), ranked.c.day_number, ranked.c.total)
                           .join(ranked, ranked.c.id == Post.id).where(ranked.c.rank <= MONTH_SHOWN)
                           .order_by(Post.scheduled_at, Post.id).limit(42 * MONTH_SHOWN)).all()
    totals = {row.day_number: row.total for row in rows}
    entries = _built(session, rows, zone) + _went_out(session, midnights[0], midnights[-1], zone, status,
                                                        channel_id, text)
    by_day: dict[date, list[Entry]] = {monday + timedelta(days=i): [] for i in range(42)}
    for entry in sorted(entries, key=lambda e: (e.local, e.id)):
        by_day[entry.local.date()].append(entry)
    days = [Day(d, e, unread=totals.get(i, 0) - sum(not x.as_soon_as_approved for x in e))
            for i, (d, e) in enumerate(by_day.items())]
    return Month(first, [days[i:i + 7] for i in range(0, 42, 7)])


def _day_number(moment: Any, midnights: list[datetime], low: int, high: int) -> Any:
    """The day (low..high-1) whose midnights hold `moment`, as a CASE that halves the days at each step
    (6 comparisons a row for 42 days, not up to 42)."""
    if high - low == 1:
        return literal(low)
    middle = (low + high) // 2
    return case((moment < midnights[middle], _day_number(moment, midnights, low, middle)),
                else_=_day_number(moment, midnights, middle, high))


def waiting(session: Session, zone: str, *, status: str | None = None, channel_id: int | None = None,
            text: str = "") -> list[Entry]:
    """Posts without a time that have not gone out yet (at most WAITING_LIMIT + 1: the page says "more")."""
    states = [s for s in MOVABLE if status in (None, s)]
    if not states:
        return []
    return _entries(session, [Post.status.in_(states), Post.scheduled_at.is_(None),
                             *_filters(None, channel_id, text)], WAITING_LIMIT + 1, zone)  # every time is NULL: by id


def upcoming(session: Session, start: datetime, zone: str, *, after: str | None = None, status: str | None = None,
             channel_id: int | None = None, text: str = "", limit: int = PAGE_SIZE) -> Page:
    """Posts from `start` on, by time, a page at a time; `after` is the previous page's `next_after`."""
    where = [Post.scheduled_at >= start, *_filters(status, channel_id, text)]
    if after:
        moment, post_id = parse_cursor(after)
        where.append(tuple_(Post.scheduled_at, Post.id) > tuple_(moment, post_id))
    entries = _entries(session, where, limit + 1, zone)
    page = entries[:limit]
    more = len(entries) > limit
    return Page(page, cursor(page[-1]) if more else None)


def cursor(entry: Entry) -> str:
    return f"{entry.scheduled_at.strftime('%Y%m%dT%H%M%S')}_{entry.id}"


def parse_cursor(value: str) -> tuple[datetime, int]:
    """Raises ValueError for anything that is not a cursor this module made."""
    moment, _, post_id = value.partition("_")
    return datetime.strptime(moment, "%Y%m%dT%H%M%S").replace(tzinfo=UTC), int(post_id)


def move(session: Session, rt: Runtime, actor: Actor, post_id: int, day: date, clock: time, *,
         dst_choice: str | None = None) -> Any:
    """A new local publication time in the post's own zone; the workflow sends approved content back for
    approval and refuses a time that does not exist, that happens twice without a choice, or that passed."""
    post = workflow.get_post(session, post_id)
    local = datetime.combine(day, clock).strftime("%Y-%m-%dT%H:%M")
    return workflow.edit_post(session, rt, actor, post_id,
                              {"scheduled_at": local, "timezone": post.timezone, "dst_choice": dst_choice})
