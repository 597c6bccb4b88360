"""Several posts at once in Chromium, as people do it: an approver ticks two posts and approves them in one
go; an officer ticks posts in the queue, is told on the next page what moving them does, and moves them."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.support.browser import sign_in
from tests.web.browser.posts import approval_queue, planned_week
from tests.web.browser.test_approvals_browser import status_of
from tests.web.browser.test_pages import ON_SQLITE, backend, check_page
from tests.web.conftest import PASSWORD


@ON_SQLITE
def test_an_approver_approves_two_posts_at_once(live_server, page, people, session, rt, database_url):
    approval_queue(session, people)
    session.commit()  # on SQLite an open writer would hold up the server's writes
    sign_in(page, live_server, "marko", PASSWORD)
    page.goto(live_server("/approvals"))
    page.locator('input[name="post"][value^="1:"]').check()
    page.locator('input[name="post"][value^="2:"]').check()
    with page.expect_navigation():
        page.locator('form[action="/approvals/bulk"] button[type="submit"]').click()
    assert urlsplit(page.url).path == "/posts/bulk/result"
    assert page.locator(".outcome-done").count() == 2 and page.locator(".outcome-refused").count() == 0
    check_page(page, f"bulk-approved-{backend(database_url)}")
    assert status_of(rt, 1) == status_of(rt, 2) == "scheduled" and status_of(rt, 3) == "pending_approval"


@ON_SQLITE
def test_an_officer_moves_posts_from_the_queue_after_the_warning(live_server, page, people, session, rt,
                                                                 database_url):
    planned_week(session, people)
    session.commit()
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server("/queue?from=2031-06-16"))
    page.locator('input[name="post"][value="1"]').check()  # approved
    page.locator('input[name="post"][value="3"]').check()  # a draft
    with page.expect_navigation():
        page.locator('button[name="action"][value="move"]').click()
    assert page.locator("#confirm-effects").count() == 1 and status_of(rt, 1) == "scheduled"
    page.locator('input[name="how"][value="shift"]').check()
    page.locator('input[name="days"]').fill("1")
    with page.expect_navigation():
        page.locator(".bulk-move button[type='submit']").click()
    assert urlsplit(page.url).path == "/posts/bulk/result"
    assert page.locator(".outcome-done").count() == 2
    check_page(page, f"bulk-moved-{backend(database_url)}")
    assert status_of(rt, 1) == "pending_approval" and status_of(rt, 3) == "draft"
