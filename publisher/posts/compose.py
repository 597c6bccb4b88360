"""What the compose page asks of the core before anything is saved: how each chosen channel counts the
text and what its adapter's own `validate` says, and which library items there are to pick from.

The counts come from the same `channels` code the worker runs (`count_text`, `Channel.validate`), so the
page never tells an officer "fits" about a text the worker would refuse.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from channels import registry
from channels.base import Capabilities, Content, Problem
from channels.errors import ChannelConfigError
from channels.textcount import count_text
from publisher.core.models import Channel, Media
from publisher.core.runtime import Runtime
from publisher.destinations.content import MediaRow, build_content
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


@dataclass(frozen=True)
class ChannelCheck:
    channel: Channel
    label: str  # the kind's name for people ("X", "Bluesky")
    counting: str  # Capabilities.text_counting
    used: int
    limit: int | None
    own_text: bool  # the channel gets its variant, not the main text
    problems: tuple[Problem, ...]

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
    for channel, content in draft_contents(session, rt, draft):
        if validate:
            caps, problems = publishable.channel_problems(channel, rt, content)
        else:
            caps, problems = _capabilities(channel.kind), []
        used = count_text(content.text, caps.text_counting)
        checks.append(ChannelCheck(channel, _kind_label(channel.kind), caps.text_counting, used, caps.max_text,
                                   channel.name in draft.variants, tuple(problems)))
    return checks


def draft_contents(session: Session, rt: Runtime, draft: Draft) -> list[tuple[Channel, Content]]:
    """What each chosen channel would receive for the draft, by channel name: the Content its adapter gets."""
    media = {m.id: m for m in session.scalars(select(Media).where(Media.id.in_([i for i, _ in draft.media])))}
    rows = [MediaRow(media[i].sha256, media[i].extension, media[i].content_type, media[i].size, alt,
                     media[i].original_name) for i, alt in draft.media if i in media]
    channels = session.scalars(select(Channel).where(Channel.id.in_(draft.channel_ids)).order_by(Channel.name))
    return [(channel, build_content(0, draft.title, draft.body, draft.language, dict(draft.variants), None, rows,
                                    channel.name, rt.settings.media_dir)) for channel in channels]


def with_problems(checks: list[ChannelCheck], problems: list[Problem]) -> list[ChannelCheck]:
    """The checks with each channel's problems from a refused submit (the post's own have no channel)."""
    return [dataclasses.replace(c, problems=tuple(p for p in problems if p.channel == c.channel.name))
            for c in checks]


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
