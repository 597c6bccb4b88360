"""No raw internals reach people: every page each role can reach, crawled in Serbian (Latin) over data full
of them (worker ids, sessions, audit keys, file:/// addresses, error kinds, MIME types, channel kinds and
settings), shows words. What experts need stays behind a <details> or in a title attribute."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import update

from publisher.core.models import Delivery, DeliveryAttempt
from publisher.core.states import DeliveryStatus
from publisher.media.store import store_upload
from tests.factories.media import png_bytes
from tests.factories.publishing import post_with_deliveries
from tests.web.page_helpers import at_home

WORKER_ID = "pub-host-7:4242:9f8e2c"
FILE_URL = "file:///srv/publisher/outbox/2025-03-10-saopstenje.json"
RAW = {
    "a worker's id": re.escape(WORKER_ID),
    "a process or session name": r"\b(?:worker|web-session|api-token|cli|reaper|reconciler):",
    "a file:/// address": r"file:/",
    "an audit key": r"\b(?:auth|channel|credentials|delivery|hold|media|post|token|user|alert)\.[a-z_]{3,}\b",
    "a subject key": r"\b(?:channel|user|delivery|media|token|alert|post):\d",
    "a language code": r"\bsr-(?:Latn|Cyrl)\b",
    "an English state or kind": r"\b(?:retry_wait|pending_approval|partially_published|worker_lost|lease_expired|"
                                r"outcome_unknown|rate_limited|needs_person|adapter_error|local_folder|state_portal)\b",
    "a MIME type": r"\b(?:image|video|application)/[a-z]",
    "a setting's name": r"\b(?:health_url|api_base_url|bot_token|page_access_token|consumer_key|app_password)\b",
    "an English channel kind": r"\b(?:Local folder|State portal|Press list|Public feed)\b",
}
SKIP = re.compile(r"/logout|\.csv|\.xlsx|/file\b|/preview|/thumb|\.atom|\.rss|/static/|/api/")


class VisibleText(HTMLParser):
    """The text a person reads: no attributes, nothing inside <details> but its <summary>, no script."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0  # depth inside <details> (outside its summary) or <script>/<style>/<textarea>
        self.summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a" and (href := dict(attrs).get("href")):
            self.links.append(href)
        if tag in ("details", "script", "style", "textarea", "code"):
            self.hidden += 1
        if tag == "summary":
            self.summary = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("details", "script", "style", "textarea", "code"):
            self.hidden -= 1
        if tag == "summary":
            self.summary = False

    def handle_data(self, data: str) -> None:
        if not self.hidden or (self.summary and self.hidden == 1):
            self.parts.append(data)


def crawl(browser, start: str = "/", limit: int = 60) -> dict[str, VisibleText]:
    seen: dict[str, VisibleText] = {}
    queue = [start]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen:
            continue
        response = browser.get(path)
        assert response.status_code < 500, f"{path}: {response.status_code}"
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = VisibleText()
        page.feed(response.get_data(as_text=True))
        seen[path] = page
        for href in page.links:
            parts = urlsplit(urljoin(path, href))
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if not parts.netloc and parts.path.startswith("/") and not SKIP.search(target) \
                    and "lang=" not in parts.query and target not in seen:
                queue.append(target)
    return seen


def raw_internals(pages: dict[str, VisibleText]) -> list[str]:
    found = []
    for path, page in pages.items():
        text = " ".join(page.parts)
        for what, pattern in RAW.items():
            if match := re.search(pattern, text):
                start = max(0, match.start() - 60)
                found.append(f"{path}: {what}: …{text[start:match.end() + 40]}…")
    return found


@pytest.fixture
def full_of_internals(session, rt, people):
    """A post with a retrying delivery whose worker died and one written to the local folder, a library
    image, a channel check, audit rows from the worker, and a stale delivery waiting for a person."""
    made = post_with_deliveries(session, people, "Saopštenje", {"portal": DeliveryStatus.RETRY_WAIT,
                                                                 "archive": DeliveryStatus.SENT})
    portal, archive = made.deliveries["portal"], made.deliveries["archive"]
    session.execute(update(Delivery).where(Delivery.id == portal.id).values(
        error_kind="worker_lost", error="the worker stopped answering during the send; checking with the platform"))
    session.execute(update(Delivery).where(Delivery.id == archive.id).values(url=FILE_URL))
    session.execute(update(DeliveryAttempt).values(worker_id=WORKER_ID))
    post_with_deliveries(session, people, "Zakasnelo", {"portal": DeliveryStatus.STALE})
    store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=people.actor("ana"),
                 filename="slika.png", alt_text="Ministar", credit="")
    session.commit()
    return made


@pytest.mark.parametrize("person", ["ana", "marko", "jelena", "admin"])
def test_no_page_shows_a_raw_internal(signed_in, people, full_of_internals, person):
    browser = at_home(signed_in)(person)
    if person == "admin":
        archive = people.channels["archive"]
        browser.post(f"/admin/channels/{archive.id}/check")  # a check's English answer
    pages = crawl(browser)
    assert f"/posts/{full_of_internals.post.id}" in pages or person == "ana"
    assert len(pages) >= 5
    assert raw_internals(pages) == []


def test_the_technical_values_stay_for_experts(signed_in, people, full_of_internals):
    html = at_home(signed_in)("jelena").get(f"/posts/{full_of_internals.post.id}").get_data(as_text=True)
    assert f'title="{WORKER_ID}"' in html
    assert re.search(r"<details[^>]*>\s*<summary>Tehnički detalji</summary>\s*<code>" + re.escape(FILE_URL), html)
    assert "the worker stopped answering" in html  # behind its details


def test_the_checker_finds_what_it_looks_for():
    page = VisibleText()
    page.feed(f"<p>Radnik {WORKER_ID} · delivery.retry · file:///x · sr-Latn · image/png · Local folder</p>"
              "<details><summary>Detalji</summary><code>channel:3 retry_wait</code></details>")
    found = raw_internals({"/x": page})
    assert len(found) == 6 and not any("a subject key" in f or "English state" in f for f in found)
