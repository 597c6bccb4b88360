"""PostgreSQL restarted while the worker runs: the worker recovers without being restarted.

One `publisher worker` process against a private PostgreSQL server of this test's own (the shared one
is never touched), posts falling due over several seconds, and the server stopped and started under the
worker twice: once cleanly ("fast": sessions are told to go) and once as a crash ("immediate"). The
portal answers slowly, so that sends are in flight when the database goes away and their outcomes
must be kept until it is back. Afterwards the same process is still running, and every delivery is
sent, once, with the portal's reference.

Needs the PostgreSQL server binaries (Debian: package postgresql): without them this fails when CI is
set (1/true/yes) and skips otherwise. It does not use the sqlite/postgresql fixtures.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from publisher.core import schema
from publisher.core.config import Settings
from publisher.core.db import make_engine
from publisher.core.models import Delivery, Post
from publisher.core.runtime import Runtime
from publisher.posts import workflow
from tests.factories.office import PORTAL_SECRET, make_office
from tests.factories.posts import approve_as_read
from tests.support.portal_receiver import PortalReceiver
from tests.support.private_postgres import PostgresUnavailable, PrivatePostgres
from tests.support.worker_process import WorkerProcess

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTS = 40
SPREAD_SECONDS = 8  # posts fall due from now until this many seconds later (whole seconds)
ANSWER_SECONDS = 0.5  # every portal answer takes this long: sends are in flight at each restart
DOWN_SECONDS = 2.0
# Short enough that a claim whose COMMIT outcome the worker never learned (the server died during it)
# is reaped and sent again within the test's bound, long enough for any send here.
LEASE_SECONDS = 5.0
SETTLE_TIMEOUT = 60.0


@pytest.fixture
def pg(tmp_path: Path):
    try:
        instance = PrivatePostgres(tmp_path / "pg")
    except PostgresUnavailable as exc:
        message = f"a private PostgreSQL server cannot run here: {exc}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with instance:
        instance.start()
        yield instance


@pytest.fixture
def runtime(pg: PrivatePostgres, tmp_path: Path):
    engine = make_engine(pg.url)
    schema.upgrade(engine)
    engine.dispose()
    settings = Settings(
        database_url=pg.url,
        media_dir=tmp_path / "media",
        secret_key="test-secret",
        credential_keys=(Fernet.generate_key().decode(),),
        instance_dir=tmp_path / "instance",
        lease_seconds=LEASE_SECONDS,
    )
    rt = Runtime.from_settings(settings)
    yield rt
    rt.dispose()


def snapshot(rt: Runtime) -> tuple[list[Delivery], dict[int, str]]:
    with rt.read_sessions() as s:
        deliveries = list(s.scalars(select(Delivery).order_by(Delivery.id)))
        posts = dict(s.execute(select(Post.id, Post.status)).all())
    return deliveries, posts


def test_worker_rides_out_postgres_restarts(pg: PrivatePostgres, runtime: Runtime, tmp_path: Path):
    rt = runtime
    began = time.monotonic()
    with PortalReceiver(PORTAL_SECRET, hang_seconds=ANSWER_SECONDS) as portal:
        portal.script(["hang"] * (POSTS * 4))  # "hang": store, wait ANSWER_SECONDS, answer
        with rt.sessions() as session:
            office = make_office(session, rt, portal_url=portal.url)
            start = rt.clock()
            for n in range(POSTS):
                due = start + timedelta(seconds=1 + n * SPREAD_SECONDS / POSTS)
                post = workflow.create_post(session, rt, office.actor("ana"), {
                    "title": f"Саопштење {n}", "body": "Министарство објављује.", "channels": ["portal"],
                    "scheduled_at": due.isoformat()})
                workflow.submit(session, rt, office.actor("ana"), post.id)
                approve_as_read(session, rt, office.actor("marko"), post.id)
            session.commit()
        rt.engine.dispose()  # the test holds no connection while the server goes away

        with WorkerProcess(rt.settings, tmp_path / "logs", name="worker") as worker:
            pid = worker.pid
            time.sleep(1.5)
            restarts = []
            for mode in ("fast", "immediate"):
                t = time.monotonic()
                pg.restart(down_for=DOWN_SECONDS, mode=mode)
                restarts.append((mode, round(time.monotonic() - t, 1)))
                assert worker.is_alive(), f"the worker died when PostgreSQL stopped ({mode}):\n{worker.log_tail()}"
                time.sleep(1.5)

            deadline = time.monotonic() + SETTLE_TIMEOUT
            deliveries, posts = snapshot(rt)
            while any(d.status != "sent" for d in deliveries) and time.monotonic() < deadline:
                assert worker.is_alive(), f"the worker died:\n{worker.log_tail()}"
                time.sleep(0.25)
                deliveries, posts = snapshot(rt)
            settled = time.monotonic()

            assert worker.is_alive() and worker.pid == pid and worker.starts == 1, \
                f"the worker was not the same running process: {worker!r}\n{worker.log_tail()}"
            log = worker.log_text()
            exit_code = worker.terminate()
        requests = portal.requests
        accepted = portal.accepted

    statuses = Counter(d.status for d in deliveries)
    per_id = Counter(r.headers.get("webhook-id") for r in requests if r.method == "POST")
    waited = [line for line in log.splitlines() if "database unavailable" in line]  # claims, periodic jobs
    kept = [line for line in log.splitlines() if "recording delivery" in line and "retrying" in line]
    outage_lines = waited + kept
    print(f"\nrecovery summary: {POSTS} posts, deliveries by status {dict(statuses)}, restarts (mode, seconds "
          f"down incl. stop/start) {restarts}, {len(requests)} portal requests for {len(accepted)} stored ids, "
          f"{sum(n - 1 for n in per_id.values())} resends; worker log: {len(waited)} 'database unavailable', "
          f"{len(kept)} retries to record a finished send (deliveries "
          f"{sorted({int(line.split('recording delivery ')[1].split()[0]) for line in kept})}); all sent {settled - began:.1f} s after the start; worker exit {exit_code}")

    assert exit_code == 0, f"the worker did not stop cleanly on SIGTERM:\n{log[-3000:]}"
    assert outage_lines, f"the worker never noticed the database going away; log:\n{log[-3000:]}"
    not_sent = [(d.id, d.status, d.error_kind, d.error) for d in deliveries if d.status != "sent"]
    assert not not_sent, (f"{len(not_sent)} deliveries not sent {SETTLE_TIMEOUT:g} s after the restarts: "
                          f"{not_sent[:5]}\nworker log tail:\n{log[-3000:]}")
    assert len(deliveries) == POSTS
    keys = {d.idempotency_key for d in deliveries}
    assert set(accepted) == keys, f"stored ids ≠ delivery keys: {sorted(set(accepted) ^ keys)[:5]}"
    wrong = [(d.id, d.remote_id, accepted[d.idempotency_key]) for d in deliveries
             if (d.remote_id, d.url) != (accepted[d.idempotency_key]["id"], accepted[d.idempotency_key]["url"])]
    assert not wrong, f"deliveries with another reference than the portal stored: {wrong[:5]}"
    assert all(r.signature_valid for r in requests if r.method == "POST")
    not_published = {pid: status for pid, status in posts.items() if status != "published"}
    assert not not_published, f"posts not published: {not_published}"
