"""Web benchmark: server time of the history, queue, calendar and notifications pages over a large database.

    .venv/bin/python bench/web.py                    # 1,000,000 deliveries + 10,000 scheduled posts, both DBs
    .venv/bin/python bench/web.py --quick            # 20,000 deliveries, 500 scheduled posts: a smoke run
    .venv/bin/python bench/web.py --db sqlite --requests 50 --json out.json
    .venv/bin/python bench/web.py --deliveries 200000  # a smaller history, still 10,000 scheduled posts
    .venv/bin/python bench/web.py --search           # 10,000 posts (all scheduled), for the search boxes

The calendar: the month (this one, and one 30 days ahead, where the 10,000 posts scheduled over 60 days are
about 5,000 and each day shows three and "+N more"), the month for one channel, a past month (its posts
without a time, one in ten, are read by their approval time), the week's hour grid and the week as a list.

Target (issue #5): every page answers with server time p95 <= 100 ms on SQLite and on PostgreSQL. Figures
are printed next to it, never asserted.

Set-up: a fresh database per run (a temporary SQLite file, or `publisher_bench_web_<random>` created on the
PostgreSQL server and dropped afterwards), the schema from publisher.core.schema.upgrade, people through
accounts.add_user, and everything else by bulk Core inserts: channels, posts spread over two years (Latin and
Cyrillic titles), their post_channels and deliveries (about 93 % sent, the rest failed, unknown, stale or
cancelled), one attempt per delivery that was tried, and 10,000 approved posts scheduled over the next 60 days
with pending deliveries. Notifications: the author one per post, and the reader (the manager the requests
sign in as) one about each of 10,000 posts (a third unread, so the header's count reaches its cap of 100). The planner statistics are refreshed once (ANALYZE), as autovacuum would on
PostgreSQL; on SQLite `publisher init` does not, so the run also prints the history's plan without them.

Measuring: the real app (web.create_app over a Runtime of the same settings a deployment reads), signed in
through the real /login form as a manager, called in-process through Flask's test client, so the figure is
the server's time for the whole request (routing, session check, queries, template, full body) without a
network hop; for the CSV export it is the time to the first bytes of the stream. Each page gets a few
warm-up requests, then N measured ones; p50/p95 are nearest-rank.

Searches (issue 11, core.search_index): every list's search box is `search_text LIKE '%key%'`, a scan of the
rows the list's other conditions leave. The history, queue and calendar are measured with a search that finds
some rows (Latin finding Cyrillic titles) and with one that finds none (the worst case: every row is read).
`--search` builds 10,000 posts only (all scheduled, three deliveries each), the size issue 11 names.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import Engine, insert, select, text  # noqa: E402

from publisher.core import schema, search_index  # noqa: E402
from publisher.core.actor import Actor  # noqa: E402
from publisher.core.config import Settings  # noqa: E402
from publisher.core.models import Channel, Delivery, DeliveryAttempt, Post, PostChannel  # noqa: E402
from publisher.core.runtime import Runtime  # noqa: E402
from publisher.core.states import OPEN_DELIVERY_STATES  # noqa: E402
from publisher.notifications import inbox  # noqa: E402
from publisher.notifications.models import Notification  # noqa: E402
from publisher.people import accounts  # noqa: E402
from publisher.publishing import history  # noqa: E402
from web import create_app  # noqa: E402

POSTGRES_URL = os.environ.get("PUBLISHER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TARGET_P95_MS = 100.0
PASSWORD = "bench-password-123"
SYSTEM = Actor.system("bench")
CHUNK = 10_000
ASAP_SHARE = 0.1  # past posts that had no time ("as soon as approved")
DATABASES = ("sqlite", "postgresql")
CHANNELS = [("website", "wordpress"), ("x", "x"), ("facebook", "facebook"), ("portal", "state_portal"),
            ("telegram", "telegram"), ("mediji", "email")]
# State of a delivery of a post that went out, by weight.
OUTCOMES = [("sent", 93.0), ("failed", 3.0), ("cancelled", 2.5), ("unknown", 1.0), ("stale", 0.5)]
TOPICS = ["Саопштење: седница Владе о буџету", "Ministar posetio Niš i Leskovac", "Конкурс за стипендије",
          "Javni poziv za medije", "Нова правила за увоз", "Konferencija za novinare", "Izveštaj za kvartal",
          "Посета делегације", "Kampanja: bezbednost u saobraćaju", "Ugovor o saradnji potpisan"]


@dataclass(frozen=True)
class Sizes:
    deliveries: int = 1_000_000
    scheduled: int = 10_000
    requests: int = 100
    warmup: int = 5
    notified: int = 10_000  # posts the reader has a notification about (cheap to make: the same in --quick)


FULL = Sizes()
QUICK = Sizes(deliveries=20_000, scheduled=500, requests=20, warmup=3)
SEARCH = Sizes(deliveries=30_000, scheduled=10_000)  # 10,000 posts, each with three deliveries


# --- databases ----------------------------------------------------------------------------------------------

class Database:
    def __init__(self, backend: str, postgres_url: str) -> None:
        self.backend = backend
        self.postgres_url = postgres_url
        self.tmp = Path(tempfile.mkdtemp(prefix="publisher-bench-web-"))
        if backend == "sqlite":
            self.url = f"sqlite:///{self.tmp / 'bench.db'}"
        else:
            self.name = f"publisher_bench_web_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(postgres_url, autocommit=True, connect_timeout=5) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = postgres_url.rsplit("/", 1)[0] + "/" + self.name

    def drop(self) -> None:
        if self.backend == "postgresql":
            with psycopg.connect(self.postgres_url, autocommit=True, connect_timeout=5) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.tmp, ignore_errors=True)


def settings_for(db: Database) -> Settings:
    return Settings(database_url=db.url, media_dir=db.tmp / "media", secret_key="bench-secret",
                    credential_keys=(Fernet.generate_key().decode(),), instance_dir=db.tmp / "instance",
                    cookie_secure=False)


# --- the data set -------------------------------------------------------------------------------------------

def _chunks(rows: Iterator[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build(rt: Runtime, sizes: Sizes, now: datetime, seed: int = 5) -> dict[str, Any]:
    """People through the service, the rest by bulk Core inserts. Returns what the requests need."""
    rng = random.Random(seed)
    engine = rt.engine
    with rt.sessions() as session:
        people = {}
        for name, roles in (("ana", ["officer"]), ("marko", ["approver"]), ("jelena", ["manager"])):
            people[name] = accounts.add_user(session, name, roles, actor=SYSTEM, password=PASSWORD).id
        session.commit()
    with engine.begin() as conn:
        conn.execute(insert(Channel.__table__), [
            {"name": name, "kind": kind, "enabled": True, "config": {}, "credentials": "", "max_concurrency": 4,
             "created_at": now, "updated_at": now, "search_text": search_index.key_from((name, kind))}
            for name, kind in CHANNELS])
        channel_ids = list(conn.scalars(select(Channel.id).order_by(Channel.id)))
    states, weights = zip(*OUTCOMES, strict=True)
    two_years = 730 * 86400
    scheduled_deliveries = sizes.scheduled * 3
    past_deliveries = sizes.deliveries - scheduled_deliveries
    started = time.monotonic()
    post_id = delivery_id = 0
    posts: list[dict] = []
    links: list[dict] = []
    deliveries: list[dict] = []
    attempts: list[dict] = []

    def flush(final: bool = False) -> None:
        if len(deliveries) < CHUNK and not final:
            return
        with engine.begin() as conn:
            for table, rows in ((Post.__table__, posts), (PostChannel.__table__, links),
                                (Delivery.__table__, deliveries), (DeliveryAttempt.__table__, attempts)):
                if rows:
                    conn.execute(insert(table), rows)
        for rows in (posts, links, deliveries, attempts):
            rows.clear()

    def add_post(at: datetime, status: str, scheduled: bool) -> list[int]:
        nonlocal post_id
        post_id += 1
        title = f"{rng.choice(TOPICS)} ({post_id})"
        # One past post in ten went out "as soon as approved": no time, approved the moment it went out (the
        # calendar shows those at their approval, read by a second range).
        unscheduled = not scheduled and rng.random() < ASAP_SHARE
        posts.append({"id": post_id, "title": title, "body": title + ". Tekst saopštenja.", "language": "sr-Latn",
                      "variants": {}, "status": status, "scheduled_at": None if unscheduled else at,
                      "timezone": "Europe/Belgrade",
                      "content_hash": "0" * 64, "author_id": people["ana"], "submitted_at": at - timedelta(hours=3),
                      "approved_by_id": people["marko"], "approved_at": at if unscheduled else at - timedelta(hours=2),
                      "approved_hash": "0" * 64, "created_at": at - timedelta(hours=4),
                      "updated_at": at if not scheduled else now, "version": 1})
        posts[-1]["search_text"] = search_index.key_of(Post, posts[-1])  # bulk inserts bypass the listener
        chosen = rng.sample(channel_ids, rng.choice((1, 2, 3, 3, 4, 4, 5, 6)) if not scheduled else 3)
        for channel_id in chosen:
            links.append({"post_id": post_id, "channel_id": channel_id})
        return chosen

    made = 0
    while made < past_deliveries:
        at = now - timedelta(seconds=rng.randrange(60, two_years))
        for channel_id in add_post(at, "published", False):
            delivery_id += 1
            made += 1
            status = rng.choices(states, weights)[0]
            sent = status == "sent"
            moment = at + timedelta(seconds=rng.randrange(1, 30), microseconds=rng.randrange(1_000_000))
            error = None if sent or status == "stale" else f"{status}: 503 from the platform"
            deliveries.append({
                "id": delivery_id, "post_id": post_id, "channel_id": channel_id, "status": status,
                "idempotency_key": f"p{post_id}-c{channel_id}-bench", "due_at": at, "attempts": 1,
                "next_attempt_at": None, "lease_owner": None, "lease_expires_at": None,
                "remote_id": f"r{delivery_id}" if sent else None,
                "url": f"https://example.org/{channel_id}/{delivery_id}" if sent else None, "error": error,
                "error_kind": None if sent else status, "last_attempt_at": moment, "sent_at": moment if sent else None,
                "created_at": at - timedelta(hours=2), "updated_at": moment})
            if status != "stale":
                attempts.append({"delivery_id": delivery_id, "number": 1, "worker_id": "worker-1",
                                 "started_at": moment - timedelta(seconds=1), "finished_at": moment,
                                 "outcome": {"sent": "sent", "cancelled": "failed"}.get(status, status),
                                 "error": error})
        flush()
    for _ in range(sizes.scheduled):
        at = now + timedelta(seconds=rng.randrange(600, 60 * 86400))
        for channel_id in add_post(at, "scheduled", True):
            delivery_id += 1
            deliveries.append({
                "id": delivery_id, "post_id": post_id, "channel_id": channel_id, "status": "pending",
                "idempotency_key": f"p{post_id}-c{channel_id}-bench", "due_at": at, "attempts": 0,
                "next_attempt_at": None, "lease_owner": None, "lease_expires_at": None, "remote_id": None,
                "url": None, "error": None, "error_kind": None, "last_attempt_at": None, "sent_at": None,
                "created_at": now, "updated_at": now})
        flush()
    flush(final=True)
    if engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
        with engine.begin() as conn:
            for table in ("posts", "deliveries"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    add_notifications(engine, people, post_id, sizes.notified, now, rng)
    load_seconds = time.monotonic() - started
    with engine.connect() as conn:
        counts = {t: conn.scalar(text(f"SELECT count(*) FROM {t}"))
                  for t in ("posts", "deliveries", "delivery_attempts", "notifications")}
        # A cursor three quarters down the history, for the deep page (OFFSET here only, once, in the set-up).
        deep = conn.execute(select(history.moment(), Delivery.id)
                            .where(Delivery.status.not_in(OPEN_DELIVERY_STATES))
                            .order_by(history.moment().desc(), Delivery.id.desc())
                            .offset(int(past_deliveries * 0.75)).limit(1)).first()  # None: --search, no past
        middle = conn.scalar(select(Notification.id).where(Notification.user_id == people["jelena"])
                             .order_by(Notification.id.desc()).offset(sizes.notified // 2).limit(1))
    return {"counts": counts, "load_seconds": load_seconds, "channel_ids": channel_ids, "reader": people["jelena"],
            "deep": deep and history.Cursor(deep[0] if deep[0].tzinfo else deep[0].replace(tzinfo=UTC), deep[1]),
            "notifications_middle": middle}


def add_notifications(engine: Engine, people: dict[str, int], posts: int, notified: int, now: datetime,
                      rng: random.Random) -> None:
    """The author told of every post (published, with a link); the reader told of `notified` posts (the newest
    ones, cycling when there are fewer), a third of them unread; rows in id order of time, like real ones."""
    kinds = [("published", {"links": [{"channel": "portal", "url": "https://example.org/vesti/1"}]}),
             ("approved", {"by": "marko"}), ("failed", {"partial": True, "links": [], "failures": [
                 {"channel": "x", "status": "failed", "error_kind": "rejected", "error": "403 from the platform"}]})]

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(1, posts + 1):
            yield {"user_id": people["ana"], "kind": "published", "post_id": i, "data": {"title": f"Post {i}"},
                   "created_at": now - timedelta(seconds=posts - i), "shown": True, "read_at": now,
                   "mail_due": False, "mail_attempts": 0}
        for n in range(notified):
            kind, data = kinds[n % len(kinds)]
            yield {"user_id": people["jelena"], "kind": kind, "post_id": posts - n % posts,
                   "data": {"title": f"{rng.choice(TOPICS)}", **data}, "created_at": now - timedelta(minutes=notified - n),
                   "shown": True, "read_at": None if n % 3 == 0 else now, "mail_due": False, "mail_attempts": 0}

    for batch in _chunks(rows()):
        with engine.begin() as conn:
            conn.execute(insert(Notification.__table__), batch)


def analyze(engine: Engine) -> float:
    started = time.monotonic()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))
    return time.monotonic() - started


def history_plan(rt: Runtime) -> str:
    """The first history page's query plan: whether it walks an index or sorts the table."""
    query = history.history_query(history.HistoryFilter()).limit(51)
    compiled = query.compile(rt.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if rt.engine.dialect.name == "sqlite" else "EXPLAIN "
    with rt.engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + str(compiled)).all()
    return " | ".join(str(r[-1]) for r in rows)


