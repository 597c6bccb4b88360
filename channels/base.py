"""The adapter interface every destination implements, and the values that cross it.

Adapters never touch the database: the core hands them a `Content` (text already chosen for this
channel, media as files on disk) and a stable idempotency key, and stores what they return.
"""

from __future__ import annotations

import abc
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import requests

from channels.errors import ChannelConfigError, Rejected

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds; no adapter may wait forever


@dataclass(frozen=True)
class MediaItem:
    path: Path
    content_type: str
    sha256: str
    size: int
    alt_text: str = ""
    filename: str = ""

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")

    @property
    def label(self) -> str:
        """How the officer knows the file: its name, else the start of its hash."""
        return self.filename or self.sha256[:12]

    @property
    def safe_filename(self) -> str:
        """The file name reduced to characters every platform's multipart parser takes."""
        return re.sub(r"[^A-Za-z0-9._-]", "_", self.filename or Path(self.path).name) or "media"

    def read(self) -> bytes:
        return self.path.read_bytes()

    def read_approved(self) -> bytes:
        """The file's bytes, refused unless they are exactly the bytes that were approved."""
        try:
            data = self.read()
        except OSError as exc:
            raise Rejected(f"{self.label}: the media file cannot be read ({exc.strerror or type(exc).__name__})"
                           ) from None
        if len(data) != self.size or hashlib.sha256(data).hexdigest() != self.sha256:
            raise Rejected(f"{self.label}: the media file changed since it was approved")
        return data


@dataclass(frozen=True)
class ScriptVersion:
    """The same post in the other Serbian script, written by the core: adapters never transliterate."""

    language: str  # "sr-Latn" or "sr-Cyrl"
    title: str
    text: str
    alt_texts: tuple[str, ...]  # one per media item, in the same order


@dataclass(frozen=True)
class Content:
    """What one channel is asked to publish for one post."""

    post_id: int
    title: str
    text: str  # the channel's variant when the post has one, else the post body
    language: str
    media: tuple[MediaItem, ...] = ()
    variants: Mapping[str, str] = field(default_factory=dict)
    scheduled_at: datetime | None = None  # aware, UTC
    other_script: ScriptVersion | None = None  # a Serbian post in the other script; None for other languages


@dataclass(frozen=True)
class Problem:
    """A reason a post cannot go to a channel, in words an officer understands."""

    channel: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"channel": self.channel, "message": self.message}
        if self.field:
            out["field"] = self.field
        return out


@dataclass(frozen=True)
class Capabilities:
    """Limits as data: what the platform accepts and how it counts."""

    max_text: int | None = None
    text_counting: str = "characters"  # "characters", "graphemes", "x-weighted"
    max_title: int | None = None
    title_required: bool = False
    max_images: int = 0
    max_videos: int = 0
    media_types: frozenset[str] = frozenset()
    max_media_bytes: int | None = None
    alt_text_required: bool = False
    idempotent: bool = False  # the platform dedups by our key itself


@dataclass(frozen=True)
class Published:
    remote_id: str
    url: str | None = None


@dataclass(frozen=True)
class Health:
    ok: bool
    message: str = ""
    expires_at: datetime | None = None


@dataclass(frozen=True)
class ConfigField:
    name: str
    description: str
    required: bool = True
    secret: bool = False  # stored encrypted, never shown or logged


