"""Every dashboard page in a real Chromium: it loads, axe finds no WCAG A/AA violation, the console stays
clean (no errors, no CSP violations), and a screenshot lands in test-artifacts/screenshots/.

A new page gets one line in PAGES.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from tests.support.browser import (
    PASSWORD_FIELD,
    USERNAME_FIELD,
    axe_violations,
    format_violations,
    page_log,
    screenshot,
    sign_in,
)
from tests.web.conftest import PASSWORD


@dataclass(frozen=True)
class DashboardPage:
    name: str  # the test's id and the screenshot's file name
    path: str
    person: str | None  # who signs in first (a person of tests/factories.py, with PASSWORD); None: nobody


PAGES = [
    DashboardPage("login", "/login", None),
    DashboardPage("login-sr-Cyrl", "/login?lang=sr-Cyrl", None),
    DashboardPage("login-sq", "/login?lang=sq", None),
    DashboardPage("login-en", "/login?lang=en", None),
    DashboardPage("home-ana", "/", "ana"),  # officer
    DashboardPage("home-marko", "/", "marko"),  # approver
    DashboardPage("home-jelena", "/", "jelena"),  # manager
    DashboardPage("home-admin", "/", "admin"),
    DashboardPage("account-ana", "/account", "ana"),
]


def backend(database_url: str) -> str:
    return urlsplit(database_url).scheme.split("+")[0]


def check_page(page, name: str) -> None:
    """Screenshot, then axe and the console: every problem of the page in one failure."""
    screenshot(page, name)  # first, so that it is there to look at when a check fails
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe: {len(violations)} violation(s)\n" + format_violations(violations))
    logged = page_log(page).problems()
    if logged:
        problems.append("console:\n  " + "\n  ".join(logged))
    if problems:
        pytest.fail(f"{name} ({page.url}):\n" + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize("target", PAGES, ids=lambda p: p.name)
def test_page_in_browser(target: DashboardPage, live_server, page, people, database_url: str) -> None:
    if target.person:
        sign_in(page, live_server, target.person, PASSWORD)
    response = page.goto(live_server(target.path))
    assert response is not None and response.status == 200, f"{target.path}: HTTP {response and response.status}"
    assert urlsplit(page.url).path == urlsplit(target.path).path, f"{target.path} sent the browser to {page.url}"
    check_page(page, f"{target.name}-{backend(database_url)}")


def test_refused_sign_in_in_browser(live_server, page, people, database_url: str) -> None:
    """The sign-in form showing its error: where markup most often goes wrong for screen readers."""
    page.goto(live_server("/login"))
    page.locator(USERNAME_FIELD).first.fill("ana")
    page.locator(PASSWORD_FIELD).first.fill("not-" + PASSWORD)
    with page.expect_navigation():
        page.locator(PASSWORD_FIELD).first.press("Enter")
    assert urlsplit(page.url).path == "/login"
    # The refusal is the page's own 422, which Chromium also logs as a console error: that one is expected.
    log = page_log(page)
    log.console_errors[:] = [m for m in log.console_errors
                             if not ("status of 422" in m and f"({live_server('/login')}:" in m)]
    check_page(page, f"login-refused-{backend(database_url)}")
