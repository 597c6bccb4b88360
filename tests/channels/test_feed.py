"""The feed adapter: nothing on the network, it only names the entry the web app's feed will show."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels import registry
from channels.base import Content, MediaItem, Problem, Published
from channels.errors import ChannelConfigError, Rejected
from channels.feed import Feed, entry_url

KEY = "p7-c6-0123456789abcdef"
SETTINGS = {"slug": "saopstenja", "public_url": "https://press.ministarstvo.gov.rs", "title": "Саопштења"}


@pytest.fixture
def feed():
    return Feed(*Feed.split_settings(SETTINGS), name="Vesti")


def content(**changes) -> Content:
    return Content(**{"post_id": 7, "title": "Саопштење", "text": "Текст.", "language": "sr-Cyrl", **changes})


def fake_media(name: str, content_type: str) -> MediaItem:
    return MediaItem(Path("/nonexistent") / name, content_type, "ab" * 32, 100, "", name)


def test_publish_names_the_entry(feed):
    published = feed.publish(content(), key=KEY)

    assert published == Published(KEY, f"https://press.ministarstvo.gov.rs/feed/saopstenja#{KEY}")
    assert feed.publish(content(), key=KEY) == published  # the same key is the same entry


def test_find_says_what_publish_said(feed):
    assert feed.find(KEY) == feed.publish(content(), key=KEY)


def test_a_trailing_slash_and_odd_keys(feed):
    adapter = Feed({"slug": "vesti", "public_url": "http://127.0.0.1:8080/"}, {})
    assert adapter.publish(content(), key="a b#c").url == "http://127.0.0.1:8080/feed/vesti#a%20b%23c"
    assert entry_url("https://x.rs/", "v", KEY) == f"https://x.rs/feed/v#{KEY}"
    with pytest.raises(Rejected):
        feed.publish(content(), key="bad\nkey")


def test_check_needs_no_network(feed):
    health = feed.check()
    assert health.ok
    assert health.message == ("served by this site at https://press.ministarstvo.gov.rs/feed/saopstenja.atom and "
                              "https://press.ministarstvo.gov.rs/feed/saopstenja.rss")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"title": " "}, [Problem("Vesti", "a title is required", "title")]),
        ({"text": ""}, [Problem("Vesti", "the text is empty", "body")]),
        ({"text": "", "media": (fake_media("f.jpg", "image/jpeg"),)},
         [Problem("Vesti", "the text is empty (the feed shows text only)", "body")]),
        ({"media": (fake_media("f.jpg", "image/jpeg"),)}, []),  # accepted, no alt text needed, not carried
    ],
)
def test_validate(feed, changes, expected):
    assert feed.validate(content(**changes)) == expected


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"slug": "Vesti", "public_url": "https://x.rs"}, "slug must be 1–64 of a-z, 0-9 and '-'"),
        ({"slug": "-vesti", "public_url": "https://x.rs"}, "slug must be"),
        ({"slug": "ve/sti", "public_url": "https://x.rs"}, "slug must be"),
        ({"slug": "v" * 65, "public_url": "https://x.rs"}, "slug must be"),
        ({"slug": "vesti", "public_url": "ftp://x.rs"}, "public_url must be an http:// or https:// address"),
        ({"slug": "vesti", "public_url": "https://x.rs/?a=b"}, "public_url must be"),
        ({"slug": "vesti", "public_url": "press.example.rs"}, "public_url must be"),
        ({"slug": "vesti", "public_url": "https://x.rs", "title": 5}, "title must be text"),
        ({"public_url": "https://x.rs"}, "missing required setting(s): slug"),
    ],
)
def test_bad_settings(settings, message):
    with pytest.raises(ChannelConfigError) as caught:
        Feed(*Feed.split_settings(settings))
    assert message in caught.value.message


def test_example_settings_and_repr():
    adapter = Feed(*Feed.split_settings(Feed.example_settings))
    assert repr(adapter) == "<Feed 'Public feed (Atom/RSS)' https://press.ministarstvo.gov.rs/feed/saopstenja.atom>"


def test_capabilities_and_registration():
    caps = Feed.capabilities()
    assert caps.title_required and caps.idempotent and not caps.alt_text_required
    assert registry.kinds()["feed"] is Feed
    assert Feed.label == "Public feed (Atom/RSS)"
