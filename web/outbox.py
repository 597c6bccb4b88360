"""The outbox page (administrators): every mail the product sent or will send, each recipient's state, and
for a recipient whose fate is unknown, resending it or saying it arrived, after a confirmation page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from publisher.core.errors import Conflict
from publisher.outbox import status
from publisher.outbox.models import STATES, UNKNOWN
from web import params
from web.confirmation import confirm_page, confirmed
from web.context import db
from web.roles import permission_required

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")

STATE_NAMES = {
    "queued": _l("Waiting"),
    "sending": _l("Being sent"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "unknown": _l("Unknown: the server may have it"),
    "bounced": _l("Bounced"),
}
KIND_NAMES = {"alert": _l("Alert"), "notification": _l("Notification")}
# The address's word for an action, and the service's.
ACTIONS = {"resend": status.RESEND, "mark-sent": status.MARK_SENT}


def kind_name(kind: str) -> str:
    return str(KIND_NAMES.get(kind, kind))


@bp.get("")
@permission_required("outbox", "manage")
def index() -> tuple[str, int]:
    text, problem = params.search_arg("q")
    state = request.args.get("state", "")
    problems = {"q": problem} if problem else {}
    if state not in ("", *STATES):
        problems["state"] = gettext("There is no such state; showing every message.")
        state = ""
    found = status.listing(db(), state=state, text=text)
    return render_template("outbox.html", listing=found, state=state, q=text, problems=problems,
                           state_names=STATE_NAMES, kind_name=kind_name), 422 if problems else 200


@bp.route("/recipients/<int:recipient_id>/<action>", methods=["GET", "POST"])
@permission_required("outbox", "manage")
def settle(recipient_id: int, action: str) -> Any:
    if action not in ACTIONS:
        abort(404)
    row = status.recipient(db(), recipient_id)
    if request.method == "GET" or not confirmed():
        return _confirm(row, action)
    try:
        status.settle(db(), current_user.actor(), recipient_id, ACTIONS[action])
    except Conflict:
        db().rollback()
        return _confirm(status.recipient(db(), recipient_id), action, 409,
                        gettext("This recipient is no longer unknown: someone decided in the meantime."))
    db().commit()
    flash(gettext("The message to %(address)s is queued again.", address=row.address) if action == "resend"
          else gettext("The message to %(address)s is recorded as sent.", address=row.address), "success")
    return redirect(url_for("outbox.index", state=UNKNOWN))


def _confirm(row: Any, action: str, status_code: int = 200, problem: str | None = None) -> tuple[str, int]:
    if row.state != UNKNOWN and problem is None:
        status_code, problem = 409, gettext("Only a message whose fate is unknown can be resent or marked sent "
                                            "here; this one is: %(state)s.", state=STATE_NAMES.get(row.state, row.state))
    if action == "resend":
        heading, label = gettext("Send this message again?"), gettext("Send it again")
        effects = [gettext("The mail server may already have delivered it: the person may then get it twice."),
                   gettext("It goes out again with the same Message-ID, so most mail programs show it once."),
                   gettext("The audit log records that you sent it again.")]
    else:
        heading, label = gettext("Record this message as sent?"), gettext("Record it as sent")
        effects = [gettext("Do this only when you know it arrived, for example because the person confirmed it."),
                   gettext("It is not sent again."),
                   gettext("The audit log records that you marked it sent.")]
    return confirm_page(heading=heading, subject=f"{row.message.subject} → {row.address}", effects=effects,
                        action=url_for("outbox.settle", recipient_id=row.id, action=action), confirm_label=label,
                        back=url_for("outbox.index", state=UNKNOWN), problem=problem, status=status_code)
