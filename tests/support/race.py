"""Several people doing one move at the same moment, each in their own session and thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from publisher.core.errors import PublisherError
from publisher.core.runtime import Runtime

START_TIMEOUT_S = 10
JOIN_TIMEOUT_S = 30


def at_once(rt: Runtime, names: Iterable[str],
            move: Callable[[Session, str], object]) -> dict[str, PublisherError | None]:
    """Run `move(session, name)` for every name at once (a barrier releases them together); each commits its own
    session. Returns name -> None when it was done, else the service's refusal."""
    names = list(names)
    barrier = threading.Barrier(len(names), timeout=START_TIMEOUT_S)
    outcomes: dict[str, PublisherError | None] = {}

    def run(name: str) -> None:
        with rt.sessions() as own:
            barrier.wait()
            try:
                move(own, name)
                own.commit()
                outcomes[name] = None
            except PublisherError as exc:
                outcomes[name] = exc

    threads = [threading.Thread(target=run, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT_S)
    return outcomes
