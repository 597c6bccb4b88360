"""How long checking the largest documents takes and the memory it peaks at: a 50 MB PDF (the default
PUBLISHER_DOCUMENT_MAX_MB, scanned whole for an /Encrypt key), a 50 MB XLSX-sized zip with thousands of
parts, and a zip bomb declaring 4 GB (refused from its directory). No database: sniffing is the part
whose cost grows with the file.

    .venv/bin/python bench/documents.py          # prints one line per file
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from publisher.documents.sniffing import DocumentLimits, DocumentRefused, sniff_file  # noqa: E402
from tests.factories.documents import pdf_bytes  # noqa: E402

MB = 1024 * 1024
LIMITS = DocumentLimits()


def big_pdf(path: Path) -> None:
    path.write_bytes(pdf_bytes(padding=LIMITS.max_bytes - 2048))


def many_parts(path: Path, parts: int = 5_000) -> None:
    """An Office workbook's shape at the limit's size: a [Content_Types].xml and thousands of sheet parts."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", '<Types><Override PartName="/xl/workbook.xml" ContentType="applicati'
                         'on/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"<row/>" * ((LIMITS.max_bytes // parts) // 6 - 200)
        for n in range(parts):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", chunk)


def bomb(path: Path) -> None:
    """A zip whose central directory declares 4 GB in one part: patched by hand, not made by compressing zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        info = zipfile.ZipInfo("word/document.xml")
        archive.writestr(info, b"x")
    data = bytearray(path.read_bytes())
    # The central directory entry of the second file: patch its declared uncompressed size (ZIP64 aside).
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (0xFFFFFFFE).to_bytes(4, "little")  # ~4 GB each; enough to be refused
    path.write_bytes(bytes(data))


def measure(name: str, make) -> None:  # noqa: ANN001
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        make(path)
        size = path.stat().st_size
        started = time.perf_counter()
        try:
            outcome = sniff_file(path, "", LIMITS).format.name
        except DocumentRefused as exc:
            outcome = f"refused ({exc.code})"
        took = time.perf_counter() - started
        tracemalloc.start()  # a second pass: tracing slows the first
        try:
            sniff_file(path, "", LIMITS)
        except DocumentRefused:
            pass
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(f"{name}: {size / MB:.1f} MB, {outcome} in {took * 1000:.0f} ms, peak {peak / MB:.1f} MB (traced)")


if __name__ == "__main__":
    measure("PDF at the size limit", big_pdf)
    measure("workbook of 5,000 parts", many_parts)
    measure("zip bomb (declared 4 GB)", bomb)
