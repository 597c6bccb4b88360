"""What the compose page asks of the core before anything is saved: how each chosen channel counts the
text and what its adapter's own `validate` says, and which library items there are to pick from.

The counts come from the same `channels` code the worker runs (`count_text`, `Channel.validate`), so the
page never tells an officer "fits" about a text the worker would refuse.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels import registry
from channels.base import Capabilities, Content, Problem
from channels.errors import ChannelConfigError
from channels.textcount import count_text
from publisher.core.models import Channel, Media, Post
from publisher.core.multilingual import LANGUAGES
from publisher.core.runtime import Runtime
from publisher.destinations.content import MediaRow, build_content, channel_contents
from publisher.posts import publishable

LIBRARY_PAGE = 24  # recent items offered in the picker; the media library page lists everything


@dataclass(frozen=True)
class Draft:
    """A post as the form holds it right now, not necessarily saved."""

    title: str
    body: str
    language: str
    channel_ids: tuple[int, ...]
    variants: Mapping[str, str] = field(default_factory=dict)  # channel name -> own text (non-empty only)
    media: tuple[tuple[int, str], ...] = ()  # (media id, alt text) in order
    # the other languages' versions as typed: language -> {"title", "body"} (a version needs its body)
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ChannelCheck:
    channel: Channel
    label: str  # the kind's name for people ("X", "Bluesky")
    counting: str  # Capabilities.text_counting
    used: int
    limit: int | None
    own_text: bool  # the channel gets its variant, not the main text
    problems: tuple[Problem, ...]
    language: str = ""  # the delivery's language, when the channel gets the post in several deliveries

    @property
    def over(self) -> bool:
        return self.limit is not None and self.used > self.limit


def selectable_channels(session: Session, keep: Sequence[int] = ()) -> list[Channel]:
    """Enabled channels, plus any in `keep` (a saved post's) even when disabled since, so they show."""
    query = select(Channel).where(Channel.enabled.is_(True) | Channel.id.in_(list(keep))).order_by(Channel.name)
    return list(session.scalars(query))


def recent_media(session: Session, exclude: Sequence[int] = (), limit: int = LIBRARY_PAGE) -> list[Media]:
    query = select(Media).order_by(Media.id.desc()).limit(limit)
    if exclude:
        query = query.where(Media.id.not_in(list(exclude)))
    return list(session.scalars(query))


def check_draft(session: Session, rt: Runtime, draft: Draft, *, validate: bool = True) -> list[ChannelCheck]:
    """Each chosen channel's count and problems for the draft; reads only, writes nothing.

    `validate=False` counts only: for a save that goes on to workflow.submit, which validates itself (its
    problems then come back through `with_problems`)."""
    checks = []
    post = _unsaved(draft)
    contents = _draft_deliveries(session, rt, draft, post)
    deliveries = Counter(channel.id for channel, _ in contents)
    told: set[int] = set()
    for channel, content in contents:
        if validate:
            caps, problems = publishable.channel_problems(channel, rt, content)
            if post is not None and channel.id not in told:  # a version the channel publishes and the form
                told.add(channel.id)                           # has not got: said once, on its first delivery
                problems = [*problems, *publishable.language_problems(post, channel)]
        else:
            caps, problems = _capabilities(channel.kind), []
        used = count_text(content.text, caps.text_counting)
        checks.append(ChannelCheck(channel, _kind_label(channel.kind), caps.text_counting, used, caps.max_text,
                                   channel.name in draft.variants, tuple(problems),
                                   content.language if deliveries[channel.id] > 1 else ""))
    return checks


def draft_contents(session: Session, rt: Runtime, draft: Draft) -> list[tuple[Channel, Content]]:
    """What each chosen channel would receive for the draft: the Content its adapter gets, one per delivery
    (a channel that publishes language versions as posts of their own gets one per version the form has)."""
    return _draft_deliveries(session, rt, draft, _unsaved(draft))


def _draft_deliveries(session: Session, rt: Runtime, draft: Draft,
                      post: Post | None) -> list[tuple[Channel, Content]]:
    media = {m.id: m for m in session.scalars(select(Media).where(Media.id.in_([i for i, _ in draft.media])))}
    rows = [MediaRow(media[i].sha256, media[i].extension, media[i].content_type, media[i].size, alt,
                     media[i].original_name) for i, alt in draft.media if i in media]
    channels = session.scalars(select(Channel).where(Channel.id.in_(draft.channel_ids)).order_by(Channel.name))
    out: list[tuple[Channel, Content]] = []
    for channel in channels:
        found = list(channel_contents(post, channel, rows, rt.settings.media_dir).values()) if post else []
        # No delivery yet (the form has no version the channel takes): the main text, so it is counted.
        out += [(channel, content) for content in found] or [(channel, build_content(
            0, draft.title, draft.body, draft.language, dict(draft.variants), None, rows, channel.name,
            rt.settings.media_dir))]
    return out


def _unsaved(draft: Draft) -> Post | None:
    """The draft as a post that is never saved, for the deliveries a saved one would make; None while the
    form's language is not one of ours (saving names that)."""
    if draft.language not in LANGUAGES:
        return None
    translations = {language: {"title": str(version.get("title", "")), "body": str(version.get("body", ""))}
                    for language, version in draft.translations.items()
                    if language in LANGUAGES and language != draft.language and str(version.get("body", "")).strip()}
    return Post(title=draft.title, body=draft.body, language=draft.language, variants=dict(draft.variants),
                translations=translations, scheduled_at=None)


def with_problems(checks: list[ChannelCheck], problems: list[Problem]) -> list[ChannelCheck]:
    """The checks with each channel's problems from a refused submit (the post's own have no channel), on the
    channel's first check: a problem does not say which of a channel's deliveries it is about."""
    out, seen = [], set()
    for check in checks:
        first = check.channel.id not in seen
        seen.add(check.channel.id)
        out.append(dataclasses.replace(check, problems=tuple(
            p for p in problems if first and p.channel == check.channel.name)))
    return out


def _capabilities(kind: str) -> Capabilities:
    try:
        return registry.adapter_class(kind).capabilities()
    except ChannelConfigError:
        return Capabilities()


def _kind_label(kind: str) -> str:
    try:
        return registry.adapter_class(kind).label
    except ChannelConfigError:
        return kind
