"""The approvals pages: what waits for this approver, one post with what changed since it was last
approved, approve (bound to the version read) or send back with a comment."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from publisher.approval import service as approval
from publisher.core import limits
from publisher.core.errors import Conflict, Forbidden, Invalid, InvalidTransition
from publisher.core.models import Post
from publisher.core.states import PostStatus
from publisher.destinations import languages
from publisher.posts import approvals, workflow
from web import approval_panel, params, previews
from web.context import db, runtime
from web.i18n import LANGUAGE_NAMES
from web.labels import POST_STATES
from web.roles import permission_required

bp = Blueprint("approvals", __name__, url_prefix="/approvals")
MAX_COMMENT = limits.COMMENT


class ApproveForm(FlaskForm):
    content_hash = HiddenField(validators=[InputRequired()])  # the version the approver read


class RejectForm(FlaskForm):
    comment = TextAreaField(_l("What should the author change?"), validators=[
        DataRequired(_l("Write a comment: the author needs to know what to change.")),
        Length(max=MAX_COMMENT, message=_l("A comment is at most %(max)d characters."))])


@bp.get("")
@permission_required("posts", "approve")
def index() -> tuple[str, int]:
    text, problem = params.search_arg("q")
    return render_template("approvals.html", waiting=approvals.waiting(db(), current_user.user, text=text), q=text,
                           others=[(w, approval_panel.page_url(w.subject))
                                   for w in approval.waiting_for(db(), current_user.actor())],
                           problems={"q": problem} if problem else {}), 422 if problem else 200


@bp.get("/<int:post_id>")
@permission_required("posts", "approve")
def detail(post_id: int) -> str:
    return _detail_page(workflow.get_post(db(), post_id), ApproveForm(formdata=None), RejectForm(formdata=None))


def own_post(post: Post) -> bool:
    """Four eyes: whoever wrote or edited the post may not decide on it."""
    return current_user.user.id in post.contributor_ids


def _detail_page(post: Post, approve_form: FlaskForm, reject_form: FlaskForm, *, status: int = 200,
                 problem: str | None = None) -> Any:
    pending = post.status == PostStatus.PENDING_APPROVAL
    shown = previews.saved_previews(post, live=False)
    # Always the version shown on this page: for a waiting post the hash of the very version its previews show
    # (what workflow.approve freezes), so an approval goes out exactly as the approver saw it.
    approve_form.content_hash.data = shown.content_hash if pending else post.content_hash
    return render_template("approvals_detail.html", post=post, diff=approvals.content_diff(db(), post),
                           own=own_post(post), pending=pending,
                           approve_form=approve_form, reject_form=reject_form, problem=problem,
                           language_names=LANGUAGE_NAMES, versions=languages.versions(post),
                           **previews.context(shown.channels, post.language, "approval")), status


def _refusal(post_id: int, exc: Exception, approve_form: FlaskForm, reject_form: FlaskForm) -> Any:
    """The detail page again, saying why the move was refused, with what the post is now."""
    db().rollback()
    post = workflow.get_post(db(), post_id)
    if isinstance(exc, Forbidden):
        return _detail_page(post, approve_form, reject_form, status=403, problem=gettext(
            "You wrote or edited this post, so another approver must decide on it (four eyes)."))
    if isinstance(exc, InvalidTransition):
        return _detail_page(post, approve_form, reject_form, status=409, problem=gettext(
            "This post is no longer waiting for approval: it is %(state)s.", state=_state(post)))
    if isinstance(exc, Conflict):
        return _detail_page(post, approve_form, reject_form, status=409, problem=gettext(
            "The post changed after you opened it. Read what changed below, then decide again."))
    return _detail_page(post, approve_form, reject_form, status=422, problem=gettext(
        "The post cannot be approved as it is: %(reason)s", reason=getattr(exc, "message", str(exc))))


def _state(post: Post) -> str:
    return str(POST_STATES.get(post.status, post.status))


@bp.post("/<int:post_id>/approve")
@permission_required("posts", "approve")
def approve(post_id: int) -> Response | tuple[str, int]:
    form = ApproveForm()
    if not form.validate():
        abort(400)  # the page always sends the version it showed; without it there is nothing to bind
    try:
        post = workflow.approve(db(), runtime(), current_user.actor(), post_id, seen_hash=form.content_hash.data)
    except (Forbidden, Conflict, Invalid) as exc:
        return _refusal(post_id, exc, ApproveForm(formdata=None), RejectForm(formdata=None))
    db().commit()
    flash(gettext("Approved: “%(title)s” is scheduled.", title=post.title or post.id), "success")
    return redirect(url_for("approvals.index"))


@bp.post("/<int:post_id>/reject")
@permission_required("posts", "approve")
def reject(post_id: int) -> Response | tuple[str, int]:
    form = RejectForm()
    if not form.validate():
        post = workflow.get_post(db(), post_id)
        if own_post(post):  # the four-eyes refusal comes first, whatever the form says
            return _refusal(post_id, Forbidden("own post"), ApproveForm(formdata=None), form)
        return _detail_page(post, ApproveForm(formdata=None), form, status=422)
    try:
        post = workflow.reject(db(), runtime(), current_user.actor(), post_id, form.comment.data)
    except (Forbidden, Conflict, Invalid) as exc:
        return _refusal(post_id, exc, ApproveForm(formdata=None), form)
    db().commit()
    flash(gettext("Sent back to the author with your comment: “%(title)s”.", title=post.title or post.id),
          "success")
    return redirect(url_for("approvals.index"))
