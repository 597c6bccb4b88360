"""Errors that services raise; the API maps each to one HTTP status."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channels.base import Problem


class PublisherError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code:
            self.code = code


class Malformed(PublisherError):
    status, code = 400, "malformed"


class Unauthenticated(PublisherError):
    status, code = 401, "unauthenticated"


class Forbidden(PublisherError):
    status, code = 403, "forbidden"


class NotFound(PublisherError):
    status, code = 404, "not_found"


class Conflict(PublisherError):
    status, code = 409, "conflict"


class PreconditionFailed(PublisherError):
    """The request named a version (If-Match) that is no longer the current one: someone else changed it."""

    status, code = 412, "precondition_failed"


class PreconditionRequired(PublisherError):
    """The request must say which version it changes (If-Match), so that it cannot overwrite unseen work."""

    status, code = 428, "precondition_required"


class TooLarge(PublisherError):
    status, code = 413, "too_large"


class UnsupportedMedia(PublisherError):
    status, code = 415, "unsupported_media_type"


class Invalid(PublisherError):
    status, code = 422, "invalid"


class InvalidTransition(Conflict):
    code = "invalid_transition"

    def __init__(self, record: str, current: str, action: str, allowed_from: list[str]) -> None:
        allowed = ", ".join(allowed_from) or "nowhere"
        super().__init__(
            f"{record} is {current}; '{action}' is allowed only from: {allowed}",
            details={"status": current, "action": action, "allowed_from": allowed_from},
        )


class MediaRejected(Exception):
    """The upload is not accepted.

    ``status`` is the HTTP status to answer with (413 too large, 415 unsupported
    type, 422 damaged / decompression bomb / empty), ``code`` a stable
    machine-readable code and ``message`` a sentence for the uploader.
    ``detail`` (optional) is technical context for logs only; do not show it to users.
    """

    def __init__(self, status: int, code: str, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"MediaRejected(status={self.status}, code={self.code!r}, message={self.message!r})"


class CredentialKeyError(Exception):
    """The configured key is malformed or cannot decrypt what is stored."""


class Unpublishable(Invalid):
    """The post cannot go out as it is. `problems` holds every channel's and the post's own, each with its code."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        summary = "; ".join(f"{p.channel}: {p.message}" if p.channel else p.message for p in problems)
        super().__init__(f"the post cannot be published as it is: {summary}", code="invalid_content",
                         details={"problems": [p.as_dict() for p in problems]})
        self.problems = list(problems)
