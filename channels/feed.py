"""A public Atom/RSS feed served by this publisher's own web app, at /feed/<slug>.atom and .rss.

Nothing goes over the network: the web app lists what the database marks as sent on this channel
(web/public/feed.py, through publisher/publishing/feeds.py), so "publishing" only names the entry the feed will show.
Each entry's permanent id is `<public_url>/feed/<slug>#<key>`, the URL `publish` returns.

The feed carries the title and the text (this channel's variant when the post has one). Media are
accepted, so that a post with photos can go to every channel at once, but the feed does not carry them
(the site has no public media address yet).
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import quote, urlsplit

from channels.adapter_kit import ATTACHMENT_TYPES
from channels.base import Capabilities, Channel, ConfigField, Content, Health, Problem, Published
from channels.errors import ChannelConfigError, Rejected
from channels.outgoing import Outgoing
from channels.registry import register

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
MAX_FEED_TITLE = 200


def entry_url(public_url: str, slug: str, key: str) -> str:
    """The entry's permanent id and link; also what `publish` returns as the delivery's URL."""
    return f"{public_url.rstrip('/')}/feed/{slug}#{quote(key, safe='-._~')}"


def feed_url(public_url: str, slug: str, extension: str) -> str:
    return f"{public_url.rstrip('/')}/feed/{slug}.{extension}"


@register
class Feed(Channel):
    kind = "feed"
    label = "Public feed (Atom/RSS)"
    config_fields = (
        ConfigField("slug", "The feed's name in its address /feed/<slug>.atom: a-z, 0-9 and '-'"),
        ConfigField("public_url", "This publisher's address as the public reaches it, e.g. https://press.example.rs"),
        ConfigField("title", "The feed's title in readers (default: the channel's name)", required=False),
    )
    example_settings = {
        "slug": "saopstenja",
        "public_url": "https://press.ministarstvo.gov.rs",
        "title": "Саопштења Министарства",
    }

    def check_config(self) -> None:
        super().check_config()
        slug = self.config.get("slug")
        if not isinstance(slug, str) or not SLUG.fullmatch(slug):
            raise ChannelConfigError("feed: slug must be 1–64 of a-z, 0-9 and '-', not starting or ending with '-'")
        public_url = self.config.get("public_url")
        refusal = ChannelConfigError("feed: public_url must be an http:// or https:// address without query, "
                                     "e.g. https://press.ministarstvo.gov.rs")
        if not isinstance(public_url, str) or any(ch <= " " for ch in public_url):
            raise refusal
        try:
            parts = urlsplit(public_url)
        except ValueError:
            raise refusal from None
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
            raise refusal
        title = self.config.get("title")
        if title not in (None, "") and (not isinstance(title, str) or len(title) > MAX_FEED_TITLE):
            raise ChannelConfigError(f"feed: title must be text of at most {MAX_FEED_TITLE} characters")
        self.slug = slug
        self.public_url = public_url.rstrip("/")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} {feed_url(self.public_url, self.slug, 'atom')}>"

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(
            max_text=100_000,
            text_counting="characters",
            max_title=500,
            title_required=True,  # an entry without a title is a blank line in a feed reader
            max_images=20,  # accepted, not carried: see the module's docstring
            max_videos=5,
            media_types=ATTACHMENT_TYPES,
            alt_text_required=False,
            idempotent=True,  # publishing a key twice names the same entry
        )

    def validate(self, content: Content) -> list[Problem]:
        problems = super().validate(content)
        if content.media and not content.text.strip():
            # The shared check lets media stand in for text; the feed shows only the text.
            problems.append(Problem(self.name, "the text is empty (the feed shows text only)", "body",
                                    "text_needed_beside_media"))
        return problems

    def outgoing(self, content: Content) -> Outgoing:
        """The entry as readers get it: the title and the text; the files are accepted but not carried."""
        return dataclasses.replace(super().outgoing(content), crop="none")

    def publish(self, content: Content, *, key: str) -> Published:
        if not key or not key.isprintable():
            raise Rejected("the delivery key cannot name a feed entry")
        return self._published(key)

    def find(self, key: str) -> Published | None:
        # The feed shows whatever the database marks as sent: there is no other copy to ask.
        return self._published(key)

    def check(self) -> Health:
        return Health(ok=True, message=f"served by this site at {feed_url(self.public_url, self.slug, 'atom')} "
                                       f"and {feed_url(self.public_url, self.slug, 'rss')}")

    def _published(self, key: str) -> Published:
        return Published(remote_id=key, url=entry_url(self.public_url, self.slug, key))
