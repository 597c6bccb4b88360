"""The notifications page: a person's own notifications, newest first, each opening its post (an alert opens
the alerts page), marked read one by one or all at once; and the form of their choices on the account page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField
from wtforms.validators import ValidationError

from publisher.core import search_index
from publisher.notifications import choices, inbox
from publisher.notifications.choices import Choice
from publisher.notifications.models import Notification
from web import params
from web.alerts import kind_name
from web.context import db, runtime
from web.notification_words import Described, describe

bp = Blueprint("notifications", __name__)

# Each kind as the account page offers it, in the order it lists them.
KIND_NAMES = {
    choices.AWAITING_APPROVAL: _l("A post waits for your approval"),
    choices.APPROVAL_REMINDER: _l("A reminder that a post is still waiting for approval"),
    choices.APPROVED: _l("Your post was approved"),
    choices.SENT_BACK: _l("Your post was sent back"),
    choices.PUBLISHED: _l("Your post was published"),
    choices.FAILED: _l("Your post did not go out on every channel"),
    choices.ALERT: _l("An alert that concerns you"),
    choices.WEEKLY_PLAN_WAITING: _l("The weekly plan waits for your “send”"),
}
# Only approvers are told of posts waiting for approval: nobody else is offered the choice.
APPROVERS_KINDS = (choices.AWAITING_APPROVAL, choices.APPROVAL_REMINDER)
APPROVING = ("posts", "approve")
# Only those who may send the weekly plan are told that it waits.
SENDERS_KINDS = (choices.WEEKLY_PLAN_WAITING,)
SENDING = ("activities", "weekly_plan")
PAGE_SIZE = 20


def said(n: Notification) -> Described:
    return describe(n, gettext, kind_name)


# --- the choices, a form on the account page (web.dashboard) -----------------------------------------

def _strict(form: FlaskForm, field: BooleanField) -> None:
    """A checkbox sends its value or nothing; anything else is not a choice a page could have made."""
    if field.raw_data and field.raw_data[0] not in ("y", "on", "1", "true"):
        raise ValidationError(_l("Tick the box or leave it empty."))


class ChoicesForm(FlaskForm):
    """One checkbox per kind and place; fields named "<kind>-dashboard" and "<kind>-email"."""


for _kind, _name in KIND_NAMES.items():
    setattr(ChoicesForm, f"{_kind}_dashboard", BooleanField(_l("In the dashboard"), validators=[_strict]))
    if _kind in choices.MAILED_KINDS:
        setattr(ChoicesForm, f"{_kind}_email", BooleanField(_l("By e-mail"), validators=[_strict]))


def choices_form(formdata: Any = None) -> ChoicesForm:
    """The form filled with the person's saved choices (formdata None), or with what they sent."""
    saved = choices.choices_of(db(), current_user.user.id)
    initial = {f"{k}_{where}": getattr(c, where) for k, c in saved.items() for where in ("dashboard", "email")}
    form = ChoicesForm(formdata=formdata, **initial)
    form.kinds = [(kind, name, form[f"{kind}_dashboard"], form[f"{kind}_email"] if f"{kind}_email" in form else None)
                  for kind, name in KIND_NAMES.items()
                  if (kind not in APPROVERS_KINDS or current_user.may(*APPROVING))
                  and (kind not in SENDERS_KINDS or current_user.may(*SENDING))]
    return form


def chosen(form: ChoicesForm) -> dict[str, Choice]:
    return {kind: Choice(bool(dash.data), bool(mail.data) if mail is not None else False)
            for kind, _, dash, mail in form.kinds}


# --- the list --------------------------------------------------------------------------------------

@bp.get("/notifications")
@login_required
def index() -> tuple[str, int]:
    before = params.query_number("before", None, 1)
    text, problem = params.search_arg("q")
    page = inbox.newest(db(), current_user.user.id, before=before, limit=PAGE_SIZE, text=text,
                        kinds=search_index.labelled(KIND_NAMES, text))
    return render_template("notifications.html", page=page, said=said, before=before, q=text,
                           problems={"q": problem} if problem else {},
                           unread=inbox.unread_count(db(), current_user.user.id)), 422 if problem else 200


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> Response:
    inbox.mark_read(db(), current_user.actor(), notification_id, runtime().clock())
    db().commit()
    return _back()


@bp.post("/notifications/read")
@login_required
def mark_all_read() -> Response:
    marked = inbox.mark_all_read(db(), current_user.actor(), runtime().clock())
    db().commit()
    flash(gettext("All your notifications are marked read.") if marked else
          gettext("There was nothing unread."), "success")
    return _back()


def _back() -> Response:
    """To the page of the list the person was on (the form's address carries it), else its first page."""
    before = params.query_number("before", None, 1)
    return redirect(url_for("notifications.index", before=before) if before else url_for("notifications.index"))
