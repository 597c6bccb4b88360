"""The preview per channel in a real Chromium: it follows the typing (preview.js asks the server for the
fragment), the Preview button works with and without JavaScript; axe and the console stay clean."""

from __future__ import annotations

import pytest

from tests.support.browser import sign_in
from tests.web.browser.test_compose_browser import x_channel  # noqa: F401 (a fixture: the X channel "x")
from tests.web.browser.test_pages import ON_SQLITE, backend, check_page
from tests.web.conftest import PASSWORD


@ON_SQLITE
@pytest.mark.usefixtures("x_channel")
def test_the_preview_follows_the_typing(live_server, page, people, database_url) -> None:
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server("/posts/new"))
    previews = page.locator("#preview-list")
    assert "Izaberite kanale" in previews.inner_text()
    page.get_by_label("x", exact=True).check()
    page.get_by_label("Tekst", exact=True).fill("Ljubav i džem\nhttps://www.privreda.gov.rs/vesti")
    page.wait_for_function("() => document.querySelector('#preview-list .preview-card-domain') !== null")
    assert page.locator("#preview-list .preview-text").inner_text() == \
        "Ljubav i džem\nhttps://www.privreda.gov.rs/vesti"
    assert "38/280" in previews.inner_text()  # 13 + the form's line break (CR LF) + 23 for the link

    page.get_by_label("Tekst", exact=True).fill("Ljubav i džem " + "reč " * 70)  # 294: too long for X
    page.wait_for_function("() => document.querySelector('#preview-list mark.preview-overflow') !== null")
    assert page.locator("#preview-list mark.preview-overflow").inner_text() == ("Ljubav i džem " + "reč " * 70)[280:]
    assert page.url.endswith("/posts/new")  # in place, no page load
    check_page(page, f"compose-preview-typed-{backend(database_url)}")


@ON_SQLITE
@pytest.mark.usefixtures("x_channel")
def test_the_preview_button_without_javascript(live_server, browser, people, database_url) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, "ana", PASSWORD)
        page.goto(live_server("/posts/new"))
        page.get_by_label("x", exact=True).check()
        page.get_by_label("Tekst", exact=True).fill("Ljubav i džem")
        with page.expect_navigation():
            page.get_by_role("button", name="Pregled", exact=True).click()
        assert page.url.endswith("/posts/new#previews")
        assert page.locator("#preview-list .preview-text").inner_text() == "Ljubav i džem"
        assert "13/280" in page.locator("#preview-list").inner_text()
    finally:
        context.close()
