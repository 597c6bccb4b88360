"""Throughput and memory of the outbox: queue N messages, send them to a local aiosmtpd, report.

    .venv/bin/python bench/outbox.py                                # 2,000 messages x 1 recipient, SQLite
    .venv/bin/python bench/outbox.py --messages 500 --recipients 4 --senders 2
    .venv/bin/python bench/outbox.py --db postgresql               # $PUBLISHER_TEST_POSTGRES_URL or local

It queues in transactions of 100 messages (as callers do: the mail with the change that made it), then runs
`publisher.outbox.sending.send_due` in `--senders` threads (each a worker's job, its own session) until
nothing is queued, against an aiosmtpd on 127.0.0.1 that accepts everything and counts. Printed: queueing
and sending rates, recipients the server saw (each once) and the process's peak RSS (VmHWM); with --heap, the
Python heap's peak while sending (tracemalloc, which slows sending several times: its rate is then not the
real one). Figures are printed, never asserted. Linux only (/proc). Only loopback.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections import Counter
from pathlib import Path

from aiosmtpd.controller import Controller
from sqlalchemy import func, select, text
from sqlalchemy.orm import sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from publisher.core import schema  # noqa: E402
from publisher.core.clock import SESSION_KEY, system_now  # noqa: E402
from publisher.core.db import make_engine  # noqa: E402
from publisher.core.mail import MailSettings  # noqa: E402
from publisher.outbox import sending  # noqa: E402
from publisher.outbox.models import QUEUED, SENT, OutboxRecipient  # noqa: E402
from publisher.outbox.queueing import queue_mail  # noqa: E402
from publisher.outbox.throttle import Limits  # noqa: E402

BODY = "Poštovani,\n\nu prilogu je plan objava za sledeću nedelju.\n\n" + "Tekst plana. " * 120 + "\n"


class Counting:
    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd's hook
        with self.lock:
            self.seen.update(envelope.rcpt_tos)
        return "250 OK"


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database(kind: str, folder: Path) -> tuple[str, object]:
    """(url, a function that drops it afterwards)."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    base = os.environ.get("PUBLISHER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"outbox_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.rsplit("/", 1)[0] + "/" + name, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--recipients", type=int, default=1, help="recipients per message")
    parser.add_argument("--senders", type=int, default=1, help="worker jobs sending at once (threads)")
    parser.add_argument("--connections", type=int, default=4, help="the throttle's connections per server")
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--heap", action="store_true", help="trace the Python heap while sending (slow)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url, drop = database(args.db, Path(folder))
        engine = make_engine(url)
        try:
            schema.upgrade(engine)
            sessions = sessionmaker(engine, expire_on_commit=False, info={SESSION_KEY: system_now})
            total = args.messages * args.recipients
            started = time.perf_counter()
            with sessions() as session:
                for first in range(0, args.messages, 100):
                    for n in range(first, min(first + 100, args.messages)):
                        queue_mail(session, to=[f"osoba{n}.{r}@ministarstvo.example" for r in range(args.recipients)],
                                   subject=f"Plan objava {n}", body=BODY, kind="bench", record=f"bench:{n}")
                    session.commit()
            queued_s = time.perf_counter() - started
            rss_queued = peak_rss_mb()

            handler, port = Counting(), free_port()
            controller = Controller(handler, hostname="127.0.0.1", port=port)
            controller.start()
            mail = MailSettings(host="127.0.0.1", port=port, sender="publisher@ministarstvo.example")
            policy = sending.OutboxPolicy(limits=Limits(per_minute=total + 1, connections=args.connections),
                                          batch=50)
            if args.heap:
                tracemalloc.start()
            started = time.perf_counter()

            def sender() -> None:
                with sessions() as own:
                    while sending.send_due(own, mail, policy, rounds=1000):
                        pass

            threads = [threading.Thread(target=sender) for _ in range(args.senders)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            sent_s = time.perf_counter() - started
            heap_peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024 if args.heap else None
            tracemalloc.stop()
            controller.stop()
            with sessions() as session:
                states = dict(session.execute(select(OutboxRecipient.state, func.count())
                                              .group_by(OutboxRecipient.state)).all())
        finally:
            engine.dispose()
            drop()  # type: ignore[operator]

    twice = sum(1 for n in handler.seen.values() if n > 1)
    print(f"database              {args.db}")
    print(f"messages x recipients {args.messages} x {args.recipients} = {total}; senders {args.senders}, "
          f"connections {args.connections}")
    print(f"queueing              {queued_s:.2f} s, {args.messages / queued_s:,.0f} messages/s")
    print(f"sending               {sent_s:.2f} s, {states.get(SENT, 0) / sent_s:,.0f} recipients/s")
    print(f"states                {states} (queued left: {states.get(QUEUED, 0)})")
    print(f"server saw            {sum(handler.seen.values())} transactions, {len(handler.seen)} addresses, "
          f"{twice} twice")
    print(f"peak RSS (VmHWM)      {rss_queued:.1f} MB after queueing, {peak_rss_mb():.1f} MB after sending")
    if heap_peak is not None:
        print(f"Python heap peak      {heap_peak:.1f} MB while sending (tracemalloc)")


if __name__ == "__main__":
    main()
