"""What every public response carries, whichever app serves it: a strict CSP of its own, cache headers for
pages anyone may keep (forms and refusals: no-store). Public pages never write the session, so no session cookie
is set on them (the public app cannot even save one: web/public_app.py).

A public blueprint is made with `public_blueprint`, which hangs these on it; a future public page (agenda,
newsroom, albums) does the same and gets them too. The staff app's own headers (web/app.py) only fill in what
is still missing, so these win on the public paths of the full app.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request
from flask_babel import lazy_gettext as _l

from web.context import runtime
from web.i18n import LANGUAGE_NAMES, interface_language

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
NO_STORE_KEY = "public_no_store"
DEFAULT_OFFICE_NAME = _l("Communication office")


def public_blueprint(name: str, import_name: str, **kw: Any) -> Blueprint:
    """A blueprint of the public site: its responses get the public headers, its templates the public context."""
    bp = Blueprint(name, import_name, **kw)
    bp.after_request(public_headers)
    bp.context_processor(public_context)
    return bp


def keep_private() -> None:
    """This response must not be stored (a form with its time token, a refusal, what was sent)."""
    g.public_no_store = True


def public_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if g.get(NO_STORE_KEY) or request.method not in ("GET", "HEAD") or response.status_code >= 400:
        response.headers["Cache-Control"] = "no-store"
    elif "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = f"public, max-age={runtime().settings.public_max_age}"
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")  # the language comes from ?lang= or else from the browser
    return response


def public_context() -> dict[str, Any]:
    office = runtime().settings.office_name
    return {"html_lang": interface_language(), "public_languages": list(LANGUAGE_NAMES.items()),
            "office_name": office or DEFAULT_OFFICE_NAME}
