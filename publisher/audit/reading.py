"""Reading the audit log for managers and admins: filter by person, action, object and time; pages and export.

People are shown by their account as it is now (the row carries only their id), so a person whose data is
erased later is shown by what is left of the account, and the chain is untouched."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, distinct, select
from sqlalchemy.orm import Session

from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.models import AuditEvent, User

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
    return query


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
    return list(session.scalars(select(distinct(AuditEvent.action)).order_by(AuditEvent.action)))
