"""Adapter kinds by name. A kind is registered by importing its module here."""

from __future__ import annotations

import importlib

from channels.base import Channel
from channels.errors import ChannelConfigError

_KINDS: dict[str, type[Channel]] = {}


def register(cls: type[Channel]) -> type[Channel]:
    if cls.kind in _KINDS and _KINDS[cls.kind] is not cls:
        raise RuntimeError(f"two adapters claim the kind {cls.kind!r}")
    _KINDS[cls.kind] = cls
    return cls


def unregister(kind: str) -> None:
    """For tests that register a kind of their own."""
    _KINDS.pop(kind, None)


def adapter_class(kind: str) -> type[Channel]:
    if kind not in _KINDS and kind in BUILTIN:
        importlib.import_module(BUILTIN[kind])  # only this kind's SDK: they are large and slow to import
    try:
        return _KINDS[kind]
    except KeyError:
        known = ", ".join(sorted(set(_KINDS) | set(BUILTIN)))
        raise ChannelConfigError(f"unknown channel kind {kind!r} (known: {known})") from None


def kinds() -> dict[str, type[Channel]]:
    for module in BUILTIN.values():
        importlib.import_module(module)
    return dict(sorted(_KINDS.items()))


# kind -> the module that registers it
BUILTIN = {
    "bluesky": "channels.bluesky",
    "email": "channels.email",
    "facebook": "channels.facebook",
    "feed": "channels.feed",
    "local_folder": "channels.local_folder",
    "mastodon": "channels.mastodon",
    "state_portal": "channels.state_portal",
    "telegram": "channels.telegram",
    "wordpress": "channels.wordpress",
    "x": "channels.x",
}
