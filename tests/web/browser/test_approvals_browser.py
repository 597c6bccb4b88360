"""Approving a post through the real pages in Chromium: the list, the post with its diff, the button; and
sending one back without a comment, which the form refuses with a summary that screen readers hear first."""

from __future__ import annotations

from urllib.parse import urlsplit

from publisher.core.models import Post
from tests.support.browser import sign_in
from tests.web.browser.library_data import approval_with_media
from tests.web.browser.posts import approval_queue
from tests.web.browser.test_pages import ON_SQLITE, backend, check_page
from tests.web.conftest import PASSWORD


def open_as(page, live_server, people, session, name: str, path: str) -> None:
    """The approval queue in the database, then the page as that person sees it."""
    approval_queue(session, people)
    session.commit()  # on SQLite an open writer would hold up the server's writes
    sign_in(page, live_server, name, PASSWORD)
    page.goto(live_server(path))


def status_of(rt, post_id: int) -> str:
    with rt.read_sessions() as reader:
        return reader.get(Post, post_id).status


@ON_SQLITE
def test_an_approver_approves_through_the_pages(live_server, page, people, session, rt, database_url):
    open_as(page, live_server, people, session, "vesna", "/approvals")
    with page.expect_navigation():
        page.locator('a[href="/approvals/2"]').click()
    assert page.locator("del").count() > 0 and page.locator("ins").count() > 0  # the diff is there
    with page.expect_navigation():
        page.locator('form[action="/approvals/2/approve"] button[type="submit"]').click()
    assert urlsplit(page.url).path == "/approvals"
    assert page.locator(".flash-success").count() == 1
    assert 'href="/approvals/2"' not in page.content()  # no longer waiting
    check_page(page, f"approvals-after-approving-{backend(database_url)}")
    assert status_of(rt, 2) == "scheduled"


@ON_SQLITE
def test_sending_back_without_a_comment_is_refused_in_the_browser(live_server, page, people, session, rt,
                                                                  database_url):
    open_as(page, live_server, people, session, "marko", "/approvals/1")
    with page.expect_navigation():
        page.locator('form[action="/approvals/1/reject"] button[type="submit"]').click()
    assert page.locator(".error-summary").count() == 1
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")  # focus moved there
    assert page.locator('textarea[aria-invalid="true"]').count() == 1
    check_page(page, f"approval-reject-refused-{backend(database_url)}", 422)
    assert status_of(rt, 1) == "pending_approval"


@ON_SQLITE
def test_the_images_fit_a_phone_and_open_full_size(live_server, page, people, session, database_url):
    """At 390 px nothing scrolls sideways; each thumbnail is a link to the original file, its alt the post's."""
    approval_with_media("sr-Latn")(session, people)
    session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "marko", PASSWORD)
    page.goto(live_server("/approvals/1"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    thumbs = page.locator("a.post-medium-view img")
    assert thumbs.count() == 3
    assert [thumbs.nth(i).get_attribute("alt") for i in range(3)] == [
        "Ministarka govori na konferenciji za medije", "Grb Republike Srbije", ""]
    for i in range(3):  # lazy thumbnails load when they come into view (the versions stand above them now)
        thumbs.nth(i).scroll_into_view_if_needed()
    page.wait_for_function("() => [...document.querySelectorAll('a.post-medium-view img')].every(i => i.complete)",
                           timeout=10_000)
    assert all(thumbs.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") for i in range(3))
    check_page(page, f"approval-media-390-{backend(database_url)}")
