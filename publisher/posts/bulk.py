"""Several posts at once: approve, cancel or move in time. Each post is its own decision: the workflow's move
runs for it in a savepoint, so a post that is refused (changed since it was read, written by the approver,
no longer waiting, a time that does not exist) is refused alone and the others go ahead. Four eyes hold per
post: every approval carries the content hash of the version its approver read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from publisher.core.actor import Actor
from publisher.core.errors import Invalid, PublisherError
from publisher.core.models import Post
from publisher.core.runtime import Runtime
from publisher.core.states import PostStatus
from publisher.posts import calendar, workflow
from publisher.posts.schedule_time import to_local

MAX_POSTS = 100  # per request: a page lists at most this many, and one transaction stays short
MAX_SHIFT = timedelta(days=366)

DONE = frozenset({"approved", "cancelled", "moved", "moved_back"})  # the codes that are not refusals


@dataclass(frozen=True)
class Outcome:
    post_id: int
    code: str  # one of DONE, or the refusal's stable code (content_changed, own_post, invalid_transition, …)
    message: str = ""  # the refusal in English, for the API and the log

    @property
    def done(self) -> bool:
        return self.code in DONE


def chosen(ids: Iterable[int]) -> list[int]:
    """The posts in the order given, each once; none or more than MAX_POSTS is refused as a whole."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise Invalid("choose at least one post", code="none_chosen")
    if len(unique) > MAX_POSTS:
        raise Invalid(f"{len(unique)} posts chosen; at most {MAX_POSTS} at once", code="too_many",
                      details={"max": MAX_POSTS, "chosen": len(unique)})
    return unique


Settle = Callable[[], None] | None  # called after each post: the pages commit there (see _each)


def approve_many(session: Session, rt: Runtime, actor: Actor, seen: dict[int, str], *,
                 settle: Settle = None) -> list[Outcome]:
    """`seen`: post id -> the content hash of the version the approver read, one per post."""
    return [_each(session, post_id, lambda p=post_id: _approved(session, rt, actor, p, seen[p]), settle)
            for post_id in chosen(seen)]


def cancel_many(session: Session, rt: Runtime, actor: Actor, ids: Iterable[int], *,
                settle: Settle = None) -> list[Outcome]:
    return [_each(session, post_id, lambda p=post_id: _cancelled(session, rt, actor, p), settle)
            for post_id in chosen(ids)]


def move_many(session: Session, rt: Runtime, actor: Actor, ids: Iterable[int], *, shift: timedelta | None = None,
              day: date | None = None, clock: time | None = None, settle: Settle = None) -> list[Outcome]:
    """Move by `shift` (the local clock time moves by it, across daylight-saving changes too), or to `day`
    (at `clock`, else at each post's own time of day). An approved post goes back for approval."""
    if (shift is None) == (day is None):
        raise Invalid("give either a shift or a day to move to", code="move_needs_target")
    if shift is not None and (not shift or abs(shift) > MAX_SHIFT):
        raise Invalid(f"a shift is not zero and at most {MAX_SHIFT.days} days", code="bad_shift")
    return [_each(session, post_id, lambda p=post_id: _moved(session, rt, actor, p, shift, day, clock), settle)
            for post_id in chosen(ids)]


def _each(session: Session, post_id: int, act: Callable[[], str], settle: Settle) -> Outcome:
    """One post's move in a savepoint; `settle` (a commit) after it, so that a long batch never holds
    SQLite's write lock from its first post to its last: the worker's claims go in between."""
    savepoint = session.begin_nested()
    try:
        code = act()
    except PublisherError as exc:
        savepoint.rollback()
        outcome = Outcome(post_id, exc.code, exc.message)
    else:
        savepoint.commit()
        outcome = Outcome(post_id, code)
    if settle is not None:
        settle()
    return outcome


def _approved(session: Session, rt: Runtime, actor: Actor, post_id: int, seen_hash: str) -> str:
    workflow.approve(session, rt, actor, post_id, seen_hash=seen_hash)
    return "approved"


def _cancelled(session: Session, rt: Runtime, actor: Actor, post_id: int) -> str:
    workflow.cancel(session, rt, actor, post_id)
    return "cancelled"


def _moved(session: Session, rt: Runtime, actor: Actor, post_id: int, shift: timedelta | None,
           day: date | None, clock: time | None) -> str:
    post = workflow.get_post(session, post_id)
    was = post.status
    target = _target(post, shift, day, clock)
    moved = calendar.move(session, rt, actor, post_id, target.date(), target.time())
    return "moved_back" if was == PostStatus.SCHEDULED and moved.status == PostStatus.PENDING_APPROVAL else "moved"


def _target(post: Post, shift: timedelta | None, day: date | None, clock: time | None) -> datetime:
    """The new local time of day, in the post's own zone."""
    local = to_local(post.scheduled_at, post.timezone).replace(tzinfo=None) if post.scheduled_at else None
    if shift is not None or clock is None:
        if local is None:
            raise Invalid(f"post {post.id} goes out as soon as approved: it has no time to shift; "
                          "move it to a date and a time", code="no_time")
    if shift is not None:
        return local + shift
    return datetime.combine(day, clock or local.time())
