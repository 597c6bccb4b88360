"""Adapter kinds by name. A kind is registered by importing its module here."""

from __future__ import annotations

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
    _load_builtin()
    try:
        return _KINDS[kind]
    except KeyError:
        known = ", ".join(sorted(_KINDS))
        raise ChannelConfigError(f"unknown channel kind {kind!r} (known: {known})") from None


def kinds() -> dict[str, type[Channel]]:
    _load_builtin()
    return dict(sorted(_KINDS.items()))


def _load_builtin() -> None:
    # Imported lazily so that `channels.base` stays importable without every SDK.
    from channels import (  # noqa: F401
        bluesky,
        email,
        facebook,
        feed,
        local_folder,
        mastodon,
        state_portal,
        telegram,
        wordpress,
        x,
    )
