"""An officer plans an event through the form in a real Chromium and finds it on its page."""

from __future__ import annotations

from sqlalchemy import select

from publisher.activities.models import Event
from tests.factories.events import make_official
from tests.support.browser import sign_in
from tests.web.browser.test_pages import ON_SQLITE, backend, check_page
from tests.web.conftest import PASSWORD


@ON_SQLITE
def test_an_event_is_created_through_the_form_and_shown_on_its_page(live_server, page, people, session,
                                                                    database_url) -> None:
    make_official(session, "Др Јована Петровић", "minister")
    session.commit()
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server("/events/new"))
    page.select_option("#kind", "press_conference")
    page.locator("#title details").first.locator("summary").click()
    page.fill("#title-sr-Cyrl", "Конференција за медије о буџету")
    page.fill("#start_date", "2030-03-04")
    page.fill("#start_time", "10:00")
    page.fill("#end_time", "11:00")
    page.fill("#place", "Сала 1, Немањина 11")
    page.check("#officials")
    page.select_option("#status", "confirmed")
    with page.expect_navigation():
        page.get_by_role("button", name="Sačuvaj događaj").click()
    assert "/events/" in page.url and "/new" not in page.url, page.url
    heading = page.locator("h1").inner_text()
    assert heading in ("Konferencija za medije o budžetu", "Конференција за медије о буџету")
    text = page.locator("main").inner_text()
    assert "Др Јована Петровић" in text and "2030-03-04 10:00 – 11:00" in text
    event = session.scalars(select(Event)).one()
    assert (event.kind, event.status, event.start_local) == ("press_conference", "confirmed", "2030-03-04T10:00")
    session.commit()
    check_page(page, f"event-created-{backend(database_url)}")
