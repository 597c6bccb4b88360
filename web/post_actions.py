"""One post's actions beside editing and approving: delete a draft, duplicate, withdraw from approval and
cancel. Deleting and cancelling ask first (web.confirmation); every refusal is a page in the person's words."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from publisher.core.errors import Conflict, Forbidden, InvalidTransition, NotFound
from publisher.core.models import Post
from publisher.posts import drafts, effects, workflow
from web.confirmation import confirm_page
from web.context import db, runtime
from web.labels import POST_STATES
from web.post_links import post_link
from web.roles import permission_required

bp = Blueprint("post_actions", __name__, url_prefix="/posts")
HASH = re.compile(r"[0-9a-f]{64}")


def _post(post_id: int) -> Post:
    try:
        return workflow.get_post(db(), post_id)
    except NotFound:
        abort(404)


def label(post: Post) -> str:
    return post.title or post.body[:80] or gettext("(untitled post %(id)d)", id=post.id)


def _state(post: Post) -> str:
    return str(POST_STATES.get(post.status, post.status))


def _back(post: Post) -> str:
    return post_link(post) or url_for("dashboard.home")


def may_withdraw(post: Post) -> bool:
    """The page offers "withdraw" only where the service would do it."""
    return post.status == "pending_approval" and current_user.may("posts", "withdraw") \
        and current_user.user.id in post.contributor_ids


# --- deleting a draft --------------------------------------------------------------------------------------

@bp.route("/<int:post_id>/delete", methods=["GET", "POST"])
@permission_required("posts", "delete")
def delete(post_id: int) -> Response | tuple[str, int]:
    post = _post(post_id)
    if not drafts.deletable(post):
        abort(409, gettext("This post cannot be deleted: it is %(state)s. Only a draft or a post sent back can be "
                           "deleted; cancel a post that is waiting or approved.", state=_state(post)))
    if request.method == "GET":
        return _delete_page(post)
    seen = request.form.get("content_hash", "")
    if not HASH.fullmatch(seen):
        abort(400, gettext("The form did not say which version of the post you confirmed deleting. "
                           "Open the post again and delete it from there."))
    try:
        drafts.delete_post(db(), current_user.actor(), post_id, base_hash=seen)
    except Conflict as exc:
        db().rollback()
        post = _post(post_id)
        if exc.code == "content_changed":
            return _delete_page(post, 409, gettext("The post changed after you opened this page. Read what it "
                                                   "says now before you delete it."))
        abort(409, gettext("This post cannot be deleted: it is %(state)s.", state=_state(post)))
    db().commit()
    flash(gettext("Deleted: “%(title)s”.", title=label(post)), "success")
    return redirect(url_for("dashboard.home"))


def _delete_page(post: Post, status: int = 200, problem: str | None = None) -> tuple[str, int]:
    lines = [gettext("The post and its settings for its channels are deleted for good; this cannot be undone.")]
    if post.media_links:
        lines.append(ngettext("Its %(num)d image or video stays in the media library.",
                              "Its %(num)d images and videos stay in the media library.", len(post.media_links)))
    lines.append(gettext("The audit log keeps a record of it, with its title."))
    return confirm_page(heading=gettext("Delete this draft?"), subject=label(post), effects=lines,
                        action=url_for("post_actions.delete", post_id=post.id),
                        confirm_label=gettext("Delete the draft"), back=_back(post),
                        hidden=[("content_hash", post.content_hash)], problem=problem, status=status)


# --- duplicating and withdrawing ---------------------------------------------------------------------------

@bp.post("/<int:post_id>/duplicate")
@permission_required("posts", "duplicate")
def duplicate(post_id: int) -> Response:
    _post(post_id)
    copy = drafts.duplicate(db(), runtime(), current_user.actor(), post_id)
    db().commit()
    flash(gettext("This is a copy of “%(title)s”: a new draft of yours. Choose a time, then send it for "
                  "approval.", title=label(copy)), "success")
    return redirect(url_for("compose.edit", post_id=copy.id))


@bp.post("/<int:post_id>/withdraw")
@permission_required("posts", "withdraw")
def withdraw(post_id: int) -> Response:
    post = _post(post_id)
    try:
        workflow.withdraw(db(), runtime(), current_user.actor(), post_id)
    except Forbidden:
        db().rollback()
        abort(403, gettext("Only who wrote or edited this post may withdraw it from approval."))
    except InvalidTransition:
        db().rollback()
        abort(409, gettext("This post is no longer waiting for approval: it is %(state)s.",
                           state=_state(_post(post_id))))
    db().commit()
    flash(gettext("Withdrawn from approval: “%(title)s” is a draft again. Send it for approval when it is "
                  "ready.", title=label(post)), "success")
    return redirect(url_for("compose.edit", post_id=post_id))


# --- cancelling --------------------------------------------------------------------------------------------

@bp.route("/<int:post_id>/cancel", methods=["GET", "POST"])
@permission_required("posts", "cancel")
def cancel(post_id: int) -> Response | tuple[str, int]:
    post = _post(post_id)
    if not effects.cancellable(post):
        abort(409, gettext("This post cannot be cancelled: it is %(state)s.", state=_state(post)))
    if request.method == "GET":
        return _cancel_page(post)
    try:
        workflow.cancel(db(), runtime(), current_user.actor(), post_id)
    except InvalidTransition:
        db().rollback()
        abort(409, gettext("This post cannot be cancelled: it is %(state)s.", state=_state(_post(post_id))))
    db().commit()
    flash(gettext("Cancelled: “%(title)s” will not go out.", title=label(post)), "success")
    return redirect(url_for("history.post_detail", post_id=post_id))


def cancel_lines(effect: effects.CancelEffect) -> list[str]:
    """What cancelling one post does, in words (also the queue's confirmation, post by post)."""
    lines = []
    if effect.unsent:
        lines.append(ngettext("%(num)d delivery will not be sent: %(channels)s.",
                              "%(num)d deliveries will not be sent: %(channels)s.", len(effect.unsent),
                              channels=", ".join(effect.unsent)))
    if effect.loses_approval:
        lines.append(gettext("Its approval is dropped."))
    lines.append(gettext("A cancelled post cannot be sent again; to publish it later, duplicate it."))
    return lines


def _cancel_page(post: Post) -> tuple[str, int]:
    return confirm_page(heading=gettext("Cancel this post?"), subject=label(post),
                        effects=cancel_lines(effects.cancel_effect(db(), post)),
                        action=url_for("post_actions.cancel", post_id=post.id),
                        confirm_label=gettext("Cancel the post"), back=_back(post))


@bp.app_template_global()
def post_actions(post: Post) -> dict[str, bool]:
    """Which of these actions the signed-in person may take on this post now (the pages offer only these)."""
    may = current_user.may
    delete = may("posts", "delete") and drafts.deletable(post)
    return {"duplicate": may("posts", "duplicate"), "withdraw": may_withdraw(post), "delete": delete,
            # a draft one may delete is deleted, not cancelled: one way to be rid of it, not two
            "cancel": not delete and may("posts", "cancel") and effects.cancellable(post)}
