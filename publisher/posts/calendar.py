"""The queue and the calendar: posts by publication time, a week (Monday to Sunday in the office's zone) or
a page at a time, and moving a post in time.

Every read is one range scan on an index over scheduled_at (alone, or after the state) with a LIMIT, and
one more select for the channel names of the rows read: the page costs the same with ten or ten thousand
posts in the database. Weeks are cut at local midnights, turned to UTC through the zone, so a week with a
daylight-saving change is 167 or 169 hours long and every time in it is shown as the wall clock said.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select, tuple_
from sqlalchemy.orm import Session

from publisher.core import search_index
from publisher.core.actor import Actor
from publisher.core.models import Channel, Post, PostChannel
from publisher.core.runtime import Runtime
from publisher.core.states import POST_MOVES
from publisher.posts import workflow
from publisher.posts.schedule_time import resolve_zone

WEEK_LIMIT = 500  # more than a press office publishes in a week; past it the page says so
PAGE_SIZE = 50
EXCERPT = 160
MOVABLE = frozenset(POST_MOVES["edit"])  # a post may move in time while it may be edited


@dataclass(frozen=True)
class Entry:
    id: int
    title: str
    excerpt: str
    status: str
    scheduled_at: datetime  # UTC
    local: datetime  # the same instant on the office's wall clock
    channels: list[str]

    @property
    def movable(self) -> bool:
        return self.status in MOVABLE


@dataclass(frozen=True)
class Day:
    date: date
    entries: list[Entry]


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


def _entries(session: Session, where: list[ColumnElement[bool]], limit: int, zone: str) -> list[Entry]:
    # Columns, not Post objects: a Post loads its author, channels, media and deliveries, each a query.
    rows = session.execute(
        select(Post.id, Post.title, func.substr(Post.body, 1, EXCERPT), Post.status, Post.scheduled_at)
        .where(*where).order_by(Post.scheduled_at, Post.id).limit(limit)).all()
    names: dict[int, list[str]] = {row.id: [] for row in rows}
    if names:
        for post_id, name in session.execute(
                select(PostChannel.post_id, Channel.name).join(Channel, Channel.id == PostChannel.channel_id)
                .where(PostChannel.post_id.in_(list(names))).order_by(PostChannel.post_id, Channel.name)):
            names[post_id].append(name)
    tz = resolve_zone(zone)
    return [Entry(row.id, row.title, row[2] or "", row.status, row.scheduled_at, row.scheduled_at.astimezone(tz),
                  names[row.id]) for row in rows]


def week(session: Session, day: date, zone: str, *, status: str | None = None,
         channel_id: int | None = None, text: str = "") -> Week:
    """The Monday-to-Sunday week (in `zone`) that holds `day`, its posts grouped by local day."""
    monday = monday_of(day)
    start, end = local_midnight(monday, zone), local_midnight(monday + timedelta(days=7), zone)
    entries = _entries(session, [Post.scheduled_at >= start, Post.scheduled_at < end,
                                 *_filters(status, channel_id, text)], WEEK_LIMIT + 1, zone)
    by_day: dict[date, list[Entry]] = {monday + timedelta(days=i): [] for i in range(7)}
    for entry in entries[:WEEK_LIMIT]:
        by_day[entry.local.date()].append(entry)
    tz = resolve_zone(zone)
    return Week(monday, start, end, [Day(d, e) for d, e in by_day.items()], len(entries) > WEEK_LIMIT,
                (start.astimezone(tz).utcoffset(), (end - timedelta(seconds=1)).astimezone(tz).utcoffset()))


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
