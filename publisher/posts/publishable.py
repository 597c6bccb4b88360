"""Whether a post can go to its channels: the one code path that both the compose page (before saving) and
the workflow (at submit and approval) run, so a refused save says exactly what a refused submit would.

Every refusal is a `channels.base.Problem` with a stable code; the channels add their own through
`validate`, and the post's own (no channel chosen, a time in the past) are made here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from channels import registry
from channels.base import Capabilities, Content, Problem
from channels.errors import ChannelConfigError
from publisher.core.errors import CredentialKeyError
from publisher.core.models import Channel, Post
from publisher.core.runtime import Runtime
from publisher.destinations.channel_store import build_adapter
from publisher.destinations.content import missing_languages

PAST_TOLERANCE = timedelta(minutes=1)  # a form submitted at 10:00:30 for "10:00" is not in the past


def channel_problems(channel: Channel, rt: Runtime, content: Content) -> tuple[Capabilities, list[Problem]]:
    """The channel's limits and what it refuses in this content (its adapter's own `validate`)."""
    try:
        caps = registry.adapter_class(channel.kind).capabilities()
    except ChannelConfigError as exc:
        return Capabilities(), [misconfigured(channel, exc)]
    if not channel.enabled:
        return caps, [Problem(channel.name, "the channel is disabled", "channels", "channel_disabled")]
    try:
        return caps, list(build_adapter(channel, rt.box).validate(content))
    except (ChannelConfigError, CredentialKeyError) as exc:
        return caps, [misconfigured(channel, exc)]


def language_problems(post: Post, channel: Channel) -> list[Problem]:
    """A language version the channel takes (its `languages` setting) that the post has not got."""
    return [Problem(channel.name, f"the {language} version is missing: the channel publishes it", "translations",
                    "language_missing", {"language": language, "channel": channel.name})
            for language in missing_languages(post, channel)]


def misconfigured(channel: Channel, exc: Exception) -> Problem:
    return Problem(channel.name, f"the channel is misconfigured: {exc}", "channels", "channel_misconfigured")


def no_channels() -> Problem:
    return Problem("", "choose at least one channel", "channels", "no_channels")


def time_problems(scheduled_at: datetime | None, now: datetime) -> list[Problem]:
    if scheduled_at is not None and scheduled_at < now - PAST_TOLERANCE:
        return [Problem("", f"the publication time {scheduled_at.isoformat()} is in the past", "scheduled_at",
                        "time_in_past", {"at": scheduled_at.isoformat()})]
    return []
