"""Requests counted per client address and minute in the database, and the rate limit that reads the count.

A refused API token used to cost an audit row each: anyone could grow the audit log without limit. Now each
refusal increments one row per (scope, address, minute) with a single INSERT ... ON CONFLICT DO UPDATE, which
is atomic on SQLite and PostgreSQL alike, so several web processes share one count. The caller writes an audit
row only for the first refusal of an address in a window and when the address crosses the limit; beyond the
limit the address is answered 429 until its window ends, and nothing more is written.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from publisher.core.models import RequestCounter

WINDOW = timedelta(minutes=1)
KEPT = timedelta(days=1)  # old windows decide nothing; a day of them shows who knocked, then they go
MAX_KEY = 255
API_REFUSED = "api_refused"  # a request to the API without a valid token


def window_start(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def retry_after(now: datetime) -> int:
    """Whole seconds until the window that holds `now` ends (at least 1)."""
    return max(1, math.ceil((window_start(now) + WINDOW - now).total_seconds()))


def count(session: Session, scope: str, key: str, now: datetime) -> int:
    """Count one request of `scope` from `key` in the current window; returns the window's count with it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RequestCounter).values(scope=scope, key=key[:MAX_KEY], window_start=window_start(now),
                                              count=1)
    statement = statement.on_conflict_do_update(
        index_elements=[RequestCounter.scope, RequestCounter.key, RequestCounter.window_start],
        set_={"count": RequestCounter.count + 1},
    ).returning(RequestCounter.count)
    return int(session.execute(statement).scalar_one())


def current(session: Session, scope: str, key: str, now: datetime) -> int:
    """How many requests of `scope` from `key` were counted in the current window."""
    return session.scalar(select(RequestCounter.count).where(
        RequestCounter.scope == scope, RequestCounter.key == key[:MAX_KEY],
        RequestCounter.window_start == window_start(now))) or 0


def prune(session: Session, now: datetime) -> int:
    """Forget windows older than KEPT; returns how many rows went."""
    return session.execute(delete(RequestCounter).where(RequestCounter.window_start < now - KEPT)).rowcount