# --- measuring ----------------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def sign_in(client: Any) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"name": "jelena", "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        raise SystemExit(f"signing in failed: HTTP {response.status_code}")


def full_request(client: Any, path: str) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        response = client.get(path)
        body = response.get_data()
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or not body:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        return elapsed
    return run


def first_bytes(client: Any, path: str) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        response = client.get(path, buffered=False)
        chunk = next(iter(response.response))
        chunk += next(iter(response.response), b"")  # the BOM comes alone; the header and rows follow
        elapsed = time.perf_counter() - started
        response.close()
        if response.status_code != 200 or not chunk:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        return elapsed
    return run


def pages(app: Any, data: dict[str, Any], now: datetime) -> list[tuple[str, str, str]]:
    """(name, path, how) for each measured request."""
    portal = data["channel_ids"][3]
    since = (now - timedelta(days=30)).date().isoformat()
    found = [
        ("history: first page", "/history", "full"),
        ("history: channel + sent + 30 days", f"/history?channel={portal}&status=sent&from={since}", "full"),
        ("history: failed, all channels", "/history?status=failed", "full"),
        *([("history: deep keyset page", f"/history?before={data['deep'].encode()}", "full")] if data["deep"] else []),
        ("history: search, Latin finds Cyrillic", "/history?q=stipendije", "full"),
        ("history: search, no match", "/history?q=nema+takvog", "full"),
        ("history.csv: first bytes", "/history.csv", "first"),
    ]
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    if "/queue" in rules:
        found.append(("queue", "/queue", "full"))
    if "/calendar" in rules:
        busy = (now + timedelta(days=30)).date().isoformat()  # inside the 60 days of scheduled posts
        found += [("calendar: month (this)", "/calendar?view=month", "full"),
                  ("calendar: month (full)", f"/calendar?view=month&day={busy}", "full"),
                  ("calendar: month, one channel", f"/calendar?view=month&day={busy}&channel={portal}", "full"),
                  ("calendar: month a year ago", f"/calendar?view=month&day={(now - timedelta(days=365)).date()}",
                   "full"),
                  ("calendar: week (hour grid)", f"/calendar?view=week&day={busy}", "full"),
                  ("calendar: week as a list", f"/calendar?view=list&day={busy}", "full")]
    for path in ("/queue", "/calendar"):
        if path in rules:
            found.append((f"{path[1:]}: search, Cyrillic finds Latin", f"{path}?q=министар+посетио", "full"))
            found.append((f"{path[1:]}: search, no match", f"{path}?q=nema+takvog", "full"))
    found.append(("media library: search", "/media?q=zgrada", "full"))
    found.append(("audit: search", "/audit?q=djordje", "full"))
    found.append(("home (overview)", "/", "full"))
    found.append(("notifications: first page", "/notifications", "full"))
    found.append(("notifications: a middle page", f"/notifications?before={data['notifications_middle']}", "full"))
    return found


