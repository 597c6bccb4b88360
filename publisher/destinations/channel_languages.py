"""Which language versions of a post a channel gets, and how: its `languages` and `language_mode` settings
(checked by the adapter, channels.base.Channel.check_language_settings) read for one post.

A channel without `languages` gets the post in its own language, as one delivery of the post as a whole
(language ""), as before language versions existed. With `languages` in "separate" mode it gets one
delivery per language; in "together" mode one delivery ("") whose Content carries every version.
"""

from __future__ import annotations

from channels import registry
from channels.base import TOGETHER, setting_languages, setting_mode
from channels.errors import ChannelConfigError
from publisher.core.models import Channel, Post
from publisher.core.multilingual import other_script

WHOLE = ""  # a delivery of the post as a whole: no languages set, or all versions together


def configured(channel: Channel) -> list[str]:
    """The `languages` setting as tags, in the order the administrator gave them; empty when not set."""
    return setting_languages((channel.config or {}).get("languages"))


def wanted_languages(channel: Channel, post: Post) -> list[str]:
    """The language versions the channel wants of this post: its `languages`, else the post's own language."""
    return configured(channel) or [post.language]


def mode(channel: Channel) -> str:
    """"separate" (one post per language) or "together" (every version in one post)."""
    return setting_mode((channel.config or {}).get("language_mode"))


def delivery_languages(channel: Channel, post: Post) -> list[str]:
    """One tag per delivery the channel makes of the post: WHOLE for one delivery of the post as a whole.

    Where one Content makes both Serbian scripts (the website's twin pair, Capabilities.script_twins), the
    pair is one delivery, under the post's own script when it is one of the two, else the first one listed."""
    languages = configured(channel)
    if not languages or mode(channel) == TOGETHER:
        return [WHOLE]
    if not _script_twins(channel):
        return languages
    out: list[str] = []
    for language in languages:
        twin = other_script(language)
        if twin is not None and twin in out:
            if language == post.language:
                out[out.index(twin)] = language
            continue
        out.append(language)
    return out


def _script_twins(channel: Channel) -> bool:
    try:
        return registry.adapter_class(channel.kind).capabilities().script_twins
    except ChannelConfigError:
        return False
