"""The preview per channel on the compose and approval pages (templates/_preview.html): what each channel's
adapter will send, from `publisher.destinations.preview`, with the words a page needs around it."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from publisher.core.models import Post
from publisher.destinations import preview
from publisher.posts.compose import Draft, draft_contents
from publisher.posts.workflow import LANGUAGES
from web import labels
from web.context import db, runtime

# A channel kind named for people (the adapters' own labels are English).
KIND_NAMES = {
    "x": _l("X"),
    "facebook": _l("Facebook page"),
    "mastodon": _l("Mastodon"),
    "bluesky": _l("Bluesky"),
    "telegram": _l("Telegram channel"),
    "wordpress": _l("Official website"),
    "email": _l("Press list (e-mail)"),
    "feed": _l("Public feed"),
    "state_portal": _l("State portal"),
    "local_folder": _l("Archive folder"),
}

COUNTING_WORDS = {
    "x-weighted": _l("counted the way X counts: a link is 23, an emoji 2"),
    "graphemes": _l("counted as a reader sees them: an emoji or a letter with its accent is one"),
}


def draft_previews(draft: Draft) -> list[preview.ChannelPreview]:
    """The form as it is now, per chosen channel (nothing saved)."""
    session, rt = db(), runtime()
    return preview.channel_previews(session, rt, draft_contents(session, rt, draft))


def saved_previews(post: Post, *, live: bool) -> preview.PostPreview:
    """A saved post per channel: as it is now (`live`, compose), or the version to be approved or sent."""
    return preview.post_previews(db(), runtime(), post, live=live)


def context(previews: list[preview.ChannelPreview], language: str | None, mode: str) -> dict[str, Any]:
    """What _preview.html reads: `mode` is "compose" (with the Preview button) or "approval"."""
    known = language if language in LANGUAGES else None  # the form's value may be anything
    return {"previews": [view(p) for p in previews], "preview_language": known, "preview_mode": mode}


def view(item: preview.ChannelPreview) -> dict[str, Any]:
    out = item.outgoing
    kind = str(KIND_NAMES.get(item.kind, item.kind))
    # A channel may get one delivery per language: the language names the preview and keeps its ids apart.
    key = f"{item.channel_id}-{item.language}" if item.language else str(item.channel_id)
    named = {"id": item.channel_id, "key": key, "name": item.name, "kind": item.kind, "kind_name": kind,
             "language": item.language, "language_name": labels.language_name(item.language) if item.language else ""}
    if out is None:
        return {**named, "broken": True}
    over = out.used - out.limit if out.over and out.limit is not None else 0
    count = gettext("%(used)s/%(limit)s", used=out.used, limit=out.limit) if out.limit is not None else \
        gettext("%(used)s characters", used=out.used)
    return {
        **named, "broken": False,
        "account": out.account, "posts": out.posts, "text": item.text, "fits": item.fits, "over": over,
        "count": count, "counting": COUNTING_WORDS.get(out.counting), "caption": out.caption,
        "media": item.media, "crop": out.crop, "card_url": out.card_url, "card_domain": out.card_domain,
        "images": [m for m in item.media if m.kind == "image"],
    }
