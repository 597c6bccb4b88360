"""A channel's refusal carries a stable code and its numbers, so a page can say it in any language."""

from __future__ import annotations

from pathlib import Path

import pytest

from channels.base import Capabilities, Content, MediaItem, Problem, check_against_capabilities

CAPS = Capabilities(max_text=10, max_title=5, title_required=True, max_images=1, max_videos=0,
                    media_types=frozenset({"image/png"}), max_media_bytes=100, alt_text_required=True)


def item(name: str, content_type: str = "image/png", size: int = 10, alt: str = "opis") -> MediaItem:
    return MediaItem(path=Path("/nonexistent") / name, content_type=content_type, sha256="0" * 64, size=size,
                     alt_text=alt, filename=name)


def codes(content: Content) -> list[tuple[str, dict, str | None]]:
    return [(p.code, dict(p.params), p.item) for p in check_against_capabilities("Kanal", CAPS, content)]


@pytest.mark.parametrize(("fields", "expected"), [
    ({"title": ""}, [("title_required", {}, None)]),
    ({"title": "Predugo"}, [("title_too_long", {"used": 7, "limit": 5}, None)]),
    ({"text": " "}, [("text_empty", {}, None)]),
    ({"text": "ж" * 11}, [("text_too_long", {"used": 11, "limit": 10}, None)]),
    ({"media": (item("a.png"), item("b.png"))}, [("too_many_images", {"used": 2, "limit": 1}, None)]),
    ({"media": (item("v.mp4", "video/mp4"),)}, [("too_many_videos", {"used": 1, "limit": 0}, None),
                                                ("media_type_refused", {"type": "video/mp4"}, "v.mp4")]),
    ({"media": (item("a.png", size=101),)}, [("media_too_large", {"used": 101, "limit": 100}, "a.png")]),
    ({"media": (item("a.png", alt=" "),)}, [("alt_text_missing", {}, "a.png")]),
])
def test_each_shared_check_has_its_code(fields, expected):
    content = Content(**{"post_id": 1, "title": "Vest", "text": "Tekst", "language": "sr-Latn", **fields})
    assert codes(content) == expected


def test_the_api_form_carries_the_code_and_what_fills_it():
    problem = check_against_capabilities(
        "Kanal", CAPS, Content(post_id=1, title="Vest", text="Tekst", language="sr-Latn",
                               media=(item("a.png", size=101),)))[0]
    assert problem.as_dict() == {"channel": "Kanal", "message": "a.png: 101 bytes, at most 100 allowed",
                                 "code": "media_too_large", "field": "media", "params": {"used": 101, "limit": 100},
                                 "item": "a.png"}


def test_problems_that_say_the_same_are_equal_whatever_their_code():
    assert Problem("X", "the text is empty", "body") == Problem("X", "the text is empty", "body", "text_empty")
