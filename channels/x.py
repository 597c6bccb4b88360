"""X (formerly Twitter): posts through tweepy 4.17's v2 `Client`, media through X's v2 upload endpoint.

What goes over the wire, in order:

1. each image: `POST https://api.x.com/2/media/upload` (multipart: media_category=tweet_image, media_type,
   media), then its alt text: `POST https://api.x.com/2/media/metadata` with
   `{"id": ..., "metadata": {"alt_text": {"text": ...}}}`;
   a video: the same endpoint with command=INIT / APPEND (chunks) / FINALIZE, then
   `GET ...?command=STATUS&media_id=...` until X has processed it (bounded by `status_wait_budget`);
2. the post: tweepy's `Client.create_tweet(text=..., media_ids=[...], user_auth=True)`, which sends
   `POST https://api.twitter.com/2/tweets` - tweepy 4.17 hard-codes that host (client.py, `BaseClient.request`).

Every call is signed with OAuth 1.0a user context, built by tweepy's own `OAuth1UserHandler.apply_auth()`.

tweepy's client makes its requests through `client.session.request(...)` with no timeout, so the adapter
hands it `SdkSession` (channels.base) instead of a session: it forwards to our `requests.Session` with our (connect, read)
timeout, refuses redirects and remembers the answer. The outcome is then decided from that answer, in
one place (`reply_outcome`), rather than from tweepy's exceptions: tweepy raises AttributeError on a JSON
body that is not an object and ValueError on a non-numeric `x-rate-limit-reset`.

X has no idempotency key. A post whose fate is unknown (read timeout, 5xx or dropped connection after the
request was sent) is OutcomeUnknown and never resent automatically; X's own duplicate-content check
(403 "duplicate content") is reported the same way because it means an earlier attempt went out.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import requests
import tweepy
from tweepy.auth import OAuth1UserHandler

from channels.adapter_kit import CONNECT_TIMEOUT, USER_AGENT, excerpt, nothing_sent, parse_retry_after, said
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
    SdkSession,
    alt_text_too_long,
    check_against_capabilities,
    images_and_video,
    media_too_large,
    seconds_setting,
    text_too_long,
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
from channels.outgoing import Outgoing, SentPost, sent_media
from channels.registry import register
from channels.x_text import MAX_WEIGHTED_LENGTH, url_spans, weighted_length

API_HOST = "https://api.twitter.com"  # what tweepy 4.17 sends /2/tweets and /2/users/me to
TWEETS_URL = API_HOST + "/2/tweets"
ME_URL = API_HOST + "/2/users/me"
UPLOAD_URL = "https://api.x.com/2/media/upload"
METADATA_URL = "https://api.x.com/2/media/metadata"
POST_URL = "https://x.com/i/web/status/{id}"

DEFAULT_READ_TIMEOUT = 30.0
TIMEOUT_RANGE = (1.0, 120.0)

MAX_IMAGES = 4
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_VIDEO_BYTES = 512 * 1024 * 1024
MAX_ALT_TEXT = 1000
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})

TWEET = "tweet"  # creating the post: not idempotent, a lost answer is OutcomeUnknown
MEDIA = "media"  # uploads and alt text: nothing public yet, a lost answer is Retryable
CHECK = "check"  # reading the account: nothing to lose

# X's problem types that mean the app or token cannot post at all: pause the channel for an admin.
_CREDENTIAL_PROBLEMS = ("oauth1-permissions", "client-forbidden", "unsupported-authentication")
_TOKEN = re.compile(r"[\x21-\x7e]{1,200}")


@register
class X(Channel):
    kind = "x"
    label = "X"
    config_fields = (
        ConfigField("consumer_key", "API key of the X developer app (Keys and tokens → Consumer keys)", secret=True),
        ConfigField("consumer_secret", "API key secret of the X developer app", secret=True),
        ConfigField("access_token", "Access token of the ministry's account (generated with Read and write)",
                    secret=True),
        ConfigField("access_token_secret", "Access token secret of the ministry's account", secret=True),
        ConfigField("timeout", "Seconds to wait for X's answer, 1–120 (default 30)", required=False),
    )
    example_settings: ClassVar[dict[str, Any]] = {
        "consumer_key": "xvz1evFS4wEEPTGEFPHBog",
        "consumer_secret": "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "access_token": "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "access_token_secret": "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
        "timeout": 30,
    }
    # No idempotency key: a post whose fate is unknown is OutcomeUnknown (module docstring).
    http_wire = HttpWire(client="requests", resend_safe=False)
    read_timeout = (DEFAULT_READ_TIMEOUT, TIMEOUT_RANGE[1])  # longest_request_seconds reads it

    # How long publish() waits for X to process a video, and the chunk size of its upload. Instance
    # attributes may override them (the tests do, to stay fast).
    status_wait_budget: float = 120.0
    chunk_size: int = 4 * 1024 * 1024

    def check_config(self) -> None:
        super().check_config()
        for name in ("consumer_key", "consumer_secret", "access_token", "access_token_secret"):
            value = self.credentials.get(name)
            # Never echo the value: it is a credential.
            if not isinstance(value, str) or not _TOKEN.fullmatch(value):
                raise ChannelConfigError(f"x: {name} must be the text X shows, without spaces")
        self._read_timeout = seconds_setting(self.kind, "timeout", self.config.get("timeout"), DEFAULT_READ_TIMEOUT,
                                            TIMEOUT_RANGE)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(
            max_text=MAX_WEIGHTED_LENGTH,
            text_counting="x-weighted",
            max_images=MAX_IMAGES,
            max_videos=1,
            media_types=IMAGE_TYPES | VIDEO_TYPES,
            max_media_bytes=MAX_VIDEO_BYTES,
            alt_text_required=True,
            idempotent=False,
        )

    def validate(self, content: Content) -> list[Problem]:
        caps = self.capabilities()
        # The shared checks cannot count "x-weighted" text (channels/textcount.py), so the length is
        # checked here, in the same words.
        problems = check_against_capabilities(self.name, replace(caps, max_text=None), content)
        used = weighted_length(content.text)
        if used > MAX_WEIGHTED_LENGTH:
            at = next((n for n, p in enumerate(problems) if p.field == "media"), len(problems))
            problems.insert(at, text_too_long(self.name, used, MAX_WEIGHTED_LENGTH))
        images = [m for m in content.media if m.is_image]
        videos = [m for m in content.media if m.is_video]
        if images and videos:
            problems.append(images_and_video(self.name, "a post takes up to 4 images or one video, not both"))
        for item in images:
            if item.size > MAX_IMAGE_BYTES:
                problems.append(media_too_large(self.name, item, MAX_IMAGE_BYTES, "an image"))
            if len(item.alt_text) > MAX_ALT_TEXT:
                problems.append(alt_text_too_long(self.name, item, len(item.alt_text), MAX_ALT_TEXT))
        return problems

    # --- publish ------------------------------------------------------------------------------------

    def outgoing(self, content: Content) -> Outgoing:
        """The post as X gets it: the text whole (X counts it weighted, links as 23), images before a video,
        each image's alt text when it has one (a video takes none); X draws a card from the last link of a
        post without media."""
        images = [m for m in content.media if m.is_image]
        videos = [m for m in content.media if m.is_video]
        media = sent_media([*images, *videos], lambda m: m.alt_text if m.is_image and m.alt_text.strip() else None)
        normal = unicodedata.normalize("NFC", content.text)  # what X counts and links in
        links = url_spans(normal)
        card = normal[links[-1][0]:links[-1][1]] if links and not media else None
        return Outgoing(account=self.name, posts=(SentPost(content.text),), used=weighted_length(content.text),
                        limit=MAX_WEIGHTED_LENGTH, counting="x-weighted", media=media, crop="wide", card_url=card)

    def publish(self, content: Content, *, key: str) -> Published:
        out = self.outgoing(content)
        images = [m for m in out.media if m.item.is_image]
        videos = [m for m in out.media if m.item.is_video]
        if len(images) > MAX_IMAGES or len(videos) > 1 or (images and videos):
            raise Rejected("X takes up to 4 images or one video per post")
        # Every file is checked against its approved checksum before anything leaves this server.
        image_bytes = [sent.item.read_approved() for sent in images]
        for sent in videos:
            _check_approved_stream(sent.item)

        media_ids: list[str] = []
        for sent, data in zip(images, image_bytes, strict=True):
            media_id = self._upload_image(sent.item, data)
            if sent.alt_text:
                self._set_alt_text(media_id, sent.alt_text)
            media_ids.append(media_id)
        for sent in videos:
            media_ids.append(self._upload_video(sent.item))

        text = out.posts[0].text
        body = self._tweepy(
            TWEET,
            lambda client: client.create_tweet(text=text or None, media_ids=media_ids or None, user_auth=True),
        )
        return tweet_published(body)

    def _upload_image(self, item: MediaItem, data: bytes) -> str:
        parts = [
            ("media_category", (None, "tweet_image")),
            ("media_type", (None, item.content_type)),
            ("media", (item.safe_filename, data, item.content_type)),
        ]
        return _media_id(self._raw("POST", UPLOAD_URL, files=parts), "the image upload")

    def _set_alt_text(self, media_id: str, alt_text: str) -> None:
        self._raw("POST", METADATA_URL, json={"id": media_id, "metadata": {"alt_text": {"text": alt_text}}})

    def _upload_video(self, item: MediaItem) -> str:
        init = self._raw("POST", UPLOAD_URL, files=[
            ("command", (None, "INIT")),
            ("media_type", (None, item.content_type)),
            ("total_bytes", (None, str(item.size))),
            ("media_category", (None, "tweet_video")),
        ])
        media_id = _media_id(init, "the video upload")
        digest = hashlib.sha256()
        size = 0
        for index, chunk in enumerate(_chunks(item.path, self.chunk_size)):
            digest.update(chunk)
            size += len(chunk)
            self._raw("POST", UPLOAD_URL, files=[
                ("command", (None, "APPEND")),
                ("media_id", (None, media_id)),
                ("segment_index", (None, str(index))),
                ("media", ("blob", chunk, "application/octet-stream")),
            ])
        if digest.hexdigest() != item.sha256 or size != item.size:
            # Uploaded but not finalised: X discards it; nothing was published.
            raise Rejected(f"{item.label}: the media file changed since it was approved")
        final = self._raw("POST", UPLOAD_URL, files=[("command", (None, "FINALIZE")), ("media_id", (None, media_id))])
        self._wait_for_processing(media_id, _processing_info(final))
        return media_id

    def _wait_for_processing(self, media_id: str, info: Mapping[str, Any] | None) -> None:
        deadline = time.monotonic() + self.status_wait_budget
        while info is not None:
            state = info.get("state")
            if state == "succeeded":
                return
            if state == "failed":
                error = info.get("error") if isinstance(info.get("error"), dict) else {}
                words = error.get("message") or error.get("name") or "no reason given"
                raise Rejected(f"X could not process the video: {excerpt(str(words))}")
            wait = _clamp(info.get("check_after_secs"), 1.0, 30.0)
            if time.monotonic() + wait > deadline:
                raise Retryable(
                    f"X was still processing the video after {self.status_wait_budget:g} s; it will be uploaded "
                    "again later (nothing was published)", retry_after=60.0,
                )
            time.sleep(wait)
            status = self._raw("GET", UPLOAD_URL, params={"command": "STATUS", "media_id": media_id})
            info = _processing_info(status)
            if info is None:
                # FINALIZE omits processing_info when nothing is left to do; STATUS always carries it.
                raise Retryable("X's answer about the video's processing was unreadable; it will be uploaded "
                                "again later (nothing was published)")

    # --- find and check -----------------------------------------------------------------------------

    def find(self, key: str) -> Published | None:
        """X keeps no key of ours: a post cannot be looked up by the delivery key.

        The account's recent posts (GET /2/users/:id/tweets) could be compared with the text we sent,
        but `find` receives only the key, not the content, so a person decides (see docs/channels/x.md).
        """
        raise OutcomeUnknown("X cannot be searched by our key; check the account's posts and decide")

    def check(self) -> Health:
        try:
            body, headers = self._tweepy_with_headers(CHECK, lambda client: client.get_me(user_auth=True))
        except ChannelError as exc:
            return Health.from_error(exc)
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        who = f"@{data['username']}" if data.get("username") else "the account"
        access = headers.get("x-access-level", "")
        if access and "write" not in access:
            return Health.refusal(f"signed in as {who}, but the token can only read ({access}); give the "
                                            "app Read and write permission and generate the access token again")
        # OAuth 1.0a tokens do not expire; they stop working only when revoked or regenerated.
        return Health(ok=True, message=f"signed in as {who}")

    # --- the wire -----------------------------------------------------------------------------------

    def _timeout(self) -> tuple[float, float]:
        return (CONNECT_TIMEOUT, self._read_timeout)

    def _auth(self) -> Any:
        return OAuth1UserHandler(
            self.credentials["consumer_key"], self.credentials["consumer_secret"],
            self.credentials["access_token"], self.credentials["access_token_secret"],
        ).apply_auth()

    def _raw(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        """A media call made with requests directly (tweepy's Client cannot send multipart)."""
        try:
            reply = self.session.request(
                method, url, auth=self._auth(), headers={"User-Agent": USER_AGENT},
                timeout=self._timeout(), allow_redirects=False, **kwargs,
            )
        except requests.RequestException as exc:
            raise transport_failure(exc, MEDIA, self._read_timeout) from None
        with reply:
            return reply_outcome(MEDIA, reply.status_code, reply.headers, reply.content)

    def _tweepy(self, stage: str, call: Callable[[tweepy.Client], object]) -> dict[str, Any]:
        return self._tweepy_with_headers(stage, call)[0]

    def _tweepy_with_headers(
        self, stage: str, call: Callable[[tweepy.Client], object]
    ) -> tuple[dict[str, Any], Mapping[str, str]]:
        wire = SdkSession(self.session, self._timeout())
        client = tweepy.Client(
            consumer_key=self.credentials["consumer_key"],
            consumer_secret=self.credentials["consumer_secret"],
            access_token=self.credentials["access_token"],
            access_token_secret=self.credentials["access_token_secret"],
        )
        client.session.close()
        client.session = wire  # type: ignore[assignment]  # tweepy only calls .request(...) on it
        try:
            call(client)
        except requests.JSONDecodeError:
            pass  # a 2xx whose body is not JSON: judged from the answer below
        except requests.RequestException as exc:
            if wire.response is None:
                raise transport_failure(exc, stage, self._read_timeout) from None
        except Exception:  # tweepy choking on an odd answer (see the module docstring): the answer decides
            if wire.response is None:
                if stage == TWEET:
                    raise OutcomeUnknown("the call to X failed unexpectedly; the post may exist") from None
                raise Retryable("the call to X failed unexpectedly") from None
        reply = wire.response
        assert reply is not None
        return reply_outcome(stage, reply.status_code, reply.headers, reply.content), reply.headers


# --- settings ---------------------------------------------------------------------------------------


# --- media files ------------------------------------------------------------------------------------


def _chunks(path: Path, size: int) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def _check_approved_stream(item: MediaItem) -> None:
    digest = hashlib.sha256()
    size = 0
    try:
        for chunk in _chunks(item.path, 1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    except OSError as exc:
        raise Rejected(f"{item.label}: the media file cannot be read ({exc.strerror or type(exc).__name__})") from None
    if digest.hexdigest() != item.sha256 or size != item.size:
        raise Rejected(f"{item.label}: the media file changed since it was approved")


def _media_id(body: Mapping[str, Any], what: str) -> str:
    data = body.get("data")
    media_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(media_id, str | int) or isinstance(media_id, bool) or str(media_id) == "":
        raise Retryable(f"X's answer to {what} carried no media id; nothing was published")
    return str(media_id)


def _processing_info(body: Mapping[str, Any]) -> Mapping[str, Any] | None:
    data = body.get("data")
    info = data.get("processing_info") if isinstance(data, dict) else None
    return info if isinstance(info, dict) else None


def _clamp(value: object, low: float, high: float) -> float:
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return low
    return min(max(seconds, low), high) if seconds == seconds else low


# --- translating X's answers: the one place that decides what a failure means -----------------------


def tweet_published(body: Mapping[str, Any]) -> Published:
    data = body.get("data")
    tweet_id = data.get("id") if isinstance(data, dict) else None
    if not isinstance(tweet_id, str) or not tweet_id.isdigit():
        # X said 2xx, so the post very probably exists, but we cannot say which one it is.
        raise OutcomeUnknown("X accepted the post but its answer carried no post id; check the account")
    return Published(remote_id=tweet_id, url=POST_URL.format(id=tweet_id))


def reply_outcome(stage: str, status: int, headers: Mapping[str, str], content: bytes | str) -> dict[str, Any]:
    """The parsed JSON object of a 2xx answer; for anything else the matching channel error.

    `stage` is TWEET for creating the post (not idempotent: a 5xx may hide a post that exists) and
    MEDIA for uploads and alt text (nothing is public until the post is created, so retrying is safe)."""
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
    try:
        body = json.loads(text) if text.strip() else None
    except ValueError:
        body = None
    words = x_words(body, text)
    if 200 <= status < 300:
        if isinstance(body, dict):
            return body
        if stage == TWEET:
            raise OutcomeUnknown(f"X answered HTTP {status} with no readable body; the post may exist",
                                 status=status, body=text)
        return {}  # e.g. an APPEND, which answers 2xx with an empty body
    if status == 429:
        raise RateLimited(f"X is limiting requests (HTTP 429){words}", retry_after=rate_limit_wait(headers),
                          status=status, body=text)
    if status == 401:
        raise AuthExpired(f"X refused the credentials (HTTP 401){words}; generate new tokens for the channel",
                          status=status, body=text)
    if status == 403:
        if stage == TWEET and is_duplicate(body):
            raise OutcomeUnknown("X says duplicate: it probably went out", status=status, body=text)
        problem = str(body.get("type", "")) if isinstance(body, dict) else ""
        if any(p in problem for p in _CREDENTIAL_PROBLEMS):
            raise AuthExpired(f"X does not let this app post (HTTP 403){words}", status=status, body=text)
        raise Rejected(f"X refused the post (HTTP 403){words}", status=status, body=text)
    if status >= 500:
        if stage == TWEET:
            raise OutcomeUnknown(f"X failed (HTTP {status}){words}; the post may exist", status=status, body=text)
        raise Retryable(f"X failed (HTTP {status}){words}", status=status, body=text)
    if status == 408:
        raise Retryable(f"X gave up waiting for the request (HTTP 408){words}", status=status, body=text)
    if 400 <= status < 500:
        raise Rejected(f"X rejected the request (HTTP {status}){words}", status=status, body=text)
    if 300 <= status < 400:
        raise Rejected(f"X answered with a redirect (HTTP {status})", status=status, body=text)
    if stage == TWEET:
        raise OutcomeUnknown(f"X answered HTTP {status}; the post may exist", status=status, body=text)
    raise Retryable(f"X answered HTTP {status}", status=status, body=text)


def is_duplicate(body: object) -> bool:
    """X v2 answers `{"detail": "You are not allowed to create a Tweet with duplicate content.", ...}`;
    v1.1 answered error code 187 "Status is a duplicate." Both mean an earlier attempt went out."""
    if not isinstance(body, dict):
        return False
    errors = body.get("errors") if isinstance(body.get("errors"), list) else []
    if any(isinstance(e, dict) and e.get("code") == 187 for e in errors):
        return True
    texts = [body.get("detail"), *(e.get("message") for e in errors if isinstance(e, dict))]
    return any(isinstance(t, str) and "duplicate" in t.lower() for t in texts)


def x_words(body: object, text: str) -> str:
    """': <what X said>' in one line (adapter_kit.said); '' when it said nothing."""
    parts: list[str] = []
    if isinstance(body, dict):
        for error in body.get("errors") if isinstance(body.get("errors"), list) else []:
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                parts.append(error["message"])
            elif isinstance(error, str):
                parts.append(error)
        if isinstance(body.get("detail"), str) and body["detail"] not in parts:
            parts.insert(0, body["detail"])
        if not parts and isinstance(body.get("title"), str):
            parts.append(body["title"])
    return said(" ".join(parts) if parts else text)


def rate_limit_wait(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds until X lifts the limit that refused us.

    `x-rate-limit-reset` (epoch seconds) is the endpoint's 15-minute window; on the daily caps of the
    lower access tiers X also sends `x-user-limit-24hour-*` / `x-app-limit-24hour-*`, whose reset counts
    when their remaining is 0. The latest applicable reset wins; without any, Retry-After; None when no
    header can be read."""
    now = time.time() if now is None else now
    candidates = [headers.get("x-rate-limit-reset")]
    for prefix in ("x-user-limit-24hour", "x-app-limit-24hour"):
        if (headers.get(f"{prefix}-remaining") or "").strip() == "0":
            candidates.append(headers.get(f"{prefix}-reset"))
    waits = [max(0.0, int(v.strip()) - now) for v in candidates if v and v.strip().isdigit()]
    # A proxy or gateway in front of X may answer 429 with only the standard header.
    return max(waits) if waits else parse_retry_after(headers.get("Retry-After"))


def transport_failure(exc: requests.RequestException, stage: str, read_timeout: float) -> ChannelError:
    """No answer came back. Only the exception's class name is used: its text holds URLs."""
    name = type(exc).__name__
    if nothing_sent(exc):
        return Retryable(f"could not connect to X ({name}); nothing was sent")
    if isinstance(exc, requests.ReadTimeout):
        what = f"X did not answer within {read_timeout:g} s ({name})"
    elif isinstance(exc, requests.ConnectionError):
        what = f"the connection to X broke ({name})"
    else:
        what = f"the request to X failed ({name})"
    if stage == TWEET:
        return OutcomeUnknown(f"{what}; the post may exist")
    return Retryable(f"{what}; nothing was published")
