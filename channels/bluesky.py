"""Bluesky (or another atproto PDS) through the atproto SDK (MarshalX, PyPI `atproto`).

Verified against the atproto 0.0.73 source in the virtualenv:
- Transport is httpx (atproto_client/request.py `Request` wraps `httpx.Client`), so the worker's
  requests.Session cannot be shared; the timeouts go to httpx instead (connect 5 s, read configurable).
- Errors (atproto_client/exceptions.py, request.py `_handle_response`): 401/403 → UnauthorizedError,
  400 → BadRequestError, 429 → RateLimitExceededError (reset_at from `ratelimit-reset`, epoch seconds),
  409/413/502 and transport failures → NetworkError (response None for transport), timeouts →
  InvokeTimeoutError (`__cause__` is the httpx exception), other statuses → RequestException.
  A 2xx that is not the expected JSON raises ModelError while parsing.
- `Client.login(..., fetch_bsky_profile=False)` is one com.atproto.server.createSession. The client then
  refreshes by itself 15 minutes before the access JWT's `exp` (client.py `_invoke`). createSession is
  rate limited per account (30 per 5 minutes, 300 per day), so sessions are kept in memory and shared by
  every adapter for the same account in this process (`_SESSIONS`), and only made again when refreshing
  is refused.
- Link detection: `atproto_client.utils.facet_detection.detect_facets`, a port of @atproto/api's
  `detectFacets` (links, #tags, $cashtags) with UTF-8 byte offsets. @mentions would need a network
  look-up per handle and stay plain text.

Exactly once: the post is created with a record key (rkey) derived from our delivery key, so every
attempt of a delivery writes to the same address. A repeated createRecord cannot make a second post: the
PDS refuses it (today with a 500 "InternalServerError", bluesky-social/atproto#3718; an explicit error is
proposed in #4728), and `find(key)` is a plain getRecord. That is what makes timeouts and 5xx Retryable.
"""

from __future__ import annotations

