"""What a view reaches besides its arguments: the runtime, this request's database session, the request's kind.

Blueprints import this module, never the application factory (web.app), so that the factory can import
them without a circle (Flask's tutorial keeps its `db.py` apart for the same reason).
"""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy.orm import Session

from publisher.core.runtime import Runtime

VERSION = "0.1.0"


def runtime() -> Runtime:
    return current_app.extensions["publisher"]


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db() -> Session:
    """This request's session: a reading one for GET, so pages never hold SQLite's write lock."""
    if "db" not in g:
        rt = runtime()
        g.db = (rt.read_sessions if request.method in READING_METHODS else rt.sessions)()
    return g.db


def close_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()  # rolls back whatever was not committed: an error leaves no half-written rows


def is_page_request() -> bool:
    """A dashboard page (HTML, cookies, CSRF), as opposed to the token API, the feeds and the health check."""
    return not request.path.startswith(("/api/", "/feed/", "/static/")) and request.path != "/healthz"
