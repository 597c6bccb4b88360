"""Bulk actions: the service time of approving, moving and cancelling MAX_POSTS (100) posts in one request.

    .venv/bin/python bench/bulk.py                 # SQLite and PostgreSQL
    .venv/bin/python bench/bulk.py --db sqlite --rounds 5

Each round: a fresh office (two channels that need no platform), 100 posts by one officer waiting for
approval, then publisher.posts.bulk.approve_many by an approver (each with the hash read, each in its own
savepoint), move_many by one day (every one goes back for approval), and cancel_many; each timed with its
commit. Figures are printed, never asserted (docs: a request that does 100 posts should stay well under a
second).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

from publisher.core import schema  # noqa: E402
from publisher.core.config import Settings  # noqa: E402
from publisher.core.db import make_engine  # noqa: E402
from publisher.core.models import Post  # noqa: E402
from publisher.core.runtime import Runtime  # noqa: E402
from publisher.posts import bulk, workflow  # noqa: E402
from tests.factories.office import make_office  # noqa: E402

POSTGRES_URL = os.environ.get("PUBLISHER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def one_round(url: str, folder: Path) -> dict[str, float]:
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    rt = Runtime.from_settings(Settings(database_url=url, media_dir=folder / "media", secret_key="bench",
                                        credential_keys=(Fernet.generate_key().decode(),),
                                        instance_dir=folder / "instance"))
    try:
        with rt.sessions() as session:
            office = make_office(session, rt)
            when = (datetime.now(UTC) + timedelta(days=3)).isoformat()
            ids = []
            for n in range(bulk.MAX_POSTS):
                post = workflow.create_post(session, rt, office.actor("ana"), {
                    "title": f"Saopštenje {n}", "body": "Ministarstvo objavljuje.", "language": "sr-Latn",
                    "channels": ["portal", "archive"], "scheduled_at": when})
                workflow.submit(session, rt, office.actor("ana"), post.id)
                ids.append(post.id)
            session.commit()
            seen = {i: session.get(Post, i).content_hash for i in ids}
            figures = {}
            for name, act in (
                ("approve", lambda: bulk.approve_many(session, rt, office.actor("marko"), seen)),
                ("move", lambda: bulk.move_many(session, rt, office.actor("ana"), ids, shift=timedelta(days=1))),
                ("cancel", lambda: bulk.cancel_many(session, rt, office.actor("ana"), ids)),
            ):
                start = time.perf_counter()
                outcomes = act()
                session.commit()
                figures[name] = (time.perf_counter() - start) * 1000
                assert all(o.done for o in outcomes), [o for o in outcomes if not o.done][:3]
            return figures
    finally:
        rt.dispose()


def run(db: str, rounds: int) -> None:
    results: dict[str, list[float]] = {}
    for _ in range(rounds):
        folder = Path(tempfile.mkdtemp(prefix="bench-bulk-"))
        try:
            if db == "sqlite":
                figures = one_round(f"sqlite:///{folder / 'bench.db'}", folder)
            else:
                name = f"publisher_bench_bulk_{uuid.uuid4().hex[:10]}"
                with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{name}"')
                try:
                    figures = one_round(POSTGRES_URL.rsplit("/", 1)[0] + "/" + name, folder)
                finally:
                    with psycopg.connect(POSTGRES_URL, autocommit=True) as admin:
                        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        for name, ms in figures.items():
            results.setdefault(name, []).append(ms)
    for name, values in results.items():
        print(f"{db:10} {name:8} {bulk.MAX_POSTS} posts: median {statistics.median(values):7.0f} ms, "
              f"max {max(values):7.0f} ms over {len(values)} rounds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for db in (["sqlite", "postgresql"] if args.db == "both" else [args.db]):
        run(db, args.rounds)


if __name__ == "__main__":
    main()
