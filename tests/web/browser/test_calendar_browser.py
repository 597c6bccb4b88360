"""The calendar in a real Chromium: a post dragged to another day of the month grid opens its move page with
the new day, which says that the approved post goes back for approval; confirming moves it. The same page
is reached without dragging through the post's "Move in time" link (WCAG 2.2, 2.5.7)."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from publisher.core.models import Post
from publisher.core.states import PostStatus
from tests.support.browser import sign_in
from tests.web.browser.posts import WEEK, add_post
from tests.web.browser.test_pages import ON_SQLITE, backend, check_page
from tests.web.conftest import PASSWORD


def drag(page, source, target) -> None:
    """A mouse drag with intermediate moves, as a person makes it (calendar.js listens to pointer events)."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 5, start["y"] + 5)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(start["x"] + 5 + (end["x"] + 20 - start["x"] - 5) * step / 5,
                        start["y"] + 5 + (end["y"] + 40 - start["y"] - 5) * step / 5)
    page.mouse.up()


@ON_SQLITE
def test_a_post_dragged_to_another_day_goes_back_for_approval(live_server, page, people, session, rt,
                                                               database_url) -> None:
    post = add_post(session, people, "bojan", "Saopštenje o budžetu", "Vlada je usvojila predlog budžeta.",
                    PostStatus.SCHEDULED, WEEK)  # Monday 16 June 2031, 09:00 in Belgrade
    session.commit()
    people.users["ana"].locale = "en"
    session.commit()
    sign_in(page, live_server, "ana", PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server("/calendar?view=month&day=2031-06-16"))
    entry = page.locator(f'li.cal-movable[data-move^="/queue/{post.id}/move"]')
    entry.scroll_into_view_if_needed()  # the filters for events above the grid push its week below the fold
    with page.expect_navigation():
        drag(page, entry, page.locator('li[data-drop-day="2031-06-19"]'))
    address = urlsplit(page.url)
    assert address.path == f"/queue/{post.id}/move"
    assert parse_qs(address.query) == {"view": ["month"], "to": ["2031-06-19T09:00"]}
    assert "This post is approved. Moving it sends it back for approval:" in page.content()
    assert page.locator("#day").input_value() == "2031-06-19" and page.locator("#clock").input_value() == "09:00"
    check_page(page, f"calendar-dropped-{backend(database_url)}")
    with page.expect_navigation():
        page.get_by_role("button", name="Move the post").click()
    assert urlsplit(page.url).query == "view=month&day=2031-06-19"
    with rt.read_sessions() as reader:
        moved = reader.get(Post, post.id)
        assert moved.status == PostStatus.PENDING_APPROVAL
        assert moved.scheduled_at == datetime(2031, 6, 19, 7, 0, tzinfo=UTC)


@ON_SQLITE
def test_a_click_on_a_draggable_title_still_opens_the_post(live_server, page, people, session, database_url) -> None:
    post = add_post(session, people, "ana", "Nacrt vesti", "Još se piše.", PostStatus.DRAFT, WEEK)
    session.commit()
    sign_in(page, live_server, "ana", PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server("/calendar?view=week&day=2031-06-16"))
    with page.expect_navigation():
        page.get_by_role("link", name="Nacrt vesti", exact=True).click()
    assert urlsplit(page.url).path == f"/posts/{post.id}/edit"
    page.goto(live_server("/calendar?view=week&day=2031-06-16"))
    with page.expect_navigation():
        page.locator(f'a.cal-entry-move[href="/queue/{post.id}/move?view=week"]').click()  # the way without dragging
    assert urlsplit(page.url).path == f"/queue/{post.id}/move"
