"""Dispatch benchmarks: how fast, how punctual and how quiet the worker is, on SQLite and PostgreSQL.

    .venv/bin/python bench/dispatch.py                       # every scenario on both databases (~7 min)
    .venv/bin/python bench/dispatch.py --quick               # smaller sizes: a smoke run (< 1 min)
    .venv/bin/python bench/dispatch.py --db sqlite --scenario burst --json out.json

Scenarios (targets from the issue; figures are reported next to them, never asserted):
  burst        10,000 deliveries due at once, portal replies after 20 ms, channel max_concurrency 16
               (ceiling 16 / 0.020 s = 800/s): target >= 400 deliveries/s, one worker
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
import hashlib
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

from publisher import accounts, channel_store, schema  # noqa: E402
from publisher.audit import Actor  # noqa: E402
from publisher.config import Settings  # noqa: E402
from publisher.db import make_engine, make_session_factory  # noqa: E402
from publisher.models import Delivery, DeliveryAttempt, Post, PostChannel, WorkerBeat  # noqa: E402
from publisher.runtime import Runtime  # noqa: E402
from publisher.states import DeliveryStatus, PostStatus  # noqa: E402
from tests.factories import PORTAL_SECRET  # noqa: E402

POSTGRES_URL = os.environ.get("PUBLISHER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
LEAN_PORTAL = Path(__file__).resolve().parent / "lean_portal.py"
SYSTEM = Actor.system("bench")
CLK_TCK = os.sysconf("SC_CLK_TCK")
CONCURRENCY = 16
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
    send_timeout: float = 240.0  # give up waiting for a burst after this long


FULL = Sizes()
QUICK = Sizes(burst=1_000, punctuality=60, punctuality_span=4.0, punctuality_lead=3.0, idle_seconds=5.0,
              idle_warmup=2.0, idle_history=1_000, send_timeout=60.0)

TITLE = "Саопштење бр. {n}: седница Владе о буџету"
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


@dataclass
class CpuWindow:
    """CPU used by each process of the benchmark, and by the machine, between start() and stop()."""

    pids: dict[str, int]
    start_at: dict[str, float] = field(default_factory=dict)
    used: dict[str, float] = field(default_factory=dict)

    def start(self) -> CpuWindow:
        self.start_at = {name: process_cpu(pid) for name, pid in self.pids.items()}
        self.start_at["orchestrator"] = own_cpu()
        self.start_at["machine"], self.start_at["machine_total"] = machine_cpu()
        self.start_at["wall"] = time.monotonic()
        return self

    def stop(self) -> dict[str, float]:
        now = {name: process_cpu(pid) for name, pid in self.pids.items()}
        now["orchestrator"] = own_cpu()
        now["machine"], now["machine_total"] = machine_cpu()
        now["wall"] = time.monotonic()
        self.used = {name: now[name] - self.start_at[name] for name in now}
        self.used["other"] = self.used["machine"] - sum(self.used[n] for n in (*self.pids, "orchestrator"))
        return self.used


def cpu_summary(used: dict[str, float], names: tuple[str, ...]) -> str:
    wall = used["wall"]
    cores = used["machine_total"] / wall if wall else 0
    parts = [f"{n} {used[n] / wall * 100:.0f}%" for n in (*names, "orchestrator", "other")]
    return (f"machine busy {used['machine'] / wall * 100:.0f}% of one core (of {cores:.0f}): "
            + ", ".join(parts) + " (other = PostgreSQL server, kernel, the rest)")


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


def content_hash(title: str, body: str, language: str, channel_id: int, scheduled_at: datetime,
                 timezone: str) -> str:
    """The same material as publisher.content.content_hash, for a post without media or variants."""
    material = {"title": title, "body": body, "language": language, "variants": {}, "media": [],
                "channels": [channel_id], "scheduled_at": scheduled_at.isoformat(), "timezone": timezone}
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def seed(rt: Runtime, portal_url: str, due_times: list[datetime], *, sent: bool = False) -> int:
    """Schema, two people, one state_portal channel, and a post with one delivery per due time.

    sent=False: posts scheduled, deliveries pending (the worker's work). sent=True: history, every post
    published and its delivery sent. Returns the channel id."""
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
    created, approved = now - timedelta(hours=2), now - timedelta(hours=1)
    language, timezone = "sr-Cyrl", rt.settings.timezone
    posts, links, deliveries = [], [], []
    for n, due in enumerate(due_times, start=1):
        title = TITLE.format(n=n)
        digest = content_hash(title, BODY, language, channel_id, due, timezone)
        posts.append({
            "id": n, "title": title, "body": BODY, "language": language, "variants": {},
            "status": PostStatus.PUBLISHED if sent else PostStatus.SCHEDULED, "scheduled_at": due,
            "timezone": timezone, "content_hash": digest, "author_id": author_id, "submitted_at": created,
            "approved_by_id": approver_id, "approved_at": approved, "approved_hash": digest,
            "created_at": created, "updated_at": due if sent else approved, "version": 3 if sent else 1,
        })
        links.append({"post_id": n, "channel_id": channel_id})
        row = {"id": n, "post_id": n, "channel_id": channel_id, "idempotency_key": f"p{n}-c{channel_id}-{digest[:16]}",
               "due_at": due, "attempts": 0, "created_at": approved, "updated_at": approved,
               "status": DeliveryStatus.PENDING}
        if sent:
            row.update(status=DeliveryStatus.SENT, attempts=1, last_attempt_at=due, sent_at=due, updated_at=due,
                       remote_id=f"portal-{n}", url=f"{portal_url}/vesti/{n}")
        deliveries.append(row)
    chunk = 2_000
    with rt.engine.begin() as conn:
        for table, rows in ((Post.__table__, posts), (PostChannel.__table__, links),
                            (Delivery.__table__, deliveries)):
            for i in range(0, len(rows), chunk):
                # One shape for every row of an executemany: fill the columns a pending row leaves out.
                batch = [{**dict.fromkeys(("last_attempt_at", "sent_at", "remote_id", "url")), **r}
                         if table is Delivery.__table__ else r for r in rows[i:i + chunk]]
                conn.execute(insert(table), batch)
        if rt.engine.dialect.name == "postgresql":
            for table in ("posts", "deliveries"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT coalesce(max(id), 1) FROM {table}))"))
            conn.execute(text("ANALYZE"))
    return channel_id


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


def wait_until_done(monitor: Monitor, worker: WorkerProcess, deadline: float, *, not_before: float = 0.0) -> bool:
    while time.monotonic() < deadline:
        worker.check_alive()
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


class Bench:
    def __init__(self, sizes: Sizes, workdir: Path, postgres_url: str, keep_logs: Path | None) -> None:
        self.sizes = sizes
        self.workdir = workdir
        self.postgres_url = postgres_url
        self.keep_logs = keep_logs
        self.key = Fernet.generate_key().decode()

    @contextlib.contextmanager
    def setting(self, database: str, scenario: str) -> Iterator[tuple[str, Runtime, Path]]:
        scratch = Path(tempfile.mkdtemp(prefix=f"{scenario}-{database}-", dir=self.workdir))
        with fresh_database(database, scratch, self.postgres_url) as url:
            rt = Runtime.from_settings(bench_settings(url, self.key, scratch))
            try:
                yield url, rt, scratch
            finally:
                rt.dispose()
                if self.keep_logs is not None and (scratch / "worker.log").exists():
                    self.keep_logs.mkdir(parents=True, exist_ok=True)
                    shutil.copy(scratch / "worker.log", self.keep_logs / f"{scenario}-{database}-worker.log")

    def run(self, scenario: str, database: str) -> Run:
        return getattr(self, f"run_{scenario}")(database)

    # -- burst and instant ------------------------------------------------------------------------

    def run_burst(self, database: str) -> Run:
        return self._burst("burst", database, self.sizes.burst_latency, ">= 400")

    def run_instant(self, database: str) -> Run:
        return self._burst("instant", database, 0.0, ">= 1500")

    def _burst(self, scenario: str, database: str, latency: float, target: str) -> Run:
        run = Run(scenario, database)
        size = self.sizes.burst
        with self.setting(database, scenario) as (url, rt, scratch):
            portal = Portal(latency)
            worker = monitor = None
            try:
                t = time.monotonic()
                due = datetime.now(UTC) - timedelta(seconds=1)
                seed(rt, portal.url, [due] * size)
                run.details["seed_seconds"] = round(time.monotonic() - t, 2)
                monitor = Monitor(url)
                worker = WorkerProcess(url, self.key, scratch, scratch / "worker.log")
                cpu = CpuWindow({"worker": worker.pid, "portal": portal.proc.pid}).start()
                done = wait_until_done(monitor, worker, time.monotonic() + self.sizes.send_timeout)
                used = cpu.stop()
                memory = process_memory(worker.pid)
                worker.stop()
                stats = portal.stats()
                sends = monitor.sends()
                statuses = monitor.statuses()
            finally:
                if worker is not None:
                    worker.stop()
                portal.stop()
                if monitor is not None:
                    monitor.close()
        sent = [row for row in sends if row[3] is not None]
        if sent:
            first_claim = min(row[2] for row in sends)
            last_sent = max(row[3] for row in sent)
            span = (last_sent - first_claim).total_seconds()
            wall = (last_sent - worker.launched).total_seconds()
            rate = len(sent) / span if span > 0 else None
        else:
            span = wall = rate = None
        run.figure("throughput (first claim -> last sent_at)", rate, "deliveries/s", target)
        run.figure("sent", len(sent), f"of {size}")
        run.figure("wall time (worker launch -> last sent_at)", wall, "s")
        run.figure("worker CPU per delivery", used["worker"] / max(len(sent), 1) * 1000, "ms")
        run.figure("worker peak RSS", memory.get("VmHWM"), "MB")
        ceiling = CONCURRENCY / latency if latency else None
        run.notes.append(f"{len(sent)} sent in {span or 0:.2f} s (wall {wall or 0:.2f} s incl. worker start-up)"
                         + (f"; ceiling {ceiling:.0f}/s at {latency * 1000:.0f} ms x {CONCURRENCY}" if ceiling else ""))
        run.notes.append(cpu_summary(used, ("worker", "portal")))
        run.notes.append(f"portal: {stats['accepted']} accepted, {stats['duplicates']} duplicates (409), "
                         f"{stats['bad_signatures']} bad signatures; statuses {statuses}")
        if not done:
            run.notes.append(f"TIMED OUT after {self.sizes.send_timeout:.0f} s")
        warnings = worker.warnings()
        if warnings:
            run.notes.append(f"worker log: {len(warnings)} warning/error lines, first: {warnings[0][:200]}")
        run.details.update(used_cpu_seconds={k: round(v, 3) for k, v in used.items()}, statuses=statuses,
                           portal=stats, worker_memory_mb=memory)
        return run

    # -- punctuality ------------------------------------------------------------------------------

    def run_punctuality(self, database: str) -> Run:
        run = Run("punctuality", database)
        n, span, lead = self.sizes.punctuality, self.sizes.punctuality_span, self.sizes.punctuality_lead
        with self.setting(database, "punctuality") as (url, rt, scratch):
            portal = Portal(self.sizes.burst_latency)
            worker = monitor = None
            try:
                # Seed first (the set-up takes a moment), then place the due times after the lead.
                placeholder = datetime.now(UTC) + timedelta(hours=1)
                seed(rt, portal.url, [placeholder] * n)
                offset = random.random() * span / n  # keep the due times off whole seconds
                first = datetime.now(UTC) + timedelta(seconds=lead + offset)
                due = [first + timedelta(seconds=i * span / n) for i in range(n)]
                self._set_due_times(rt, due)
                monitor = Monitor(url)
                worker = WorkerProcess(url, self.key, scratch, scratch / "worker.log")
                cpu = CpuWindow({"worker": worker.pid, "portal": portal.proc.pid}).start()
                ready = None
                while ready is None and datetime.now(UTC) < due[0] + timedelta(seconds=5):
                    worker.check_alive()
                    ready = monitor.worker_started()
                    time.sleep(0.1)
                last_due = time.monotonic() + (due[-1] - datetime.now(UTC)).total_seconds()
                done = wait_until_done(monitor, worker, last_due + 60, not_before=last_due)
                used = cpu.stop()
                memory = process_memory(worker.pid)
                worker.stop()
                stats = portal.stats(arrivals=True)
                sends = monitor.sends()
                statuses = monitor.statuses()
            finally:
                if worker is not None:
                    worker.stop()
                portal.stop()
                if monitor is not None:
                    monitor.close()
        arrivals = stats.pop("arrivals")
        claim = [(started - due_at).total_seconds() * 1000 for _, due_at, started, _ in sends]
        arrival = [(arrivals[key] - due_at.timestamp()) * 1000 for key, due_at, _, _ in sends if key in arrivals]
        for label, values in (("claim", claim), ("arrival", arrival)):
            for name, q in (("p50", 0.50), ("p95", 0.95)):
                run.figure(f"lateness at {label} {name}", percentile(values, q), "ms")
            run.figure(f"lateness at {label} p99", percentile(values, 0.99), "ms", "<= 500")
            run.figure(f"lateness at {label} max", max(values) if values else None, "ms")
        run.figure("sent", sum(1 for row in sends if row[3] is not None), f"of {n}")
        if ready is not None:
            run.notes.append(f"worker ready {(due[0] - ready).total_seconds():.2f} s before the first due time "
                             f"(launched {(ready - worker.launched).total_seconds():.2f} s earlier)")
        else:
            run.notes.append("worker NOT ready before the first due time: lateness includes its start-up")
        run.notes.append(f"{n} deliveries due every {span / n * 1000:.0f} ms over {span:.0f} s; portal latency "
                         f"{self.sizes.burst_latency * 1000:.0f} ms; earliest claim lateness {min(claim or [0]):.1f} ms")
        run.notes.append(cpu_summary(used, ("worker", "portal")))
        run.notes.append(f"portal: {stats['accepted']} accepted, {stats['duplicates']} duplicates (409), "
                         f"{stats['bad_signatures']} bad signatures; statuses {statuses}; worker peak RSS "
                         f"{memory.get('VmHWM', 0):.0f} MB")
        if not done:
            run.notes.append("TIMED OUT waiting for the last deliveries")
        warnings = worker.warnings()
        if warnings:
            run.notes.append(f"worker log: {len(warnings)} warning/error lines, first: {warnings[0][:200]}")
        run.details.update(used_cpu_seconds={k: round(v, 3) for k, v in used.items()}, statuses=statuses,
                           portal=stats, worker_memory_mb=memory)
        return run

    @staticmethod
    def _set_due_times(rt: Runtime, due: list[datetime]) -> None:
        rows = [{"row_id": n, "at": at} for n, at in enumerate(due, start=1)]
        with rt.engine.begin() as conn:
            for table, column in ((Delivery.__table__, "due_at"), (Post.__table__, "scheduled_at")):
                conn.execute(table.update().where(table.c.id == bindparam("row_id"))
                             .values({column: bindparam("at")}), rows)

    # -- idle -------------------------------------------------------------------------------------

    def run_idle(self, database: str) -> Run:
        run = Run("idle", database)
        s = self.sizes
        with self.setting(database, "idle") as (url, rt, scratch):
            worker = monitor = None
            try:
                now = datetime.now(UTC)
                history = [now - timedelta(days=1) + timedelta(seconds=i * 5) for i in range(s.idle_history)]
                seed(rt, "http://127.0.0.1:9/webhooks/posts", history, sent=True)
                self._add_future_delivery(rt, now + timedelta(hours=1), s.idle_history + 1)
                monitor = Monitor(url)
                worker = WorkerProcess(url, self.key, scratch, scratch / "worker.log")
                deadline = time.monotonic() + 30
                while monitor.worker_started() is None and time.monotonic() < deadline:
                    worker.check_alive()
                    time.sleep(0.2)
                monitor.close()
                monitor = None  # nothing of ours touches the database while the worker idles
                time.sleep(s.idle_warmup)
                worker.check_alive()
                cpu = CpuWindow({"worker": worker.pid}).start()
                rss_samples = []
                end = time.monotonic() + s.idle_seconds
                while time.monotonic() < end:
                    time.sleep(min(1.0, max(end - time.monotonic(), 0)))
                    rss_samples.append(process_memory(worker.pid)["VmRSS"])
                used = cpu.stop()
                memory = process_memory(worker.pid)
                worker.check_alive()
                worker.stop()
            finally:
                if worker is not None:
                    worker.stop()
                if monitor is not None:
                    monitor.close()
        percent = used["worker"] / used["wall"] * 100
        run.figure("worker CPU", percent, "% of a core", "<= 1")
        run.figure("worker RSS (end of window)", memory["VmRSS"], "MB", "<= 150")
        run.figure("worker RSS max in window", max(rss_samples), "MB")
        run.figure("worker peak RSS since start (VmHWM)", memory["VmHWM"], "MB")
        run.notes.append(f"{used['worker']:.2f} CPU s over {used['wall']:.1f} s after {s.idle_warmup:.0f} s warm-up; "
                         f"database holds {s.idle_history} sent deliveries and 1 due in an hour")
        run.notes.append(cpu_summary(used, ("worker",)))
        warnings = worker.warnings()
        if warnings:
            run.notes.append(f"worker log: {len(warnings)} warning/error lines, first: {warnings[0][:200]}")
        run.details.update(used_cpu_seconds={k: round(v, 3) for k, v in used.items()}, worker_memory_mb=memory,
                           rss_samples_mb=rss_samples)
        return run

    @staticmethod
    def _add_future_delivery(rt: Runtime, due: datetime, n: int) -> None:
        with rt.sessions() as session:
            channel_id = session.scalar(select(PostChannel.channel_id).limit(1))
            author_id, approver_id = session.scalar(select(Post.author_id).limit(1)), session.scalar(
                select(Post.approved_by_id).limit(1))
            title = TITLE.format(n=n)
            digest = content_hash(title, BODY, "sr-Cyrl", channel_id, due, rt.settings.timezone)
            now = datetime.now(UTC)
            session.execute(insert(Post.__table__).values(
                id=n, title=title, body=BODY, language="sr-Cyrl", variants={}, status=PostStatus.SCHEDULED,
                scheduled_at=due, timezone=rt.settings.timezone, content_hash=digest, author_id=author_id,
                submitted_at=now, approved_by_id=approver_id, approved_at=now, approved_hash=digest,
                created_at=now, updated_at=now, version=1))
            session.execute(insert(PostChannel.__table__).values(post_id=n, channel_id=channel_id))
            session.execute(insert(Delivery.__table__).values(
                id=n, post_id=n, channel_id=channel_id, status=DeliveryStatus.PENDING, attempts=0,
                idempotency_key=f"p{n}-c{channel_id}-{digest[:16]}", due_at=due, created_at=now, updated_at=now))
            session.commit()


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
          "subprocess; not in idle)" + (", and the PostgreSQL server for postgresql runs" if "postgresql"
                                         in databases else "") + " - all on the same cores")
    runs: list[Run] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="publisher-bench-") as tmp:
        bench = Bench(sizes, Path(tmp), args.postgres_url, Path(args.keep_logs) if args.keep_logs else None)
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
