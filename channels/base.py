"""The adapter interface every destination implements, and the values that cross it.

Adapters never touch the database: the core hands them a `Content` (text already chosen for this
channel, media as files on disk) and a stable idempotency key, and stores what they return.
"""

from __future__ import annotations

import abc
import dataclasses
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import requests

from channels.errors import AuthExpired, ChannelConfigError, ChannelError, Rejected

if TYPE_CHECKING:
    from channels.outgoing import Outgoing

DEFAULT_TIMEOUT = (5.0, 30.0)  # (connect, read) seconds; no adapter may wait forever
CONNECT_TIMEOUT = 5.0  # seconds every adapter gives a connection to open; the read timeout is each channel's setting


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


# The languages a post can be written in (publisher.core.multilingual.LANGUAGES says the same; channels do not
# import the core, tests/channels/test_languages.py keeps the two equal).
LANGUAGE_TAGS: tuple[str, ...] = ("sr-Cyrl", "sr-Latn", "sq", "en")
SEPARATE, TOGETHER = "separate", "together"  # one post per language version, or all versions in one post
LANGUAGE_MODES = (SEPARATE, TOGETHER)


@dataclass(frozen=True)
class LanguageVersion:
    """The post in one language, written by the core (a person, or the transliteration of the other Serbian
    script): adapters never translate or transliterate."""

    language: str
    title: str
    text: str
    alt_texts: tuple[str, ...]  # one per media item, in the same order


# The same post in the other Serbian script ("sr-Latn" or "sr-Cyrl"): what the website's twin post carries.
ScriptVersion = LanguageVersion


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
    # Every language version, this one first, when the channel takes them all in one post ("together" mode);
    # empty when the post goes in one language (title, text and language above).
    versions: tuple[LanguageVersion, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A reason a post cannot go to a channel.

    `message` is English, for the API and the logs. `code` is stable and `params` holds the numbers and
    names the message uses, so that a page says the same in the reader's language without parsing the
    English; `item` is the media item (its label) the problem is about. Two problems are equal when they
    say the same thing (channel, message, field)."""

    channel: str
    message: str
    field: str | None = None
    code: str = dataclasses.field(default="other", compare=False)
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict, compare=False, hash=False)
    item: str | None = dataclasses.field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"channel": self.channel, "message": self.message, "code": self.code}
        if self.field:
            out["field"] = self.field
        if self.params:
            out["params"] = dict(self.params)
        if self.item:
            out["item"] = self.item
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
    # How the channel takes a post's language versions: one post each ("separate"), all in one ("together").
    language_modes: frozenset[str] = frozenset({SEPARATE})
    # One Content makes both Serbian scripts (the website's twin pair from `Content.other_script`): the other
    # script is never a delivery of its own.
    script_twins: bool = False


@dataclass(frozen=True)
class HttpWire:
    """How an adapter's `publish` meets HTTP, as data: the contract test (tests/channels/test_contract.py)
    throws the same wire failures at every adapter that declares one and checks its sorting against it."""

    client: str  # "requests" (through Channel.session) or "httpx" (an SDK with a client of its own)
    # Sending again after a request that may have arrived (a read timeout, a connection dropped once open,
    # a 5xx, a 2xx we cannot read) cannot make a second post: the platform dedups by our key, or the
    # adapter finds what an earlier attempt made before it creates anything. Those failures are then
    # Retryable; otherwise OutcomeUnknown, never resent without a person. Failures before anything was
    # sent (connection refused, connect timeout) are Retryable either way.
    resend_safe: bool
    status_is_receipt: bool = False  # a 2xx alone means "published", whatever its body says


@dataclass(frozen=True)
class Published:
    remote_id: str
    url: str | None = None


HEALTH_OK, HEALTH_REFUSED, HEALTH_UNCHECKED = "ok", "refused", "unchecked"


@dataclass(frozen=True)
class Health:
    """What a credential check found: the credentials work (`ok`, with `expires_at` when the platform says
    when they stop), the platform refused them (revoked, wrong, expired, lacking a right: `refused`), or
    the check could not tell (network, the platform failing, a rate limit: neither)."""

    ok: bool
    message: str = ""
    expires_at: datetime | None = None  # aware, UTC; only when the platform says it
    refused: bool = False

    @property
    def outcome(self) -> str:
        return HEALTH_OK if self.ok else HEALTH_REFUSED if self.refused else HEALTH_UNCHECKED

    @classmethod
    def refusal(cls, message: str, expires_at: datetime | None = None) -> Health:
        return cls(ok=False, message=message, expires_at=expires_at, refused=True)

    @classmethod
    def from_error(cls, error: ChannelError, message: str | None = None) -> Health:
        """A check that ended in an adapter error: refused when the platform said no to the credentials or
        the account (or the settings cannot work), not checked when it could not answer."""
        refused = isinstance(error, AuthExpired | Rejected | ChannelConfigError)
        return cls(ok=False, message=message or error.message, refused=refused)


@dataclass(frozen=True)
class ConfigField:
    name: str
    description: str
    required: bool = True
    secret: bool = False  # stored encrypted, never shown or logged


# Settings every channel takes, whatever its platform: which language versions of a post it gets, and how.
LANGUAGE_FIELDS = (
    ConfigField("languages", "Language tags of the versions the channel gets (sr-Cyrl, sr-Latn, sq, en), "
                "separated by commas; empty: the post's own language only", required=False),
    ConfigField("language_mode", "separate (one post per language) or together (all in one post, where the "
                "platform allows it); empty: separate", required=False),
)


def setting_languages(value: object) -> list[str]:
    """The `languages` setting as a list of tags, as given: a list, or text separated by commas or spaces."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,;]+", value) if part]
    if isinstance(value, list | tuple):
        return [str(part).strip() for part in value if str(part).strip()]
    return [repr(value)]  # neither: named as it is, and refused


