"""How long making and expanding series take, for the usual ones and the worst a rule can ask within the limits.

    .venv/bin/python bench/recurrence.py
    .venv/bin/python bench/recurrence.py --repeat 50

Each case makes the series from JSON (which checks it whole: up to ten years of occurrences) and expands
the largest window allowed (400 days); the time is the median of the repeats, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from publisher.recurrence.due import due_now  # noqa: E402
from publisher.recurrence.expansion import occurrences  # noqa: E402
from publisher.recurrence.series import Series  # noqa: E402

CASES = {
    "weekly meeting, a year": ("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270301"),
    "daily, ten years": ("2026-03-02T10:00", "FREQ=DAILY;UNTIL=20360301"),
    "every weekday, ten years": ("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;UNTIL=20360301"),
    "last Friday, COUNT=120": ("2026-03-27T14:00", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=120"),
    "sparse: 29 Feb on a Monday": ("2016-02-29T10:00", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;UNTIL=20260101"),
}


def median_ms(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    after = datetime(2027, 1, 1, tzinfo=UTC)
    before = after + timedelta(days=400)
    print(f"{'case':32} {'make ms':>8} {'expand ms':>10} {'found':>6} {'due ms':>7}")
    for name, (start, rule) in CASES.items():
        data = {"start": start, "zone": "Europe/Belgrade", "minutes": 60, "rule": rule}
        series = Series.from_json(data)
        make = median_ms(lambda: Series.from_json(data), args.repeat)  # noqa: B023
        expand = median_ms(lambda: occurrences(series, after, before), args.repeat)  # noqa: B023
        due = median_ms(lambda: due_now(series, after - timedelta(days=30), after), args.repeat)  # noqa: B023
        found = len(occurrences(series, after, before))
        print(f"{name:32} {make:8.2f} {expand:10.2f} {found:6d} {due:7.2f}")


if __name__ == "__main__":
    main()
