"""How X counts a post's length: twitter-text's weighted length (configuration version 3).

The rules, from X's own twitter-text project (`config/v3.json` and `parseTweet`):

- the text is NFC-normalised first;
- every URL counts as 23, however long it is (`transformedURLLength`);
- every emoji, including a whole ZWJ sequence, flag or keycap, counts as 2 (`emojiParsingEnabled`);
- any other code point counts 1 when it lies in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F or
  U+2032–U+2037, else 2 (CJK, Hangul, most symbols);
- the limit is 280.

Serbian in both scripts and Albanian lie entirely in U+0000–U+10FF: one unit per character.

What is approximated, and which way it errs:

- URLs with `http://` or `https://` count 23 whenever the host is an IPv4 address or ends in an
  alphabetic top-level domain (twitter-text also requires the TLD to be on its list; an officer pasting a
  link to an invented TLD is not a case worth a 1,500-entry table). Domain labels longer than 63
  characters are not links, as in twitter-text; an internationalised host is not converted to punycode
  to check that limit.
- URLs without a protocol ("www.vlada.gov.rs/vesti") count 23 only when their TLD is a two-letter
  country code or on `GENERIC_TLDS` below, following twitter-text's rule that a bare "name.cc" without a
  path is not a link (except .co and .tv). A bare domain under a generic TLD missing from our list is
  counted character by character: if X links it, we count more than X does, except for a domain shorter
  than 23 characters, where we count less - then X refuses the post and says so.
- Emoji are recognised by code point ranges, not by Unicode's emoji list: a pictographic character
  followed by variation selectors, skin tones, tags or ZWJ-joined pictographs is one emoji. A bare (C) or
  (R) sign counts 2, which is never less than X counts.
"""

from __future__ import annotations

import re
import unicodedata

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
EMOJI_WEIGHT = 2

# Code points that weigh 1; everything else weighs 2 (twitter-text config v3 "ranges", weight 100 of scale 100).
LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))

# Generic TLDs a press office's text is likely to contain without "https://". Two-letter country codes
# are recognised by their shape; .срб and .рф style internationalised TLDs only with a protocol.
GENERIC_TLDS = frozenset(
    """
    com net org edu gov mil int info biz name pro mobi asia tel travel jobs museum aero coop cat post
    app dev page blog news online site website web store shop tech live media press email link click
    xyz top club space world today global network digital cloud agency solutions services center
    company group team help support health care hospital school university academy education
    video tv radio film photo photos gallery art design events fund foundation ngo ong
    law legal finance bank insurance energy green eco city berlin london paris wien
    """.split()
)

_SPECIAL_SHORT_CC = frozenset({"co", "tv"})  # twitter-text links "name.co" / "name.tv" even without a path

# A URL must not follow a letter, digit, @, $ or # (twitter-text's validUrlPrecedingChars).
_PROTOCOL_URL = re.compile(
    r"(?<![A-Za-z0-9@＠$#＃])"
    r"https?://"
    r"(?:(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[0-9a-z]+)"
    r"|(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9]))"
    r"(?![\w@+-])"
    r"(?::[0-9]+)?"
    r"(?P<rest>[/?][\w!*';:=+,.$/%#\[\]~@|&()?-]*)?",
    re.IGNORECASE,
)
# Without a protocol: ASCII domains only, and not after ".", "-", "_" or "/" (so no e-mail addresses or
# the tail of a longer name) - twitter-text's invalidUrlWithoutProtocolPrecedingChars.
_BARE_URL = re.compile(
    r"(?<![A-Za-z0-9@＠$#＃._/-])"
    r"(?P<domain>(?:[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+(?P<tld>[a-z]{2,63}|xn--[0-9a-z]+))"
    r"(?![a-z0-9@+-])"
    r"(?::[0-9]+)?"
    r"(?P<rest>[/?][\w!*';:=+,.$/%#\[\]~@|&()?-]*)?",
    re.IGNORECASE,
)
_PATH_END = set("=_#/+-&")


def char_weight(ch: str) -> int:
    """1 or 2: the weight of one code point outside URLs and emoji."""
    cp = ord(ch)
    return 1 if any(low <= cp <= high for low, high in LIGHT_RANGES) else 2


