"""Errors that services raise; the API maps each to one HTTP status."""

from __future__ import annotations

from typing import Any


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


class TooLarge(PublisherError):
    status, code = 413, "too_large"


class UnsupportedMedia(PublisherError):
    status, code = 415, "unsupported_media_type"


class Invalid(PublisherError):
    status, code = 422, "invalid"
