"""Mastodon (any instance) through Mastodon.py.

Verified against the Mastodon.py 2.3.3 source (mastodon/*.py in the virtualenv):
- `status_post(..., idempotency_key=K)` sends the header `Idempotency-Key: K` (statuses.py, `__status_internal`).
  Mastodon keeps the key for one hour (PostStatusService: `redis.setex(idempotency_key, 3_600, status.id)`)
  and answers a repeat within that hour with the status it already made, so resending is safe for an hour.
- `media_post` goes to `/api/v2/media` only when the server version is known to be ≥ 3.1.4; with the
  default `version_check_mode="none"` Mastodon.py assumes 1.0.0 and silently uses `/api/v1/media`, or asks
  the instance first (utility.py `verify_minimum_version`). We pin `mastodon_version="4.0.0"` with
  `version_check_mode="created"`, so no call asks for the version and v2 media is used.
- `media_post(synchronous=True)` polls every 5 s without any deadline: we poll `media()` ourselves, bounded.
- Every transport failure becomes `MastodonNetworkError` with the requests exception as `__context__`
  (internals.py `__api_request`); HTTP errors are `MastodonAPIError(msg, status, reason, error)` or a subclass;
  a 429 in `ratelimit_method="throw"` is `MastodonRatelimitError` with the reset in `api.ratelimit_reset`
  (epoch seconds, already corrected by the server's Date header). "wait" mode (the default) would sleep
  inside the worker for up to five minutes per call; we never let it.
- `request_timeout` is handed to requests as is, so a (connect, read) tuple works.
"""

from __future__ import annotations

import ipaddress
import mimetypes
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

import requests
from mastodon import Mastodon
from mastodon._url_regex import url_regex  # the URL pattern Mastodon.py's get_status_length uses
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
    MastodonUnauthorizedError,
)