def header_count(rt: Runtime, reader: int) -> Callable[[], float]:
    """The unread count every page's header asks (inbox.unread_count), alone: the pages above include it."""
    def run() -> float:
        with rt.read_sessions() as session:
            started = time.perf_counter()
            inbox.unread_count(session, reader)
            return time.perf_counter() - started
    return run


def measure(rt: Runtime, data: dict[str, Any], sizes: Sizes, now: datetime) -> list[dict[str, Any]]:
    app = create_app({"RUNTIME": rt})
    client = app.test_client()
    sign_in(client)
    results = []
    for name, path, how in pages(app, data, now):
        run = (first_bytes if how == "first" else full_request)(client, path)
        for _ in range(sizes.warmup):
            run()
        times = [run() * 1000 for _ in range(sizes.requests)]
        results.append({"page": name, "path": path, "n": len(times), "p50": percentile(times, 50),
                        "p95": percentile(times, 95), "max": max(times)})
    count = header_count(rt, data["reader"])
    for _ in range(sizes.warmup):
        count()
    times = [count() * 1000 for _ in range(sizes.requests)]
    results.append({"page": "header: unread count (query only)", "path": "-", "n": len(times),
                    "p50": percentile(times, 50), "p95": percentile(times, 95), "max": max(times)})
    return results


