"""Activities benchmark: server time of the public agenda feed and of the calendar's month view with 5,000
events in the month.

    .venv/bin/python bench/activities.py                 # 5,000 events in the month ahead, both databases
    .venv/bin/python bench/activities.py --events 500 --db sqlite --requests 10   # a smoke run

Set-up: a fresh database per run (bench/web.py's Database), the schema from publisher.core.schema.upgrade,
three people, twelve officials, and the events by bulk Core inserts: spread over the 30 days from today (about
160 a day), one in ten a weekly series (so it also has occurrences outside the month), each with one to three
officials; three in five public and approved, with their public copy (agenda_entries) as
publisher.activities.publication writes it; one in twenty cancelled.

Measured, like bench/web.py: the real app (web.create_app), in-process through Flask's test client, the
whole request including the body; a few warm-up requests, then N measured ones; p50/p95 nearest-rank:
- `/agenda.ics` (the public feed: every public event of the window, as iCalendar, one language);
- `/calendar?view=month` (signed in as a manager: the month's posts and every event occurrence, with
  conflicts);
- `/events` (the office's list of the coming 30 days).
The collector is tuned as the server tunes it (publisher.core.heap) unless --default-gc.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import insert, select  # noqa: E402

from bench.web import (  # noqa: E402
    PASSWORD,
    POSTGRES_URL,
    Database,
    full_request,
    percentile,
    settings_for,
    sign_in,
)
from publisher.activities import approval as event_approval  # noqa: E402
from publisher.activities.models import AgendaEntry, Event, EventParticipant, Official  # noqa: E402
from publisher.activities.timing import EventTime  # noqa: E402
from publisher.approval.models import ApprovalRequest, ApprovalVersion  # noqa: E402
from publisher.approval.rules import frozen_hash  # noqa: E402
from publisher.core import heap, schema, search_index  # noqa: E402
from publisher.core.actor import Actor  # noqa: E402
from publisher.core.multilingual import MultilingualText  # noqa: E402
from publisher.core.runtime import Runtime  # noqa: E402
from publisher.people import accounts  # noqa: E402
from web import create_app  # noqa: E402

SYSTEM = Actor.system("bench")
KINDS = ("press_conference", "interview", "statement", "reception", "working_meeting", "visit",
         "international_meeting", "public_consultation", "campaign_milestone", "other")
ZONE = "Europe/Belgrade"
DEFAULT_GC = gc.get_threshold()


def build(rt: Runtime, events: int, now: datetime, seed: int = 13) -> dict[str, Any]:
    rng = random.Random(seed)
    started = time.perf_counter()
    with rt.sessions() as session:
        people = {name: accounts.add_user(session, name, roles, actor=SYSTEM, password=PASSWORD).id
                  for name, roles in (("ana", ["officer"]), ("marko", ["approver"]), ("jelena", ["manager"]))}
        session.commit()
    today = now.astimezone(ZoneInfo(ZONE)).date()
    with rt.engine.begin() as conn:
        conn.execute(insert(Official.__table__), [
            {"id": i, "name": f"Službenik {i}", "role": "minister" if i == 1 else "official",
             "position": {"sr-Latn": "Državni sekretar"}, "active": True, "sort": i, "created_at": now}
            for i in range(1, 13)])
        event_rows, participants, requests, versions, entries = [], [], [], [], []
        officials = {i: {"id": i, "name": f"Službenik {i}", "role": "official", "position": {}} for i in range(1, 13)}
        for n in range(1, events + 1):
            day = today + timedelta(days=rng.randrange(30))
            hour, minute = rng.randrange(8, 19), rng.choice((0, 15, 30, 45))
            start = datetime(day.year, day.month, day.day, hour, minute)
            weekly = n % 10 == 0
            time_ = EventTime(all_day=False, zone=ZONE, start=start, end=start + timedelta(minutes=rng.choice((30, 60, 90))),
                              rule=f"FREQ=WEEKLY;COUNT={rng.randrange(4, 20)}" if weekly else None)
            title = MultilingualText({"sr-Cyrl": f"Састанак број {n} о буџету", "sq": f"Takimi nr. {n}"})
            public = n % 5 < 3
            status = "cancelled" if n % 20 == 7 else "confirmed"
            chosen = rng.sample(range(1, 13), rng.randrange(1, 4))
            row = {"id": n, "uid": f"{uuid.uuid4()}@publisher.events", "kind": KINDS[n % len(KINDS)],
                   "title": title.to_json(), "description": {"sr-Cyrl": "Опис догађаја."}, **time_.to_columns(),
                   "place": "Немањина 11", "city": "Београд", "country": "RS", "organisations": ["УНИЦЕФ"],
                   "guests": [], "status": status, "visibility": "public" if public else "internal",
                   "public_from": None, "internal_notes": "", "sequence": 0, "created_by_id": people["ana"],
                   "updated_by_id": people["ana"], "created_at": now, "updated_at": now,
                   "status_changed_at": now, "version": 1}
            row["search_text"] = search_index.key_from([title, row["place"], row["city"]])
            event_rows.append(row)
            participants += [{"event_id": n, "official_id": o} for o in sorted(chosen)]
            if public:
                frozen = {"kind": row["kind"], "title": dict(title.items()), "description": {"sr-Cyrl": "Опис."},
                          "all_day": False, "zone": ZONE, "start": row["start_local"], "end": row["end_local"],
                          "rule": row["rule"], "exceptions": {"moved": []}, "place": row["place"],
                          "city": row["city"], "country": "RS", "officials": [officials[o] for o in sorted(chosen)],
                          "organisations": ["УНИЦЕФ"], "visibility": "public", "public_from": None}
                requests.append({"id": n, "subject_type": event_approval.TYPE, "subject_id": n, "state": "approved",
                                 "submitted_by_id": people["ana"], "submitted_at": now, "updated_at": now})
                versions.append({"request_id": n, "content_hash": frozen_hash(frozen), "frozen": frozen,
                                 "approved_by_id": people["marko"], "approved_at": now})
                entries.append({"event_id": n, "uid": row["uid"], "sequence": 0, "status": status,
                                "kind": row["kind"], "public_from": None, "starts_at": row["starts_at"],
                                "last_ends_at": row["last_ends_at"], "frozen": frozen, "approved_at": now,
                                "updated_at": now})
        for table, rows in ((Event.__table__, event_rows), (EventParticipant.__table__, participants),
                            (ApprovalRequest.__table__, requests), (ApprovalVersion.__table__, versions),
                            (AgendaEntry.__table__, entries)):
            for i in range(0, len(rows), 2_000):
                conn.execute(insert(table), rows[i:i + 2_000])
    with rt.engine.connect() as conn:
        counted = conn.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
    return {"events": counted, "public": len(entries), "load_seconds": time.perf_counter() - started}


def run_one(backend: str, events: int, requests: int, warmup: int, postgres_url: str,
            tuned_gc: bool = True) -> list[dict[str, Any]]:
    db = Database(backend, postgres_url)
    try:
        settings = settings_for(db)
        rt = Runtime.from_settings(settings)
        schema.upgrade(rt.engine)
        now = datetime.now(UTC).replace(microsecond=0)
        data = build(rt, events, now)
        print(f"\n== {backend}: {data['events']:,} events ({data['public']:,} public) loaded in "
              f"{data['load_seconds']:.1f} s")
        app = create_app({"RUNTIME": rt})
        public = app.test_client()
        office = app.test_client()
        sign_in(office)
        if tuned_gc:
            heap.settle_after_start()  # as `publisher serve` and `make run` do once the app is built
        month = now.astimezone(ZoneInfo(ZONE)).date().isoformat()
        measured = [("/agenda.ics (sr-Cyrl)", full_request(public, "/agenda.ics?lang=sr-Cyrl")),
                    ("/calendar month view", full_request(office, f"/calendar?view=month&day={month}")),
                    ("/events (the coming 30 days)", full_request(office, "/events"))]
        results = []
        for name, run in measured:
            for _ in range(warmup):
                run()
            times = [run() * 1000 for _ in range(requests)]
            results.append({"page": name, "n": requests, "p50": percentile(times, 50), "p95": percentile(times, 95),
                            "max": max(times)})
        rt.dispose()
        print(f"   {'page':32} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for r in results:
            print(f"   {r['page']:32} {r['n']:>4} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['max']:>8.1f}")
        return results
    finally:
        gc.unfreeze()
        gc.set_threshold(*DEFAULT_GC)
        db.drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--default-gc", action="store_true",
                        help="leave CPython's collector as it starts (to compare with publisher.core.heap)")
    args = parser.parse_args(argv)
    for backend in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        run_one(backend, args.events, args.requests, args.warmup, args.postgres_url, tuned_gc=not args.default_gc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
