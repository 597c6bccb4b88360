"""The only errors a channel adapter raises.

Every adapter translates its SDK's or HTTP library's failures into these in one place, so the
dispatcher can decide what to do without knowing any platform: retry later, pause the channel,
give up with the platform's words, or ask a person because the outcome is unknown.
"""

from __future__ import annotations


class ChannelError(Exception):
    """Base of everything an adapter may raise."""

    def __init__(self, message: str, *, status: int | None = None, body: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


class ChannelConfigError(ChannelError):
    """The channel's configuration or credentials are malformed (caught when the channel is added)."""


class Retryable(ChannelError):
    """Sending again later, with the same key, cannot make a second post: either nothing was accepted,
    or the platform dedups by our key."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class RateLimited(Retryable):
    """The platform refused because of a rate limit; `retry_after` is seconds until the reset."""


class AuthExpired(ChannelError):
    """An admin must fix this channel before anything can go (a token expired or was revoked, the
    account lost its rights): the dispatcher pauses the channel and alerts."""


class Rejected(ChannelError):
    """The platform refused this content or this account for good; resending will not help."""


class OutcomeUnknown(ChannelError):
    """The request may have been accepted (read timeout, 5xx after sending): never resend blindly."""
