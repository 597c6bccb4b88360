"""The history and a post's page in Chromium: resolving a delivery whose outcome is unknown with
"it went out: URL", as a person does, and the refusal of a link that is not a web address."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from publisher.core.models import Delivery
from tests.support.browser import axe_check, console_check, page_log, screenshot, sign_in
from tests.web.conftest import PASSWORD
from tests.web.history_data import history_mix

ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@ON_SQLITE
def test_resolving_an_unknown_delivery_from_the_history(live_server, page, people, session, rt) -> None:
    made = history_mix(session, people)
    session.commit()
    unknown = made.deliveries["archive"]
    sign_in(page, live_server, "ana", PASSWORD)

    page.goto(live_server("/history?status=unknown"))
    with page.expect_navigation():
        page.get_by_role("link", name="Saopštenje o budžetu").click()
    assert page.url.endswith(f"/posts/{made.post.id}")

    field = page.get_by_label(re.compile("Objava je izašla: njena veza na kanalu archive"))
    field.fill("javascript:alert(1)")  # a valid URL to the browser; the server refuses it
    with page.expect_navigation():
        field.press("Enter")
    assert page.locator(".error-summary").is_visible()
    assert page.locator(f"#went_out-{unknown.id}").get_attribute("aria-invalid") == "true"
    screenshot(page, "post-detail-bad-link-sqlite")
    axe_check(page)

    field = page.get_by_label(re.compile("Objava je izašla: njena veza na kanalu archive"))
    field.fill("https://example.org/arhiva/budzet")
    with page.expect_navigation():
        page.get_by_role("button", name="Zabeleži da je izašla").click()
    assert "Zabeleženo: objava je izašla na kanalu archive." in page.locator(".flashes").inner_text()
    link = page.get_by_role("link", name=re.compile("otvori na kanalu archive"))
    assert link.get_attribute("href") == "https://example.org/arhiva/budzet"
    assert link.get_attribute("rel") == "noopener noreferrer"
    screenshot(page, "post-detail-resolved-sqlite")
    axe_check(page)
    log = page_log(page)  # Chromium logs the refused form's 422 itself: expected, the page handled it
    log.console_errors[:] = [m for m in log.console_errors if "status of 422" not in m]
    console_check(page)
    session.rollback()
    assert session.scalar(select(Delivery.status).where(Delivery.id == unknown.id)) == "sent"
