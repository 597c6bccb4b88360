"""Dispatch benchmarks: how fast, how punctual and how quiet the worker is, on SQLite and PostgreSQL.

    .venv/bin/python bench/dispatch.py                       # every scenario on both databases (~8 min)
    .venv/bin/python bench/dispatch.py --quick               # smaller sizes: a smoke run (< 1 min)
    .venv/bin/python bench/dispatch.py --db sqlite --scenario burst --json out.json

Scenarios (targets from the issue; figures are reported next to them, never asserted):
  burst        10,000 deliveries due at once, portal replies after 20 ms, channel max_concurrency 16
               (ceiling 16 / 0.020 s = 800/s): target >= 400 deliveries/s, one worker. Stopped after
               45 s; the rate is then over the deliveries sent by then (the output says so)
  instant      the same with an instant reply, the worker's own cost: target >= 1,500 deliveries/s
  punctuality  1,000 deliveries spread evenly over 60 s (sub-second due times); lateness = start of
               send - due time, measured twice: the claim (delivery_attempts.started_at) and the
               arrival at the portal (per webhook-id); p50/p95/p99/max, target p99 <= 500 ms
  idle         a worker with nothing due for 60 s (after a warm-up): CPU <= 1 % of a core,
               resident memory <= 150 MB

Every scenario gets a database of its own: a temporary SQLite file, or a PostgreSQL database created
on the server (default postgresql://postgres@127.0.0.1:5432/test, --postgres-url to change) and
dropped afterwards. The worker is the real thing, `python -m publisher.cli worker`, in a subprocess
configured through PUBLISHER_* variables; the portal is bench/lean_portal.py in another subprocess,
so neither shares a GIL with the other or with this script. The rows are a benchmark set-up, bulk
inserted (users and the channel through the services, posts and deliveries with SQLAlchemy Core),
not the approval flow.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import bindparam, func, insert, select, text  # noqa: E402

from publisher.core import schema  # noqa: E402
from publisher.core.actor import Actor  # noqa: E402
from publisher.core.config import Settings  # noqa: E402
from publisher.core.db import make_engine, make_session_factory  # noqa: E402
from publisher.core.models import (  # noqa: E402
    Channel,
    Delivery,
    DeliveryAttempt,
    Post,
    PostApproval,
    PostChannel,
    WorkerBeat,
)
from publisher.core.runtime import Runtime  # noqa: E402
from publisher.core.states import DeliveryStatus, PostStatus  # noqa: E402
from publisher.destinations import channel_store  # noqa: E402
from publisher.destinations.content import freeze, frozen_hash  # noqa: E402
from publisher.people import accounts  # noqa: E402
from tests.factories.office import PORTAL_SECRET  # noqa: E402

POSTGRES_URL = os.environ.get("PUBLISHER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
LEAN_PORTAL = Path(__file__).resolve().parent / "lean_portal.py"
SYSTEM = Actor.system("bench")
CLK_TCK = os.sysconf("SC_CLK_TCK")
CONCURRENCY = 16
WARM_UP = 20  # punctuality: deliveries sent first to warm the worker up, not counted
SCENARIOS = ("burst", "instant", "punctuality", "idle")
DATABASES = ("sqlite", "postgresql")
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.RETRY_WAIT)


@dataclass(frozen=True)
class Sizes:
    burst: int = 10_000
    burst_latency: float = 0.020
    punctuality: int = 1_000
    punctuality_span: float = 60.0
    punctuality_lead: float = 5.0  # seconds between launching the worker and the first due time
    idle_seconds: float = 60.0
    idle_warmup: float = 10.0
    idle_history: int = 10_000  # sent deliveries already in the database while the worker idles
    burst_cap: float = 45.0  # stop a burst after this long and report the rate of what was sent by then


FULL = Sizes()
QUICK = Sizes(burst=1_000, punctuality=60, punctuality_span=3.0, punctuality_lead=2.5, idle_seconds=3.0,
              idle_warmup=1.0, idle_history=1_000, burst_cap=3.0)

TITLE = "Саопштење бр. {n}: седница Владе о буџету"
LANGUAGE = "sr-Cyrl"
BODY = ("Влада је на данашњој седници усвојила предлог закона о изменама и допунама закона о буџету за "
        "текућу годину и упутила га Скупштини на разматрање по хитном поступку. ") * 6


# --- measuring processes ---------------------------------------------------------------------------


def process_cpu(pid: int) -> float:
    """utime + stime of a process in seconds, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def process_memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak resident) of a process in MB, from /proc/<pid>/status."""
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                out[name] = int(value.split()[0]) / 1024
    return out


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores, from /proc/stat."""
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal (guest is inside user)
    idle = values[3] + values[4]
    return (total - idle) / CLK_TCK, total / CLK_TCK


