"""The public site's pages: the landing page, which lists what is public today (the feeds)."""

from __future__ import annotations

from flask import render_template

from publisher.publishing.feeds import feed_slugs
from web.context import db
from web.public.headers import public_blueprint

bp = public_blueprint("public", __name__, url_prefix="/public")


@bp.get("/")
def index() -> str:
    return render_template("public/index.html", feeds=feed_slugs(db()))
