"""What a platform gets for one post, as data: the text as sent and counted, the media with the alt text
that goes with each, the link the platform turns into a card.

Each adapter builds it in `Channel.outgoing(content)`, a pure function (no network, no files read), and its
`publish` sends from it; the preview pages show the same value. So the preview cannot say one thing while
the adapter sends another (tests/channels/test_preview_contract.py checks it against every adapter's wire).

Nothing here cuts a text: every adapter sends the whole text or refuses it (`validate` says so at submit).
Where a text is longer than the platform takes, `fitting_length` says where the platform's limit falls, so a
preview can show which part does not fit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # channels.base builds its default Outgoing from here: no import back at run time
    from channels.base import MediaItem

# How a platform shows images in a feed: "wide" crops to 16:9, "square" to 1:1 (a grid of photos), "natural"
# keeps the picture's own shape; "files" lists them as attachments; "none" does not carry them at all.
CROPS = ("wide", "square", "natural", "files", "none")

# A link written out with its protocol: what Telegram and Facebook make a preview card from.
_LINK = re.compile(r"https?://[^\s<>\"'«»“”]+", re.IGNORECASE)
_LINK_TAIL = ".,;:!?)]}…"


@dataclass(frozen=True)
class SentMedium:
    """One file as the platform receives it."""

    item: MediaItem
    alt_text: str | None  # exactly the description sent with it; None where the platform takes none


@dataclass(frozen=True)
class SentPost:
    """One post (or message) the platform gets; more than one when a channel makes several (the website's
    twin in the other Serbian script)."""

    text: str
    title: str | None = None  # a headline or subject the platform shows; None where it shows none
    language: str | None = None
    alt_texts: tuple[str, ...] | None = None  # this post's own alt texts (the twin's script); None: the media's


@dataclass(frozen=True)
class Outgoing:
    account: str  # who the post appears from: a handle, a page, an address
    posts: tuple[SentPost, ...]
    used: int  # the first post's text, counted the platform's way
    limit: int | None
    counting: str  # Capabilities.text_counting
    media: tuple[SentMedium, ...] = ()
    crop: str = "natural"  # one of CROPS
    card_url: str | None = None  # the link the platform turns into a card (the platform fetches it, we never do)
    caption: bool = False  # the text goes as a caption under the media (Telegram: a lower limit)

    @property
    def over(self) -> bool:
        return self.limit is not None and self.used > self.limit

    @property
    def card_domain(self) -> str | None:
        return link_domain(self.card_url) if self.card_url else None


def fitting_length(text: str, limit: int, measure: Callable[[str], int]) -> int:
    """How many characters of `text` fit in `limit` as `measure` counts them (the whole text when it fits).

    Counting is not strictly additive (a link counts 23 however long), so the prefix is searched for, not
    summed: the longest prefix the platform's own count accepts."""
    if measure(text) <= limit:
        return len(text)
    low, high = 0, len(text)
    while low < high:  # the largest n with measure(text[:n]) <= limit
        middle = (low + high + 1) // 2
        if measure(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def first_link(text: str) -> str | None:
    """The first http(s) link in the text, without the sentence's punctuation after it."""
    match = _LINK.search(text)
    return match.group(0).rstrip(_LINK_TAIL) if match else None


def link_domain(url: str) -> str:
    """The host a link card names ("www.vlada.gov.rs"); links written without a protocol are read as https."""
    try:
        host = urlsplit(url if "://" in url else f"https://{url}").hostname
    except ValueError:
        host = None
    return host or url


def sent_media(media: tuple[MediaItem, ...] | list[MediaItem],
               alt: Callable[[MediaItem], str | None]) -> tuple[SentMedium, ...]:
    return tuple(SentMedium(item, alt(item)) for item in media)
