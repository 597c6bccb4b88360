"""The activities' blueprint: the office's event pages under /events (web/activities/pages.py) and the list
of officials (web/activities/officials_pages.py) register their routes on it."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("activities", __name__, url_prefix="/events")


def register(app: Flask) -> None:
    from web.activities import officials_pages, pages  # noqa: F401, PLC0415 - their routes, on bp

    app.register_blueprint(bp)
