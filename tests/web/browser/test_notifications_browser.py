"""In a real browser: the approver sees the count in the header, follows it to the post waiting for them,
approves it; the author finds the approval in their list and marks it read."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from publisher.core.models import User
from tests.factories import posts as factories
from tests.web.browser.test_story import as_person  # noqa: F401 (the fixture: each person's own browser)

ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@ON_SQLITE
def test_the_count_leads_the_approver_to_the_post_and_the_author_reads_the_approval(
        as_person, live_server, people, rt, session):  # noqa: F811 (the fixture imported above)
    session.execute(update(User).values(locale="en"))
    session.commit()
    post_id = factories.pending_post(session, rt, people, title="Poziv novinarima")

    marko = as_person("marko")
    count = marko.locator("a.unread-link")
    assert count.inner_text() == "1 unread notification"
    with marko.expect_navigation():
        count.click()
    with marko.expect_navigation():
        marko.get_by_role("link", name="“Poziv novinarima” waits for your approval (sent by ana).").click()
    assert marko.url.endswith(f"/approvals/{post_id}")
    with marko.expect_navigation():
        marko.click(f'form[action="/approvals/{post_id}/approve"] button[type="submit"]')

    ana = as_person("ana")
    assert ana.locator("a.unread-link").inner_text() == "1 unread notification"
    ana.goto(live_server("/notifications"))
    assert "marko approved “Poziv novinarima”." in ana.locator("main").inner_text()
    with ana.expect_navigation():
        # The button names its notification for a screen reader: "Mark as read: marko approved …".
        ana.get_by_role("button", name="marko approved “Poziv novinarima”.").click()
    assert ana.locator("a.unread-link").inner_text() == "0 unread notifications"
    assert ana.get_by_role("button", name="Mark all as read").count() == 0
