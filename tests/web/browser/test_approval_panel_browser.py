"""The approval panel in a real browser, on the test area's page (tests.factories.approval): each language at
390 px, axe-clean, as test_pages checks every page; and the approvals list with other things waiting."""

from __future__ import annotations

import pytest

from publisher.approval import service
from publisher.approval.subject import Subject
from tests.factories.approval import notices, with_notices_page  # noqa: F401 - fixture
from tests.support import browser as browser_support
from tests.web.browser.test_pages import ON_SQLITE, DashboardPage, visit


@pytest.fixture
def notices_app(notices, monkeypatch):  # noqa: F811
    """The live server's app gets the test area's page (asked for before `live_server`, so it builds it)."""
    build = browser_support.create_app
    monkeypatch.setattr(browser_support, "create_app", lambda config: with_notices_page(build(config)))
    return notices


def waiting_notices(held):
    def prepare(session, office) -> None:
        ana, olga = office.users["ana"].id, office.users["olga"].id
        service.submit(session, office.actor("ana"), held.add(1, "Javni poziv za stipendije",
                                                              "Rok za prijave je 1. mart.\nAdresa: Nemanjina 22.",
                                                              ana))
        service.send_back(session, office.actor("vesna"), Subject("notice", 1), "Navedi i broj telefona.")
        service.submit(session, office.actor("ana"), Subject("notice", 1))
        service.submit(session, office.actor("olga"), held.add(2, "Olgino saopštenje", "Tekst.", olga))
    return prepare


TARGETS = [
    DashboardPage("approval-panel-marko", "/test-notices/1", "marko"),  # approve or send back, the history
    DashboardPage("approval-panel-own-olga", "/test-notices/2", "olga"),  # four eyes: refused, may withdraw
    DashboardPage("approvals-others-marko", "/approvals", "marko"),  # "other things waiting for your approval"
]


@ON_SQLITE
@pytest.mark.parametrize("target", TARGETS, ids=lambda p: p.name)
def test_the_panel_in_browser(target, notices_app, live_server, page, people, session, database_url) -> None:
    visit(DashboardPage(target.name, target.path, target.person, prepare=waiting_notices(notices_app)),
          live_server, page, people, session, database_url)
