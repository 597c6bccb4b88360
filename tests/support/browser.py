"""Real-browser testing of the dashboard: the app on a real server, Debian's Chromium, axe-core.

    def test_x(live_server, page):              # fixtures (tests/web/browser/conftest.py plugs them in)
        page.goto(live_server.url + "/login")
        axe_check(page)                         # WCAG 2.0/2.1/2.2 A and AA: zero violations
        screenshot(page, "login")               # test-artifacts/screenshots/login.png
        console_check(page)                     # no console errors, no uncaught errors, no CSP violations

- `live_server`: `web.create_app` over the test's runtime (so its database, SQLite or PostgreSQL) served by
  waitress on 127.0.0.1 and a free port, in a thread; stopped at the end of the test.
- `browser`: one headless Chromium for the whole session (/usr/bin/chromium, from Debian; `make test` installs
  it through install_browser.sh). Playwright's own browser download cannot work here, so it is launched
  through `executable_path`, with flags that keep it off the network beyond loopback.
- `page`: a fresh context per test, WITHOUT bypass_csp, so the app's Content-Security-Policy applies as it
  does for a person. axe needs no bypass: `page.evaluate` runs through the DevTools protocol, which CSP
  does not govern (an injected <script> tag would be refused).

When Chromium, the playwright package or node_modules/axe-core is missing the tests skip loudly, and fail
with CI=true (`require_service`).
"""

from __future__ import annotations

import os
import re
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from waitress.channel import HTTPChannel
from waitress.server import create_server

from publisher.core.runtime import Runtime
from tests.conftest import require_service
from web import create_app

if TYPE_CHECKING:  # playwright is imported lazily: without it the tests skip instead of erroring
    from playwright.sync_api import Browser, ConsoleMessage, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PUBLISHER_TEST_CHROMIUM", "/usr/bin/chromium"))
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"

# Headless, and nothing that phones home: without the background-networking flags Chromium tries Google's
# servers, which are refused here (and would be noise in any case).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LAUNCH_TIMEOUT_MS = 30_000
ACTION_TIMEOUT_MS = 10_000  # every Playwright wait (goto, click, fill, wait_for_*) in these tests
AXE_TIMEOUT_MS = 20_000
SERVER_STOP_TIMEOUT_S = 5.0
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


# --- the app on a real server --------------------------------------------------------------------------

@dataclass
class LiveServer:
    url: str  # "http://127.0.0.1:<port>", no trailing slash

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture
def live_server(rt: Runtime) -> Iterator[LiveServer]:
    """The real app on waitress, against this test's database. On SQLite, commit (or roll back) the
    `session` fixture before the browser makes the server write: an open writer transaction holds the lock.
    """
    app = create_app({"RUNTIME": rt})  # as `publisher serve` builds it; TESTING would change error handling
    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="publisher-test",
                           channel_timeout=30, clear_untrusted_proxy_headers=True)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.effective_port}")
    finally:
        _stop(server, thread)


def _stop(server: Any, thread: threading.Thread) -> None:
    # First the worker threads: a request in flight finishes (it pulls the trigger when done), none starts.
    server.task_dispatcher.shutdown(timeout=SERVER_STOP_TIMEOUT_S)

    # waitress's loop runs while its socket map is not empty, and a browser's keep-alive connections stay
    # in it: close every channel (connections, the listener, the trigger) from inside the loop's own thread,
    # where it is safe to, through the trigger; the loop then ends by itself.
    def close_all() -> None:
        for channel in list(server._map.values()):
            if isinstance(channel, HTTPChannel):
                channel.handle_close()  # also drops its pending requests
            else:
                channel.close()

    server.trigger.pull_trigger(close_all)
    thread.join(SERVER_STOP_TIMEOUT_S)
    if thread.is_alive():
        pytest.fail(f"the live server did not stop within {SERVER_STOP_TIMEOUT_S:.0f} s", pytrace=False)


# --- the browser ---------------------------------------------------------------------------------------

