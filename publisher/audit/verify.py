"""Checks the audit chain: every sealed event still has the content it was sealed with, none is missing, none
was slipped in among sealed ids, and the chain still reaches a head recorded earlier."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from publisher.audit.chain import GENESIS, Head, events_query, link_hash, row_hash
from publisher.core.models import AuditLink

_STREAM = 2000


@dataclass(frozen=True)
class Break:
    """The first event where the chain does not hold."""

    event_id: int
    kind: str  # changed | removed | inserted | cut
    message: str


@dataclass(frozen=True)
class Report:
    checked: int  # sealed events checked
    head: Head | None  # the newest link checked
    unsealed: int  # newer events not yet in the chain
    problem: Break | None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if self.problem:
            return f"audit log BROKEN at row {self.problem.event_id}: {self.problem.message}"
        where = f"up to row {self.head}" if self.head else "nothing sealed yet"
        return (f"audit log intact: {self.checked} row(s) checked, {where}; "
                f"{self.unsealed} newer row(s) not sealed yet")


def verify(session: Session, *, start: Head | None = None, expect: Head | None = None) -> Report:
    """Walk the chain from `start` (a head this process verified before; None: from the first event), then
    check that `expect` (a head recorded elsewhere earlier) is still in it."""
    previous_id, previous = (start.event_id, start.chain_hash) if start else (0, GENESIS)
    if start is not None:
        kept = session.scalar(select(AuditLink.chain_hash).where(AuditLink.event_id == start.event_id))
        if kept != start.chain_hash:
            return _broken(0, None, Break(start.event_id, "changed" if kept else "removed",
                                          "the chain verified earlier up to this row was rewritten or cut"))
    last_link = session.scalar(select(func.max(AuditLink.event_id))) or 0
    checked = 0
    tip: Head | None = start
    events = _stream(session, events_query, previous_id)
    links = _stream(session, _links_query, previous_id)
    event, link = next(events, None), next(links, None)
    while link is not None:
        if event is None or link.event_id < event.id:
            return _broken(checked, tip, Break(link.event_id, "removed", "the row was sealed and is gone"))
        if event.id < link.event_id:
            return _broken(checked, tip, Break(event.id, "inserted",
                                               f"the row was inserted out of order, among rows sealed up to "
                                               f"{last_link}"))
        if row_hash(event) != link.row_hash:
            return _broken(checked, tip, Break(event.id, "changed", "the row's content is not what was sealed"))
        previous = link_hash(previous, link.event_id, link.row_hash)
        if previous != link.chain_hash:
            return _broken(checked, tip, Break(link.event_id, "changed",
                                               "the chain was rewritten at this row"))
        checked += 1
        tip = Head(link.event_id, link.chain_hash)
        event, link = next(events, None), next(links, None)
    unsealed = 0 if event is None else 1 + sum(1 for _ in events)
    if expect is not None:
        kept = session.scalar(select(AuditLink.chain_hash).where(AuditLink.event_id == expect.event_id))
        if kept is None:
            last = tip.event_id if tip else 0
            return _broken(checked, tip, Break(expect.event_id, "cut",
                                               f"the row is gone: the chain ends at row {last}, but the head "
                                               f"recorded earlier was row {expect}"))
        if kept != expect.chain_hash:
            return _broken(checked, tip, Break(expect.event_id, "changed",
                                               "the chain up to this row was rewritten since its head was "
                                               "recorded"))
    return Report(checked, tip, unsealed, None)


def _broken(checked: int, tip: Head | None, problem: Break) -> Report:
    return Report(checked, tip, 0, problem)


def _links_query(after_id: int) -> Any:
    return (select(AuditLink.event_id, AuditLink.row_hash, AuditLink.chain_hash)
            .where(AuditLink.event_id > after_id).order_by(AuditLink.event_id))


def _stream(session: Session, query: Callable[[int], Any], after: int) -> Iterator[Any]:
    """Rows in pages by key (one lower bound per page, which both databases seek to), so that 100,000 rows
    never sit in memory at once."""
    while True:
        rows = session.execute(query(after).limit(_STREAM)).all()
        yield from rows
        if len(rows) < _STREAM:
            return
        after = rows[-1][0]