def setting_mode(value: object) -> str:
    return SEPARATE if value in (None, "") else str(value).strip()


class Channel(abc.ABC):
    """One destination. Subclasses set `kind`, `label`, `config_fields` and implement the methods."""

    kind: ClassVar[str]
    label: ClassVar[str]
    config_fields: ClassVar[tuple[ConfigField, ...]] = ()
    # Valid-looking settings, for docs and for the contract test that runs over every kind.
    example_settings: ClassVar[dict[str, Any]] = {}
    # None when `publish` sends no HTTP (SMTP, a folder, this site's own feed).
    http_wire: ClassVar[HttpWire | None] = None
    # The `timeout` setting's (default, largest allowed) seconds: how long one request of `publish` waits
    # for an answer. None when `publish` makes no request that can hang (a folder, this site's own feed).
    read_timeout: ClassVar[tuple[float, float] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("config_fields")
        if own is not None and not {f.name for f in LANGUAGE_FIELDS} & {f.name for f in own}:
            cls.config_fields = (*own, *LANGUAGE_FIELDS)  # every kind takes them; listed last on the form

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
        self.check_language_settings()

    def check_language_settings(self) -> None:
        """`languages` are known tags, each once; `language_mode` is one the platform allows."""
        tags = setting_languages(self.config.get("languages"))
        unknown = [tag for tag in tags if tag not in LANGUAGE_TAGS]
        if unknown:
            raise ChannelConfigError(f"{self.kind}: languages: {', '.join(unknown)} not known; use "
                                     f"{', '.join(LANGUAGE_TAGS)}")
        twice = sorted({tag for tag in tags if tags.count(tag) > 1})
        if twice:
            raise ChannelConfigError(f"{self.kind}: languages: {', '.join(twice)} given twice")
        mode = setting_mode(self.config.get("language_mode"))
        allowed = self.capabilities().language_modes
        if mode not in allowed:
            also = "" if mode in LANGUAGE_MODES else f" ({' or '.join(LANGUAGE_MODES)})"
            raise ChannelConfigError(f"{self.kind}: language_mode {mode!r} is not possible{also}; {self.label} "
                                     f"takes {' or '.join(sorted(allowed))}")

    @classmethod
    def longest_request_seconds(cls, config: Mapping[str, Any]) -> float:
        """The longest one request of `publish` can be on the wire with these settings: the connect timeout
        plus the read timeout. A worker that stopped beating may still have such a request in flight,
        so its claims are not taken from it before this much time (and a grace) has passed.

        Lenient on purpose: a setting the adapter itself would refuse counts as the largest allowed."""
        if cls.read_timeout is None:
            return 0.0
        default, largest = cls.read_timeout
        value = config.get("timeout")
        try:
            read = default if value in (None, "") else float("nan") if isinstance(value, bool) else float(value)
        except (TypeError, ValueError):
            read = largest
        if not 0 <= read <= largest:  # also catches NaN
            read = largest
        return CONNECT_TIMEOUT + read

    @classmethod
    @abc.abstractmethod
    def capabilities(cls) -> Capabilities: ...

    def validate(self, content: Content) -> list[Problem]:
        """Problems with this content for this channel, checked against `capabilities()`."""
        return check_against_capabilities(self.name, self.capabilities(), content)

    def outgoing(self, content: Content) -> Outgoing:
        """What the platform gets for this content, as `publish` sends it (channels/outgoing.py): pure, no
        network. This default is the title, the text and every file with its alt text, as the channels that
        pass the post on whole (the state portal, the folder) send it; adapters that shape it override."""
        from channels.outgoing import Outgoing, SentPost, sent_media  # local: outgoing imports this module
        from channels.textcount import count_text

        caps = self.capabilities()
        return Outgoing(account=self.name, posts=(SentPost(content.text, content.title, content.language),),
                        used=count_text(content.text, caps.text_counting), limit=caps.max_text,
                        counting=caps.text_counting, media=sent_media(content.media, lambda m: m.alt_text),
                        crop="files")

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
        problems.append(Problem(channel, "a title is required", "title", "title_required"))
    if caps.max_title is not None and len(content.title) > caps.max_title:
        problems.append(Problem(channel, f"title {len(content.title)} of {caps.max_title} characters", "title",
                                "title_too_long", {"used": len(content.title), "limit": caps.max_title}))
    if not content.text.strip() and not content.media:
        problems.append(Problem(channel, "the text is empty", "body", "text_empty"))
    if caps.max_text is not None:
        used = count_text(content.text, caps.text_counting)
        if used > caps.max_text:
            problems.append(text_too_long(channel, used, caps.max_text, caps.text_counting))
    images = [m for m in content.media if m.is_image]
    videos = [m for m in content.media if m.is_video]
    if len(images) > caps.max_images:
        problems.append(Problem(channel, f"{len(images)} images, at most {caps.max_images} allowed", "media",
                                "too_many_images", {"used": len(images), "limit": caps.max_images}))
    if len(videos) > caps.max_videos:
        problems.append(Problem(channel, f"{len(videos)} videos, at most {caps.max_videos} allowed", "media",
                                "too_many_videos", {"used": len(videos), "limit": caps.max_videos}))
    for item in content.media:
        label = item.label
        if caps.media_types and item.content_type not in caps.media_types:
            problems.append(Problem(channel, f"{label}: {item.content_type} files are not accepted", "media",
                                    "media_type_refused", {"type": item.content_type}, label))
        if caps.max_media_bytes is not None and item.size > caps.max_media_bytes:
            problems.append(media_too_large(channel, item, caps.max_media_bytes))
        if caps.alt_text_required and item.is_image and not item.alt_text.strip():
            problems.append(Problem(channel, f"{label}: an image needs alt text", "media", "alt_text_missing",
                                    item=label))
    return problems


def text_too_long(channel: str, used: int, limit: int, counting: str = "characters") -> Problem:
    """The text is longer than the channel takes, counted the channel's way."""
    unit = {"graphemes": "characters", "x-weighted": "characters"}.get(counting, counting)
    return Problem(channel, f"{used} of {limit} {unit}", "body", "text_too_long", {"used": used, "limit": limit})


def media_too_large(channel: str, item: MediaItem, limit: int, kind: str = "") -> Problem:
    """A file larger than the channel takes; `kind` ("a photo", "an image") when the limit is for those only."""
    also = f" for {kind}" if kind else ""
    return Problem(channel, f"{item.label}: {item.size} bytes, at most {limit} allowed{also}", "media",
                   "media_too_large", {"used": item.size, "limit": limit}, item.label)


def too_many_attachments(channel: str, used: int, limit: int, message: str | None = None) -> Problem:
    return Problem(channel, message or f"{used} attachments, at most {limit} allowed", "media",
                   "too_many_attachments", {"used": used, "limit": limit})


def alt_text_too_long(channel: str, item: MediaItem, used: int, limit: int) -> Problem:
    return Problem(channel, f"{item.label}: alt text {used} of {limit} characters", "media", "alt_text_too_long",
                   {"used": used, "limit": limit}, item.label)


def images_and_video(channel: str, message: str) -> Problem:
    """The platform takes images or one video in a post, not both (each says it in its own words)."""
    return Problem(channel, message, "media", "images_and_video")
