"""What went out, where, when and by whom: the history of deliveries, filtered and paged by keyset.

A delivery's moment is when it went out (sent_at) or else when it last changed (updated_at): a failed or
cancelled delivery never went out, yet it has its place in the story; so do the deliveries still waiting,
sending or waiting to retry (issue 11: a retrying delivery must not hide while its channel keeps failing). Pages are cut by keyset on
(moment, id), never by OFFSET, so a page costs the same at any depth and rows inserted meanwhile neither
repeat nor skip rows on the next page. The indexes of migration 0005 hold exactly that expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, Select, func, select, tuple_
from sqlalchemy.orm import Session, aliased

from publisher.audit import trail
from publisher.core import limits, search_index
from publisher.core.errors import Invalid, NotFound
from publisher.core.models import AuditEvent, Channel, Delivery, DeliveryAttempt, Post, User
from publisher.core.states import DeliveryStatus

D = DeliveryStatus
# Every state, the open ones (waiting, sending, waiting to retry) first: failures must never hide.
HISTORY_STATES = (D.PENDING, D.SENDING, D.RETRY_WAIT, D.SENT, D.FAILED, D.UNKNOWN, D.STALE, D.CANCELLED)
assert set(HISTORY_STATES) == set(D)
PAGE_SIZE = 50
EXPORT_BATCH = 2_000
# A search that at most this many posts match reads those posts' deliveries (few) instead of walking the
# history until a page is full (for a rare word, every delivery with its post's key: seconds at a million).
FEW_POSTS = 500
MAX_SEARCH = limits.SEARCH


def moment() -> ColumnElement[datetime]:
    """The history's order; the same expression as the indexes of migration 0005 (they must match)."""
    return func.coalesce(Delivery.sent_at, Delivery.updated_at)


