"""Several posts at once: approve from the approvals list, cancel or move from the queue (publisher.posts.bulk).

Approving carries, per post, the content hash of the version the list showed. Cancelling and moving ask
first (what will be stopped, which approved posts go back for approval). Every post's outcome is shown on a
result page; its address lists the outcomes (so a reload does not do it again) and the page reads each
post's current state from the database, so it never shows more than the posts themselves say.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField
from wtforms.fields import DateField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from publisher.core.errors import Invalid
from publisher.core.models import Post
from publisher.core.parse import record_id
from publisher.core.states import PostStatus
from publisher.posts import bulk, effects
from web.confirmation import confirmed
from web.context import db, runtime
from web.roles import permission_required

bp = Blueprint("bulk", __name__)

OUTCOMES = {
    "approved": _l("approved"),
    "cancelled": _l("cancelled: it will not go out"),
    "moved": _l("moved"),
    "moved_back": _l("moved; it waits for approval again"),
    "content_changed": _l("not approved: it changed after the list was loaded. Open it and read it again."),
    "own_post": _l("not approved: you wrote or edited it, so another approver decides (four eyes)"),
    "invalid_transition": _l("not done: its state no longer allows it"),
    "invalid_content": _l("not approved: it cannot go out as it is. Open it to see why."),
    "not_found": _l("not done: the post no longer exists"),
    "no_time": _l("not moved: it goes out as soon as approved, so there is no time to shift. Give a date and a time."),
    "time_in_past": _l("not moved: the new time has passed"),
    "nonexistent_local_time": _l("not moved: the new time does not exist that day (the clocks jump forward)"),
    "ambiguous_local_time": _l("not moved: the new time happens twice that night (the clocks go back). Move it on its own."),
    "forbidden": _l("not done: you may not do this"),
    "refused": _l("not done"),
}
KINDS = {"approve": _l("Approving several posts"), "cancel": _l("Cancelling several posts"),
         "move": _l("Moving several posts in time")}
_APPROVAL = re.compile(r"(\d{1,10}):([0-9a-f]{64})")
_RESULT = re.compile(r"(\d{1,10})\.([a-z_]{1,40})")


def _too_many(count: int) -> None:
    if count > bulk.MAX_POSTS:
        abort(422, ngettext("You chose %(num)d post; at most %(max)d can be handled at once.",
                            "You chose %(num)d posts; at most %(max)d can be handled at once.", count,
                            max=bulk.MAX_POSTS))


def _none_chosen(back: str) -> None:
    abort(422, gettext("Choose at least one post: tick the box in its row. %(back)s", back=back))


def _done(kind: str, outcomes: list[bulk.Outcome]) -> Response:
    db().commit()
    codes = [f"{o.post_id}.{o.code if o.code in OUTCOMES else 'refused'}" for o in outcomes]
    return redirect(url_for("bulk.result", kind=kind, r=codes))


# --- approving from the approvals list ---------------------------------------------------------------------

@bp.post("/approvals/bulk")
@permission_required("posts", "approve")
def approve() -> Response:
    values = request.form.getlist("post")
    _too_many(len(values))
    seen: dict[int, str] = {}
    for value in values:
        found = _APPROVAL.fullmatch(value)
        post_id = record_id(found.group(1)) if found else None
        if post_id is None:
            abort(400, gettext("A chosen post could not be read. Reload the approvals list and choose again."))
        seen[post_id] = found.group(2)
    if not seen:
        _none_chosen(gettext("Nothing was approved."))
    return _done("approve", bulk.approve_many(db(), runtime(), current_user.actor(), seen, settle=db().commit))


# --- cancelling or moving from the queue -------------------------------------------------------------------

class MoveForm(FlaskForm):
    how = RadioField(_l("How to move them"), choices=[SelectChoice("shift", _l("by a number of days and hours")),
                                                     SelectChoice("date", _l("to a date"))],
                     validators=[InputRequired(_l("Choose how to move the posts."))])
    days = IntegerField(_l("Days"), default=0, validators=[
        Optional(), NumberRange(-366, 366, _l("Between %(min)s and %(max)s days; minus moves earlier."))])
    hours = IntegerField(_l("Hours"), default=0, validators=[
        Optional(), NumberRange(-23, 23, _l("Between %(min)s and %(max)s hours; minus moves earlier."))])
    day = DateField(_l("Date"), format="%Y-%m-%d", validators=[Optional()])
    clock = TimeField(_l("Time (optional)"), format="%H:%M", validators=[Optional()])

    def target(self) -> dict[str, Any] | None:
        """The move for publisher.posts.bulk, or None with the errors on their fields."""
        if self.how.data == "shift":
            shift = timedelta(days=self.days.data or 0, hours=self.hours.data or 0)
            if not shift:
                self.days.errors.append(gettext("Give a number of days or hours to move the posts by."))
                return None
            return {"shift": shift}
        if self.day.data is None:
            self.day.errors.append(gettext("Enter the date, for example 2026-03-29."))
            return None
        return {"day": self.day.data, "clock": self.clock.data}


@bp.route("/queue/bulk", methods=["GET", "POST"])
@login_required
def queue_action() -> Response | tuple[str, int]:
    """GET shows the confirmation only (an address to come back to); the queue's form POSTs to ask, and the
    confirmation's button POSTs again with `confirmed=yes` to do it."""
    if not (current_user.may("posts", "cancel") or current_user.may("posts", "move")):
        abort(403)
    sent = request.form if request.method == "POST" else request.args
    asking = request.method == "GET" or not confirmed()
    action = sent.get("action")
    if action not in ("cancel", "move"):
        abort(400, gettext("Choose whether to cancel or to move the chosen posts."))
    if not current_user.may("posts", "cancel" if action == "cancel" else "move"):
        abort(403)
    raw = sent.getlist("post")
    _too_many(len(raw))
    ids = [record_id(value) for value in raw]
    if None in ids:
        abort(400, gettext("A chosen post could not be read. Reload the queue and choose again."))
    if not ids:
        _none_chosen(gettext("Nothing was changed."))
    posts = _posts(ids)
    if action == "cancel":
        if asking:
            return _confirm(action, posts, None)
        return _done("cancel", bulk.cancel_many(db(), runtime(), current_user.actor(), ids, settle=db().commit))
    form = MoveForm(formdata=None if asking else request.form)
    if asking:
        return _confirm(action, posts, form)
    target = form.target() if form.validate() else None
    if target is None:
        return _confirm(action, posts, form, 422)
    try:
        outcomes = bulk.move_many(db(), runtime(), current_user.actor(), ids, settle=db().commit, **target)
    except Invalid as exc:  # a shift beyond what bulk allows
        db().rollback()
        form.days.errors.append(exc.message)
        return _confirm(action, posts, form, 422)
    return _done("move", outcomes)


