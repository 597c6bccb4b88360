"""The one clock: every "now" in publisher comes from a runtime's clock.

`system_now` is the real time. A Runtime carries the clock its services use (`Runtime.clock`; tests stop
or move it), and every session it makes carries that same clock in `session.info`, so a service that has
a session but no runtime asks `now(session)` and gets the runtime's time, not the machine's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.orm import Session

Clock = Callable[[], datetime]
SESSION_KEY = "clock"


def system_now() -> datetime:
    """The real time, aware, in UTC, to the microsecond."""
    return datetime.now(UTC)


def now(session: Session | None = None) -> datetime:
    """The time of the runtime that made `session` (the real time for a session no runtime made)."""
    clock = session.info.get(SESSION_KEY) if session is not None else None
    return (clock or system_now)()


def column_default() -> datetime:
    """What a row's created_at / updated_at gets when a service did not set it: the real time to the second."""
    return system_now().replace(microsecond=0)