def own_cpu() -> float:
    t = os.times()
    return t.user + t.system


class PgBackends:
    """CPU of the PostgreSQL server processes serving one database (read from /proc: same machine).

    Asks pg_stat_activity through the admin database, so it never touches the benchmark's database.
    Backends that come and go between two polls are missed; the worker's pool keeps most of them."""

    def __init__(self, postgres_url: str, database: str) -> None:
        self.conn = psycopg.connect(postgres_url, autocommit=True, connect_timeout=5)
        self.database = database
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    def poll(self) -> None:
        pids = [r[0] for r in self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)).fetchall()]
        for pid in pids:
            with contextlib.suppress(OSError, IndexError, ValueError):
                cpu = process_cpu(pid)
                self.first.setdefault(pid, cpu)
                self.last[pid] = cpu

    def start(self) -> None:
        self.first, self.last = {}, {}
        self.poll()
        self.first = dict(self.last)  # those alive now count from here; later ones from their birth
        self._known = set(self.first)

    def used(self) -> float:
        return sum(cpu - (self.first[pid] if pid in self._known else 0.0) for pid, cpu in self.last.items())

    def close(self) -> None:
        self.conn.close()


@dataclass
class CpuWindow:
    """CPU used by each process of the benchmark, and by the machine, between start() and stop()."""

    pids: dict[str, int]
    pg: PgBackends | None = None
    start_at: dict[str, float] = field(default_factory=dict)
    used: dict[str, float] = field(default_factory=dict)

    def start(self) -> CpuWindow:
        self.start_at = {name: process_cpu(pid) for name, pid in self.pids.items()}
        self.start_at["orchestrator"] = own_cpu()
        self.start_at["machine"], self.start_at["machine_total"] = machine_cpu()
        self.start_at["wall"] = time.monotonic()
        if self.pg is not None:
            self.pg.start()
        return self

    def poll(self) -> None:
        if self.pg is not None:
            self.pg.poll()

    def stop(self) -> dict[str, float]:
        now = {name: process_cpu(pid) for name, pid in self.pids.items()}
        now["orchestrator"] = own_cpu()
        now["machine"], now["machine_total"] = machine_cpu()
        now["wall"] = time.monotonic()
        self.used = {name: now[name] - self.start_at[name] for name in now}
        mine = [*self.pids, "orchestrator"]
        if self.pg is not None:
            self.pg.poll()
            self.used["postgres"] = self.pg.used()
            mine.append("postgres")
        self.used["other"] = self.used["machine"] - sum(self.used[n] for n in mine)
        return self.used


def cpu_summary(used: dict[str, float], names: tuple[str, ...]) -> str:
    wall = used["wall"]
    cores = used["machine_total"] / wall if wall else 0
    names = (*names, "orchestrator", *(("postgres",) if "postgres" in used else ()), "other")
    parts = [f"{n} {used[n] / wall * 100:.0f}%" for n in names]
    return (f"CPU in % of one core (machine has {cores:.0f}): machine busy {used['machine'] / wall * 100:.0f}% = "
            + ", ".join(parts) + " (postgres = the server processes of this database; other = anything "
            "else on the machine, e.g. other jobs)")


# --- the databases ---------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(kind: str, workdir: Path, postgres_url: str) -> Iterator[str]:
    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = f"publisher_bench_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(postgres_url, autocommit=True, connect_timeout=5)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def bench_settings(url: str, key: str, workdir: Path) -> Settings:
    return Settings(database_url=url, media_dir=workdir / "media", secret_key="bench", credential_keys=(key,),
                    instance_dir=workdir / "instance")


def frozen_version(title: str, scheduled_at: datetime, timezone: str, channel_id: int) -> tuple[dict, str]:
    """What publisher.posts.workflow.approve freezes for a post without media or variants, and its hash."""
    post = Post(title=title, body=BODY, language=LANGUAGE, variants={}, scheduled_at=scheduled_at,
                timezone=timezone)
    post.channel_links = [PostChannel(channel_id=channel_id, channel=Channel(id=channel_id, name="portal"))]
    post.media_links = []
    frozen = freeze(post)
    return frozen, frozen_hash(frozen)


