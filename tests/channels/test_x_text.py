"""X's weighted length (channels/x_text.py), against the rules of twitter-text's config v3."""

from __future__ import annotations

import pytest

from channels.x_text import MAX_WEIGHTED_LENGTH, char_weight, url_spans, weighted_length


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("Saopštenje za javnost.", 22),
        # Serbian Cyrillic, Latin with diacritics and Albanian: all inside U+0000–U+10FF, one unit each.
        ("Министарство привреде", 21),
        ("čćšđž ČĆŠĐŽ", 11),
        ("Ministria e Ekonomisë ë ç", 25),
        # CJK, Hangul and fullwidth forms weigh 2.
        ("日本語", 6),
        ("저찀쯿쿿", 8),
        ("ＡＢ", 4),
        # The light ranges' edges: U+10FF is 1, U+1100 (Hangul Jamo) is 2; U+2000–U+200D and
        # U+2010–U+201F and U+2032–U+2037 are 1, their neighbours 2.
        ("\u10ff", 1),
        ("\u1100", 2),
        ("\u2000\u200d", 2),
        ("\u200e", 2),
        ("\u2010\u201f", 2),
        ("\u2020", 2),
        ("\u2032\u2037", 2),
        ("\u2038", 2),
        ("– — „“ ‘’", 9),  # dashes and Serbian quotation marks: one each
        ("…", 2),  # U+2026 lies outside every light range
        ("€", 2),
        # NFC first: "e" + combining acute is one character.
        ("e\u0301", 1),
        ("A\u030aB", 2),
        ("\r\n", 2),
    ],
)
def test_plain_text(text, length):
    assert weighted_length(text) == length


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("🙂", 2),
        ("🐱🐱🐱", 6),
        ("👍🏽", 2),  # skin tone joins the emoji
        ("👨\u200d👩\u200d👧\u200d👦", 2),  # a ZWJ family is one emoji
        ("👩🏾\u200d💻", 2),
        ("❤️", 2),  # U+2764 + U+FE0F
        ("☺", 2),
        ("1️⃣ #️⃣", 5),  # keycaps, and the space between them
        ("🇷🇸", 2),  # a flag: two regional indicators
        ("🇷🇸🇦🇱", 4),
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 2),  # a tag sequence flag
        ("Emoji: 🤠; 💃; 💃🏿", 7 + 2 + 2 + 2 + 2 + 2),
        # 140 family emoji fill a post exactly.
        ("👨\u200d👩\u200d👧\u200d👦" * 140, 280),
        # A bare (C) or (R) may or may not be an emoji to X; we count 2, never less than X.
        ("©", 2),
        ("©️", 2),
        # A ZWJ after a letter is not an emoji joiner: it weighs 1 like the rest of U+2000–U+200D.
        ("क\u200dष", 3),
    ],
)
def test_emoji(text, length):
    assert weighted_length(text) == length


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("https://www.vlada.gov.rs", 23),
        ("http://test.com", 23),
        ("HTTPS://www.ExaMPLE.COM/index.html", 23),
        ("https://www.mpriv.gov.rs/vesti/2025/03/program-podrske-malim-preduzecima-drugi-poziv.php?id=42", 23),
        ("Više: https://www.vlada.gov.rs/vesti.", 6 + 23 + 1),  # the full stop is not part of the link
        ("(https://sr.wikipedia.org/wiki/Beograd_(grad))", 1 + 23 + 1),  # balanced parentheses stay
        ("https://x.com/a?b=1, hvala", 23 + 7),
        ("http://example.com/Русские_слова", 23),
        ("http://192.168.0.1/index.html?src=asdf", 23),
        ("https://пример.срб/вести", 23),
        ("Test https://test.com test https://test.com test.com test", 86),
        # Without a protocol: generic TLDs, subdomains and paths are links ...
        ("example.com", 23),
        ("www.vlada.gov.rs", 23),
        ("vlada.gov.rs", 23),
        ("vlada.rs/vesti", 23),
        ("foo.co.jp", 23),
        ("t.co", 23),  # .co and .tv are links even as "name.cc"
        # ... but "name.cc" alone is not, and neither is an e-mail address or an unknown TLD.
        ("vlada.rs", 8),
        ("info@vlada.gov.rs", 17),
        ("u Beogradu.Danas je", 19),
        ("fajl.txt", 8),
        ("1.5.2025.", 9),
        ("d.o.o.", 6),
        # A label longer than 63 characters makes it no domain at all (twitter-text conformance case).
        ("randomurl" * 7 + "s.com", 68),
        # No TLD, no link.
        ("http://localhost:8080/", 22),
        ("ftp://www.example.com/", 22),  # not a link, and a domain right after "/" is none either
    ],
)
def test_urls_count_23(text, length):
    assert weighted_length(text) == length


def test_url_spans():
    text = "Вести: https://www.vlada.gov.rs/vesti, и vlada.gov.rs/o-nama."
    assert [text[a:b] for a, b in url_spans(text)] == ["https://www.vlada.gov.rs/vesti", "vlada.gov.rs/o-nama"]


def test_directional_marks_before_a_link():
    # U+2066 and U+202A weigh 2 each; the link after them still counts 23.
    assert weighted_length("\u2066\u202ahttp://foobar.پاکستان/\u202c\u2069") == 31


def test_char_weight():
    assert [char_weight(c) for c in "aЖ漢\u2014\u2030"] == [1, 1, 2, 1, 2]


def test_a_full_serbian_post_with_a_link():
    sentence = "Министарство привреде објављује нови програм подршке за мала и средња предузећа. "
    text = sentence * 3 + "https://www.privreda.gov.rs/vesti/program-podrske-2025"
    assert weighted_length(text) == len(sentence) * 3 + 23
    assert weighted_length(text) <= MAX_WEIGHTED_LENGTH
