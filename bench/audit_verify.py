"""How long sealing and verifying the audit chain take on 100,000 rows, on SQLite and PostgreSQL.

    .venv/bin/python bench/audit_verify.py                    # both databases, 100,000 rows
    .venv/bin/python bench/audit_verify.py --db sqlite --rows 20000

Rows are written as the worker writes them (trail.record_batch, 500 per INSERT) with typical payloads;
then one seal links them all, and one full verify walks them. Each database is made for the run and
dropped afterwards.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from publisher.audit import chain, trail, verify  # noqa: E402
from publisher.core import schema  # noqa: E402
from publisher.core.actor import Actor  # noqa: E402
from publisher.core.db import make_engine, make_session_factory  # noqa: E402

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    name = f"bench_audit_{secrets.token_hex(4)}"
    admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def run(kind: str, rows: int) -> dict[str, float]:
    with database(kind) as url:
        engine = make_engine(url)
        schema.upgrade(engine)
        sessions = make_session_factory(engine)
        worker = Actor.system("worker:bench")
        start = datetime(2031, 1, 1, tzinfo=UTC)
        for base in range(0, rows, 500):
            with sessions() as session:
                trail.record_batch(session.connection(), worker, start + timedelta(seconds=base), [
                    {"action": "delivery.sent", "post_id": n // 4, "subject": f"delivery:{n}",
                     "before": {"status": "sending"}, "after": {"status": "sent", "remote_id": f"r{n}"},
                     "detail": {"url": f"https://example.org/p/{n}", "attempt": 1}}
                    for n in range(base, min(base + 500, rows))])
                session.commit()
        began = time.perf_counter()
        with sessions() as session:
            sealed = chain.seal(session, datetime.now(UTC))
            session.commit()
        seal_s = time.perf_counter() - began
        began = time.perf_counter()
        with make_session_factory(engine, read_only=True)() as session:
            report = verify.verify(session)
        verify_s = time.perf_counter() - began
        engine.dispose()
        assert report.ok and report.checked == sealed == rows, report.summary()
        return {"rows": rows, "seal_s": seal_s, "verify_s": verify_s}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        figures = run(kind, args.rows)
        print(f"{kind}: {figures['rows']:,} rows: seal {figures['seal_s']:.2f} s, verify {figures['verify_s']:.2f} s "
              f"({figures['rows'] / figures['verify_s']:,.0f} rows/s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
