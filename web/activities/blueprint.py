"""The activities' blueprint: the office's event pages under /events (web/activities/pages.py) and the list
of officials (web/activities/officials_pages.py) register their routes on it; web/app.py imports both."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("activities", __name__, url_prefix="/events")
