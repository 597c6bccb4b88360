"""No dead ends, in a real Chromium: a post sent back is opened from the overview, fixed and sent again."""

from __future__ import annotations

from urllib.parse import urlsplit

from publisher.core.models import Post
from publisher.core.states import PostStatus
from tests.support.browser import sign_in
from tests.web.browser.posts import WEEK, add_post
from tests.web.browser.test_pages import ON_SQLITE, backend, check_page
from tests.web.conftest import PASSWORD


@ON_SQLITE
def test_a_post_sent_back_opens_from_the_overview_and_goes_back_for_approval(live_server, page, people, session,
                                                                          rt, database_url) -> None:
    returned = add_post(session, people, "ana", "Program podrške", "Ministarstvo privrede objavljuje program.",
                        PostStatus.REJECTED, WEEK)
    returned.rejection_comment = "Dodaj rok za prijave."
    session.commit()  # on SQLite an open writer would hold up the server's writes
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server("/"))
    with page.expect_navigation():
        page.locator(f'a[href="/posts/{returned.id}/edit"]').click()
    assert urlsplit(page.url).path == f"/posts/{returned.id}/edit"
    check_page(page, f"compose-sent-back-{backend(database_url)}")
    page.get_by_label("Tekst", exact=True).fill("Ministarstvo privrede objavljuje program. Prijave traju do 30. juna.")
    with page.expect_navigation():
        page.locator('button[name="action"][value="submit"]').click()
    with rt.read_sessions() as reader:
        post = reader.get(Post, returned.id)
        assert post.status == PostStatus.PENDING_APPROVAL and "30. juna" in post.body
