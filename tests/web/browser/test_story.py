"""The office's day in one story, in a real Chromium against the real app and a loopback portal:

an officer writes a post with an image and sends it for approval, an approver approves it, the worker
publishes it to the state portal, and the manager finds it in the history with its live link.
Every page on the way is checked (axe, console, screenshot).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from publisher.core.models import Post
from publisher.destinations import channel_store
from publisher.publishing.worker import Worker, WorkerOptions
from tests.factories.media import png_bytes
from tests.factories.office import PORTAL_SECRET
from tests.factories.people import SYSTEM
from tests.support.browser import sign_in, watched_page
from tests.web.browser.test_pages import backend, check_page
from tests.web.conftest import PASSWORD

TITLE = "Ministarka otvorila novi vrtić u Nišu"
BODY = "Danas je u Nišu otvoren vrtić za 120 dece. Izgradnju je finansiralo Ministarstvo."
ALT = "Ministarka i deca ispred ulaza u novi vrtić"


@pytest.fixture
def live_portal(people, session, rt, portal):
    channel = channel_store.add_channel(session, rt.box, "state_portal", "portal-live",
                                        {"url": portal.url, "secret": PORTAL_SECRET}, actor=SYSTEM)
    session.commit()  # before the browser makes the server write (SQLite's lock)
    return channel


@pytest.fixture
def as_person(browser: Browser, live_server) -> Iterator[Callable[[str], Page]]:
    """as_person("ana"): a browser of that person's own, signed in through the form."""
    opened: list[Page] = []

    def open_as(name: str) -> Page:
        page = watched_page(browser)
        opened.append(page)
        sign_in(page, live_server, name, PASSWORD)
        return page

    yield open_as
    for page in opened:
        page.context.close()


def read(rt, model, ident):
    with rt.read_sessions() as reader:
        return reader.get(model, ident)


def test_an_officer_writes_an_approver_approves_the_worker_publishes_the_manager_sees_it(
        as_person, live_server, people, live_portal, portal, rt, session, tmp_path, database_url):
    db = backend(database_url)
    image = tmp_path / "vrtic.png"
    image.write_bytes(png_bytes(64, 48))

    # The officer writes the post, attaches a photo with its alt text, and sends it for approval.
    ana = as_person("ana")
    ana.goto(live_server("/posts/new"))
    ana.fill("#title", TITLE)
    ana.fill("#body", BODY)
    ana.check(f'input[name="channels"][value="{live_portal.id}"]')
    ana.set_input_files("#upload", str(image))
    ana.fill("#upload_alt", ALT)
    ana.check('input[name="when"][value="approved"]')
    check_page(ana, f"story-1-compose-{db}")
    with ana.expect_navigation():
        ana.click('button[name="action"][value="submit"]')
    post_id = read_post_id(rt)
    assert read(rt, Post, post_id).status == "pending_approval"
    check_page(ana, f"story-2-sent-for-approval-{db}")

    # The approver finds it waiting, reads it, and approves it.
    marko = as_person("marko")
    marko.goto(live_server("/approvals"))
    assert TITLE in marko.content()
    with marko.expect_navigation():
        marko.click(f'a[href="/approvals/{post_id}"]')
    assert BODY in marko.locator("main").inner_text()
    check_page(marko, f"story-3-approval-{db}")
    with marko.expect_navigation():
        marko.click(f'form[action="/approvals/{post_id}/approve"] button[type="submit"]')
    assert read(rt, Post, post_id).status == "scheduled"

    # The worker publishes it to the portal, photo and alt text included, signed.
    worker = Worker(rt, WorkerOptions(threads=4), worker_id="story")
    try:
        worker.run_until_idle(timeout=30)
    finally:
        worker.close()
    assert read(rt, Post, post_id).status == "published"
    (received,) = portal.requests
    assert received.signature_valid
    sent = received.json["data"]
    assert (sent["id"], sent["title"], sent["body"]) == (post_id, TITLE, BODY)
    assert [(m["alt_text"], m["content_type"]) for m in sent["media"]] == [(ALT, "image/png")]
    live_url = next(iter(portal.accepted.values()))["url"]

    # The manager sees it in the history, with the link to the live post, and opens its page.
    jelena = as_person("jelena")
    jelena.goto(live_server("/history"))
    row = jelena.locator("tr", has_text=TITLE)
    assert row.count() == 1
    assert row.locator(f'a[href="{live_url}"]').count() == 1
    check_page(jelena, f"story-4-history-{db}")
    with jelena.expect_navigation():
        row.locator(f'a[href="/posts/{post_id}"]').click()
    main = jelena.locator("main").inner_text()
    assert re.search(r"ana", main) and re.search(r"marko", main)  # who wrote it, who approved it
    assert jelena.locator(f'a[href="{live_url}"]').count() >= 1
    check_page(jelena, f"story-5-post-{db}")
    assert urlsplit(jelena.url).path == f"/posts/{post_id}"


def read_post_id(rt) -> int:
    with rt.read_sessions() as reader:
        return reader.query(Post.id).order_by(Post.id.desc()).limit(1).scalar()
