"""The Flask application factory: configuration, one database session per request, JSON errors."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template_string, request
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from publisher import health, schema
from publisher.config import Settings
from publisher.errors import Conflict, PublisherError
from publisher.runtime import Runtime

log = logging.getLogger(__name__)
VERSION = "0.1.0"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """`config` may carry RUNTIME (a ready Runtime, as tests do) or SETTINGS; else the environment."""
    config = dict(config or {})
    runtime: Runtime = config.pop("RUNTIME", None) or Runtime.from_settings(
        config.pop("SETTINGS", None) or Settings.from_env()
    )
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=runtime.settings.secret_key,
        MAX_CONTENT_LENGTH=runtime.settings.max_upload_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.config.update(config)
    app.extensions["publisher"] = runtime
    app.json.ensure_ascii = False  # Cyrillic stays readable
    app.json.sort_keys = False

    from web.api import bp as api_bp
    from web.feed import bp as feed_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(feed_bp)
    app.teardown_appcontext(_close_session)
    app.after_request(_security_headers)
    app.register_error_handler(PublisherError, _publisher_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StaleDataError, lambda e: _publisher_error(
        Conflict("someone else changed this record at the same moment; reload and try again")))
    app.register_error_handler(IntegrityError, lambda e: _publisher_error(
        Conflict("the change conflicts with another one made at the same moment; reload and try again")))
    app.register_error_handler(Exception, _unexpected_error)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/", "index", index)
    return app


def runtime() -> Runtime:
    return current_app.extensions["publisher"]


READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def db() -> Session:
    """This request's session: a reading one for GET, so pages never hold SQLite's write lock."""
    if "db" not in g:
        rt = runtime()
        g.db = (rt.read_sessions if request.method in READING_METHODS else rt.sessions)()
    return g.db


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()  # rolls back whatever was not committed: an error leaves no half-written rows


def _error_response(status: int, code: str, message: str, details: Any = None) -> tuple[Response, int]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return jsonify({"error": body}), status


def _publisher_error(exc: PublisherError) -> tuple[Response, int]:
    session = g.get("db")
    if session is not None:
        session.rollback()
    return _error_response(exc.status, exc.code, exc.message, exc.details)


def _http_error(exc: HTTPException) -> tuple[Response, int]:
    code = (exc.name or "error").lower().replace(" ", "_")
    if exc.code == 413:
        limit = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _error_response(413, "too_large", f"the request is larger than {limit} MB")
    return _error_response(exc.code or 500, code, exc.description or exc.name)


def _unexpected_error(exc: Exception) -> tuple[Response, int]:
    if isinstance(exc, OperationalError):
        log.exception("database unavailable")
        return _error_response(503, "database_unavailable", "the database is not reachable; try again shortly")
    log.exception("unexpected error on %s %s", request.method, request.path)
    return _error_response(500, "internal_error", "an unexpected error occurred; it has been logged")


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                                "base-uri 'none'; form-action 'self'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def healthz() -> tuple[Response, int]:
    rt = runtime()
    body: dict[str, Any] = {"status": "ok", "version": VERSION}
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current = schema.current_revision(rt.engine)
        body["database"] = {"status": "ok", "backend": rt.engine.dialect.name, "schema": current,
                            "schema_current": current == schema.head_revision()}
        if current != schema.head_revision():
            body["status"] = "degraded"
        else:
            with rt.read_sessions() as session:
                body["publishing"] = health.publishing_state(
                    session, rt.clock(), overdue_after=timedelta(minutes=rt.settings.overdue_alert_minutes))
            if body["publishing"]["problems"]:
                body["status"] = "degraded"
    except OperationalError:
        body["status"] = "unavailable"
        body["database"] = {"status": "unreachable", "backend": rt.engine.dialect.name}
        return jsonify(body), 503
    return jsonify(body), 200


INDEX = """<!doctype html>
<html lang="sr-Latn"><head><meta charset="utf-8"><title>publisher</title></head>
<body><main>
<h1>publisher</h1>
<p>The JSON API is at <a href="/api/v1/openapi.json">/api/v1</a> (OpenAPI document);
health at <a href="/healthz">/healthz</a>. The dashboard pages come with the dashboard release.</p>
</main></body></html>"""


def index() -> str:
    return render_template_string(INDEX)
