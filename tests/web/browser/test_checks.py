"""The browser checks themselves catch what they are for, on a page that has each fault once."""

from __future__ import annotations

import pytest

from tests.support.browser import axe_check, console_check, page_log

# Served through page.route, so no server is involved; the CSP is the app's (web/app.py).
ORIGIN = "http://127.0.0.1:9"
CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
FAULTY = """<!doctype html><html><head><meta charset="utf-8"><title>faulty</title></head>
<body><main><h1>faulty</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<script>document.title = "inline scripts are refused by the CSP";</script>
<script src="/boom.js"></script>
</main></body></html>"""
BOOM = "console.error('a console error'); throw new TypeError('an uncaught error');"


def serve_faulty(route) -> None:
    if route.request.url.endswith("/boom.js"):
        route.fulfill(body=BOOM, content_type="text/javascript", headers={"Content-Security-Policy": CSP})
    else:
        route.fulfill(body=FAULTY, content_type="text/html", headers={"Content-Security-Policy": CSP})


def test_checks_report_each_fault(page) -> None:
    page.route(ORIGIN + "/**", serve_faulty)
    page.goto(ORIGIN + "/faulty")

    with pytest.raises(pytest.fail.Exception) as axe_failure:
        axe_check(page)
    message = str(axe_failure.value)
    assert "[critical] image-alt: Images must have alternative text" in message
    assert "\n    img — Fix any of the following: Element does not have an alt attribute; " in message  # the element, so a person can find it
    assert "html-has-lang" in message  # every violation is listed, not just the first

    log = page_log(page)
    assert any("a console error" in m for m in log.console_errors), log
    assert any("an uncaught error" in m for m in log.page_errors), log
    assert any("script-src-elem blocked inline" in m for m in log.csp_violations), log
    with pytest.raises(pytest.fail.Exception, match="CSP violation"):
        console_check(page)