def _posts(ids: list[int]) -> list[Post | int]:
    """The chosen posts as they are now (an id alone for one that no longer exists)."""
    return [db().get(Post, post_id) or post_id for post_id in dict.fromkeys(ids)]


def _confirm(action: str, posts: list[Post | int], form: MoveForm | None, status: int = 200) -> tuple[str, int]:
    found = [p for p in posts if isinstance(p, Post)]
    lines: list[str] = []
    if action == "cancel":
        unsent = sum(len(effects.cancel_effect(db(), p).unsent) for p in found)
        lines.append(ngettext("%(num)d post is cancelled and will not go out.",
                              "%(num)d posts are cancelled and will not go out.", len(found)))
        lines.append(ngettext("%(num)d delivery will not be sent.", "%(num)d deliveries will not be sent.",
                              unsent))
        lines.append(gettext("A cancelled post cannot be sent again; to publish it later, duplicate it."))
    else:
        approved = sum(1 for p in found if p.status == PostStatus.SCHEDULED)
        lines.append(ngettext("%(num)d post moves in time.", "%(num)d posts move in time.", len(found)))
        if approved:
            lines.append(ngettext(
                "%(num)d of them is approved: moving it sends it back for approval, and it does not go out "
                "until an approver approves it again.",
                "%(num)d of them are approved: moving them sends them back for approval, and they do not go "
                "out until an approver approves them again.", approved))
        lines.append(gettext("Times are in each post's own zone; a post that cannot move is refused alone "
                             "and the others move."))
    lines += [gettext("Each post's outcome is shown afterwards.")]
    return render_template("bulk_confirm.html", action=action, posts=posts, effects=lines, form=form), status


# --- the outcome -------------------------------------------------------------------------------------------

@bp.get("/posts/bulk/result")
@permission_required("posts", "plan")
def result() -> str:
    kind = request.args.get("kind")
    if kind not in KINDS:
        abort(400, gettext("This address does not name a bulk action."))
    rows = []
    for value in request.args.getlist("r")[:bulk.MAX_POSTS]:
        found = _RESULT.fullmatch(value)
        post_id = record_id(found.group(1)) if found else None
        if post_id is None or found.group(2) not in OUTCOMES:
            abort(400, gettext("This address does not list outcomes that can be read."))
        code = found.group(2)
        rows.append((post_id, db().get(Post, post_id), code, code in bulk.DONE))
    done = sum(1 for row in rows if row[3])
    return render_template("bulk_result.html", kind=kind, heading=KINDS[kind], rows=rows, outcomes=OUTCOMES,
                           done=done, refused=len(rows) - done)