from channels.adapter_kit import CONNECT_TIMEOUT, USER_AGENT, parse_retry_after, said
from channels.base import (
    Capabilities,
    Channel,
    ConfigField,
    Content,
    Health,
    HttpWire,
    MediaItem,
    Problem,
    Published,
    alt_text_too_long,
    check_against_capabilities,
    images_and_video,
    media_too_large,
    seconds_setting,
    text_too_long,
    too_many_attachments,
)
from channels.errors import (
    AuthExpired,
    ChannelConfigError,
    ChannelError,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.outgoing import Outgoing, SentMedium, SentPost, sent_media
from channels.registry import register
from channels.textcount import count_graphemes

DEFAULT_READ_TIMEOUT = 30.0
TIMEOUT_RANGE = (1.0, 120.0)
DEFAULT_MEDIA_WAIT = 120.0  # seconds to wait for the instance to process uploaded media, per post
MEDIA_WAIT_RANGE = (1.0, 600.0)
MEDIA_POLL_FIRST, MEDIA_POLL_MAX = 0.5, 5.0
ASSUMED_VERSION = "4.0.0"  # /api/v2/media (3.1.4) and /api/v2/instance (4.0); older servers are gone
VISIBILITIES = ("public", "unlisted")
IDEMPOTENCY_WINDOW = "about an hour"  # Mastodon keeps Idempotency-Key for 3600 s
NOTHING_POSTED = "nothing was posted yet"  # an unused upload is deleted by the instance

# What an instance's /api/v2/instance usually says; used until (or when) it cannot be asked. The media
# sizes are the older, smaller Mastodon defaults on purpose: refusing a borderline file at submit time
# is better than a failed delivery.
DEFAULT_MAX_CHARACTERS = 500
DEFAULT_URL_CHARACTERS = 23
DEFAULT_MAX_MEDIA = 4
DEFAULT_IMAGE_BYTES = 10 * 1024 * 1024
DEFAULT_VIDEO_BYTES = 40 * 1024 * 1024
DEFAULT_MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"})
MAX_ALT_TEXT = 1500  # MediaAttachment::MAX_DESCRIPTION_LENGTH
LIMITS_TTL = 6 * 3600.0  # how long the instance's own limits are trusted before asking again
LIMITS_RETRY = 300.0  # after a failed look-up, the defaults stand for this long

_KEY = re.compile(r"[\x21-\x7e]{1,200}")  # a header value: visible ASCII
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# Mastodon counts a remote mention "@user@domain" as "@user" (StatusLengthValidator).
_REMOTE_MENTION = re.compile(r"(^|[^/\w])@(([a-z0-9_]+)@[a-z0-9.\-]+[a-z0-9]+)", re.IGNORECASE)
# Names that never resolve (RFC 2606/6761): asking them would only wait for DNS to fail.
_NEVER_RESOLVES = (".example", ".invalid")


@dataclass(frozen=True)
class InstanceLimits:
    """The limits one instance announces in `configuration` of /api/v2/instance (or v1)."""

    max_characters: int = DEFAULT_MAX_CHARACTERS
    url_characters: int = DEFAULT_URL_CHARACTERS
    max_media: int = DEFAULT_MAX_MEDIA
    image_bytes: int = DEFAULT_IMAGE_BYTES
    video_bytes: int = DEFAULT_VIDEO_BYTES
    media_types: frozenset[str] = DEFAULT_MEDIA_TYPES
    max_alt_text: int = MAX_ALT_TEXT
    from_instance: bool = False


DEFAULT_LIMITS = InstanceLimits()


class _LastAnswer:
    """What Mastodon.py gets as its session: ours, every call passed on unchanged, keeping the last answer
    (per thread: one adapter may send for several deliveries at once). On a 429 Mastodon.py raises without
    the response, and a Retry-After is only in that answer's headers."""

    def __init__(self, session: requests.Session) -> None:
        self._session = session
        self._local = threading.local()

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self._local.answer = None
        self._local.answer = self._session.request(method, url, **kwargs)
        return self._local.answer

    @property
    def last(self) -> requests.Response | None:
        return getattr(self._local, "answer", None)


@register
class MastodonChannel(Channel):
    kind = "mastodon"
    label = "Mastodon"
    config_fields = (
        ConfigField("api_base_url", "The instance's address, e.g. https://mastodon.social"),
        ConfigField("access_token", "Access token of an application created under Preferences → Development",
                    secret=True),
        ConfigField("visibility", "public (default) or unlisted", required=False),
        ConfigField("language", "ISO 639 code used when a post has no language, e.g. sr", required=False),
        ConfigField("timeout", "Seconds to wait for the instance's answer, 1–120 (default 30)", required=False),
        ConfigField("media_timeout", "Seconds to wait for uploaded media to be processed, 1–600 (default 120)",
                    required=False),
    )
    example_settings = {
        "api_base_url": "https://mastodon.example",
        "access_token": "Zm9vYmFyLXRva2VuLWZyb20tcHJlZmVyZW5jZXMtZGV2ZWxvcG1lbnQ",
        "visibility": "public",
        "language": "sr",
    }
    # The status carries our Idempotency-Key, so every failure that may hide a post is Retryable (translate).
    http_wire = HttpWire(client="requests", resend_safe=True)
    read_timeout = (DEFAULT_READ_TIMEOUT, TIMEOUT_RANGE[1])  # longest_request_seconds reads it

    def check_config(self) -> None:
        super().check_config()
        self._base_url = _check_base_url(self.config.get("api_base_url"))
        token = self.credentials.get("access_token")
        if not isinstance(token, str) or not token.strip() or any(ch <= " " or ch > "~" for ch in token.strip()):
            raise ChannelConfigError("mastodon: access_token must be the token text shown by the instance")
        self._token = token.strip()
        visibility = self.config.get("visibility") or "public"
        if visibility not in VISIBILITIES:
            raise ChannelConfigError("mastodon: visibility must be public or unlisted")
        self._visibility = visibility
        language = self.config.get("language") or None
        if language is not None and not (isinstance(language, str) and _LANGUAGE.fullmatch(language)):
            raise ChannelConfigError("mastodon: language must be a two- or three-letter ISO 639 code, e.g. sr")
        self._default_language = language
        self._read_timeout = seconds_setting(self.kind, "timeout", self.config.get("timeout"), DEFAULT_READ_TIMEOUT,
                                             TIMEOUT_RANGE)
        self._media_wait = seconds_setting(self.kind, "media_timeout", self.config.get("media_timeout"),
                                           DEFAULT_MEDIA_WAIT, MEDIA_WAIT_RANGE)
        self._api: Mastodon | None = None
        self._answers = _LastAnswer(self.session)
        self._limits: InstanceLimits | None = None
        self._limits_until = 0.0

    def __repr__(self) -> str:
        # Only the name and host: the access token must never reach a log line.
        return f"<{type(self).__name__} {self.name!r} host={urlsplit(self._base_url).hostname!r}>"

    # --- limits --------------------------------------------------------------------------------------

    @classmethod
    def capabilities(cls) -> Capabilities:
        """Mastodon's stock limits. `limits()` gives the configured instance's own."""
        return _capabilities(DEFAULT_LIMITS)

    def limits(self) -> Capabilities:
        return _capabilities(self.instance_limits())

    def instance_limits(self) -> InstanceLimits:
        """The instance's announced limits, asked once and cached; the defaults while it cannot be asked."""
        now = time.monotonic()
        if self._limits is None or now >= self._limits_until:
            fetched = self._fetch_limits()
            self._limits = fetched or DEFAULT_LIMITS
            self._limits_until = now + (LIMITS_TTL if fetched else LIMITS_RETRY)
        return self._limits

    def _fetch_limits(self) -> InstanceLimits | None:
        host = urlsplit(self._base_url).hostname or ""
        if host.endswith(_NEVER_RESOLVES):
            return None
        api = self._client()
        try:
            try:
                info = api.instance_v2()
            except MastodonAPIError as exc:
                if _status(exc) != 404:
                    raise
                info = api.instance_v1()  # a server older than 4.0
        except MastodonError:
            return None
        return parse_instance_limits(info)

    def validate(self, content: Content) -> list[Problem]:
        limits = self.instance_limits()
        caps = _capabilities(limits)
        # The shared checks count plain characters; Mastodon counts graphemes with every URL as 23.
        problems = check_against_capabilities(self.name, replace(caps, max_text=None, max_media_bytes=None), content)
        used = status_length(content.text, url_characters=limits.url_characters)
        if used > limits.max_characters:
            problems.append(text_too_long(self.name, used, limits.max_characters))
        images = [m for m in content.media if m.is_image]
        videos = [m for m in content.media if m.is_video]
        if len(content.media) > limits.max_media and len(images) <= limits.max_media:
            problems.append(too_many_attachments(self.name, len(content.media), limits.max_media))
        if videos and images:
            problems.append(images_and_video(self.name, "a video cannot be combined with images in one post"))
        for item in content.media:
            limit = limits.video_bytes if item.is_video else limits.image_bytes
            if item.size > limit:
                problems.append(media_too_large(self.name, item, limit))
            alt = len(item.alt_text.strip())
            if alt > limits.max_alt_text:
                problems.append(alt_text_too_long(self.name, item, alt, limits.max_alt_text))
        return problems

    # --- sending -------------------------------------------------------------------------------------

    def outgoing(self, content: Content) -> Outgoing:
        """The status as the instance gets it: the text whole, every file with its trimmed description.
        Counted with the limits known without asking the instance (a preview never waits for it). Mastodon
        makes a card from the first link of a status without media."""
        limits = self._limits or DEFAULT_LIMITS
        media = sent_media(content.media, lambda m: m.alt_text.strip() or None)
        link = url_regex.search(content.text)
        return Outgoing(account=urlsplit(self._base_url).hostname or self.name, posts=(SentPost(content.text),),
                        used=status_length(content.text, url_characters=limits.url_characters),
                        limit=limits.max_characters, counting="graphemes", media=media, crop="wide",
                        card_url=link.group(3) if link and not media else None)

    def publish(self, content: Content, *, key: str) -> Published:
        if not _KEY.fullmatch(key):
            raise Rejected("the delivery key cannot be sent as an Idempotency-Key (visible ASCII, 1–200 characters)")
        out = self.outgoing(content)
        media = [(sent, sent.item.read_approved()) for sent in out.media]  # before any network call
        api = self._client()
        uploaded = [(sent.item, self._upload(api, n, sent, data)) for n, (sent, data) in enumerate(media, start=1)]
        deadline = time.monotonic() + self._media_wait  # one bound for the whole post; processing runs in parallel
        media_ids = [self._processed(api, item, attachment, deadline) for item, attachment in uploaded]
        try:
            # Safe to resend for about an hour: Mastodon answers a repeated Idempotency-Key with the status it
            # already made instead of a second one, so every failure below may be retried with the same key.
            status = api.status_post(
                out.posts[0].text,
                media_ids=media_ids or None,
                visibility=self._visibility,
                language=self._language(content),
                idempotency_key=key,
            )
        except MastodonError as exc:
            raise translate(exc, api, doing="posting") from None
        return _published(status)

    def _upload(self, api: Mastodon, n: int, sent: SentMedium, data: bytes) -> Any:
        item = sent.item
        extension = mimetypes.guess_extension(item.content_type) or ""
        try:
            return api.media_post(
                data,
                mime_type=item.content_type,
                description=sent.alt_text,
                file_name=f"media{n}{extension}",  # Mastodon ignores it; an ASCII name keeps the part simple
            )
        except MastodonError as exc:
            raise translate(exc, api, doing=f"uploading {item.label}", safe=NOTHING_POSTED) from None

    def _processed(self, api: Mastodon, item: MediaItem, attachment: Any, deadline: float) -> Any:
        """The attachment's id once the instance has processed it.

        /api/v2/media answers 202 with url null while the instance still processes the file (videos, large
        images), and a status that refers to such media is refused: wait for it, but not forever."""
        label = item.label
        media_id = _get(attachment, "id")
        if media_id in (None, ""):
            raise Retryable(f"{label}: the instance answered the upload without an id; nothing was posted")
        delay = MEDIA_POLL_FIRST
        try:
            while not _get(attachment, "url"):
                if time.monotonic() + delay > deadline:
                    raise Retryable(f"{label}: the instance was still processing it after {self._media_wait:g} s;"
                                    " nothing was posted")
                time.sleep(delay)
                delay = min(delay * 2, MEDIA_POLL_MAX)
                attachment = api.media(media_id)
        except MastodonError as exc:
            raise translate(exc, api, doing=f"uploading {label}", safe=NOTHING_POSTED) from None
        return media_id

    def find(self, key: str) -> Published | None:
        """Mastodon cannot look a status up by its Idempotency-Key, so this cannot tell.

        Reconciliation then sends again with the same key (`capabilities().idempotent` is True), which cannot
        double-post while Mastodon still remembers the key: for about an hour after the first attempt. A
        resend later than that could make a second post; the dispatcher's retries normally come well before.
        """
        raise OutcomeUnknown(f"Mastodon has no look-up by Idempotency-Key; resending with the same key is safe "
                             f"for {IDEMPOTENCY_WINDOW} after the first attempt")

    def check(self) -> Health:
        api = self._client()
        try:
            account = api.account_verify_credentials()
        except MastodonError as exc:
            error = translate(exc, api, doing="checking the access token", safe="")
            if isinstance(error, AuthExpired):
                return Health.refusal(f"credentials refused: {error.message}")
            return Health.from_error(error)
        acct = _get(account, "acct") or _get(account, "username") or "?"
        return Health(ok=True, message=f"signed in as @{acct} on {urlsplit(self._base_url).hostname}")

    # --- helpers -------------------------------------------------------------------------------------

    def _client(self) -> Mastodon:
        if self._api is None:
            self._api = Mastodon(
                access_token=self._token,
                api_base_url=self._base_url,
                session=self._answers,  # type: ignore[arg-type]  # Mastodon.py only calls .request on it
                request_timeout=(CONNECT_TIMEOUT, self._read_timeout),
                ratelimit_method="throw",  # never sleep inside the worker; the dispatcher waits
                mastodon_version=ASSUMED_VERSION,
                version_check_mode="created",
                user_agent=USER_AGENT,
            )
        return self._api

    def _language(self, content: Content) -> str | None:
        # Mastodon takes ISO 639 codes; our posts carry BCP 47 tags such as "sr-Cyrl".
        primary = (content.language or "").split("-")[0].strip().lower()
        return primary if _LANGUAGE.fullmatch(primary) else self._default_language


# --- counting ----------------------------------------------------------------------------------------


def status_length(text: str, *, url_characters: int = DEFAULT_URL_CHARACTERS) -> int:
    """Characters as Mastodon's StatusLengthValidator counts them: grapheme clusters, every URL as
    `url_characters` (23), a remote mention "@user@domain" as "@user". Same rewriting as Mastodon.py's
    `get_status_length`, which itself needs the `grapheme` package; this uses channels.textcount."""
    countable = url_regex.sub(lambda m: m.group(2) + "x" * url_characters, text)
    countable = _REMOTE_MENTION.sub(r"\1@\3", countable)
    return count_graphemes(countable)


def parse_instance_limits(info: Mapping[str, Any]) -> InstanceLimits:
    """Read `configuration` of /api/v2/instance or /api/v1/instance; anything missing keeps its default."""
    config = _get(info, "configuration") or {}
    statuses = _get(config, "statuses") or {}
    media = _get(config, "media_attachments") or {}
    types = _get(media, "supported_mime_types")
    return InstanceLimits(
        # glitch-soc and some forks announce the length at the top level as max_toot_chars
        max_characters=_positive(_get(statuses, "max_characters"), _positive(_get(info, "max_toot_chars"),
                                                                              DEFAULT_MAX_CHARACTERS)),
        url_characters=_positive(_get(statuses, "characters_reserved_per_url"), DEFAULT_URL_CHARACTERS),
        max_media=_positive(_get(statuses, "max_media_attachments"), DEFAULT_MAX_MEDIA),
        image_bytes=_positive(_get(media, "image_size_limit"), DEFAULT_IMAGE_BYTES),
        video_bytes=_positive(_get(media, "video_size_limit"), DEFAULT_VIDEO_BYTES),
        media_types=frozenset(t for t in types if isinstance(t, str)) if isinstance(types, list) and types
        else DEFAULT_MEDIA_TYPES,
        max_alt_text=_positive(_get(media, "description_limit"), MAX_ALT_TEXT),
        from_instance=True,
    )


def _capabilities(limits: InstanceLimits) -> Capabilities:
    return Capabilities(
        max_text=limits.max_characters,
        text_counting="graphemes",  # and every URL counts as limits.url_characters: see status_length
        max_images=limits.max_media,
        max_videos=1,  # Mastodon takes one video, and then nothing else, per status
        media_types=limits.media_types,
        max_media_bytes=max(limits.image_bytes, limits.video_bytes),  # images are held to image_bytes
        alt_text_required=True,  # Mastodon shows it to everyone who cannot see the image
        idempotent=True,  # Idempotency-Key, remembered for about an hour: see find()
    )


# --- translating Mastodon.py's outcomes: the one place that decides what a failure means -------------


def translate(exc: MastodonError, api: Mastodon, *, doing: str,
              safe: str = "sending again with the same Idempotency-Key is safe") -> ChannelError:
    """Every request that reaches `translate` either carried our Idempotency-Key (the status) or made
    nothing visible (a media upload, which the instance deletes if no status uses it), so whatever did not
    clearly fail for good is Retryable, never OutcomeUnknown."""
    if isinstance(exc, MastodonRatelimitError):
        return RateLimited(f"{doing}: the instance is limiting requests (HTTP 429)", retry_after=_rate_limit_wait(api),
                           status=429)
    if isinstance(exc, MastodonNetworkError):
        return Retryable(f"{doing}: {_transport_words(exc.__context__, api)}{'; ' + safe if safe else ''}")
    if isinstance(exc, MastodonAPIError):
        status = _status(exc)
        words = said(_error_text(exc))
        if status is None:
            # The answer arrived but was not JSON (a proxy's error page, a cut-off body). The status may exist;
            # a resend with the same key returns it.
            return Retryable(f"{doing}: the instance's answer could not be read{'; ' + safe if safe else ''}")
        if isinstance(exc, MastodonUnauthorizedError) or status in (401, 403):
            return AuthExpired(f"{doing}: the instance refused the access token (HTTP {status}){words}; "
                                   "create a new token under Preferences → Development", status=status)
        if status == 429:
            return RateLimited(f"{doing}: the instance is limiting requests (HTTP 429){words}",
                               retry_after=_rate_limit_wait(api), status=status)
        if status == 408 or status >= 500:
            return Retryable(f"{doing}: the instance failed (HTTP {status}){words}", status=status)
        if status == 422 and "finished processing" in words.lower():
            # "Cannot attach files that have not finished processing": the instance's words for "try again soon".
            return Retryable(f"{doing}: the instance is still processing the media (HTTP 422){words}", status=status)
        if status == 413:
            return Rejected(f"{doing}: the file is too large for this instance (HTTP 413){words}", status=status)
        return Rejected(f"{doing}: the instance refused it (HTTP {status}){words}", status=status)
    # MastodonIllegalArgumentError, MastodonVersionError, ...: refused by Mastodon.py before anything was sent.
    return Rejected(f"{doing}: Mastodon.py refused the request ({type(exc).__name__})")


def _rate_limit_wait(api: Mastodon) -> float | None:
    """Seconds until the instance lifts its limit: X-RateLimit-Reset as Mastodon.py read it (already
    corrected by the server's Date), else the Retry-After a proxy in front of the instance may send."""
    reset = getattr(api, "ratelimit_reset", None)
    if isinstance(reset, int | float):
        return max(0.0, float(reset) - time.time())
    answers = getattr(api, "session", None)
    answer = answers.last if isinstance(answers, _LastAnswer) else None
    return parse_retry_after(answer.headers.get("Retry-After")) if answer is not None else None


def _transport_words(cause: BaseException | None, api: Mastodon) -> str:
    # Only class names: the exceptions' own text holds the URL.
    read = api.request_timeout[1] if isinstance(api.request_timeout, tuple) else api.request_timeout
    if isinstance(cause, requests.ConnectTimeout):
        return f"could not connect to the instance within {CONNECT_TIMEOUT:g} s (ConnectTimeout)"
    if isinstance(cause, requests.Timeout):
        return f"the instance did not answer within {read:g} s ({type(cause).__name__})"
    if isinstance(cause, requests.ConnectionError):
        return f"the connection to the instance failed ({type(cause).__name__})"
    return f"the request to the instance failed ({type(cause).__name__ if cause else 'unknown'})"


def _status(exc: MastodonError) -> int | None:
    # MastodonAPIError('Mastodon API returned error', status, reason, error)
    args = exc.args
    return args[1] if len(args) >= 2 and isinstance(args[1], int) else None


def _error_text(exc: MastodonError) -> str:
    args = exc.args
    return args[3] if len(args) >= 4 and isinstance(args[3], str) else ""


def _published(status: Any) -> Published:
    status_id = _get(status, "id")
    if status_id in (None, ""):
        raise Retryable("the instance answered without a status id; sending again with the same Idempotency-Key "
                        "returns the status it made")
    url = _get(status, "url") or _get(status, "uri")
    return Published(remote_id=str(status_id), url=url if isinstance(url, str) and url else None)


# --- settings and small helpers ----------------------------------------------------------------------


def _check_base_url(value: object) -> str:
    # The value is not echoed back: a pasted URL may carry a token.
    refusal = ChannelConfigError("mastodon: api_base_url must be the instance's https:// address")
    if not isinstance(value, str) or any(ch <= " " for ch in value.strip()):
        raise refusal
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        raise refusal from None
    if not parts.hostname or parts.query or parts.fragment or parts.username or parts.password:
        raise refusal
    # The access token travels in a header: plain http only to this machine (tests, a local proxy).
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname)):
        raise refusal
    return value.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return None


def _positive(value: object, default: int) -> int:
    if isinstance(value, bool):
        return default
    if isinstance(value, int | float) and value >= 1:
        return int(value)
    return default