def run_one(backend: str, sizes: Sizes, postgres_url: str) -> dict[str, Any]:
    db = Database(backend, postgres_url)
    try:
        settings = settings_for(db)
        engine_rt = Runtime.from_settings(settings)
        schema.upgrade(engine_rt.engine)
        now = datetime.now(UTC).replace(microsecond=0)
        print(f"\n== {backend}: building {sizes.deliveries:,} deliveries and {sizes.scheduled:,} scheduled posts")
        data = build(engine_rt, sizes, now)
        print(f"   loaded in {data['load_seconds']:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in data["counts"].items()))
        plan_before = history_plan(engine_rt) if backend == "sqlite" else None
        analyzed = analyze(engine_rt.engine)
        plan_after = history_plan(engine_rt)
        print(f"   ANALYZE {analyzed:.1f} s")
        if plan_before is not None:
            print(f"   history plan without statistics: {plan_before}")
        print(f"   history plan: {plan_after}")
        results = measure(engine_rt, data, sizes, now)
        engine_rt.dispose()
        print(f"   {'page':38} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  target p95 <= {TARGET_P95_MS:.0f} ms")
        for r in results:
            verdict = "met" if r["p95"] <= TARGET_P95_MS else "MISSED"
            print(f"   {r['page']:38} {r['n']:>4} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['max']:>8.1f}  {verdict}")
        return {"backend": backend, "counts": data["counts"], "load_seconds": data["load_seconds"],
                "analyze_seconds": analyzed, "plan_without_statistics": plan_before, "plan": plan_after,
                "results": results}
    finally:
        db.drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=[*DATABASES, "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument("--search", action="store_true", help="10,000 posts only: the search boxes' size")
    parser.add_argument("--requests", type=int, help="measured requests per page (default 100; --quick 20)")
    parser.add_argument("--deliveries", type=int, help="deliveries in the history (default 1,000,000; --quick 20,000)")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else SEARCH if args.search else FULL
    if args.requests or args.deliveries:
        sizes = Sizes(args.deliveries or sizes.deliveries, sizes.scheduled, args.requests or sizes.requests,
                      sizes.warmup, sizes.notified)
    backends = DATABASES if args.db == "both" else (args.db,)
    print(f"web benchmark: {sizes.deliveries:,} deliveries, {sizes.scheduled:,} scheduled posts, "
          f"{sizes.requests} requests per page; server time in-process (Flask test client), target p95 <= "
          f"{TARGET_P95_MS:.0f} ms")
    report = [run_one(backend, sizes, args.postgres_url) for backend in backends]
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