import hashlib
import io
import ipaddress
import re
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
import pydantic
from atproto import Client, models
from atproto_client.client.session import Session, SessionEvent
from atproto_client.exceptions import (
    BadRequestError,
    InvokeTimeoutError,
    LoginRequiredError,
    ModelError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.models.common import XrpcError
from atproto_client.models.dot_dict import DotDict
from atproto_client.request import Request
from atproto_client.utils.facet_detection import detect_facets
from atproto_core.exceptions import AtProtocolError
from PIL import Image

from channels.adapter_kit import CONNECT_TIMEOUT, USER_AGENT, said
from channels.base import (
    Capabilities,
    Channel,
    ConfigField,
    Content,
    Health,
    HttpWire,
    Problem,
    Published,
    check_against_capabilities,
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
from channels.textcount import count_graphemes

DEFAULT_SERVICE = "https://bsky.social"
DEFAULT_READ_TIMEOUT = 30.0
TIMEOUT_RANGE = (1.0, 120.0)
POST_COLLECTION = "app.bsky.feed.post"
MAX_GRAPHEMES = 300  # app.bsky.feed.post#text maxGraphemes
MAX_TEXT_BYTES = 3000  # app.bsky.feed.post#text maxLength (UTF-8 bytes)
MAX_IMAGES = 4  # app.bsky.embed.images#main maxLength
# app.bsky.embed.images#image maxSize. atproto 0.0.73's docstring says newer lexicons allow 2 MB; PDSes
# that have not updated still refuse more than 1,000,000 bytes, so the old limit is the safe one.
MAX_IMAGE_BYTES = 1_000_000
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
RESEND_SAFE = "sending again cannot duplicate the post: its record key is fixed"

# Error names a PDS uses for a token it will not take; renewing the session may help.
_TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"})
# Answers to createRecord that may mean "that record key is taken", i.e. an earlier attempt went out.
_EXISTS_ERRORS = frozenset({"InvalidSwap", "RecordAlreadyExists", "AlreadyExists", "DuplicateCreate"})
_HANDLE = re.compile(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?")
_DID = re.compile(r"did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]")
_APP_PASSWORD = re.compile(r"[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}", re.IGNORECASE)
_LANG = re.compile(r"(i|[a-z]{2,3})(-[A-Za-z0-9-]+)?")

# TID record keys (https://atproto.com/specs/tid): 13 base32-sortable characters of a 64-bit number,
# top bit 0, 53 bits of microseconds since 1970, 10 bits of "clock id".
_S32 = "234567abcdefghijklmnopqrstuvwxyz"
_TID_FROM_US = 946_684_800_000_000  # 2000-01-01T00:00:00Z
_TID_SPAN_US = 1 << 48  # ≈ 8.9 years: a derived TID lies in 2000–2008, never in the future

# One session per account per process: {(service, identifier, password fingerprint): exported session}.
# Exported sessions hold the access and refresh JWTs: they live only in this process's memory.
_SESSIONS: dict[tuple[str, str, str], str] = {}
_SESSIONS_LOCK = threading.Lock()

T = TypeVar("T")
# What the SDK raises: its own errors, and httpx's transport errors it does not wrap (e.g. a server that
# closed the connection without answering: httpx.RemoteProtocolError, request.py `_handle_request_errors`).
SDK_ERRORS = (AtProtocolError, httpx.HTTPError)


def forget_sessions() -> None:
    """Drop every kept session (tests; after an app password was revoked): the next call signs in again."""
    with _SESSIONS_LOCK:
        _SESSIONS.clear()


def record_key(key: str) -> str:
    """The rkey for a delivery key: a valid TID, derived from the key alone so that `find(key)` can
    compute it again.

    Why a TID and not the key itself: any string of `A-Za-z0-9.-_:~` is a valid record key to the PDS,
    but app.bsky.feed.post declares `"key": "tid"` and the Bluesky AppView does not show posts whose rkey
    is not a TID (bluesky-social/social-app#8654). Its timestamp part is a hash, kept in 2000–2008 so that
    it can never look like a time in the future; clients sort posts by createdAt, not by rkey."""
    number = int.from_bytes(hashlib.sha256(f"publisher/bluesky/{key}".encode()).digest()[:8], "big")
    timestamp = _TID_FROM_US + (number >> 16) % _TID_SPAN_US
    value = (timestamp << 10) | (number & 0x3FF)
    return "".join(_S32[(value >> shift) & 31] for shift in range(60, -1, -5))


def post_url(handle: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{rkey}"


@register
class BlueskyChannel(Channel):
    kind = "bluesky"
    label = "Bluesky"
    config_fields = (
        ConfigField("handle", "The account's handle, e.g. ministarstvo.bsky.social (or its did:plc:…)"),
        ConfigField("app_password", "An app password (xxxx-xxxx-xxxx-xxxx) from Settings → Privacy and security"
                                    " → App passwords", secret=True),
        ConfigField("service", "The account's server (default https://bsky.social)", required=False),
        ConfigField("timeout", "Seconds to wait for the server's answer, 1–120 (default 30)", required=False),
    )
    example_settings = {
        "handle": "ministarstvo.bsky.social",
        "app_password": "abcd-efgh-ijkl-mnop",
    }
    # atproto talks httpx, not our session. The record key is fixed per delivery, so a resend collides
    # instead of duplicating: whatever may hide a post is Retryable (module docstring).
    http_wire = HttpWire(client="httpx", resend_safe=True)
    read_timeout = (DEFAULT_READ_TIMEOUT, TIMEOUT_RANGE[1])  # longest_request_seconds reads it

    def check_config(self) -> None:
        super().check_config()
        self._service = _check_service(self.config.get("service") or DEFAULT_SERVICE)
        self._identifier = _check_handle(self.config.get("handle"))
        password = self.credentials.get("app_password")
        if not isinstance(password, str) or not _APP_PASSWORD.fullmatch(password.strip()):
            # Never the account's own password: an app password can post but cannot delete the account,
            # change its e-mail or make more app passwords, and can be revoked on its own.
            raise ChannelConfigError("bluesky: app_password must be an app password (xxxx-xxxx-xxxx-xxxx) created "
                                     "under Settings → Privacy and security → App passwords, not the account's "
                                     "own password")
        self._password = password.strip()
        self._read_timeout = seconds_setting(self.kind, "timeout", self.config.get("timeout"), DEFAULT_READ_TIMEOUT,
                                            TIMEOUT_RANGE)
        fingerprint = hashlib.sha256(self._password.encode()).hexdigest()
        self._store_key = (self._service, self._identifier, fingerprint)
        self._client: Client | None = None
        self._did: str | None = None
        self._handle: str | None = None
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        # Only the name and account: the app password and the session's tokens never reach a log line.
        return f"<{type(self).__name__} {self.name!r} handle={self._identifier!r}>"

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(
            max_text=MAX_GRAPHEMES,
            text_counting="graphemes",
            max_images=MAX_IMAGES,
            max_videos=0,  # app.bsky.embed.video needs Bluesky's separate video service: not supported here
            media_types=IMAGE_TYPES,
            max_media_bytes=MAX_IMAGE_BYTES,
            alt_text_required=True,  # Bluesky shows it, and offers it to screen readers
            idempotent=True,  # the record key is fixed per delivery: a resend collides instead of duplicating
        )

    def validate(self, content: Content) -> list[Problem]:
        caps = self.capabilities()
        problems = check_against_capabilities(self.name, _without_text_limit(caps), content)
        text = post_text(content.text)  # what is sent: line ends as "\n"
        used = count_graphemes(text)
        if used > MAX_GRAPHEMES:
            problems.append(text_too_long(self.name, used, MAX_GRAPHEMES))
        size = len(text.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            problems.append(Problem(self.name, f"the text is {size} of {MAX_TEXT_BYTES} bytes", "body",
                                    "text_too_many_bytes", {"used": size, "limit": MAX_TEXT_BYTES}))
        return problems

    # --- sending -------------------------------------------------------------------------------------

    def outgoing(self, content: Content) -> Outgoing:
        """The post as the PDS gets it: the text with its line ends as "\n", counted in graphemes, each image
        with its trimmed alt text and shown in its own shape (the record carries the aspect ratio). No card:
        the record carries no external embed, and links become facets in the text."""
        text = post_text(content.text)
        account = self._identifier if self._identifier.startswith("did:") else f"@{self._identifier}"
        return Outgoing(account=account, posts=(SentPost(text),), used=count_graphemes(text), limit=MAX_GRAPHEMES,
                        counting="graphemes", media=sent_media(content.media, lambda m: m.alt_text.strip()),
                        crop="natural")

    def publish(self, content: Content, *, key: str) -> Published:
        if not key:
            raise Rejected("the delivery has no key to derive the record key from")
        rkey = record_key(key)
        out = self.outgoing(content)
        text = out.posts[0].text
        used, size = out.used, len(text.encode("utf-8"))
        if used > MAX_GRAPHEMES or size > MAX_TEXT_BYTES:  # validate() says so at submit time; never upload for it
            raise Rejected(f"the text is {used} of {MAX_GRAPHEMES} characters ({size} of {MAX_TEXT_BYTES} bytes)")
        for sent in out.media:
            if sent.item.content_type not in IMAGE_TYPES:
                raise Rejected(f"{sent.item.label}: {sent.item.content_type} files cannot be posted to Bluesky")
        if len(out.media) > MAX_IMAGES:
            raise Rejected(f"{len(out.media)} images, at most {MAX_IMAGES} allowed")
        images = [(sent, sent.item.read_approved()) for sent in out.media]  # before any network call
        blobs = []
        for sent, data in images:
            item = sent.item
            try:
                upload = self._call(lambda c, data=data, item=item: c.com.atproto.repo.upload_blob(
                    data, headers={"Content-Type": item.content_type}))
            except SDK_ERRORS as exc:
                # An upload no post refers to is deleted by the PDS after a while: nothing was posted.
                raise translate(exc, doing=f"uploading {item.label}", safe="nothing was posted yet") from None
            blobs.append(models.AppBskyEmbedImages.Image(
                alt=sent.alt_text or "", image=upload.blob, aspect_ratio=aspect_ratio(data)))
        try:
            record = models.AppBskyFeedPost.Record(
                created_at=_now_iso(),
                text=text,
                facets=detect_facets(text) or None,  # links, #tags, $cashtags; byte offsets into the UTF-8 text
                langs=[content.language] if _LANG.fullmatch(content.language or "") else None,
                embed=models.AppBskyEmbedImages.Main(images=blobs) if blobs else None,
            )
        except pydantic.ValidationError as exc:
            raise Rejected(f"the post does not fit Bluesky's post record ({exc.error_count()} problem(s))") from None
        try:
            created = self._call(lambda c: c.com.atproto.repo.create_record(models.ComAtprotoRepoCreateRecord.Data(
                repo=self._did, collection=POST_COLLECTION, rkey=rkey, record=record)))
        except SDK_ERRORS as exc:
            error = translate(exc, doing="posting", safe=RESEND_SAFE)
            if _may_exist(exc):
                # The record may be there: an earlier attempt of this delivery that took our rkey (the PDS
                # answers 500 to a taken rkey), or this one after a timeout. Ask, rather than guess.
                return self._settle(rkey, error)
            raise error from None
        return Published(remote_id=created.uri, url=post_url(self._web_handle(), rkey))

    def _settle(self, rkey: str, error: ChannelError) -> Published:
        try:
            found = self._lookup(rkey)
        except SDK_ERRORS:
            if isinstance(error, Retryable):
                raise error from None  # a resend collides with the record if it exists
            # "record key taken" (a 400) but the record could not be shown: ask again later, do not give up.
            raise Retryable(f"{error.message}; the post could not be looked up, {RESEND_SAFE}",
                            status=error.status) from None
        if found is None:
            raise error from None
        return found

    def find(self, key: str) -> Published | None:
        """Published when the post with this delivery's record key exists, None when the PDS says it does
        not (RecordNotFound): then sending again is safe."""
        try:
            return self._lookup(record_key(key))
        except SDK_ERRORS as exc:
            error = translate(exc, doing="looking the post up", safe="")
        if isinstance(error, AuthExpired | RateLimited):
            raise error
        raise OutcomeUnknown(f"{error.message}; cannot tell now whether the post exists", status=error.status)

    def check(self) -> Health:
        try:
            info = self._call(lambda c: c.com.atproto.server.get_session())
        except SDK_ERRORS as exc:
            error = translate(exc, doing="checking the session", safe="")
            if isinstance(error, AuthExpired):
                return Health.refusal(f"credentials refused: {error.message}")
            return Health.from_error(error)
        if getattr(info, "active", None) is False:
            return Health.refusal(f"the account is {getattr(info, 'status', None) or 'deactivated'}")
        renews = self._session_until()
        # The session's refresh token runs about two months; past it the adapter signs in again with the app
        # password, so its end needs no person and is said, not reported as the credentials' expiry.
        until = f"; the session runs until {renews:%Y-%m-%d} and is renewed with the app password" if renews else ""
        return Health(ok=True, message=f"signed in as @{info.handle}{until}")

    def _session_until(self) -> datetime | None:
        """When the current session's refresh JWT expires (its `exp`), if the SDK can read it."""
        try:
            session = self._http_client()._session
            exp = session.refresh_jwt_payload.exp if session is not None else None
        except Exception:  # noqa: BLE001 - a token the SDK cannot read only means "not known"
            return None
        return datetime.fromtimestamp(exp, UTC) if isinstance(exp, int) and exp > 0 else None

    # --- the session ---------------------------------------------------------------------------------

    def _lookup(self, rkey: str) -> Published | None:
        try:
            record = self._call(lambda c: c.com.atproto.repo.get_record(models.ComAtprotoRepoGetRecord.Params(
                repo=self._did, collection=POST_COLLECTION, rkey=rkey)))
        except BadRequestError as exc:
            if _xrpc_error(exc) == "RecordNotFound":
                return None
            raise
        return Published(remote_id=record.uri, url=post_url(self._web_handle(), rkey))

    def _call(self, request: Callable[[Client], T]) -> T:
        """Run one XRPC call with a session: made once, reused, renewed once if the PDS refuses its token."""
        with self._lock:
            client = self._signed_in()
            try:
                return request(client)
            except (UnauthorizedError, BadRequestError) as exc:
                if not _token_problem(exc):
                    raise
            self._renew(client)
            return request(client)

    def _signed_in(self) -> Client:
        client = self._http_client()
        with _SESSIONS_LOCK:
            shared = _SESSIONS.get(self._store_key)
        try:
            current = client.export_session_string()
        except LoginRequiredError:
            current = None
        if shared is not None and shared != current:
            # Another adapter for this account logged in or refreshed (and so rotated the refresh token).
            client.login(session_string=shared, fetch_bsky_profile=False)  # no network: an import
        elif current is None:
            client.login(self._identifier, self._password, fetch_bsky_profile=False)  # createSession
        return client

    def _renew(self, client: Client) -> None:
        """Refresh the session; if the PDS refuses the refresh token too (expired after ~2 months, revoked),
        sign in again with the app password. A refused sign-in is AuthExpired, through `translate`."""
        try:
            # The SDK refreshes on its own only ahead of the access token's expiry; there is no public call
            # for "refresh now" (atproto 0.0.73 client.py `_refresh_and_set_session`).
            client._refresh_and_set_session()
        except (UnauthorizedError, BadRequestError, LoginRequiredError) as exc:
            if isinstance(exc, RequestErrorBase) and not _token_problem(exc):
                raise
            with _SESSIONS_LOCK:
                if _SESSIONS.get(self._store_key) == _export(client):
                    del _SESSIONS[self._store_key]
            client.login(self._identifier, self._password, fetch_bsky_profile=False)

    def _http_client(self) -> Client:
        if self._client is None:
            request = Request(timeout=httpx.Timeout(self._read_timeout, connect=CONNECT_TIMEOUT))
            request.add_additional_header("User-Agent", USER_AGENT)
            client = Client(base_url=self._service, request=request)
            client.on_session_change(self._remember)
            self._client = client
        return self._client

    def _remember(self, event: SessionEvent, session: Session) -> None:
        # Called by the SDK on every createSession, refresh and import.
        self._did, self._handle = session.did, session.handle
        with _SESSIONS_LOCK:
            _SESSIONS[self._store_key] = session.export()

    def _web_handle(self) -> str:
        handle = self._handle or self._identifier
        # "handle.invalid" is what a PDS reports for a handle that no longer verifies: link by DID instead.
        return (self._did or handle) if handle == "handle.invalid" else handle


# --- the record ---------------------------------------------------------------------------------------


def post_text(text: str) -> str:
    """The text as posted: CRLF and CR line ends become LF (the PDS would count "\r\n" as one grapheme,
    channels.textcount as two; LF makes them agree)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def aspect_ratio(data: bytes) -> models.AppBskyEmbedDefs.AspectRatio | None:
    """Width and height as shown (EXIF rotation applied), from the image's header; None if unreadable."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if image.getexif().get(0x0112) in (5, 6, 7, 8):  # rotated a quarter turn
                width, height = height, width
    except Exception:  # noqa: BLE001 - any unreadable header only means "aspect ratio unknown"
        return None
    if width < 1 or height < 1:
        return None
    return models.AppBskyEmbedDefs.AspectRatio(width=width, height=height)


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _without_text_limit(caps: Capabilities) -> Capabilities:
    return replace(caps, max_text=None)  # counted in validate on the text as it will be sent


# --- translating the SDK's outcomes: the one place that decides what a failure means ----------------


def translate(exc: Exception, *, doing: str, safe: str) -> ChannelError:
    tail = f"; {safe}" if safe else ""
    if isinstance(exc, RateLimitExceededError):
        return RateLimited(f"{doing}: the server is limiting requests (HTTP 429){_words(exc)}",
                           retry_after=_retry_after(exc), status=429)
    if isinstance(exc, InvokeTimeoutError):
        if isinstance(exc.__cause__, httpx.ConnectTimeout):
            return Retryable(f"{doing}: could not connect to the server within {CONNECT_TIMEOUT:g} s "
                             f"(ConnectTimeout){tail}")
        return Retryable(f"{doing}: the server did not answer in time ({type(exc.__cause__).__name__}){tail}")
    if isinstance(exc, RequestErrorBase) and exc.response is None:
        return Retryable(f"{doing}: the connection to the server failed ({type(exc.__cause__).__name__}){tail}")
    if isinstance(exc, RequestErrorBase):
        status = exc.response.status_code
        words = _words(exc)
        if status in (401, 403) or _token_problem(exc):
            return AuthExpired(f"{doing}: the server refused the credentials (HTTP {status}){words}; check the "
                               "handle and the app password", status=status)
        if status == 408 or status >= 500 or status == 409:
            return Retryable(f"{doing}: the server failed (HTTP {status}){words}{tail}", status=status)
        if status == 413:
            return Rejected(f"{doing}: too large for the server (HTTP 413){words}", status=status)
        return Rejected(f"{doing}: the server refused it (HTTP {status}){words}", status=status)
    if isinstance(exc, httpx.HTTPError):  # transport trouble the SDK did not wrap
        return Retryable(f"{doing}: the connection to the server failed ({type(exc).__name__}){tail}")
    if isinstance(exc, ModelError):
        return Retryable(f"{doing}: the server's answer could not be read{tail}")
    if isinstance(exc, LoginRequiredError):
        return AuthExpired(f"{doing}: not signed in; check the handle and the app password")
    return Rejected(f"{doing}: the atproto SDK refused the request ({type(exc).__name__})")


def _may_exist(exc: Exception) -> bool:
    """After this createRecord failure, can the record exist?"""
    if isinstance(exc, InvokeTimeoutError):
        return not isinstance(exc.__cause__, httpx.ConnectTimeout)  # the request may have been sent
    if isinstance(exc, RequestErrorBase) and exc.response is None:
        return not isinstance(exc.__cause__, httpx.ConnectError)  # dropped after sending, maybe
    if isinstance(exc, RateLimitExceededError):
        return False
    if isinstance(exc, RequestErrorBase):
        status = exc.response.status_code
        if status >= 500 or status in (408, 409):
            return True  # a taken rkey is a 500 today
        name = _xrpc_error(exc) or ""
        return status == 400 and (name in _EXISTS_ERRORS or "already exists" in _xrpc_message(exc).lower())
    if isinstance(exc, httpx.HTTPError):
        return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
    return isinstance(exc, ModelError)  # a 2xx we could not read: most likely it was created


def _token_problem(exc: Exception) -> bool:
    if not isinstance(exc, RequestErrorBase) or exc.response is None:
        return False
    return exc.response.status_code == 401 or _xrpc_error(exc) in _TOKEN_ERRORS


def _xrpc(exc: RequestErrorBase) -> tuple[str | None, str]:
    """(error name, message) of an XRPC error body. The SDK gives an XrpcError when both are there, the
    JSON as a DotDict when "message" is missing, bytes when the body is not JSON."""
    content = exc.response.content if exc.response is not None else None
    if isinstance(content, XrpcError):
        return content.error, content.message or ""
    if isinstance(content, DotDict):  # the SDK's wrapper for JSON it could not fit to a model
        content = content.to_dict()
    if isinstance(content, dict):
        error, message = content.get("error"), content.get("message")
        return (error if isinstance(error, str) else None), (message if isinstance(message, str) else "")
    return None, ""


def _xrpc_error(exc: RequestErrorBase) -> str | None:
    return _xrpc(exc)[0]


def _xrpc_message(exc: RequestErrorBase) -> str:
    return _xrpc(exc)[1]


def _words(exc: RequestErrorBase) -> str:
    """': <Error>: <message>' as the server said it, one line (adapter_kit.said)."""
    error, message = _xrpc(exc)
    content = exc.response.content if exc.response is not None else None
    if error:
        text = f"{error}: {message}" if message else error
    elif isinstance(content, bytes):
        text = content.decode("utf-8", errors="replace")
    else:
        text = message
    return said(text)


def _retry_after(exc: RateLimitExceededError) -> float | None:
    if exc.reset_at is not None:
        return max(0.0, (exc.reset_at - datetime.now(UTC)).total_seconds())
    return exc.retry_after


def _export(client: Client) -> str | None:
    try:
        return client.export_session_string()
    except LoginRequiredError:
        return None


# --- settings and small helpers ----------------------------------------------------------------------


def _check_service(value: object) -> str:
    refusal = ChannelConfigError("bluesky: service must be the server's https:// address, e.g. https://bsky.social")
    if not isinstance(value, str) or any(ch <= " " for ch in value.strip()):
        raise refusal
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        raise refusal from None
    if not parts.hostname or parts.query or parts.fragment or parts.username or parts.password:
        raise refusal
    # The app password travels in the body of createSession: plain http only to this machine.
    if parts.scheme != "https" and not (parts.scheme == "http" and _is_loopback(parts.hostname)):
        raise refusal
    base = value.strip().rstrip("/")
    return base.removesuffix("/xrpc")


def _check_handle(value: object) -> str:
    handle = value.strip().removeprefix("@") if isinstance(value, str) else ""
    if _DID.fullmatch(handle):
        return handle
    handle = handle.lower()
    if len(handle) <= 253 and _HANDLE.fullmatch(handle):
        return handle
    raise ChannelConfigError("bluesky: handle must be the account's handle, e.g. ministarstvo.bsky.social")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