@dataclass(frozen=True)
class Cursor:
    """Where the next (older) page starts: just below this row's (moment, id)."""

    at: datetime
    id: int

    def encode(self) -> str:
        return f"{self.at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}_{self.id}"

    @classmethod
    def decode(cls, raw: str) -> Cursor:
        found = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6})Z_(\d{1,18})", raw.strip(), re.ASCII)
        if not found:
            raise Invalid("the page link is damaged; start again from the newest page", code="bad_cursor")
        try:
            at = datetime.strptime(found.group(1), "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)
        except ValueError:
            raise Invalid("the page link is damaged; start again from the newest page", code="bad_cursor") from None
        return cls(at, int(found.group(2)))


@dataclass(frozen=True)
class HistoryFilter:
    channel_id: int | None = None
    status: str | None = None
    date_from: date | None = None  # local dates in `timezone`, both days included
    date_to: date | None = None
    text: str = ""
    timezone: str = "Europe/Belgrade"

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in HISTORY_STATES:
            raise Invalid(f"unknown delivery state {self.status!r}", code="bad_status")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise Invalid("the first day comes after the last day", code="bad_dates")
        if len(self.text) > MAX_SEARCH:
            raise Invalid(f"search for at most {MAX_SEARCH} characters", code="bad_search")

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[from, to) in UTC: local midnight of the first day to local midnight after the last day."""
        zone = ZoneInfo(self.timezone)
        # Midnight exists every day in Europe (clocks change at 02:00/03:00), so no DST gap to mind.
        low = datetime.combine(self.date_from, time(0), zone).astimezone(UTC) if self.date_from else None
        high = (datetime.combine(self.date_to + timedelta(days=1), time(0), zone).astimezone(UTC)
                if self.date_to else None)
        return low, high


Author, Approver = aliased(User, name="author"), aliased(User, name="approver")


def _columns() -> Select:
    at = moment().label("at")
    return (select(Delivery.id.label("delivery_id"), Delivery.status, at, Delivery.sent_at, Delivery.url,
                   Delivery.error, Delivery.error_kind, Delivery.attempts, Delivery.language, Channel.name.label("channel"),
                   Channel.kind.label("channel_kind"), Post.id.label("post_id"), Post.title,
                   Author.name.label("author"), Author.display_name.label("author_display"),
                   Approver.name.label("approver"), Approver.display_name.label("approver_display"))
            .select_from(Delivery)
            .join(Post, Post.id == Delivery.post_id)
            .join(Channel, Channel.id == Delivery.channel_id)
            .join(Author, Author.id == Post.author_id)
            .outerjoin(Approver, Approver.id == Post.approved_by_id))


def searched_posts(session: Session, f: HistoryFilter) -> list[int] | None:
    """The posts the search matches when they are at most FEW_POSTS (one scan of the posts' keys, stopped at
    FEW_POSTS + 1); None when there is no search or it matches more (a page then fills soon on the walk)."""
    found = search_index.matches(Post.search_text, f.text)
    if found is None:
        return None
    ids = list(session.scalars(select(Post.id).where(found).limit(FEW_POSTS + 1)))
    return ids if len(ids) <= FEW_POSTS else None


def history_query(f: HistoryFilter, posts: list[int] | None = None) -> Select:
    """The filtered rows, newest first, without a limit; `posts`: searched_posts's answer, if it had one."""
    query = _columns()
    if f.status:
        query = query.where(Delivery.status == f.status)
    # Without a state: no condition on it at all, so the (moment, id) index is walked newest first and
    # stopped at the page.
    if f.channel_id is not None:
        query = query.where(Delivery.channel_id == f.channel_id)
    low, high = f.bounds()
    if low is not None:
        query = query.where(moment() >= low)
    if high is not None:
        query = query.where(moment() < high)
    # The post's title and texts, in either script, any case, with or without diacritics (core.search_index).
    if posts is not None:
        query = query.where(Delivery.post_id.in_(posts))
    elif (found := search_index.matches(Post.search_text, f.text)) is not None:
        query = query.where(found)
    return query.order_by(moment().desc(), Delivery.id.desc())


def _after(query: Select, cursor: Cursor | None) -> Select:
    if cursor is None:
        return query
    # The row value comparison is the rule; the plain `moment <= at` beside it is what lets SQLite seek the
    # (moment, id) index to the cursor instead of walking it from the newest row.
    return query.where(moment() <= cursor.at, tuple_(moment(), Delivery.id) < tuple_(cursor.at, cursor.id))


@dataclass(frozen=True)
class HistoryPage:
    rows: list[Row]
    older: Cursor | None  # None: this is the last page


def history_page(session: Session, f: HistoryFilter, *, after: Cursor | None = None,
                 limit: int = PAGE_SIZE, posts: list[int] | None = None) -> HistoryPage:
    """One page; `posts` as history_query takes it (asked here when not given)."""
    if posts is None:
        posts = searched_posts(session, f)
    rows = list(session.execute(_after(history_query(f, posts), after).limit(limit + 1)))
    page = rows[:limit]
    older = Cursor(page[-1].at, page[-1].delivery_id) if len(rows) > limit else None
    return HistoryPage(page, older)


def history_rows(session: Session, f: HistoryFilter, *, batch: int = EXPORT_BATCH) -> Iterator[Row]:
    """Every filtered row, newest first, fetched in keyset batches: memory stays flat for any size."""
    cursor: Cursor | None = None
    posts = searched_posts(session, f)  # once for the whole export
    while True:
        page = history_page(session, f, after=cursor, limit=batch, posts=posts)
        yield from page.rows
        if page.older is None:
            return
        cursor = page.older


def channels(session: Session) -> list[Channel]:
    return list(session.scalars(select(Channel).order_by(Channel.name)))


def latest_day(session: Session) -> datetime | None:
    return session.scalar(select(func.max(moment())))


@dataclass(frozen=True)
class PostStory:
    """One post as its page tells it: the post, each delivery with its attempts, and the audit trail."""

    post: Post
    deliveries: list[Delivery]
    attempts: dict[int, list[DeliveryAttempt]]
    events: list[AuditEvent]


def post_story(session: Session, post_id: int) -> PostStory:
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(f"no post with id {post_id}")
    found = list(session.scalars(select(Delivery).where(Delivery.post_id == post_id)
                                 .order_by(Delivery.channel_id, Delivery.id)))
    attempts: dict[int, list[DeliveryAttempt]] = {d.id: [] for d in found}
    if found:  # one query for every delivery's attempts
        for attempt in session.scalars(select(DeliveryAttempt)
                                       .where(DeliveryAttempt.delivery_id.in_(list(attempts)))
                                       .order_by(DeliveryAttempt.delivery_id, DeliveryAttempt.number,
                                                 DeliveryAttempt.id)):
            attempts[attempt.delivery_id].append(attempt)
    return PostStory(post, found, attempts, trail.events_for_post(session, post_id))
