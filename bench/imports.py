"""How long reading and checking the largest import takes (limits.IMPORT_ROWS people), CSV and XLSX, and the
memory it peaks at. No database: the check against stored user names is one IN query, measured elsewhere.

    .venv/bin/python bench/imports.py            # prints one line per format
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from publisher.core import limits  # noqa: E402
from publisher.imports import reading  # noqa: E402
from publisher.imports.checking import check  # noqa: E402
from publisher.people.importing import PEOPLE  # noqa: E402
from tests.factories.spreadsheets import csv_bytes, xlsx_bytes  # noqa: E402

HEADER = ["Korisničko ime", "Ime i prezime", "E-pošta", "Uloge", "Jezik"]


def rows() -> list[list[str]]:
    return [HEADER] + [[f"osoba.{i}", f"Osoba Đurić {i}", f"osoba.{i}@ministarstvo.gov.rs", "službenik, odobravalac",
                        "sr-Latn"] for i in range(limits.IMPORT_ROWS)]


def measure(name: str, data: bytes) -> None:
    started = time.perf_counter()
    checked = check(reading.read(data), PEOPLE)
    took = time.perf_counter() - started
    tracemalloc.start()  # a second pass: tracing slows the first several times over
    check(reading.read(data), PEOPLE)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert checked.ok and len(checked.rows) == limits.IMPORT_ROWS
    print(f"{name}: {len(data) / 1024:.0f} KB, {len(checked.rows)} rows read and checked in {took:.2f} s, "
          f"peak {peak / 1024 / 1024:.1f} MB (traced)")


if __name__ == "__main__":
    table = rows()
    measure("CSV (UTF-8, ;)", csv_bytes(table, sep=";", bom=True))
    measure("CSV (Windows-1250)", csv_bytes(table, sep=";", encoding="cp1250"))
    measure("XLSX", xlsx_bytes(table))