def _require_tools() -> None:
    if not CHROMIUM.exists():
        require_service(f"Chromium ({CHROMIUM})", FileNotFoundError(
            "run `make test`, or `bash tests/support/install_browser.sh`"))
    if not AXE_JS.exists():
        require_service(f"axe-core ({AXE_JS.relative_to(ROOT)})", FileNotFoundError("run `make test`, or `npm ci`"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    _require_tools()
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        require_service("the playwright package", ImportError(f"{exc}; run `make test`, or "
                                                              "`.venv/bin/pip install -e '.[test]'`"))
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                  args=CHROMIUM_ARGS, timeout=LAUNCH_TIMEOUT_MS)
        except Error as exc:
            require_service(f"Chromium ({CHROMIUM}) through Playwright", exc)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class PageLog:
    """What a page said that a person would never see: console errors, uncaught errors, CSP violations."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"console error: {m}" for m in self.console_errors]
                + [f"uncaught error: {m}" for m in self.page_errors]
                + [f"CSP violation: {m}" for m in self.csp_violations])


_logs: weakref.WeakKeyDictionary[Page, PageLog] = weakref.WeakKeyDictionary()

# Reports every CSP violation (also report-only ones, which the console may not show as errors) to Python.
_CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', e => window.__publisherCspViolation(
  `${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || e.documentURI}` +
  `:${e.lineNumber} (${e.disposition})`));
"""


def _console_error(log_: PageLog, message: ConsoleMessage) -> None:
    if message.type != "error":
        return
    where = message.location.get("url", "")
    # Chromium asks every origin for /favicon.ico by itself; that request is not the page's doing.
    if where and urlsplit(where).path == "/favicon.ico" and "Failed to load resource" in message.text:
        return
    log_.console_errors.append(f"{message.text} ({where or 'no url'}:{message.location.get('lineNumber', 0)})")


def watched_page(browser: Browser) -> Page:
    """A page in a fresh context, with the app's CSP in force and the console watched (`console_check`).
    Close it with `page.context.close()`; several at once are several people's browsers."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="sr-Latn-RS",
                                  timezone_id="Europe/Belgrade", service_workers="block")
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
    watched = PageLog()
    context.expose_function("__publisherCspViolation", lambda text: watched.csp_violations.append(text))
    context.add_init_script(_CSP_LISTENER)
    new_page = context.new_page()
    _logs[new_page] = watched
    new_page.on("console", lambda message: _console_error(watched, message))
    new_page.on("pageerror", lambda error: watched.page_errors.append(f"{error.name}: {error.message}"))
    return new_page


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    new_page = watched_page(browser)
    try:
        yield new_page
    finally:
        new_page.context.close()


def page_log(page: Page) -> PageLog:
    return _logs[page]


def console_check(page: Page) -> None:
    """Fails with every console error, uncaught error and CSP violation the page has logged so far."""
    page.wait_for_load_state("load")
    problems = page_log(page).problems()
    if problems:
        pytest.fail(f"{page.url} logged {len(problems)} problem(s):\n  " + "\n  ".join(problems), pytrace=False)


# --- accessibility, screenshots ------------------------------------------------------------------------

_AXE_SOURCE: str | None = None

_RUN_AXE = """([options, timeoutMs]) => Promise.race([
  axe.run(document, options).then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary || ''})),
  }))),
  new Promise((_, reject) => setTimeout(() => reject(new Error(`axe did not finish in ${timeoutMs} ms`)),
                                        timeoutMs)),
])"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1/2.2 A and AA violations on the page as it is now."""
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = AXE_JS.read_text(encoding="utf-8")
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_AXE_SOURCE)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return page.evaluate(_RUN_AXE, [options, AXE_TIMEOUT_MS])


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            # "Fix any of the following:\n  reason\n  reason" -> one line, reasons apart
            head, *reasons = [line.strip() for line in node["summary"].splitlines() if line.strip()] or [""]
            summary = f"{head} {'; '.join(reasons)}".strip()
            lines.append(f"    {node['target']}" + (f" — {summary}" if summary else ""))
    return "\n".join(lines)


def axe_check(page: Page) -> None:
    """Fails listing each axe violation (rule, impact, help, the elements) when there is any."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(f"axe found {len(violations)} accessibility violation(s) on {page.url}:\n"
                    + format_violations(violations), pytrace=False)


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG under test-artifacts/screenshots/, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") + ".png")
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


# --- signing in ----------------------------------------------------------------------------------------

# The sign-in form's fields, by what a form should say about them (autocomplete), then by common names.
USERNAME_FIELD = 'input[autocomplete="username"], input[name="username"], input[name="name"], input[name="login"]'
PASSWORD_FIELD = 'input[type="password"]'
SUBMIT_BUTTON = 'button[type="submit"], input[type="submit"], button:not([type])'


def sign_in(page: Page, server: LiveServer, name: str, password: str) -> None:
    """Signs in through the real /login form, as a person would; fails with what the page said if refused."""
    page.goto(server("/login"))
    form = page.locator("form", has=page.locator(PASSWORD_FIELD)).first
    form.locator(USERNAME_FIELD).first.fill(name)
    form.locator(PASSWORD_FIELD).first.fill(password)
    with page.expect_navigation():
        form.locator(SUBMIT_BUTTON).first.click()
    if urlsplit(page.url).path.rstrip("/") == "/login":
        said = re.sub(r"\s+", " ", page.locator("body").inner_text()).strip()
        pytest.fail(f"signing in as {name} was refused; the page says: {said[:300]}", pytrace=False)
