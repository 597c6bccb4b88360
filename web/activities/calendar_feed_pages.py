"""A person's private calendar feed: the page to make one (its address shown once), choose what it shows and
revoke it (/account/calendar-feed), and the feed itself (/calendar/<token>.ics), which needs no sign-in: the
secret address is the credential, and an unknown or revoked one is 404 like any address that does not exist."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField

from publisher.activities import feed_tokens
from publisher.activities.feed_tokens import FeedDetail
from publisher.activities.personal_feed import personal_calendar
from web.context import db, runtime
from web.roles import permission_required

bp = Blueprint("calendar_feed", __name__)

DETAILS = [
    (FeedDetail.BUSY, _l("Busy or free, and what the public agenda already shows (recommended)")),
    (FeedDetail.PUBLIC, _l("The title, place and who takes part of every event, without guests or internal notes")),
    (FeedDetail.FULL, _l("Everything, guests and internal notes included")),
]
DETAIL_NAMES = {value: text for value, text in DETAILS}


class FeedForm(FlaskForm):
    detail = RadioField(_l("What the feed shows"), choices=[value for value, _text in DETAILS],
                        default=FeedDetail.BUSY)
    all_events = BooleanField(_l("All of the office's events, not only those I take part in"))


def _page(form: FeedForm, *, address: str | None = None, status: int = 200) -> tuple[str, int]:
    user = current_user.user
    return render_template("activities/calendar_feed.html", form=form, details=DETAILS, detail_names=DETAIL_NAMES,
                           feeds=feed_tokens.live(db(), user), may_see_all=feed_tokens.may_see_all(user),
                           address=address), status


@bp.get("/account/calendar-feed")
@permission_required("activities", "read")
def page() -> tuple[str, int]:
    return _page(FeedForm(formdata=None))


@bp.post("/account/calendar-feed")
@permission_required("activities", "read")
def create() -> tuple[str, int]:
    form = FeedForm()
    if not form.validate():
        return _page(form, status=422)
    all_events = bool(form.all_events.data) and feed_tokens.may_see_all(current_user.user)
    _token, plain = feed_tokens.create(db(), current_user.actor(), detail=form.detail.data, all_events=all_events)
    db().commit()
    base = runtime().settings.public_url or request.host_url.rstrip("/")
    # Shown on this answer only (the dashboard's answers are no-store): it is not kept anywhere to show again.
    return _page(FeedForm(formdata=None), address=base + url_for("calendar_feed.feed", token=plain))


@bp.post("/account/calendar-feed/<int:token_id>/revoke")
@permission_required("activities", "read")
def revoke(token_id: int) -> Response:
    feed_tokens.revoke(db(), current_user.actor(), token_id, runtime().clock())
    db().commit()
    flash(gettext("The feed is revoked: its address shows nothing any more."), "success")
    return redirect(url_for("calendar_feed.page"))  # type: ignore[return-value]


@bp.get("/calendar/<token>.ics")
def feed(token: str) -> Response:
    session = db()
    found = feed_tokens.find(session, token)
    if found is None:
        abort(404)
    now = runtime().clock()
    settings = runtime().settings
    body = personal_calendar(session, found, now, days_back=settings.agenda_feed_days_back,
                             days_ahead=settings.agenda_feed_days_ahead, office_name=settings.office_name)
    if feed_tokens.note_use(found, now):
        session.commit()
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Cache-Control"] = "private, no-store"  # a person's own: no shared cache keeps it
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