def seed(rt: Runtime, portal_url: str, deliveries: list[tuple[datetime, bool]]) -> int:
    """Schema, two people, one state_portal channel, and one post with one delivery per (due time, sent).

    Not sent: the post is scheduled and its delivery pending (the worker's work). Sent: history, the post
    published and its delivery sent at its due time. Returns the channel id."""
    schema.upgrade(rt.engine)
    with rt.sessions() as session:
        author = accounts.add_user(session, "ana", ["officer"], actor=SYSTEM)
        approver = accounts.add_user(session, "marko", ["approver"], actor=SYSTEM)
        channel = channel_store.add_channel(session, rt.box, "state_portal", "portal",
                                            {"url": portal_url, "secret": PORTAL_SECRET}, actor=SYSTEM,
                                            max_concurrency=CONCURRENCY)
        session.commit()
        author_id, approver_id, channel_id = author.id, approver.id, channel.id
    now = datetime.now(UTC)
    created, approved = now - timedelta(days=2), now - timedelta(days=2) + timedelta(hours=1)
    timezone = rt.settings.timezone
    posts, links, approvals, rows = [], [], [], []
    for n, (due, sent) in enumerate(deliveries, start=1):
        title = TITLE.format(n=n)
        frozen, digest = frozen_version(title, due, timezone, channel_id)
        posts.append({
            "id": n, "title": title, "body": BODY, "language": LANGUAGE, "variants": {},
            "status": PostStatus.PUBLISHED if sent else PostStatus.SCHEDULED, "scheduled_at": due,
            "timezone": timezone, "content_hash": digest, "author_id": author_id, "submitted_at": created,
            "approved_by_id": approver_id, "approved_at": approved, "approved_hash": digest,
            "created_at": created, "updated_at": due if sent else approved,
            "version": 3 if sent else 1,  # 1 on insert; the worker bumps it to publishing, then published
        })
        links.append({"post_id": n, "channel_id": channel_id})
        approvals.append({"id": n, "post_id": n, "content_hash": digest, "approved_by_id": approver_id,
                          "approved_at": approved, "content": {"title": title}, "frozen": frozen})
        row = {"id": n, "post_id": n, "channel_id": channel_id, "approval_id": n,
               "idempotency_key": delivery_key(n, channel_id, digest),
               "due_at": due, "status": DeliveryStatus.PENDING, "attempts": 0, "created_at": approved,
               "updated_at": approved, "last_attempt_at": None, "sent_at": None, "remote_id": None, "url": None}
        if sent:
            row.update(status=DeliveryStatus.SENT, attempts=1, last_attempt_at=due, sent_at=due, updated_at=due,
                       remote_id=f"portal-{n}", url=f"{portal_url}/vesti/{n}")
        rows.append(row)
    chunk = 2_000
    with rt.engine.begin() as conn:
        for table, batch in ((Post.__table__, posts), (PostChannel.__table__, links),
                             (PostApproval.__table__, approvals), (Delivery.__table__, rows)):
            for i in range(0, len(batch), chunk):
                conn.execute(insert(table), batch[i:i + chunk])
        if rt.engine.dialect.name == "postgresql":
            for table in ("posts", "post_approvals", "deliveries"):  # explicit ids: move the sequences past them
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    if rt.engine.dialect.name == "postgresql":
        with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))  # as autovacuum would soon after such an insert
    return channel_id


def delivery_key(n: int, channel_id: int, digest: str) -> str:
    return f"p{n}-c{channel_id}-{digest[:16]}"  # as publisher.posts.workflow.approve makes it


def set_due_times(rt: Runtime, due: list[datetime]) -> None:
    """Move seeded deliveries 1..len(due) to these due times, keeping each post's hash and key consistent."""
    timezone = rt.settings.timezone
    with rt.engine.begin() as conn:
        channel_id = conn.scalar(select(PostChannel.channel_id).limit(1))
        rows = []
        for n, at in enumerate(due, start=1):
            frozen, digest = frozen_version(TITLE.format(n=n), at, timezone, channel_id)
            rows.append({"row_id": n, "at": at, "digest": digest, "frozen": frozen,
                         "key": delivery_key(n, channel_id, digest)})
        posts, approvals, deliveries = Post.__table__, PostApproval.__table__, Delivery.__table__
        conn.execute(posts.update().where(posts.c.id == bindparam("row_id")).values(
            scheduled_at=bindparam("at"), content_hash=bindparam("digest"), approved_hash=bindparam("digest")), rows)
        conn.execute(approvals.update().where(approvals.c.id == bindparam("row_id")).values(
            content_hash=bindparam("digest"), frozen=bindparam("frozen")), rows)
        conn.execute(deliveries.update().where(deliveries.c.id == bindparam("row_id")).values(
            due_at=bindparam("at"), idempotency_key=bindparam("key")), rows)


