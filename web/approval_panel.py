"""The approval panel any area's page includes, and the generic approval moves behind it.

An area registers where a record's page is (`register_page`) and, when rendering that page, passes
`panel(subject, fields)` to the template, which shows it with `_approval_panel.html`'s `approval_panel` macro:
the frozen version to approve (the fields the area names), the hidden hash of exactly that version, Approve
and Send back (with a comment), Submit and Withdraw for its writers, and the history. The forms post to
/approval/<type>/<id>/<move>; each move calls publisher.approval.service and returns to the area's page,
saying there what was done or why it was refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from publisher.approval import service
from publisher.approval.models import ApprovalState
from publisher.approval.subject import Subject, load
from publisher.core import limits, permissions
from publisher.core.errors import Conflict, Forbidden, Invalid, NotFound
from web.context import db

bp = Blueprint("approval", __name__, url_prefix="/approval")
MAX_COMMENT = limits.COMMENT

STATES = {
    None: _l("Not submitted for approval"),
    ApprovalState.WAITING: _l("Waiting for approval"),
    ApprovalState.APPROVED: _l("Approved"),
    ApprovalState.SENT_BACK: _l("Sent back for changes"),
    ApprovalState.WITHDRAWN: _l("Withdrawn from approval"),
}

# Asked for approval from these; an approved record whose content changes is back to waiting by itself.
_SUBMITTABLE = (None, ApprovalState.SENT_BACK, ApprovalState.WITHDRAWN)

_PAGES: dict[str, Callable[[int], str]] = {}


def register_page(type_name: str, page_url: Callable[[int], str]) -> None:
    """Where a record of this type is shown with its panel: the moves return there."""
    _PAGES[type_name] = page_url


def page_url(subject: Subject) -> str:
    shown = _PAGES.get(subject.type)
    return shown(subject.id) if shown else url_for("dashboard.home")


@dataclass(frozen=True)
class Field:
    label: str
    value: Any


@dataclass(frozen=True)
class Panel:
    subject: Subject
    state: ApprovalState | None
    state_label: str
    fields: list[Field]  # the version an approver decides on, as it is now
    content_hash: str  # its hash: the approval binds exactly this version
    may_decide: bool
    own: bool  # waiting, and this person wrote, edited or submitted it: another approver decides
    may_submit: bool
    may_withdraw: bool
    history: list[service.Step]
    max_comment: int = MAX_COMMENT


def panel(subject: Subject, fields: list[tuple[str, str]]) -> Panel:
    """The panel for the signed-in person; `fields` pairs a label (in the page's language) with a key of the
    subject's frozen version."""
    session = db()
    kind, _record = load(session, subject)
    frozen, content_hash = service.current_hash(session, subject)
    state = service.state(session, subject)
    actor = current_user.actor()
    writer = current_user.user.id in service.writers(session, subject)
    approver = permissions.may(current_user.user, kind.area, "approve")
    return Panel(
        subject=subject, state=state, state_label=str(STATES[state]),
        fields=[Field(label, frozen.get(key)) for label, key in fields], content_hash=content_hash,
        may_decide=service.may_decide(session, actor, subject),
        own=state == ApprovalState.WAITING and approver and writer,
        may_submit=state in _SUBMITTABLE and permissions.may(current_user.user, kind.area, "submit"),
        may_withdraw=state == ApprovalState.WAITING and writer and permissions.may(current_user.user, kind.area,
                                                                                    "submit"),
        history=service.history(session, subject),
    )


def _move(subject_type: str, subject_id: int, done: Callable[[Subject], Any], success: str) -> Response:
    subject = Subject(subject_type, subject_id)
    try:
        done(subject)
    except NotFound:
        db().rollback()
        abort(404)
    except Forbidden:
        db().rollback()
        abort(403)
    except (Conflict, Invalid) as exc:
        db().rollback()
        flash(_refusal(exc), "error")
        return redirect(page_url(subject), 303)
    db().commit()
    flash(success, "success")
    return redirect(page_url(subject), 303)


def _refusal(exc: Conflict | Invalid) -> str:
    """Why a move was refused, in the page's language."""
    words = {
        "content_changed": gettext("It changed after you opened it. Read it again below, then decide again."),
        "not_waiting": gettext("It is no longer waiting for approval."),
        "already_waiting": gettext("It is already waiting for approval."),
        "already_approved": gettext("It is already approved as it is."),
        "comment_required": gettext("Write a comment: the author needs to know what to change."),
        "too_long": gettext("A comment is at most %(max)d characters.", max=MAX_COMMENT),
        "content_hash_required": gettext("The page did not say which version you read; open it again."),
    }
    if exc.code in words:
        return words[exc.code]
    problems = (exc.details or {}).get("problems") if isinstance(exc.details, dict) else None
    reasons = "; ".join(p["message"] for p in problems) if problems else exc.message
    return gettext("It cannot go out as it is: %(reason)s", reason=reasons)


@bp.post("/<subject_type>/<int:subject_id>/submit")
@login_required
def submit(subject_type: str, subject_id: int) -> Response:
    return _move(subject_type, subject_id, lambda s: service.submit(db(), current_user.actor(), s),
                 gettext("Submitted for approval."))


@bp.post("/<subject_type>/<int:subject_id>/approve")
@login_required
def approve(subject_type: str, subject_id: int) -> Response:
    seen = request.form.get("content_hash", "")
    return _move(subject_type, subject_id, lambda s: service.approve(db(), current_user.actor(), s, seen),
                 gettext("Approved: exactly the version you read may go out."))


@bp.post("/<subject_type>/<int:subject_id>/send-back")
@login_required
def send_back(subject_type: str, subject_id: int) -> Response:
    comment = request.form.get("comment", "")
    return _move(subject_type, subject_id, lambda s: service.send_back(db(), current_user.actor(), s, comment),
                 gettext("Sent back to the author with your comment."))


@bp.post("/<subject_type>/<int:subject_id>/withdraw")
@login_required
def withdraw(subject_type: str, subject_id: int) -> Response:
    return _move(subject_type, subject_id, lambda s: service.withdraw(db(), current_user.actor(), s),
                 gettext("Withdrawn from approval."))
