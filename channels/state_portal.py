"""The government's state portal: each post is one signed JSON POST following Standard Webhooks.

Protocol (https://www.standardwebhooks.com): the request carries `webhook-id` (our idempotency key),
`webhook-timestamp` (unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256>` over
`"{id}.{timestamp}.{raw body}"`. The portal keeps the ids it has accepted and answers a repeat with 409,
which is what makes resending safe for this channel (see `_transport_failure`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from channels.adapter_kit import (
    ATTACHMENT_TYPES,
    CONNECT_TIMEOUT,
    USER_AGENT,
    media_entry,
    parse_retry_after,
    post_payload,
    read_limited,
    said,
)
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
    seconds_setting,
    too_many_attachments,
)
from channels.errors import AuthExpired, ChannelConfigError, OutcomeUnknown, RateLimited, Rejected, Retryable
from channels.registry import register

DEFAULT_READ_TIMEOUT = 30.0
TIMEOUT_RANGE = (1.0, 120.0)
MIN_SECRET_BYTES = 16
MAX_ATTACHMENTS = 20  # images, videos and documents together
MAX_REPLY_BYTES = 64 * 1024  # a misbehaving portal must not fill our memory with its answer

# Header values must be visible ASCII; the core's keys look like "p12-c3-0123456789abcdef".
_KEY = re.compile(r"[\x21-\x7e]{1,200}")


@register
class StatePortal(Channel):
    kind = "state_portal"
    label = "State portal"
    config_fields = (
        ConfigField("url", "The portal's webhook address (http or https)"),
        ConfigField("secret", "Signing secret from the portal (whsec_… or plain text)", secret=True),
        ConfigField("timeout", "Seconds to wait for the portal's answer, 1–120 (default 30)", required=False),
        ConfigField("health_url", "Address that answers 2xx while the portal is up (optional)", required=False),
    )
    example_settings = {"url": "https://portal.example.gov.rs/hooks/ministry",
                        "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "timeout": 30}
    # The portal dedups by webhook-id, so every unanswered request is resent (see _transport_failure); and
    # under Standard Webhooks a 2xx alone means "stored", whatever the body says.
    http_wire = HttpWire(client="requests", resend_safe=True, status_is_receipt=True)
    read_timeout = (DEFAULT_READ_TIMEOUT, TIMEOUT_RANGE[1])  # longest_request_seconds reads it

    def check_config(self) -> None:
        super().check_config()
        _check_http_url(self.config.get("url"), "url")
        if self.config.get("health_url") not in (None, ""):
            _check_http_url(self.config["health_url"], "health_url")
        self._read_timeout = seconds_setting(self.kind, "timeout", self.config.get("timeout"), DEFAULT_READ_TIMEOUT,
                                            TIMEOUT_RANGE)
        self._signing_key = signing_key(self.credentials.get("secret"))

    def __repr__(self) -> str:
        # Deliberately only the name and host: the signing key must never reach a log line.
        return f"<{type(self).__name__} {self.name!r} host={urlsplit(self.config['url']).hostname!r}>"

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(
            max_text=100_000,
            text_counting="characters",
            max_title=250,
            title_required=True,
            max_images=20,
            max_videos=2,
            media_types=ATTACHMENT_TYPES,
            max_media_bytes=20 * 1024 * 1024,
            alt_text_required=True,
            idempotent=True,
        )

    def validate(self, content: Content) -> list[Problem]:
        problems = super().validate(content)
        # The shared checks count images and videos only; PDFs would otherwise be unlimited.
        if len(content.media) > MAX_ATTACHMENTS:
            problems.append(too_many_attachments(self.name, len(content.media), MAX_ATTACHMENTS))
        return problems

    def publish(self, content: Content, *, key: str) -> Published:
        if not _KEY.fullmatch(key):
            raise Rejected("the delivery key cannot be sent as a webhook-id (visible ASCII, 1–200 characters)")
        sent_at = int(time.time())
        media = [_inline_media(item) for item in content.media]
        body = encode_body(post_payload(content, sent_at=datetime.fromtimestamp(sent_at, UTC), media=media))
        try:
            reply = self.session.post(
                self.config["url"],
                data=body,
                headers=self._signed_headers(key, sent_at, body),
                timeout=(CONNECT_TIMEOUT, self._read_timeout),
                allow_redirects=False,  # a redirected POST turns into a GET and loses the signed body
                stream=True,  # so that we read at most MAX_REPLY_BYTES of the answer
            )
        except requests.RequestException as exc:
            raise _transport_failure(exc, self._read_timeout) from None
        with reply:
            return reply_outcome(reply.status_code, reply.headers, read_limited(reply, MAX_REPLY_BYTES)[0], key)

    def find(self, key: str) -> Published | None:
        """The portal has no lookup API we know of, so this cannot tell.

        Reconciliation then sends again with the same webhook-id, which cannot double-post: the portal
        answers an id it already has with 409, which `publish` returns as Published
        (`capabilities().idempotent` is True to say exactly this).
        """
        raise OutcomeUnknown("the state portal has no lookup; resending with the same webhook-id is safe")

    def check(self) -> Health:
        url = self.config.get("health_url")
        if not url:
            return Health(ok=True, message="no health endpoint configured; signatures are checked on each delivery")
        sent_at = int(time.time())
        try:
            reply = self.session.get(
                url,
                # Signed like a delivery (empty body): it is the only credential we have, so a portal
                # that protects its health endpoint can tell us whether it still accepts our secret.
                headers=self._signed_headers(f"health-{sent_at}", sent_at, b""),
                timeout=(CONNECT_TIMEOUT, self._read_timeout),
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as exc:
            return Health(ok=False, message=f"the portal did not answer ({type(exc).__name__})")
        with reply:
            return health_outcome(reply.status_code, read_limited(reply, MAX_REPLY_BYTES)[0])

    def _signed_headers(self, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(self._signing_key, msg_id, timestamp, body),
        }


# --- settings ---------------------------------------------------------------------------------------


def _check_http_url(value: object, name: str) -> None:
    # The value is not echoed back: a URL may carry a token in its query or user part.
    refusal = ChannelConfigError(f"state_portal: {name} must be an http:// or https:// address")
    # Spaces and control characters would only fail later, at every delivery, as a transport error.
    if not isinstance(value, str) or any(ch <= " " for ch in value):
        raise refusal
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed "[" around an IPv6 address
        raise refusal from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise refusal


def signing_key(secret: object) -> bytes:
    """The HMAC key: the base64 part of "whsec_<base64>", else the text's UTF-8 bytes.

    Error messages never include the secret, nor does a chained exception (`from None`)."""
    if not isinstance(secret, str):
        raise ChannelConfigError("state_portal: secret must be text")
    if secret.startswith("whsec_"):
        try:
            key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except (binascii.Error, ValueError):
            raise ChannelConfigError("state_portal: secret after 'whsec_' is not valid base64") from None
    else:
        key = secret.encode("utf-8")
    if len(key) < MIN_SECRET_BYTES:
        raise ChannelConfigError(f"state_portal: secret is too short (at least {MIN_SECRET_BYTES} bytes)")
    return key


# --- the request ------------------------------------------------------------------------------------


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def _inline_media(item: MediaItem) -> dict[str, Any]:
    # Approval covered these checksums: read_approved refuses bytes that differ from what was approved.
    return {**media_entry(item), "data_base64": base64.b64encode(item.read_approved()).decode("ascii")}


def encode_body(payload: Mapping[str, Any]) -> bytes:
    # These exact bytes are signed and sent; Cyrillic stays UTF-8 rather than \u escapes.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# --- translating the portal's answers: the one place that decides what a failure means --------------


def reply_outcome(status: int, headers: Mapping[str, str], text: str, key: str) -> Published:
    """Published for an answer that means the portal has the post; else the matching channel error."""
    if 200 <= status < 300:
        return _published(text, key)
    if status == 409:
        # The portal already has this webhook-id: an earlier attempt got through and its answer was lost.
        return _published(text, key)
    words = said(text)
    if status == 429:
        raise RateLimited(
            f"the portal is limiting requests (HTTP 429){words}",
            retry_after=parse_retry_after(headers.get("Retry-After")), status=status, body=text,
        )
    if status in (401, 403):
        raise AuthExpired(
            f"the portal refused our signature (HTTP {status}){words}; check the secret and this server's clock",
            status=status, body=text,
        )
    if status == 408 or status >= 500:
        # 408: the portal gave up waiting for our request. 5xx: it may or may not have stored the post;
        # either way sending again with the same webhook-id is safe (see _transport_failure).
        raise Retryable(f"the portal failed (HTTP {status}){words}", status=status, body=text)
    if 300 <= status < 400:
        raise Rejected(f"the portal answered with a redirect (HTTP {status}); check the channel's url",
                       status=status, body=text)
    raise Rejected(f"the portal rejected the post (HTTP {status}){words}", status=status, body=text)


def _transport_failure(exc: requests.RequestException, read_timeout: float) -> Retryable:
    """No answer came back. For most platforms a read timeout or a connection dropped after sending is
    OutcomeUnknown (DESIGN §4): the post may exist and a resend could duplicate it. This portal dedups by
    webhook-id, and a resend carries the same id, so at worst the portal answers 409 and we record it
    as published: every transport failure is Retryable here.

    That rests on the portal remembering accepted ids for at least as long as we keep retrying."""
    if isinstance(exc, requests.ConnectTimeout):
        what = f"could not connect to the portal within {CONNECT_TIMEOUT:g} s"
    elif isinstance(exc, requests.ReadTimeout):
        what = f"the portal did not answer within {read_timeout:g} s"
    elif isinstance(exc, requests.ConnectionError):
        what = "the connection to the portal failed"
    else:
        what = "the request to the portal failed"
    # Only the exception's class name: its text holds the URL, which may carry a token.
    return Retryable(f"{what} ({type(exc).__name__}); sending again with the same webhook-id is safe")


def health_outcome(status: int, text: str) -> Health:
    if 200 <= status < 300:
        return Health(ok=True, message="the portal answers")
    if status in (401, 403):
        return Health.refusal("credentials refused")
    return Health(ok=False, message=f"the portal's health check answered HTTP {status}{said(text)}")


def _published(text: str, key: str) -> Published:
    # Success does not depend on the body: an empty, non-JSON or non-object answer still means "stored".
    try:
        reply = json.loads(text)
    except ValueError:
        reply = None
    if not isinstance(reply, dict):
        return Published(remote_id=key)
    remote_id = reply.get("id")
    url = reply.get("url")
    return Published(
        remote_id=str(remote_id) if remote_id not in (None, "") else key,
        url=url if isinstance(url, str) and url else None,
    )
