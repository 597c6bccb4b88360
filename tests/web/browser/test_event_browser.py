"""An officer plans an event through the form in a real Chromium and finds it on its page; a post linked to an
event stands beside it in the month view."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from publisher.activities.models import Event
from publisher.core.states import PostStatus
from tests.factories.events import make_event, make_official
from tests.support.browser import sign_in
from tests.web.browser.posts import add_post
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


@ON_SQLITE
def test_a_post_linked_to_an_event_and_the_event_stand_side_by_side_in_the_month(live_server, page, people, session,
                                                                                database_url) -> None:
    event = make_event(session, people.actor("ana"), title={"sr-Latn": "Konferencija o budžetu"},
                       start="2031-06-18T10:00", end="2031-06-18T11:00")
    post = add_post(session, people, "bojan", "Najava konferencije o budžetu", "Ministarka govori u sredu.",
                    PostStatus.SCHEDULED, datetime(2031, 6, 18, 6, 0, tzinfo=UTC))  # 08:00 in Belgrade
    session.commit()
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server(f"/events/{event.id}"))
    page.fill("#link-post", str(post.id))
    page.select_option("#link-role", "announcement")
    with page.expect_navigation():
        page.get_by_role("button", name="Poveži objavu").click()
    assert page.locator("#links a", has_text="Najava konferencije o budžetu").count() == 1
    page.goto(live_server("/calendar?view=month&day=2031-06-18"))
    day = page.locator("li.cal-mday", has=page.get_by_text("Konferencija o budžetu"))
    assert day.count() == 1, "the event is on one day of the month"
    text = day.inner_text()
    assert "Najava konferencije o budžetu" in text and "Konferencija o budžetu" in text
    assert day.locator(f'a[href$="/events/{event.id}"]').count() == 1
    check_page(page, f"event-and-post-in-month-{backend(database_url)}")