class Channel(abc.ABC):
    """One destination. Subclasses set `kind`, `label`, `config_fields` and implement the methods."""

    kind: ClassVar[str]
    label: ClassVar[str]
    config_fields: ClassVar[tuple[ConfigField, ...]] = ()
    # Valid-looking settings, for docs and for the contract test that runs over every kind.
    example_settings: ClassVar[dict[str, Any]] = {}

    def __init__(
        self,
        config: Mapping[str, Any],
        credentials: Mapping[str, Any],
        *,
        session: requests.Session | None = None,
        name: str | None = None,
    ) -> None:
        self.config = dict(config)
        self.credentials = dict(credentials)
        self.session = session or requests.Session()
        self.name = name or self.label
        self.check_config()

    @classmethod
    def split_settings(cls, settings: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Split user-given settings into (config, credentials); refuse unknown and missing keys."""
        known = {f.name: f for f in cls.config_fields}
        unknown = sorted(set(settings) - set(known))
        if unknown:
            raise ChannelConfigError(f"{cls.kind}: unknown setting(s): {', '.join(unknown)}")
        missing = [f.name for f in cls.config_fields if f.required and settings.get(f.name) in (None, "")]
        if missing:
            raise ChannelConfigError(f"{cls.kind}: missing required setting(s): {', '.join(missing)}")
        config = {k: v for k, v in settings.items() if not known[k].secret}
        credentials = {k: v for k, v in settings.items() if known[k].secret}
        return config, credentials

    def check_config(self) -> None:
        """Raise ChannelConfigError when the settings cannot work; override to check values."""
        misplaced = sorted(f.name for f in self.config_fields if f.secret and f.name in self.config)
        if misplaced:
            # A secret among the plain settings would be stored unencrypted and shown to admins.
            raise ChannelConfigError(f"{self.kind}: {', '.join(misplaced)} must be given as a credential, "
                                     "not a plain setting")
        self.split_settings({**self.config, **self.credentials})

    @classmethod
    @abc.abstractmethod
    def capabilities(cls) -> Capabilities: ...

    def validate(self, content: Content) -> list[Problem]:
        """Problems with this content for this channel, checked against `capabilities()`."""
        return check_against_capabilities(self.name, self.capabilities(), content)

    @abc.abstractmethod
    def publish(self, content: Content, *, key: str) -> Published:
        """Send it. Raises only `channels.errors` exceptions."""

    @abc.abstractmethod
    def find(self, key: str) -> Published | None:
        """Reconciliation: did the delivery with this key go out?

        Published when the platform has it; None when the platform says it does not; raises
        OutcomeUnknown when there is no way to tell (a person, or an idempotent resend, decides)."""

    @abc.abstractmethod
    def check(self) -> Health:
        """Are the credentials valid, when do they expire."""


class SdkSession:
    """What an SDK (tweepy, facebook-sdk) gets as its `session`: the worker's session with our timeout,
    no redirects (a redirected POST loses its body), and a memory of the last answer so the adapter can
    classify it itself instead of trusting the SDK's error types."""

    def __init__(self, session: requests.Session, timeout: tuple[float, float], *,
                 user_agent: str | None = None) -> None:
        self._session = session
        self._timeout = timeout
        self._user_agent = user_agent
        self.response: requests.Response | None = None

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        kwargs["timeout"] = self._timeout
        kwargs["allow_redirects"] = False
        if self._user_agent:
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("User-Agent", self._user_agent)
            kwargs["headers"] = headers
        self.response = None
        self.response = self._session.request(method, url, **kwargs)
        return self.response


def seconds_setting(kind: str, name: str, value: object, default: float, bounds: tuple[float, float]) -> float:
    """A duration setting (timeouts): empty means the default; otherwise a number within bounds."""
    if value in (None, ""):
        return default
    low, high = bounds
    try:
        if isinstance(value, bool):  # bool is an int to Python, not a number of seconds to a person
            raise ValueError
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        seconds = float("nan")
    if not low <= seconds <= high:  # also false for NaN
        raise ChannelConfigError(f"{kind}: {name} must be a number of seconds from {low:g} to {high:g}")
    return seconds


def check_against_capabilities(channel: str, caps: Capabilities, content: Content) -> list[Problem]:
    """The checks every adapter shares; adapters add their own on top."""
    from channels.textcount import count_text  # local import: textcount is optional for most callers

    problems: list[Problem] = []
    if caps.title_required and not content.title.strip():
        problems.append(Problem(channel, "a title is required", "title"))
    if caps.max_title is not None and len(content.title) > caps.max_title:
        problems.append(Problem(channel, f"title {len(content.title)} of {caps.max_title} characters", "title"))
    if not content.text.strip() and not content.media:
        problems.append(Problem(channel, "the text is empty", "body"))
    if caps.max_text is not None:
        used = count_text(content.text, caps.text_counting)
        if used > caps.max_text:
            unit = {"graphemes": "characters", "x-weighted": "characters"}.get(caps.text_counting, caps.text_counting)
            problems.append(Problem(channel, f"{used} of {caps.max_text} {unit}", "body"))
    images = [m for m in content.media if m.is_image]
    videos = [m for m in content.media if m.is_video]
    if len(images) > caps.max_images:
        problems.append(Problem(channel, f"{len(images)} images, at most {caps.max_images} allowed", "media"))
    if len(videos) > caps.max_videos:
        problems.append(Problem(channel, f"{len(videos)} videos, at most {caps.max_videos} allowed", "media"))
    for item in content.media:
        label = item.label
        if caps.media_types and item.content_type not in caps.media_types:
            problems.append(Problem(channel, f"{label}: {item.content_type} files are not accepted", "media"))
        if caps.max_media_bytes is not None and item.size > caps.max_media_bytes:
            problems.append(
                Problem(channel, f"{label}: {item.size} bytes, at most {caps.max_media_bytes} allowed", "media")
            )
        if caps.alt_text_required and item.is_image and not item.alt_text.strip():
            problems.append(Problem(channel, f"{label}: an image needs alt text", "media"))
    return problems
