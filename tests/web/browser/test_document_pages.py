"""The page a server without PDF support shows instead of a document (web.printed), in the browser: four
languages at 390 px, axe-clean, through test_pages.visit. Its own module: readiness is made to report what is
missing for this test only (the live server runs in this process)."""

from __future__ import annotations

import sys

import pytest

from publisher.pdf import readiness
from tests.factories.posts import approved_post
from tests.web.browser.test_pages import ON_SQLITE, DashboardPage, visit


@pytest.fixture(autouse=True)
def fresh_readiness():
    """Asked anew in this test, and forgotten after it: the next test of this process asks the real machine."""
    readiness.missing.cache_clear()
    yield
    readiness.missing.cache_clear()


def an_approved_post(session, office) -> None:
    approved_post(session, office.runtime, office)


@ON_SQLITE
def test_the_pdf_unavailable_page_in_browser(live_server, page, people, session, database_url, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as when cffi cannot load pango
    monkeypatch.setattr("publisher.pdf.fonts.FAMILY", "No Such Family Anywhere")  # and the font is not there
    target = DashboardPage("pdf-unavailable-ana", "/posts/1/approval.pdf", "ana", status=503,
                           prepare=an_approved_post)
    visit(target, live_server, page, people, session, database_url)
