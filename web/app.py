"""The Flask application factory: configuration, one database session per request, errors as JSON for the
API and as pages for the dashboard."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask, Response, g, jsonify, render_template, request
from flask_babel import Babel, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from publisher.core import schema
from publisher.core.config import Settings
from publisher.core.db import ping
from publisher.core.errors import Conflict, Malformed, PublisherError
from publisher.core.runtime import Runtime
from publisher.publishing import health
from web import dates, guards, public
from web.context import VERSION, close_session, is_page_request, runtime
from web.params import IdConverter, refuse_unstorable_text

log = logging.getLogger(__name__)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """`config` may carry RUNTIME (a ready Runtime, as tests do) or SETTINGS; else the environment."""
    config = dict(config or {})
    runtime: Runtime = config.pop("RUNTIME", None) or Runtime.from_settings(
        config.pop("SETTINGS", None) or Settings.from_env()
    )
    app = Flask(__name__)
    app.url_map.converters["int"] = IdConverter  # ids: ASCII digits that fit the id columns, else 404 (web/params.py)
    secure = runtime.settings.cookie_secure
    app.config.update(
        SECRET_KEY=runtime.settings.secret_key,
        MAX_CONTENT_LENGTH=runtime.settings.max_upload_bytes,  # the upload routes; web.guards sets the rest
        MAX_FORM_BYTES=runtime.settings.max_form_bytes,
        SESSION_COOKIE_NAME="publisher_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,  # "remember me" is not offered; should it ever be, same flags
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which ends when idle
        BABEL_DEFAULT_LOCALE="sr_Latn",
        BABEL_DEFAULT_TIMEZONE=runtime.settings.timezone,
    )
    app.config.update(config)
    app.extensions["publisher"] = runtime
    app.json.ensure_ascii = False  # Cyrillic stays readable
    app.json.sort_keys = False
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True

    from publisher.activities import approval as _event_approval  # noqa: F401 - the approval subject "event"
    from web import (
        api_events,  # noqa: F401 - adds the events' routes to the API blueprint before it is registered
        auth,
    )
    from web.activities import officials_pages as _officials_pages  # noqa: F401 - its routes, on the blueprint
    from web.activities import pages as _event_pages  # noqa: F401 - its routes, on the blueprint
    from web.activities.blueprint import bp as activities_bp
    from web.activities.calendar_feed_pages import bp as calendar_feed_bp
    from web.activities.ical_import_pages import bp as ical_import_bp
    from web.activities.preparation import bp as event_preparation_bp
    from web.activities.weekly_plan_pages import bp as weekly_plan_bp
    from web.admin import bp as admin_bp
    from web.alerts import bp as alerts_bp
    from web.api import bp as api_bp
    from web.approval_panel import bp as approval_bp
    from web.approvals import bp as approvals_bp
    from web.audit import bp as audit_bp
    from web.bulk import bp as bulk_bp
    from web.compose import bp as compose_bp
    from web.dashboard import bp as dashboard_bp
    from web.documents import bp as documents_bp
    from web.history import bp as history_bp
    from web.i18n import select_locale
    from web.library import bp as library_bp
    from web.notifications import bp as notifications_bp
    from web.outbox import bp as outbox_bp
    from web.people_import import bp as people_import_bp
    from web.post_actions import bp as post_actions_bp
    from web.post_links import register as register_post_links
    from web.printed import bp as printed_bp
    from web.queue import bp as queue_bp

    # Before CSRFProtect's own hook, which reads the form: nothing reads a body before these checks.
    app.before_request(guards.limit_body)
    app.before_request(guards.same_origin)
    app.before_request(refuse_unstorable_text)  # NUL and lone surrogates: 400 before any view
    csrf = CSRFProtect(app)
    csrf.exempt(api_bp)  # token-authenticated, no cookies: nothing for a forged request to ride on
    Babel(app, locale_selector=select_locale)
    dates.init_app(app)  # after Babel: its date filters give way to web/dates.py's fixed formats
    auth.init_app(app)
    app.register_blueprint(api_bp)
    public.register(app)  # the public site's pages, at the same paths as `serve --public` gives them
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(history_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(event_preparation_bp)
    app.register_blueprint(compose_bp)
    app.register_blueprint(library_bp)
    app.register_blueprint(printed_bp)
    app.register_blueprint(weekly_plan_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(outbox_bp)
    app.register_blueprint(people_import_bp)
    app.register_blueprint(approvals_bp)
    app.register_blueprint(approval_bp)
    app.register_blueprint(queue_bp)
    app.register_blueprint(post_actions_bp)
    app.register_blueprint(bulk_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(calendar_feed_bp)
    app.register_blueprint(ical_import_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(activities_bp)
    register_post_links(app)
    app.before_request(_page_request_user)
    app.teardown_appcontext(close_session)
    app.after_request(_security_headers)
    app.register_error_handler(PublisherError, _publisher_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(guards.ForeignOrigin, _foreign_origin)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(MethodNotAllowed, _method_not_allowed)
    app.register_error_handler(StaleDataError, lambda e: _publisher_error(
        Conflict("someone else changed this record at the same moment; reload and try again")))
    app.register_error_handler(IntegrityError, lambda e: _publisher_error(
        Conflict("the change conflicts with another one made at the same moment; reload and try again")))
    app.register_error_handler(DataError, lambda e: _publisher_error(Malformed(
        "a value does not fit the database (a number out of range, or text it cannot store)")))  # a net
    app.register_error_handler(Exception, _unexpected_error)
    app.add_url_rule("/healthz", "healthz", healthz)
    return app


def _page_request_user() -> None:
    if is_page_request():
        from web.auth import load_signed_in_user

        load_signed_in_user()


ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You may not do this"),
    404: _l("There is no such page"),
    405: _l("This page cannot be used this way"),
    409: _l("Someone else changed this at the same moment"),
    413: _l("What you sent is too large"),
    422: _l("This cannot be accepted as it is"),
    500: _l("Something went wrong on our side"),
    503: _l("The database is not reachable"),
}
ERROR_HINTS = {
    404: _l("Check the address, or start again from the overview."),
    409: _l("Reload the page and try again."),
    500: _l("It has been logged. Try again; if it keeps happening, tell the administrator."),
    503: _l("Try again in a moment. If it keeps happening, tell the administrator."),
}


def _error_page(status: int, detail: Any = None, *, bare: bool = False) -> tuple[str, int]:
    g.bare_page = bare  # the layout then asks the database nothing (it may be what failed)
    title = ERROR_TITLES.get(status) or ERROR_TITLES[400 if status < 500 else 500]
    return render_template("error.html", status=status, title=title, detail=detail or ERROR_HINTS.get(status),
                           bare=bare), status


def _error_response(status: int, code: str, message: str, details: Any = None) -> tuple[Response, int]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return jsonify({"error": body}), status


def _publisher_error(exc: PublisherError) -> tuple[Response | str, int]:
    session = g.get("db")
    if session is not None:
        session.rollback()
    if is_page_request():
        return _error_page(exc.status, exc.message)  # a view did not expect this: the service's words
    return _error_response(exc.status, exc.code, exc.message, exc.details)


def _csrf_error(exc: CSRFError) -> tuple[Response | str, int]:
    return _error_page(400, gettext(
        "The form was sent without its security token, or with one that does not belong to this session "
        "(for example after signing out in another tab). Nothing was changed. Go back, reload the page "
        "and send the form again."))


def _foreign_origin(exc: Exception) -> tuple[str, int]:
    log.warning("refused a %s %s sent from %s", request.method, request.path, getattr(exc, "origin", "?"))
    return _error_page(403, gettext(
        "This form was sent from another site, not from a page of this one. Nothing was changed. If you "
        "did send it, open this site's page yourself and send the form from there."))


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def _http_error(exc: HTTPException) -> tuple[Response | str, int]:
    if exc.code == 413:
        size = _size(guards.body_limit())
        if is_page_request():
            return _error_page(413, gettext("At most %(size)s can be sent here. Nothing was saved.", size=size))
        return _error_response(413, "too_large", f"the request is larger than {size}, the most this route accepts")
    if is_page_request():
        custom = exc.description if exc.description != type(exc).description else None
        return _error_page(exc.code or 500, custom)  # abort(400, "what was wrong") shows its words
    code = (exc.name or "error").lower().replace(" ", "_")
    return _error_response(exc.code or 500, code, exc.description or exc.name)


def _method_not_allowed(exc: MethodNotAllowed) -> tuple[Response | str, int, dict[str, str]]:
    """405 with `Allow`, the methods the address does take (RFC 9110 requires it)."""
    body, status = _http_error(exc)
    return body, status, {"Allow": ", ".join(sorted(exc.valid_methods or ()))}


def _unexpected_error(exc: Exception) -> tuple[Response | str, int]:
    if isinstance(exc, OperationalError):
        log.exception("database unavailable")
        if is_page_request():
            return _error_page(503, bare=True)
        return _error_response(503, "database_unavailable", "the database is not reachable; try again shortly")
    log.exception("unexpected error on %s %s", request.method, request.path)
    if is_page_request():
        return _error_page(500, bare=True)
    return _error_response(500, "internal_error", "an unexpected error occurred; it has been logged")


CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith("/api/") or (is_page_request() and response.mimetype == "text/html"):
        # Pages show people's work: the back button after signing out must not bring them back.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def healthz() -> tuple[Response, int]:
    """Signed out (a monitor, anyone): ok/degraded/unavailable and counts. Signed-in staff also see the reasons,
    the holds with their reasons and channels, the schema and the database backend."""
    rt = runtime()
    body: dict[str, Any] = {"status": "ok", "version": VERSION}
    try:
        ping(rt.engine)
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
        status = 200
    except OperationalError:
        body["status"] = "unavailable"
        body["database"] = {"status": "unreachable", "backend": rt.engine.dialect.name}
        status = 503
    if not current_user.is_authenticated:
        body = _public_health(body)
    return jsonify(body), status


def _public_health(body: dict[str, Any]) -> dict[str, Any]:
    publishing = body.get("publishing")
    counts = None if publishing is None else {
        "workers_alive": publishing["workers_alive"], "due_now": publishing["due_now"],
        "overdue": publishing["overdue"], "open_alerts": sum(publishing["open_alerts"].values()),
        "holds": len(publishing["holds"])}
    return {"status": body["status"], "counts": counts}
