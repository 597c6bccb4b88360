"""The public site: pages anyone may read, without signing in, served by the full app and, alone, by
`publisher serve --public` (web/public_app.py). Every blueprint here is made with
web.public.headers.public_blueprint; `register` puts them all on an app."""

from __future__ import annotations

from flask import Blueprint, Flask


def blueprints() -> list[Blueprint]:
    from web.public.agenda import bp as agenda_bp
    from web.public.agenda_ics import bp as agenda_ics_bp
    from web.public.feed import bp as feed_bp
    from web.public.site import bp as site_bp

    return [agenda_bp, feed_bp, site_bp, agenda_ics_bp]


def register(app: Flask, *chosen: Blueprint) -> None:
    """Register the public blueprints (or those `chosen`: a test's own form), exempt from the staff app's CSRF check: public
    forms carry no session to forge a request with; their own token (form_guard) and the same-origin check
    (web.guards) stand in."""
    csrf = app.extensions.get("csrf")
    for bp in chosen or blueprints():
        if csrf is not None:
            csrf.exempt(bp)
        app.register_blueprint(bp)
