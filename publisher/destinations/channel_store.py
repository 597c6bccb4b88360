"""Configured channels: add them, find them, and build their adapters with decrypted credentials."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import requests
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from channels import registry
from channels.base import Channel as Adapter
from channels.errors import ChannelConfigError
from publisher.audit import trail
from publisher.core import limits, parse, search_index
from publisher.core.actor import Actor
from publisher.core.credentials import CredentialBox
from publisher.core.errors import Conflict, Invalid, NotFound
from publisher.core.models import Channel

_NAME = re.compile(rf"[\w][\w .-]{{0,{limits.CHANNEL_NAME - 1}}}")  # with fullmatch: "$" lets "x\n" in


MAX_CONCURRENCY = 64


def add_channel(
    session: Session, box: CredentialBox, kind: str, name: str, settings: dict[str, Any], *, actor: Actor,
    max_concurrency: int = 4,
) -> Channel:
    if not isinstance(settings, dict):
        raise Invalid("the channel configuration must be a JSON object")
    if not 1 <= max_concurrency <= MAX_CONCURRENCY:
        raise Invalid(f"concurrency must be 1-{MAX_CONCURRENCY} sends at once; got {max_concurrency}")
    if not _NAME.fullmatch(name) or name.isdigit():
        raise Invalid(f"channel name {name!r}: use letters, digits, spaces, '.', '_' or '-' (not only digits)")
    if channel_exists(session, name):
        raise Conflict(f"a channel named {name!r} already exists")
    try:
        cls = registry.adapter_class(kind)
        config, secrets = cls.split_settings(settings)
        cls(config, secrets, name=name)  # the adapter checks its own settings
    except ChannelConfigError as exc:
        raise Invalid(exc.message, code="invalid_channel_config") from None
    channel = Channel(name=name, kind=kind, config=config, credentials=box.encrypt(secrets), enabled=True,
                      max_concurrency=max_concurrency)
    session.add(channel)
    session.flush()
    trail.record(
        session, actor, "channel.add", subject=f"channel:{channel.id}",
        after={"name": name, "kind": kind, "config": config, "secret_settings": sorted(secrets)},
    )
    return channel


def list_channels(session: Session, *, text: str = "", kinds: Iterable[str] = ()) -> list[Channel]:
    """Every channel by name; `text`: those whose name or kind holds it (core.search_index), or of `kinds` (those
    whose name in the reader's language holds it: the page knows the names)."""
    query = select(Channel).order_by(Channel.name)
    if (found := search_index.matches(Channel.search_text, text)) is not None:
        kinds = list(kinds)
        query = query.where(or_(found, Channel.kind.in_(kinds)) if kinds else found)
    return list(session.scalars(query))


def channel_exists(session: Session, name: str) -> bool:
    return session.scalar(select(Channel.id).where(Channel.name == name)) is not None


def get_channel(session: Session, ref: str | int) -> Channel:
    channel = _lookup(session, ref)
    if channel is None:
        raise NotFound(f"no channel {ref!r}")
    return channel


def resolve_targets(session: Session, refs: Sequence[str | int]) -> list[Channel]:
    """Channels named in a post (by name or id); unknown ones are one clear 422."""
    found: dict[int, Channel] = {}
    unknown = []
    for ref in refs:
        channel = _lookup(session, ref)
        if channel is None:
            unknown.append(str(ref))
        else:
            found[channel.id] = channel
    if unknown:
        raise Invalid(f"unknown channel(s): {', '.join(unknown)}", details={"channels": unknown})
    return [found[k] for k in sorted(found)]


def _lookup(session: Session, ref: str | int) -> Channel | None:
    if isinstance(ref, int):
        return session.get(Channel, ref) if parse.fits_id(ref) else None
    found_id = parse.record_id(ref)
    if found_id is not None:
        return session.get(Channel, found_id)
    return session.scalar(select(Channel).where(Channel.name == ref))


def build_adapter(channel: Channel, box: CredentialBox, *, http: requests.Session | None = None) -> Adapter:
    cls = registry.adapter_class(channel.kind)
    return cls(channel.config, box.decrypt(channel.credentials), session=http, name=channel.name)


def set_enabled(session: Session, channel: Channel, enabled: bool, *, actor: Actor) -> None:
    if channel.enabled != enabled:
        before = channel.enabled
        channel.enabled = enabled
        trail.record(session, actor, "channel.enable" if enabled else "channel.disable",
                     subject=f"channel:{channel.id}", before={"enabled": before}, after={"enabled": enabled})


def rotate_credentials(session: Session, box: CredentialBox, *, actor: Actor) -> int:
    count = 0
    for channel in list_channels(session):
        if channel.credentials:
            channel.credentials = box.rotate(channel.credentials)
            count += 1
    trail.record(session, actor, "credentials.rotate", detail={"channels": count})
    return count
