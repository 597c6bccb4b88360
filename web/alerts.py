"""The alerts page: what a person must look at (a channel that refused our credentials, a delivery nobody
could settle, a silent worker, a broken audit chain), who was told, and resolving one with a comment."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from publisher.core import limits, search_index
from publisher.core.errors import Conflict, NotFound
from publisher.core.models import Alert
from publisher.outbox import status as outbox_status
from publisher.publishing import alerts, credential_checks
from web import outbox as outbox_words
from web import params
from web.context import db
from web.roles import permission_required

bp = Blueprint("alerts", __name__)

KINDS = {
    "auth": _l("A channel refused our credentials"),
    "failed": _l("A channel refused a post"),
    "unknown": _l("Nobody knows whether a post went out"),
    "stale": _l("A post is too late to send without asking"),
    "overdue": _l("A post is overdue"),
    "worker_silent": _l("The publishing worker went silent"),
    "audit_chain": _l("The audit log's chain is broken"),
    "credentials_refused": _l("A channel's credentials were refused at a check"),
    "credentials_expiring": _l("A channel's credentials expire soon"),
}
# Alerts about a platform's answer, explained in words (web/platform_errors.py) as the delivery's error kind.
EXPLAINED = {"auth": "auth", "failed": "rejected", "unknown": "outcome_unknown", "credentials_refused": "auth"}


class ResolveForm(FlaskForm):
    comment = TextAreaField(_l("What was done?"), validators=[
        DataRequired(_l("Write what was done: the next person to read this alert needs to know.")),
        Length(max=limits.COMMENT, message=_l("A comment is at most %(max)d characters."))])


def kind_name(kind: str) -> str:
    return str(KINDS.get(kind, _l("Something needs a person")))


def _page(forms: dict[int, ResolveForm] | None = None, status: int = 200) -> tuple[str, int]:
    session = db()
    text, problem = params.search_arg("q")
    kinds = search_index.labelled(KINDS, text)  # what the page shows of an alert is its kind's name
    open_ = alerts.open_alerts(session, text=text, kinds=kinds)
    forms = forms or {}
    for alert in open_:
        forms.setdefault(alert.id, ResolveForm(prefix=f"alert-{alert.id}", formdata=None))
    told = {alert.id: alerts.concerned(session, alert) for alert in open_}
    mailed = outbox_status.recipients_of(session, [f"alert:{alert.id}" for alert in open_])
    return render_template("alerts.html", open_alerts=open_, forms=forms, told=told, kind_name=kind_name,
                           mailed={alert.id: mailed[f"alert:{alert.id}"] for alert in open_},
                           mail_states=outbox_words.STATE_NAMES,
                           resolved=alerts.recently_resolved(session, text=text, kinds=kinds), q=text,
                           problems={"q": problem} if problem else {},
                           channel_kinds=alerts.channel_kinds(session), explained=EXPLAINED,
                           resolved_by_check=credential_checks.RESOLVED_BY,
                           may_resolve=current_user.may("alerts", "resolve")), 422 if problem else status


@bp.get("/alerts")
@permission_required("alerts", "read")
def index() -> tuple[str, int]:
    return _page()


@bp.post("/alerts/<int:alert_id>/resolve")
@permission_required("alerts", "resolve")
def resolve(alert_id: int) -> Any:
    form = ResolveForm(prefix=f"alert-{alert_id}")
    if db().get(Alert, alert_id) is None:
        raise NotFound(f"no alert with id {alert_id}")
    if not form.validate():
        return _page({alert_id: form}, 422)
    try:
        alerts.resolve(db(), current_user.actor(), alert_id, form.comment.data or "")
    except Conflict:
        db().rollback()
        flash(gettext("Someone else resolved this alert in the meantime."), "info")
        return redirect(url_for("alerts.index"))
    db().commit()
    flash(gettext("The alert is resolved."), "success")
    return _redirect()


def _redirect() -> Response:
    return redirect(url_for("alerts.index"))