def weighted_length(text: str) -> int:
    """The length X counts against its 280 limit."""
    text = unicodedata.normalize("NFC", text)
    spans = dict(url_spans(text))
    total = 0
    i = 0
    while i < len(text):
        if i in spans:
            total += URL_WEIGHT
            i = spans[i]
            continue
        end = _emoji_end(text, i)
        if end is not None:
            total += EMOJI_WEIGHT
            i = end
            continue
        total += char_weight(text[i])
        i += 1
    return total


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each substring X turns into a 23-character t.co link, in order."""
    spans: list[tuple[int, int]] = []
    for match in _PROTOCOL_URL.finditer(text):
        spans.append((match.start(), _trim_tail(text, match)))
    taken = [range(start, end) for start, end in spans]
    for match in _BARE_URL.finditer(text):
        if any(match.start() in r for r in taken):
            continue
        tld = match.group("tld").lower()
        known = tld in GENERIC_TLDS or len(tld) == 2 or tld.startswith("xn--")
        if not known:
            continue
        end = _trim_tail(text, match)
        has_path = match.group("rest") is not None and end > match.start("rest")
        labels = match.group("domain").count(".") + 1
        if len(tld) == 2 and labels == 2 and not has_path and tld not in _SPECIAL_SHORT_CC:
            continue  # twitter-text's invalidShortDomain: "vlada.rs" alone is not a link
        spans.append((match.start(), end))
    return sorted(spans)


def _trim_tail(text: str, match: re.Match[str]) -> int:
    """Where the URL ends: trailing punctuation ("…gov.rs/vesti." or "(see x.com/a)") is not part of it."""
    if match.group("rest") is None:
        return match.end()
    start, end = match.start("rest"), match.end("rest")
    while end > start:
        last = text[end - 1]
        if last.isalnum() or last in _PATH_END:
            break
        if last == ")" and text.count("(", start, end) >= text.count(")", start, end):
            break  # balanced parentheses, as in Wikipedia links
        end -= 1
    if end == start + 1 and text[start] == "?":
        end = start  # a lone "?" after a domain ends the sentence
    return end if end > start else match.start("rest")


# --- emoji ------------------------------------------------------------------------------------------

_PICTOGRAPHIC = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x2194, 0x21FF), (0x2300, 0x23FF), (0x24C2, 0x24C2), (0x25A0, 0x25FF),
    (0x2600, 0x27BF), (0x2934, 0x2935), (0x2B00, 0x2BFF), (0x3030, 0x3030), (0x303D, 0x303D),
    (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1FAFF),
)
_ZWJ = 0x200D
_KEYCAP = 0x20E3
_VARIATION = (0xFE0E, 0xFE0F)
_SKIN_TONE = (0x1F3FB, 0x1F3FF)
_TAG = (0xE0020, 0xE007F)
_REGIONAL = (0x1F1E6, 0x1F1FF)


def _in(cp: int, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= cp <= bounds[1]


def _pictographic(cp: int) -> bool:
    return any(low <= cp <= high for low, high in _PICTOGRAPHIC)


def _emoji_end(text: str, i: int) -> int | None:
    """End of the emoji starting at i, or None when none starts there."""
    cp = ord(text[i])
    n = len(text)
    if text[i] in "#*0123456789":  # keycap: digit, optional U+FE0F, U+20E3
        j = i + 1
        if j < n and ord(text[j]) == 0xFE0F:
            j += 1
        return j + 1 if j < n and ord(text[j]) == _KEYCAP else None
    if _in(cp, _REGIONAL):
        return i + 2 if i + 1 < n and _in(ord(text[i + 1]), _REGIONAL) else i + 1
    if not _pictographic(cp):
        return None
    j = i + 1
    while j < n:
        nxt = ord(text[j])
        if _in(nxt, _VARIATION) or _in(nxt, _SKIN_TONE) or _in(nxt, _TAG) or nxt == _KEYCAP:
            j += 1
        elif nxt == _ZWJ and j + 1 < n and _pictographic(ord(text[j + 1])):
            j += 2
        else:
            break
    return j
