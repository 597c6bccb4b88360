"""Reading the audit log for managers and admins: filter by person, action, object and time; pages and export.

People are shown by their account as it is now (the row carries only their id), so a person whose data is
erased later is shown by what is left of the account, and the chain is untouched."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from publisher.core import permissions, search_index
from publisher.core.actor import Actor
from publisher.core.models import AuditEvent, Post, User

PAGE_SIZE = 50
MAX_ID = 2**63 - 1  # ids beyond what the databases hold are refused by the caller, never sent to them
MAX_SUBJECT = 100


@dataclass(frozen=True)
class AuditFilter:
    actor_id: int | None = None
    action: str | None = None
    post_id: int | None = None
    subject: str = ""  # an object as the log names it: "delivery:12", "user:3", "channel:2"
    start: datetime | None = None  # inclusive, aware
    end: datetime | None = None  # exclusive, aware
    text: str = ""  # what the page shows: the person or process, the object, the post's title and texts ...
    actions: tuple[str, ...] = ()  # ... and the actions whose name, in the reader's language, holds `text`


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_id: int | None
    who: str  # the account's name today, or the process ("worker:…", "cli:…")
    via: str
    action: str
    post_id: int | None
    subject: str
    before: Any
    after: Any
    detail: Any
    ip: str | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow] = field(default_factory=list)
    older: int | None = None  # the `before` id of the next (older) page, if any


def _query(f: AuditFilter) -> Select[Any]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if f.actor_id is not None:
        query = query.where(AuditEvent.actor_id == f.actor_id)
    if f.action:
        query = query.where(AuditEvent.action == f.action)
    if f.post_id is not None:
        query = query.where(AuditEvent.post_id == f.post_id)
    if f.subject:
        query = query.where(AuditEvent.subject == f.subject)
    if f.start is not None:
        query = query.where(AuditEvent.at >= f.start)
    if f.end is not None:
        query = query.where(AuditEvent.at < f.end)
    found = _searched(f)
    return query if found is None else query.where(found)


def _searched(f: AuditFilter) -> ColumnElement[bool] | None:
    """Rows that show `f.text`. The log is append-only and sealed, so it carries no search column of its
    own: the people and posts it names are found by theirs (core.search_index), the process names and
    objects ("worker:…", "delivery:12") by their text, which is ASCII as written."""
    key = search_index.term(f.text)
    if not key:
        return None
    people = select(User.id).where(User.search_text.contains(key, autoescape=True))
    posts = select(Post.id).where(Post.search_text.contains(key, autoescape=True))
    return or_(AuditEvent.actor_id.in_(people), AuditEvent.post_id.in_(posts),
               func.lower(AuditEvent.actor_name).contains(key, autoescape=True),
               func.lower(AuditEvent.subject).contains(key, autoescape=True),
               *([AuditEvent.action.in_(f.actions)] if f.actions else []))


def _row(event: AuditEvent) -> AuditRow:
    return AuditRow(event.id, event.at, event.actor_id, event.who or event.via, event.via, event.action, event.post_id, event.subject,
                    event.before, event.after, event.detail, event.ip)


def page(session: Session, actor: Actor, f: AuditFilter, *, before: int | None = None,
         limit: int | None = None) -> AuditPage:
    """Newest first; `before` is the id the previous page ended at."""
    permissions.require(actor, "audit", "read")
    limit = limit or PAGE_SIZE
    query = _query(f)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    found = [_row(e) for e in session.scalars(query.limit(limit + 1)).unique()]
    more = len(found) > limit
    return AuditPage(found[:limit], found[limit - 1].id if more else None)


def all_rows(session: Session, actor: Actor, f: AuditFilter, *, chunk: int = 1000) -> Iterator[AuditRow]:
    """Every matching row, newest first, read in chunks (the CSV export)."""
    permissions.require(actor, "audit", "read")
    before: int | None = None
    while True:
        query = _query(f)
        if before is not None:
            query = query.where(AuditEvent.id < before)
        found = [_row(e) for e in session.scalars(query.limit(chunk)).unique()]
        yield from found
        if len(found) < chunk:
            return
        before = found[-1].id


def people(session: Session) -> list[tuple[int, str]]:
    """Everyone who may appear as a person in the log, for a filter."""
    return [(u.id, u.display_name or u.name) for u in session.scalars(select(User).order_by(User.name))]


def actions(session: Session) -> list[str]:
    """The actions the log holds, for a filter."""
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
