"""Every dashboard page in a real Chromium: it loads, axe finds no WCAG A/AA violation, the console stays
clean (no errors, no CSP violations), and a screenshot lands in test-artifacts/screenshots/.

A new page gets one line in PAGES.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from tests.support.browser import axe_violations, format_violations, page_log, screenshot, sign_in


@dataclass(frozen=True)
class DashboardPage:
    name: str  # the test's id and the screenshot's file name
    path: str
    person: str | None  # who signs in first (a person of tests/factories.py); None: nobody


PAGES = [
    DashboardPage("index", "/", None),
]


@pytest.mark.parametrize("target", PAGES, ids=lambda p: p.name)
def test_page_in_browser(target: DashboardPage, live_server, page, passwords, database_url: str) -> None:
    if target.person:
        sign_in(page, live_server, target.person, passwords[target.person])
    response = page.goto(live_server(target.path))
    assert response is not None and response.status == 200, f"{target.path}: HTTP {response and response.status}"
    assert urlsplit(page.url).path == target.path, f"{target.path} sent the browser to {page.url}"

    # The picture first, so that it is there to look at when a check below fails.
    screenshot(page, f"{target.name}-{urlsplit(database_url).scheme.split('+')[0]}")
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe: {len(violations)} violation(s)\n" + format_violations(violations))
    logged = page_log(page).problems()
    if logged:
        problems.append("console:\n  " + "\n  ".join(logged))
    if problems:
        pytest.fail(f"{target.name} ({target.path}):\n" + "\n".join(problems), pytrace=False)