# --- the portal and the worker ---------------------------------------------------------------------


class Portal:
    """bench/lean_portal.py in a process of its own."""

    def __init__(self, latency: float) -> None:
        self.proc = subprocess.Popen([sys.executable, str(LEAN_PORTAL), "--secret", PORTAL_SECRET,
                                      "--latency", str(latency)], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("port "):
            self.stop()
            raise RuntimeError(f"the lean portal did not start: {line!r}")
        self.port = int(line.split()[1])
        self.url = f"http://127.0.0.1:{self.port}/webhooks/posts"

    def stats(self, arrivals: bool = False) -> dict[str, Any]:
        path = "/_bench/arrivals" if arrivals else "/_bench/count"
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as reply:
            return json.load(reply)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class WorkerProcess:
    """`python -m publisher.cli worker`, configured like a deployment: through PUBLISHER_* variables."""

    def __init__(self, url: str, key: str, workdir: Path, log_path: Path) -> None:
        env = {**os.environ, "PUBLISHER_DATABASE_URL": url, "PUBLISHER_CREDENTIALS_KEY": key,
               "PUBLISHER_INSTANCE_DIR": str(workdir / "instance"), "PUBLISHER_MEDIA_DIR": str(workdir / "media"),
               "PYTHONUNBUFFERED": "1"}
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.launched = datetime.now(UTC)
        self.proc = subprocess.Popen([sys.executable, "-m", "publisher.cli", "worker"], env=env, cwd=REPO,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        self.pid = self.proc.pid

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"the worker exited with {self.proc.returncode}:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def warnings(self) -> list[str]:
        return [line for line in self.log_path.read_text(errors="replace").splitlines()
                if " WARNING " in line or " ERROR " in line or "Traceback" in line]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


class Monitor:
    """Reads the database while the worker runs; SQLite reads are DEFERRED and never take the write lock."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = make_session_factory(self.engine, read_only=True)

    def open_deliveries(self) -> int:
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(Delivery).where(Delivery.status.in_(OPEN)))

    def worker_started(self) -> datetime | None:
        with self.sessions() as s:
            return s.scalar(select(func.min(WorkerBeat.started_at)))

    def statuses(self) -> dict[str, int]:
        with self.sessions() as s:
            return dict(s.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())

    def sends(self) -> list[tuple[str, datetime, datetime, datetime | None]]:
        """(idempotency key, due_at, claim time of the first attempt, sent_at) per delivery."""
        with self.sessions() as s:
            return list(s.execute(
                select(Delivery.idempotency_key, Delivery.due_at, DeliveryAttempt.started_at, Delivery.sent_at)
                .join(DeliveryAttempt, (DeliveryAttempt.delivery_id == Delivery.id) & (DeliveryAttempt.number == 1))
            ).all())

    def close(self) -> None:
        self.engine.dispose()


def wait_until_done(monitor: Monitor, worker: WorkerProcess, cpu: CpuWindow, deadline: float, *,
                    not_before: float = 0.0) -> bool:
    while time.monotonic() < deadline:
        worker.check_alive()
        cpu.poll()
        if time.monotonic() >= not_before and monitor.open_deliveries() == 0:
            return True
        time.sleep(0.5)
    return False


# --- the scenarios ---------------------------------------------------------------------------------


@dataclass
class Figure:
    scenario: str
    database: str
    name: str
    value: float | None
    unit: str
    target: str = ""  # e.g. ">= 400"; empty: reported only
    met: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "database": self.database, "figure": self.name, "value": self.value,
                "unit": self.unit, "target": self.target, "met": self.met}


@dataclass
class Run:
    scenario: str
    database: str
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def figure(self, name: str, value: float | None, unit: str, target: str = "") -> None:
        met = None
        if target and value is not None:
            op, bound = target.split()
            bound_value = float(bound.replace(",", ""))
            met = value >= bound_value if op == ">=" else value <= bound_value
        elif target:
            met = False
        self.figures.append(Figure(self.scenario, self.database, name, value, unit, target, met))


class Harness:
    """One scenario's processes: the database, the portal (optional), the worker, the monitor."""

    def __init__(self, bench: Bench, url: str, rt: Runtime, scratch: Path, portal: Portal | None) -> None:
        self.bench, self.url, self.rt, self.scratch, self.portal = bench, url, rt, scratch, portal
        self.worker: WorkerProcess | None = None
        self.monitor: Monitor | None = None
        self.pg: PgBackends | None = None

    def start_worker(self) -> WorkerProcess:
        self.monitor = Monitor(self.url)
        if self.rt.engine.dialect.name == "postgresql":
            self.pg = PgBackends(self.bench.postgres_url, self.rt.engine.url.database)
        self.worker = WorkerProcess(self.url, self.bench.key, self.scratch, self.scratch / "worker.log")
        return self.worker

    def cpu_window(self) -> CpuWindow:
        pids = {"worker": self.worker.pid}
        if self.portal is not None:
            pids["portal"] = self.portal.proc.pid
        return CpuWindow(pids, self.pg).start()

    def wait_ready(self, until: float) -> datetime | None:
        """The worker's start-up time from its heartbeat row, once it has one (None by `until`)."""
        while time.monotonic() < until:
            self.worker.check_alive()
            started = self.monitor.worker_started()
            if started is not None:
                return started
            time.sleep(0.1)
        return None

    def close(self) -> None:
        if self.worker is not None:
            self.worker.stop()
        if self.portal is not None:
            self.portal.stop()
        if self.monitor is not None:
            self.monitor.close()
        if self.pg is not None:
            self.pg.close()


class Bench:
    def __init__(self, sizes: Sizes, workdir: Path, postgres_url: str, keep_logs: Path | None,
                 profile: Path | None = None) -> None:
        self.sizes = sizes
        self.workdir = workdir
        self.postgres_url = postgres_url
        self.keep_logs = keep_logs
        self.profile = profile
        self.key = Fernet.generate_key().decode()

    @contextlib.contextmanager
    def harness(self, database: str, scenario: str, latency: float | None) -> Iterator[Harness]:
        """A fresh database (dropped after), and a portal replying after `latency` s (None: no portal)."""
        scratch = Path(tempfile.mkdtemp(prefix=f"{scenario}-{database}-", dir=self.workdir))
        with fresh_database(database, scratch, self.postgres_url) as url:
            rt = Runtime.from_settings(bench_settings(url, self.key, scratch))
            harness = None
            try:
                harness = Harness(self, url, rt, scratch, None if latency is None else Portal(latency))
                yield harness
            finally:
                if harness is not None:
                    harness.close()
                rt.dispose()
                if self.keep_logs is not None and (scratch / "worker.log").exists():
                    self.keep_logs.mkdir(parents=True, exist_ok=True)
                    shutil.copy(scratch / "worker.log", self.keep_logs / f"{scenario}-{database}-worker.log")

    @contextlib.contextmanager
    def py_spy(self, worker: WorkerProcess, name: str) -> Iterator[None]:
        """With --profile DIR: sample the worker with py-spy while it sends.

        --gil: only the thread holding the GIL is sampled, so the stacks show where the worker's
        Python CPU goes (time inside SQLite or libpq with the GIL released is not in them)."""
        if self.profile is None:
            yield
            return
        self.profile.mkdir(parents=True, exist_ok=True)
        py_spy = Path(sys.executable).parent / "py-spy"
        spy = subprocess.Popen([str(py_spy), "record", "--pid", str(worker.pid), "--rate", "100", "--format", "raw",
                                "--gil", "--nonblocking", "--output", str(self.profile / f"{name}.txt")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield
        finally:
            spy.send_signal(signal.SIGINT)
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy.kill()
                spy.wait()

    def run(self, scenario: str, database: str) -> Run:
        return getattr(self, f"run_{scenario}")(database)

    # -- burst and instant ------------------------------------------------------------------------

    def run_burst(self, database: str) -> Run:
        return self._burst("burst", database, self.sizes.burst_latency, ">= 400")

    def run_instant(self, database: str) -> Run:
        return self._burst("instant", database, 0.0, ">= 1500")

    def _burst(self, scenario: str, database: str, latency: float, target: str) -> Run:
        run = Run(scenario, database)
        size, cap = self.sizes.burst, self.sizes.burst_cap
        with self.harness(database, scenario, latency) as h:
            t = time.monotonic()
            due = datetime.now(UTC) - timedelta(seconds=1)
            seed(h.rt, h.portal.url, [(due, False)] * size)
            run.details["seed_seconds"] = round(time.monotonic() - t, 2)
            worker = h.start_worker()
            ready = h.wait_ready(time.monotonic() + 30)  # the CPU window leaves out the start-up (imports)
            cpu = h.cpu_window()
            with self.py_spy(worker, f"{scenario}-{database}"):
                done = wait_until_done(h.monitor, worker, cpu, time.monotonic() + cap)
            used = cpu.stop()
            memory = process_memory(worker.pid)
            worker.stop()  # lets the sends in flight finish and be recorded
            stats = h.portal.stats()
            sends = h.monitor.sends()
            statuses = h.monitor.statuses()
        sent = [row for row in sends if row[3] is not None]
        span = wall = rate = None
        if sent:
            first_claim = min(row[2] for row in sends)
            last_sent = max(row[3] for row in sent)
            span = (last_sent - first_claim).total_seconds()
            wall = (last_sent - worker.launched).total_seconds()
            rate = len(sent) / span if span > 0 else None
        run.figure("throughput (first claim -> last sent_at)", rate, "deliveries/s", target)
        run.figure("sent", len(sent), f"of {size}")
        run.figure("wall time (worker launch -> last sent_at)", wall, "s")
        run.figure("worker CPU per delivery", used["worker"] / max(len(sent), 1) * 1000, "ms")
        if "postgres" in used:
            run.figure("PostgreSQL CPU per delivery", used["postgres"] / max(len(sent), 1) * 1000, "ms")
        run.figure("worker peak RSS", memory.get("VmHWM"), "MB")
        ceiling = f"; ceiling {CONCURRENCY / latency:.0f}/s ({CONCURRENCY} at once x {latency * 1000:.0f} ms)" \
            if latency else ""
        run.notes.append(f"{len(sent)} sent in {span or 0:.2f} s (wall {wall or 0:.2f} s incl. worker start-up"
                         + (f" of {(ready - worker.launched).total_seconds():.2f} s)" if ready else ")") + ceiling)
        if not done:
            run.notes.append(f"stopped at the {cap:.0f} s cap with {size - len(sent)} not sent; the rate is over "
                             f"those sent (all {size} would take ~{size / rate:.0f} s)" if rate else
                             f"stopped at the {cap:.0f} s cap")
        run.notes.append(cpu_summary(used, ("worker", "portal")))
        run.notes.append(f"portal: {stats['accepted']} accepted, {stats['duplicates']} duplicates (409), "
                         f"{stats['bad_signatures']} bad signatures; statuses {statuses}")
        self._log_note(run, worker)
        run.details.update(used_cpu_seconds={k: round(v, 3) for k, v in used.items()}, statuses=statuses,
                           portal=stats, worker_memory_mb=memory, complete=done)
        return run

    # -- punctuality ------------------------------------------------------------------------------

    def run_punctuality(self, database: str) -> Run:
        run = Run("punctuality", database)
        n, span, lead = self.sizes.punctuality, self.sizes.punctuality_span, self.sizes.punctuality_lead
        with self.harness(database, "punctuality", self.sizes.burst_latency) as h:
            # Seed first (the set-up takes a moment), then place the due times after the lead. A few
            # warm-up deliveries, due at once and left out of the figures, warm the worker's caches
            # (SQLAlchemy compiles each statement once) as a long-running worker's would be.
            seed(h.rt, h.portal.url, [(datetime.now(UTC) + timedelta(hours=1), False)] * (WARM_UP + n))
            offset = random.random() * span / n  # keeps the due times off whole seconds
            first = datetime.now(UTC) + timedelta(seconds=lead + offset)
            due = [first + timedelta(seconds=i * span / n) for i in range(n)]
            set_due_times(h.rt, [datetime.now(UTC)] * WARM_UP + due)
            worker = h.start_worker()
            cpu = h.cpu_window()
            ready = h.wait_ready(time.monotonic() + (first - datetime.now(UTC)).total_seconds())
            last_due = time.monotonic() + (due[-1] - datetime.now(UTC)).total_seconds()
            done = wait_until_done(h.monitor, worker, cpu, last_due + 60, not_before=last_due)
            used = cpu.stop()
            memory = process_memory(worker.pid)
            worker.stop()
            stats = h.portal.stats(arrivals=True)
            sends = h.monitor.sends()
            statuses = h.monitor.statuses()
        arrivals = stats.pop("arrivals")
        sends = [row for row in sends if row[1] >= first]  # leave out the warm-up
        claim = [(started - due_at).total_seconds() * 1000 for _, due_at, started, _ in sends]
        arrival = [(arrivals[key] - due_at.timestamp()) * 1000 for key, due_at, _, _ in sends if key in arrivals]
        for label, values in (("claim (attempt started_at)", claim), ("arrival at the portal", arrival)):
            for name, q in (("p50", 0.50), ("p95", 0.95)):
                run.figure(f"lateness at {label} {name}", percentile(values, q), "ms")
            run.figure(f"lateness at {label} p99", percentile(values, 0.99), "ms", "<= 500")
            run.figure(f"lateness at {label} max", max(values) if values else None, "ms")
        run.figure("sent", sum(1 for row in sends if row[3] is not None), f"of {n}")
        if ready is not None:
            run.notes.append(f"worker ready {(first - ready).total_seconds():.2f} s before the first due time "
                             f"({(ready - worker.launched).total_seconds():.2f} s after its launch)")
        else:
            run.notes.append("worker NOT ready by the first due time: the first lateness figures include start-up")
        run.notes.append(f"{n} deliveries due every {span / n * 1000:.0f} ms over {span:.0f} s, after {WARM_UP} "
                         "warm-up deliveries due at the worker's start (not counted); portal latency "
                         f"{self.sizes.burst_latency * 1000:.0f} ms; least claim lateness {min(claim or [0]):.1f} ms")
        if not done:
            run.notes.append("TIMED OUT waiting for the last deliveries")
        run.notes.append(cpu_summary(used, ("worker", "portal")))
        run.notes.append(f"portal: {stats['accepted']} accepted, {stats['duplicates']} duplicates (409), "
                         f"{stats['bad_signatures']} bad signatures; statuses {statuses}; worker peak RSS "
                         f"{memory.get('VmHWM', 0):.0f} MB")
        self._log_note(run, worker)
        run.details.update(used_cpu_seconds={k: round(v, 3) for k, v in used.items()}, statuses=statuses,
                           portal=stats, worker_memory_mb=memory, complete=done)
        return run

    # -- idle -------------------------------------------------------------------------------------

    def run_idle(self, database: str) -> Run:
        run = Run("idle", database)
        s = self.sizes
        with self.harness(database, "idle", 0.0) as h:
            # History, a few deliveries due at once (so that the worker has sent something, as a
            # long-running one has: adapters loaded, caches warm), and one due in an hour.
            now = datetime.now(UTC)
            history = [(now - timedelta(days=1) + timedelta(seconds=i * 5), True) for i in range(s.idle_history)]
            seed(h.rt, h.portal.url, [*history, *[(now, False)] * WARM_UP, (now + timedelta(hours=1), False)])
            worker = h.start_worker()
            deadline = time.monotonic() + 60
            if h.wait_ready(deadline) is None:
                raise RuntimeError(f"the worker did not start within 60 s:\n{worker.log_tail()}")
            while h.monitor.open_deliveries() > 1:  # the warm-up deliveries are sent
                if time.monotonic() > deadline:
                    raise RuntimeError("the warm-up deliveries were not sent within 60 s")
                worker.check_alive()
                time.sleep(0.2)
            h.monitor.close()  # from here nothing of ours touches the benchmark's database
            h.monitor = None
            time.sleep(s.idle_warmup)
            worker.check_alive()
            cpu = h.cpu_window()
            rss_samples = []
            end = time.monotonic() + s.idle_seconds
            while time.monotonic() < end:
                time.sleep(min(1.0, max(end - time.monotonic(), 0)))
                rss_samples.append(process_memory(worker.pid)["VmRSS"])
            used = cpu.stop()
            memory = process_memory(worker.pid)
            worker.check_alive()
            worker.stop()
        run.figure("worker CPU", used["worker"] / used["wall"] * 100, "% of a core", "<= 1")
        if "postgres" in used:
            run.figure("PostgreSQL CPU for the idle worker", used["postgres"] / used["wall"] * 100, "% of a core")
        run.figure("worker RSS (end of window)", memory["VmRSS"], "MB", "<= 150")
        run.figure("worker RSS max in window", max(rss_samples), "MB")
        run.figure("worker peak RSS since start (VmHWM)", memory["VmHWM"], "MB")
        run.notes.append(f"worker used {used['worker']:.2f} CPU s in {used['wall']:.1f} s, measured {s.idle_warmup:g} s "
                         f"after it sent {WARM_UP} warm-up deliveries; the database holds {s.idle_history} older sent "
                         "deliveries and 1 due in an hour")
        run.notes.append(cpu_summary(used, ("worker", "portal")))
        self._log_note(run, worker)
        run.details.update(used_cpu_seconds={k: round(v, 3) for k, v in used.items()}, worker_memory_mb=memory,
                           rss_samples_mb=rss_samples)
        return run

    @staticmethod
    def _log_note(run: Run, worker: WorkerProcess) -> None:
        warnings = worker.warnings()
        if warnings:
            run.notes.append(f"worker log: {len(warnings)} WARNING/ERROR lines, e.g. {warnings[0][:240]}")
            run.details["worker_warnings"] = warnings[:20]


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(max(math.ceil(q * len(ordered)) - 1, 0), len(ordered) - 1)]


# --- output ----------------------------------------------------------------------------------------


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def print_table(runs: list[Run]) -> None:
    rows = [("scenario", "database", "figure", "value", "target", "met?")]
    for run in runs:
        for f in run.figures:
            met = "" if f.met is None else ("yes" if f.met else "NO")
            target = f"{f.target} {f.unit}" if f.target else ""
            rows.append((f.scenario, f.database, f.name, f"{fmt(f.value)} {f.unit}", target, met))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    line = "  ".join("-" * w for w in widths)
    print(line)
    for i, r in enumerate(rows):
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
        if i == 0:
            print(line)
    print(line)


def environment(databases: list[str], postgres_url: str) -> dict[str, Any]:
    info: dict[str, Any] = {"python": platform.python_version(), "cpus": os.cpu_count(),
                            "machine": platform.machine(), "kernel": platform.release()}
    if "postgresql" in databases:
        with contextlib.suppress(Exception), psycopg.connect(postgres_url, connect_timeout=5) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    import sqlite3
    info["sqlite"] = sqlite3.sqlite_version
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Dispatch benchmarks for the publisher worker.")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--scenario", choices=(*SCENARIOS, "all"), default="all")
    parser.add_argument("--quick", action="store_true", help="smaller sizes: a smoke run of under a minute")
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE")
    parser.add_argument("--postgres-url", default=POSTGRES_URL,
                        help="server to create the benchmark databases on (default %(default)s)")
    parser.add_argument("--keep-logs", metavar="DIR", help="copy each worker's log into DIR")
    parser.add_argument("--profile", metavar="DIR",
                        help="record the worker with py-spy during burst/instant (collapsed stacks in DIR; slows it)")
    args = parser.parse_args(argv)

    databases = list(DATABASES) if args.db == "both" else [args.db]
    scenarios = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    sizes = QUICK if args.quick else FULL
    env = environment(databases, args.postgres_url)
    print(f"publisher dispatch benchmark ({'quick' if args.quick else 'full'}): scenarios {', '.join(scenarios)} "
          f"on {', '.join(databases)}")
    print(f"machine: {env['cpus']} CPUs, Python {env['python']}, SQLite {env['sqlite']}"
          + (f", PostgreSQL {env.get('postgresql', 'unreachable')}" if "postgresql" in databases else ""))
    print("processes: this script (set-up, polls the database every 0.5 s), the worker "
          "(`python -m publisher.cli worker`, a subprocess), the portal (bench/lean_portal.py, asyncio, a "
          "subprocess)" + (", and the PostgreSQL server for postgresql runs" if "postgresql"
                                         in databases else "") + " - all on the same cores")
    runs: list[Run] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as tmp:
        bench = Bench(sizes, Path(tmp), args.postgres_url, Path(args.keep_logs) if args.keep_logs else None,
                      Path(args.profile) if args.profile else None)
        for scenario in scenarios:
            for database in databases:
                t = time.monotonic()
                print(f"\n== {scenario} on {database} ...", flush=True)
                try:
                    run = bench.run(scenario, database)
                except Exception as exc:  # noqa: BLE001 - report it and carry on with the others
                    run = Run(scenario, database, notes=[f"FAILED: {type(exc).__name__}: {exc}"])
                    run.figure("run", None, "", "")
                for f in run.figures:
                    met = "" if f.met is None else (" (target " + f.target + ": " + ("met" if f.met else "MISSED") + ")")
                    print(f"   {f.name}: {fmt(f.value)} {f.unit}{met}")
                for note in run.notes:
                    print(f"   - {note}")
                print(f"   ({time.monotonic() - t:.0f} s)", flush=True)
                runs.append(run)
    print(f"\nResults ({time.monotonic() - started:.0f} s in all):")
    print_table(runs)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "quick": args.quick, "environment": env, "sizes": sizes.__dict__,
            "runs": [{"scenario": r.scenario, "database": r.database, "figures": [f.as_dict() for f in r.figures],
                      "notes": r.notes, "details": r.details} for r in runs],
        }, indent=2, default=str))
        print(f"written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
