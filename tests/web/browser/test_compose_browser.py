"""The compose page in a real Chromium: typing updates each channel's count (through the server), the
Cyrillic button rewrites the texts in place, a refused save shows its errors; axe and the console stay clean."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from channels import registry
from publisher.core.models import Post, PostChannel
from publisher.core.states import PostStatus
from publisher.destinations import channel_store
from publisher.destinations.content import content_hash
from tests.factories.office import Office
from tests.factories.people import SYSTEM
from tests.support.browser import sign_in
from tests.web.browser.test_pages import ON_SQLITE, backend, check_page
from tests.web.conftest import PASSWORD


def a_written_post(session: Session, office: Office) -> None:
    """Post 1: a draft for the portal and the archive, with an own text for the archive and a set time."""
    now = datetime.now(UTC)
    post = Post(title="Saopštenje o programu podrške", body="Ministarstvo privrede objavljuje novi program.",
                language="sr-Latn", variants={"archive": "Kratka verzija za arhivu."}, status=PostStatus.DRAFT,
                timezone="Europe/Belgrade", scheduled_at=datetime(2031, 6, 15, 8, tzinfo=UTC),
                author_id=office.users["ana"].id, created_at=now, updated_at=now, content_hash="")
    post.channel_links = [PostChannel(channel=office.channels["portal"]),
                          PostChannel(channel=office.channels["archive"])]
    for link in post.channel_links:
        link.channel_id = link.channel.id
    post.content_hash = content_hash(post)
    session.add(post)
    session.flush()


@pytest.fixture
def x_channel(people, session, rt):
    people.channels["x"] = channel_store.add_channel(session, rt.box, "x", "x",
                                                     registry.adapter_class("x").example_settings, actor=SYSTEM)
    session.commit()  # before the browser makes the server write (SQLite's lock)
    return people.channels["x"]


@ON_SQLITE
def test_typing_updates_the_counts_and_the_cyrillic_button(live_server, page, people, x_channel,
                                                           database_url) -> None:
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server("/posts/new"))
    panel = page.locator("#channel-checks")
    page.get_by_label("x", exact=True).check()
    page.get_by_label("Tekst", exact=True).fill("Ljubav i džem")
    count = panel.locator(f'.check-count[data-channel="{x_channel.id}"]')
    count.wait_for()
    page.wait_for_function("() => document.querySelector('#channel-checks .check-count').textContent"
                           ".startsWith('13 od 280')")
    page.get_by_label("Tekst", exact=True).fill("Ljubav i džem " + "reč " * 70)  # 294: too long for X
    page.wait_for_function("() => document.querySelector('#channel-checks .check-over') !== null")
    assert "tekst ima 294 znakova; staje najviše 280" in panel.inner_text()
    assert page.locator("#checks-status").inner_text() == "Problemi na izabranim kanalima: 1."

    page.get_by_label("Tekst", exact=True).fill("Ljubav i džem")
    page.get_by_label("Naslov").fill("Njegoš")
    page.get_by_role("button", name="Prebaci u ćirilicu").click()
    page.wait_for_function("() => document.getElementById('body').value === 'Љубав и џем'")
    assert page.get_by_label("Naslov").input_value() == "Његош"
    assert page.locator('input[name="language"][value="sr-Cyrl"]').is_checked()
    assert page.locator("#body").get_attribute("lang") == "sr-Cyrl"
    assert urlsplit_path(page.url) == "/posts/new"  # converted in place, no page load
    page.wait_for_function("() => document.querySelector('#channel-checks .check-over') === null")
    check_page(page, f"compose-typed-{backend(database_url)}")


@ON_SQLITE
def test_a_refused_save_in_the_browser(live_server, page, people, x_channel, database_url) -> None:
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server("/posts/new"))
    page.get_by_label("Naslov").fill("Bez teksta")
    page.get_by_label("Datum").fill("2031-03-30")
    page.get_by_label("U zadati dan i čas").check()
    page.get_by_label("Vreme", exact=True).fill("02:30")
    with page.expect_navigation():
        page.get_by_role("button", name="Sačuvaj nacrt").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible() and page.evaluate("document.activeElement.className") == "error-summary"
    text = summary.inner_text()
    assert "Napišite tekst objave." in text and "Izaberite bar jedan kanal." in text
    assert "02:30 ne postoji 2031-03-30" in text  # every problem at once, not one round after another
    check_page(page, f"compose-refused-{backend(database_url)}", 422)


@ON_SQLITE
def test_enter_in_the_title_saves_and_does_not_convert(live_server, page, people, x_channel, database_url) -> None:
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server("/posts/new"))
    page.get_by_label("x", exact=True).check()
    page.get_by_label("Tekst", exact=True).fill("Ljubav")
    with page.expect_navigation():
        page.get_by_label("Naslov").press("Enter")
    assert re.fullmatch(r"/posts/\d+/edit", urlsplit_path(page.url))
    assert page.locator("#body").input_value() == "Ljubav"  # saved as written, still Latin
    assert "Nacrt je sačuvan" in page.locator(".flashes").inner_text()


def urlsplit_path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0]


@ON_SQLITE
def test_text_in_the_other_script_is_warned_about_as_it_is_typed(live_server, page, people, database_url) -> None:
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server("/posts/new"))
    warning = page.locator("#script-warning")
    assert warning.is_hidden()
    page.get_by_label("portal", exact=True).check()
    page.get_by_label("Tekst", exact=True).fill("Министарство саопштава")  # the language is Serbian (Latin)
    warning.wait_for(state="visible")
    assert warning.inner_text().startswith("Tekst je napisan ćirilicom, a jezik objave je srpski (latinica).")
    check_page(page, f"compose-script-warning-{backend(database_url)}")
    page.locator('input[name="language"][value="sr-Cyrl"]').check()
    warning.wait_for(state="hidden")
