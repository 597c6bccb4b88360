"""The officer's day, in real Chromium browsers of two people, through the workflow as they use it.

Ana opens the post Marko sent back from her overview, fixes it and sends it again; Marko sees its photo with
the alt text and the preview per channel, then approves it together with Bojan's post in one go from the
list; Ana finds both approvals counted in her header and listed; she drags another post of hers to a later day
in the month view, is told it goes back for approval, and confirms.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from urllib.parse import urlsplit

from publisher.core.models import Post
from publisher.core.states import PostStatus
from publisher.media.store import store_upload
from publisher.posts import workflow
from tests.factories import posts as factories
from tests.factories.media import jpeg_bytes
from tests.web.browser.test_calendar_browser import drag
from tests.web.browser.test_pages import ON_SQLITE, backend, check_page
from tests.web.browser.test_story import as_person  # noqa: F401 (the fixture: each person's own browser)

MONDAY = datetime(2031, 6, 16, 7, 0, tzinfo=UTC)  # 09:00 in Belgrade
TUESDAY = datetime(2031, 6, 17, 8, 30, tzinfo=UTC)


def status_of(rt, post_id: int) -> str:
    with rt.read_sessions() as reader:
        return reader.get(Post, post_id).status


@ON_SQLITE
def test_the_officers_day(as_person, live_server, people, rt, session, database_url) -> None:  # noqa: F811
    for person in people.users.values():
        person.locale = "en"
    photo, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(jpeg_bytes(640, 480)),
                            actor=people.actor("ana"), filename="vrtic.jpg",
                            alt_text="Children in the new kindergarten in Kraljevo")
    returned = factories.pending_post(session, rt, people, title="New kindergarten in Kraljevo",
                                      body="The ministry opens a kindergarten.", channels=["portal"],
                                      media=[{"id": photo.id}], scheduled_at=MONDAY.isoformat())
    workflow.reject(session, rt, people.actor("marko"), returned, "Say when it opens.")
    colleagues = factories.pending_post(session, rt, people, author="bojan", title="Press conference on Tuesday",
                                        body="The minister speaks to the press.", channels=["portal"],
                                        scheduled_at=TUESDAY.isoformat())
    planned = factories.approved_post(session, rt, people, title="Budget proposal adopted",
                                      body="The government adopted the budget proposal.", channels=["portal"],
                                      scheduled_at=TUESDAY.isoformat())
    session.commit()  # on SQLite an open writer would hold up the server's writes
    db = backend(database_url)

    # Ana reopens the post sent back from her overview, fixes it and sends it for approval again.
    ana = as_person("ana")
    with ana.expect_navigation():
        ana.locator(f'main a[href="/posts/{returned}/edit"]').first.click()
    assert "Say when it opens." in ana.locator("main").inner_text()
    ana.get_by_label("Text", exact=True).fill("The ministry opens a kindergarten on 1 September.")
    with ana.expect_navigation():
        ana.locator('button[name="action"][value="submit"]').click()
    assert status_of(rt, returned) == PostStatus.PENDING_APPROVAL

    # Marko sees the photo with its alt text and how each channel will show the post, then approves two at once.
    marko = as_person("marko")
    marko.goto(live_server(f"/approvals/{returned}"))
    assert marko.locator('main img[alt="Children in the new kindergarten in Kraljevo"]').count() >= 1
    previews = marko.locator("#previews .preview")
    assert previews.count() == 1 and "1 September" in previews.first.inner_text()
    check_page(marko, f"officers-day-approval-{db}")
    marko.goto(live_server("/approvals"))
    marko.locator(f'input[name="post"][value^="{returned}:"]').check()
    marko.locator(f'input[name="post"][value^="{colleagues}:"]').check()
    with marko.expect_navigation():
        marko.locator('form[action="/approvals/bulk"] button[type="submit"]').click()
    assert marko.locator(".outcome-done").count() == 2 and marko.locator(".outcome-refused").count() == 0
    assert status_of(rt, returned) == status_of(rt, colleagues) == PostStatus.SCHEDULED

    # Ana is told: the count in her header (the send-back, the earlier approval and this one), and the list.
    ana.goto(live_server("/"))
    assert ana.locator("a.unread-link").inner_text() == "3 unread notifications"
    with ana.expect_navigation():
        ana.locator("a.unread-link").click()
    assert "marko approved “New kindergarten in Kraljevo”." in ana.locator("main").inner_text()

    # She drags her approved post to Thursday in the month view; the move page warns, she confirms.
    ana.set_viewport_size({"width": 1366, "height": 900})
    ana.goto(live_server("/calendar?view=month&day=2031-06-16"))
    entry = ana.locator(f'li.cal-movable[data-move^="/queue/{planned}/move"]')
    entry.scroll_into_view_if_needed()  # Thursday is in the same row of the grid
    with ana.expect_navigation():
        drag(ana, entry, ana.locator('li[data-drop-day="2031-06-19"]'))
    assert urlsplit(ana.url).path == f"/queue/{planned}/move"
    assert "Moving it sends it back for approval" in ana.locator("main").inner_text()
    with ana.expect_navigation():
        ana.get_by_role("button", name="Move the post").click()
    with rt.read_sessions() as reader:
        moved = reader.get(Post, planned)
        assert moved.status == PostStatus.PENDING_APPROVAL
        assert moved.scheduled_at == datetime(2031, 6, 19, 8, 30, tzinfo=UTC)
    check_page(ana, f"officers-day-calendar-{db}")
