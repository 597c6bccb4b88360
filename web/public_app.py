"""The public site alone: `publisher serve --public`, on a host of its own if wanted.

Only the public blueprints (web/public): no sign-in, no dashboard, no API, no session cookie, no CSRF cookie.
Its runtime connects as publisher/public/database.py says (a read-only role, or a read-only SQLite file).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, redirect, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel, gettext
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from publisher.core.config import Settings
from publisher.core.db import ping
from publisher.core.errors import PublisherError
from publisher.core.runtime import Runtime
from publisher.public.database import public_runtime
from web import dates, guards, public
from web.app import ERROR_HINTS, ERROR_TITLES
from web.context import close_session, runtime
from web.i18n import select_locale
from web.params import IdConverter, refuse_unstorable_text
from web.public.headers import public_headers

log = logging.getLogger(__name__)


class NoSessionCookie(SecureCookieSessionInterface):
    """Reads no cookie it did not set and sets none: nothing on the public site belongs to one visitor."""

    def open_session(self, app: Flask, request: Any) -> Any:
        return self.session_class()

    def save_session(self, app: Flask, session: Any, response: Response) -> None:
        return None


def create_public_app(config: dict[str, Any] | None = None) -> Flask:
    """`config` may carry RUNTIME (a ready Runtime, as tests do), SETTINGS, or else the environment; and
    PUBLIC_BLUEPRINTS, more public blueprints (tests register a form of their own this way)."""
    config = dict(config or {})
    rt: Runtime = config.pop("RUNTIME", None) or public_runtime(config.pop("SETTINGS", None) or Settings.from_env())
    extra = config.pop("PUBLIC_BLUEPRINTS", ())
    app = Flask(__name__)
    app.url_map.converters["int"] = IdConverter
    app.session_interface = NoSessionCookie()
    app.config.update(
        SECRET_KEY=rt.settings.secret_key,  # signs the public forms' time tokens (form_guard)
        MAX_CONTENT_LENGTH=rt.settings.max_form_bytes,
        MAX_FORM_BYTES=rt.settings.max_form_bytes,  # no uploads here: every route takes at most this
        BABEL_DEFAULT_LOCALE="sr_Latn",
        BABEL_DEFAULT_TIMEZONE=rt.settings.timezone,
    )
    app.config.update(config)
    app.extensions["publisher"] = rt
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    app.before_request(guards.limit_body)
    app.before_request(guards.same_origin)
    app.before_request(refuse_unstorable_text)
    Babel(app, locale_selector=select_locale)
    dates.init_app(app)
    public.register(app, *public.blueprints(), *extra)
    app.teardown_appcontext(close_session)
    app.after_request(_headers_everywhere)
    app.register_error_handler(PublisherError, _publisher_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    app.add_url_rule("/", "home", lambda: redirect(url_for("public.index", **request.args.to_dict())))
    app.add_url_rule("/healthz", "healthz", _healthz)
    return app


def _headers_everywhere(response: Response) -> Response:
    # The blueprints set these on their own responses; this covers the rest (static files, errors, redirects).
    return public_headers(response) if "Content-Security-Policy" not in response.headers else response


def _page(status: int, detail: str | None = None) -> tuple[str, int]:
    title = ERROR_TITLES.get(status) or ERROR_TITLES[400 if status < 500 else 500]
    return render_template("public/error.html", status=status, title=title,
                           detail=detail or ERROR_HINTS.get(status), back=None), status


def _http_error(exc: HTTPException) -> tuple[str | Response, int] | Response:
    if exc.code == 413:
        size = guards.body_limit() // 1024
        return _page(413, gettext("At most %(size)s can be sent here. Nothing was saved.", size=f"{size} KB"))
    if request.path.startswith("/feed/"):  # a feed reader, not a person: the same JSON as the full app gives
        code = (exc.name or "error").lower().replace(" ", "_")
        return jsonify({"error": {"code": code, "message": exc.description or exc.name}}), exc.code or 500
    custom = exc.description if exc.description != type(exc).description else None
    response = exc.get_response()
    body, status = _page(exc.code or 500, custom)
    if exc.code == 405 and "Allow" in response.headers:
        return Response(body, status, {"Allow": response.headers["Allow"]}, mimetype="text/html")
    return body, status


def _publisher_error(exc: PublisherError) -> tuple[str, int]:
    session = g.get("db")
    if session is not None:
        session.rollback()
    return _page(exc.status, exc.message)  # a check refused the request (a NUL in a field): its own words


def _unexpected_error(exc: Exception) -> tuple[str, int]:
    if isinstance(exc, OperationalError):
        log.exception("database unavailable")
        return _page(503)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return _page(500)


def _healthz() -> tuple[Response, int]:
    """For a monitor: whether the public site reaches its database (nothing more is public)."""
    try:
        ping(runtime().engine)
    except OperationalError:
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"}), 200
