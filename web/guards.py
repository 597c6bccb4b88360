"""What every request passes before CSRF checks and views read it: a body size for its route, and for form
posts the same origin as this site.

Both run before anything reads the body. A 400 MB anonymous `POST /login` used to be read and parsed whole;
now a request larger than its route allows is answered 413 from its Content-Length alone, and a body without
one is cut off at the limit as it is read. Only the upload routes accept large bodies, and those stream the
file to disk (werkzeug spools a file part to a temporary file; publisher.media.store copies it in chunks).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from publisher.core import limits
from web.context import READING_METHODS, is_page_request

# The routes that take a file: the media library, the compose form (its "upload a new file"), the API, imports,
# documents.
UPLOAD_ENDPOINTS = frozenset({"library.upload", "compose.create", "compose.update", "api.media_upload",
                              "documents.attach", "documents.add_version"})
# Spreadsheet imports: their file's limit (limits.IMPORT_BYTES) and room for the form's other fields.
IMPORT_ENDPOINTS = frozenset({"people_import.upload", "ical_import.upload"})


def body_limit() -> int:
    """The most bytes this request's route accepts."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        return current_app.config["MAX_CONTENT_LENGTH"]
    if request.endpoint in IMPORT_ENDPOINTS:
        return limits.IMPORT_BYTES + 64 * 1024
    return current_app.config["MAX_FORM_BYTES"]


def limit_body() -> None:
    limit = body_limit()
    request.max_content_length = limit  # a body without Content-Length is cut off here as it is read
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()


def origin_of(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else url.strip().lower()


class ForeignOrigin(Exception):
    """A form post whose browser says it comes from another site; the app answers 403 with a page."""

    def __init__(self, origin: str) -> None:
        super().__init__(origin)
        self.origin = origin


def same_origin() -> None:
    """A form post (cookies, CSRF token) must come from one of our own pages when the browser says where from.

    The API is token-authenticated (no cookie rides along on a forged request) and is not checked. A request
    that names neither Origin nor Referer passes on its CSRF token alone, as browsers and privacy tools may
    omit both.
    """
    if request.method in READING_METHODS or not is_page_request():
        return
    claimed = request.headers.get("Origin") or request.headers.get("Referer")
    if not claimed:
        return
    if origin_of(claimed) != origin_of(request.host_url):
        raise ForeignOrigin(origin_of(claimed)[:200])
