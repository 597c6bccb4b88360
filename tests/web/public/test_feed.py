"""The public Atom and RSS feeds, parsed back with ElementTree (on SQLite and PostgreSQL)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

import channels.feed  # noqa: F401 - registers the "feed" kind until the registry loads it itself
from publisher.core.models import Delivery, Post
from publisher.destinations import channel_store
from tests.factories.people import SYSTEM

A = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PUBLIC = "https://press.ministarstvo.gov.rs"
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
NASTY_TITLE = 'Мере <script>alert("x")</script> & „порез“'
NASTY_BODY = "Први пасус: a < b & c > d.\n\n<script>alert(1)</script>\nред два & ']]>'"


@pytest.fixture
def vesti(rt, session, office):
    channel = channel_store.add_channel(
        session, rt.box, "feed", "Vesti", {"slug": "vesti", "public_url": PUBLIC, "title": "Вести министарства"},
        actor=SYSTEM)
    session.commit()
    return channel


def published_post(session, office, channel, *, title, body, language="sr-Cyrl", sent_at=T0, status="sent",
                   variants=None, number=[0]) -> Delivery:  # noqa: B006 - a counter across calls
    number[0] += 1
    post = Post(title=title, body=body, language=language, variants=variants or {}, status="published",
                timezone="Europe/Belgrade", content_hash="0" * 64, author_id=office.users["ana"].id,
                created_at=sent_at - timedelta(hours=1), updated_at=sent_at - timedelta(hours=1))
    session.add(post)
    session.flush()
    key = f"p{post.id}-c{channel.id}-{number[0]:016x}"
    delivery = Delivery(post_id=post.id, channel_id=channel.id, status=status, idempotency_key=key,
                        due_at=sent_at, sent_at=sent_at if status == "sent" else None,
                        url=f"{PUBLIC}/feed/vesti#{key}" if status == "sent" else None)
    session.add(delivery)
    session.commit()
    return delivery


def test_atom(client, session, office, vesti):
    first = published_post(session, office, vesti, title="Саопштење за јавност", body="Министарство објављује.")
    nasty = published_post(session, office, vesti, title=NASTY_TITLE, body=NASTY_BODY, language="sq",
                           sent_at=T0 + timedelta(hours=2))

    response = client.get("/feed/vesti.atom")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    raw = response.data
    assert raw.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b"<script>" not in raw and b"&lt;script&gt;" in raw
    assert "Саопштење за јавност".encode() in raw  # Cyrillic as UTF-8, not character references

    feed = ET.fromstring(raw)
    assert feed.tag == f"{A}feed"
    assert XML_LANG not in feed.attrib  # two languages: each entry says its own
    assert feed.findtext(f"{A}id") == f"{PUBLIC}/feed/vesti.atom"
    assert feed.findtext(f"{A}title") == "Вести министарства"
    assert feed.findtext(f"{A}updated") == "2025-03-01T11:30:00Z"
    assert feed.findtext(f"{A}author/{A}name") == "Вести министарства"
    assert [(link.get("rel"), link.get("href")) for link in feed.findall(f"{A}link")] == [
        ("self", f"{PUBLIC}/feed/vesti.atom"), ("alternate", f"{PUBLIC}/feed/vesti.rss")]

    newest, oldest = feed.findall(f"{A}entry")
    assert newest.get(XML_LANG) == "sq"
    assert newest.findtext(f"{A}id") == nasty.url
    assert newest.findtext(f"{A}title") == NASTY_TITLE
    assert newest.find(f"{A}title").get("type") == "text"
    assert newest.findtext(f"{A}content") == NASTY_BODY
    assert newest.find(f"{A}content").get("type") == "text"
    assert newest.findtext(f"{A}published") == "2025-03-01T11:30:00Z"
    assert newest.findtext(f"{A}updated") == "2025-03-01T11:30:00Z"
    assert oldest.get(XML_LANG) == "sr-Cyrl"
    assert (oldest.findtext(f"{A}id"), oldest.findtext(f"{A}title")) == (first.url, "Саопштење за јавност")
    assert oldest.findtext(f"{A}content") == "Министарство објављује."


def test_rss(client, session, office, vesti):
    nasty = published_post(session, office, vesti, title=NASTY_TITLE, body=NASTY_BODY)

    response = client.get("/feed/vesti.rss")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/rss+xml; charset=utf-8"
    raw = response.data
    assert b"<script>" not in raw
    rss = ET.fromstring(raw)
    assert (rss.tag, rss.get("version")) == ("rss", "2.0")
    channel = rss.find("channel")
    assert channel.findtext("title") == "Вести министарства"
    assert channel.findtext("link") == f"{PUBLIC}/"
    assert channel.findtext("language") == "sr-Cyrl"  # every entry shares it
    assert parsedate_to_datetime(channel.findtext("lastBuildDate")) == T0
    assert channel.find(f"{A}link").attrib == {"href": f"{PUBLIC}/feed/vesti.rss", "rel": "self",
                                               "type": "application/rss+xml"}
    (item,) = channel.findall("item")
    assert item.findtext("title") == NASTY_TITLE
    # The description is HTML, escaped once more for XML: a reader renders the text, never runs it.
    assert item.findtext("description") == (
        "<p>Први пасус: a &lt; b &amp; c &gt; d.</p>"
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;<br/>ред два &amp; &#x27;]]&gt;&#x27;</p>")
    assert (item.findtext("guid"), item.find("guid").get("isPermaLink")) == (nasty.url, "false")
    assert item.findtext("pubDate") == "Sat, 01 Mar 2025 09:30:00 GMT"
    assert item.findtext(f"{DC}language") == "sr-Cyrl"


def test_only_this_channels_sent_deliveries_newest_first_at_most_50(client, session, office, vesti, rt):
    other = channel_store.add_channel(session, rt.box, "feed", "Drugi", {"slug": "drugi", "public_url": PUBLIC},
                                      actor=SYSTEM)
    session.commit()
    for n in range(52):
        published_post(session, office, vesti, title=f"Vest {n}", body="Tekst", sent_at=T0 + timedelta(minutes=n))
    published_post(session, office, vesti, title="Još čeka", body="Tekst", status="pending")
    published_post(session, office, vesti, title="Neizvesno", body="Tekst", status="unknown")
    published_post(session, office, other, title="Drugi kanal", body="Tekst")

    entries = ET.fromstring(client.get("/feed/vesti.atom").data).findall(f"{A}entry")
    assert [e.findtext(f"{A}title") for e in entries] == [f"Vest {n}" for n in range(51, 1, -1)]

    others = ET.fromstring(client.get("/feed/drugi.atom").data)
    assert others.findtext(f"{A}title") == "Drugi"  # no title setting: the channel's name
    assert [e.findtext(f"{A}title") for e in others.findall(f"{A}entry")] == ["Drugi kanal"]


def test_the_channels_variant_is_the_text(client, session, office, vesti):
    published_post(session, office, vesti, title="Naslov", body="Opšti tekst", variants={"Vesti": "Tekst za feed"})

    entry = ET.fromstring(client.get("/feed/vesti.atom").data).find(f"{A}entry")
    assert entry.findtext(f"{A}content") == "Tekst za feed"


def test_characters_xml_cannot_carry_are_dropped(client, session, office, vesti):
    published_post(session, office, vesti, title="Nul\x01ti\x08", body="Zvono\x07 i tab\t i \ufffe kraj")

    for path in ("/feed/vesti.atom", "/feed/vesti.rss"):
        response = client.get(path)
        ET.fromstring(response.data)  # well-formed
    entry = ET.fromstring(client.get("/feed/vesti.atom").data).find(f"{A}entry")
    assert (entry.findtext(f"{A}title"), entry.findtext(f"{A}content")) == ("Nulti", "Zvono i tab\t i  kraj")


def test_an_empty_feed_is_valid(client, vesti):
    feed = ET.fromstring(client.get("/feed/vesti.atom").data)
    assert feed.findall(f"{A}entry") == []
    assert feed.findtext(f"{A}updated")  # RFC 4287 requires it even without entries
    assert ET.fromstring(client.get("/feed/vesti.rss").data).find("channel").findall("item") == []


@pytest.mark.parametrize("path", ["/feed/nema.atom", "/feed/nema.rss", "/feed/Vesti.atom", "/feed/portal.atom",
                                  "/feed/nema"])
def test_unknown_feeds_are_404(client, vesti, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_the_delivery_url_leads_to_the_atom_feed(client, vesti):
    response = client.get("/feed/vesti")
    assert response.status_code == 302
    assert response.headers["Location"] == "/feed/vesti.atom"


def test_a_reader_that_has_the_current_version_gets_304(client, session, office, vesti):
    published_post(session, office, vesti, title="Naslov", body="Tekst")
    first = client.get("/feed/vesti.atom")
    etag = first.headers["ETag"]

    again = client.get("/feed/vesti.atom", headers={"If-None-Match": etag})

    assert again.status_code == 304 and again.data == b""
    published_post(session, office, vesti, title="Nova", body="Tekst", sent_at=T0 + timedelta(hours=1))
    assert client.get("/feed/vesti.atom", headers={"If-None-Match": etag}).status_code == 200
