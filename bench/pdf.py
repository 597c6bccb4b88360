"""PDF benchmark: time and memory to print a 20-page document (the approval record template, through
publisher.pdf.rendering.render_pdf, as the dashboard's route does).

    .venv/bin/python bench/pdf.py                # 20 pages, 5 runs
    .venv/bin/python bench/pdf.py --pages 40 --runs 3

The record holds four language versions (Serbian Cyrillic and Latin, Albanian, English) whose texts grow until
the document has the pages asked for. The first run is reported apart: it loads WeasyPrint, Pango and the fonts.
Memory is the process's peak resident size (Linux: ru_maxrss) before and after, and the peak of Python's own
allocations during one warm run (tracemalloc: WeasyPrint's boxes, not Pango's C memory). Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from publisher.pdf.rendering import render_html, render_pdf  # noqa: E402
from publisher.posts.approval_record import (  # noqa: E402
    TEMPLATE,
    ApprovalRecord,
    ChannelEntry,
    LanguageVersion,
    MediaEntry,
)
from web.printed import SETUP  # noqa: E402

PARAGRAPHS = {
    "sr-Cyrl": "Министар је данас у Нишу отворио обновљену библиотеку и разговарао са ђацима о читању, "
               "будућности образовања и подршци локалним заједницама. ",
    "sr-Latn": "Ministar je danas u Nišu otvorio obnovljenu biblioteku i razgovarao sa đacima o čitanju, "
               "budućnosti obrazovanja i podršci lokalnim zajednicama. ",
    "sq": "Ministri sot në Nish hapi bibliotekën e rinovuar dhe bisedoi me nxënësit për leximin, të ardhmen "
          "e arsimit dhe mbështetjen e komuniteteve lokale. ",
    "en": "Today in Niš the minister opened the renovated library and talked with pupils about reading, the "
          "future of education and support for local communities. ",
}


def record(paragraphs: int) -> ApprovalRecord:
    zone = ZoneInfo("Europe/Belgrade")
    body = {lang: "\n\n".join(text * 4 for _ in range(paragraphs)) for lang, text in PARAGRAPHS.items()}
    return ApprovalRecord(
        post_id=42, approval_id=7,
        versions=[LanguageVersion(lang, f"Библиотека у Нишу ({lang})", body[lang], lang == "sr-Cyrl")
                  for lang in PARAGRAPHS],
        channels=[ChannelEntry(name, None) for name in ("Sajt", "X", "Facebook", "Mastodon", "Telegram")],
        media=[MediaEntry(f"biblioteka-{i}.jpg", "Министар са ђацима у читаоници", "ab" * 32) for i in range(6)],
        scheduled_at=datetime(2031, 6, 15, 8, tzinfo=UTC).astimezone(zone), timezone=zone.key, author="Ана Анић",
        approver="Марко Марковић", approved_at=datetime(2031, 6, 14, 15, 30, tzinfo=UTC).astimezone(zone),
        content_hash="0f" * 32, frozen=True)


def page_count(paragraphs: int, language: str) -> int:
    import weasyprint

    html = render_html(TEMPLATE, {"record": record(paragraphs)}, language, setup=SETUP)
    return len(weasyprint.HTML(string=html).render().pages)


def sized(pages: int, language: str) -> tuple[int, int]:
    """The fewest paragraphs per version that make at least `pages` pages (doubling, then halving)."""
    low, high = 0, 1
    while page_count(high, language) < pages:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if page_count(middle, language) < pages else (low, middle)
    return high, page_count(high, language)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--language", default="sr-Cyrl", choices=("sr-Latn", "sr-Cyrl", "sq", "en"))
    args = parser.parse_args()

    rss_before = peak_rss_mb()
    started = time.perf_counter()
    render_pdf(TEMPLATE, {"record": record(1)}, args.language, setup=SETUP)
    first = time.perf_counter() - started
    paragraphs, pages = sized(args.pages, args.language)
    context = {"record": record(paragraphs)}

    times, size = [], 0
    for _ in range(args.runs):
        started = time.perf_counter()
        size = len(render_pdf(TEMPLATE, context, args.language, setup=SETUP))
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    render_pdf(TEMPLATE, context, args.language, setup=SETUP)
    _, python_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"document: {pages} pages (4 language versions of {paragraphs} paragraphs each), {size / 1024:.0f} KiB")
    print(f"first render (loads WeasyPrint, Pango, fonts; 1 page): {first:.2f} s")
    print(f"{pages} pages, {args.runs} runs: median {statistics.median(times):.2f} s, "
          f"min {min(times):.2f} s, max {max(times):.2f} s ({statistics.median(times) / pages * 1000:.0f} ms a page)")
    print(f"peak RSS: {rss_before:.0f} MB before, {peak_rss_mb():.0f} MB after; "
          f"Python allocations during one render: peak {python_peak / 1024 / 1024:.0f} MB")


if __name__ == "__main__":
    main()
