"""The weekly plan's page: next week's plan as it would go out now (or another week's, ?week=<Monday>), its PDF and
.ics to download, "Send now" behind a confirmation that names the recipients (again for a week sent before),
and the earlier weeks' plans: who sent them, when, to whom and whether the mail arrived.

Reading it needs activities.read; sending needs activities.weekly_plan. The plan is printed in its own language
(PUBLISHER_WEEKLY_PLAN_LANGUAGE), whatever the reader's; the page around it is in the reader's.
"""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import get_day_names
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from publisher.activities import weekly_plan
from publisher.activities.weekly_plan import PlanConfig
from publisher.core.config import WEEKDAYS
from publisher.core.errors import Invalid
from publisher.media.downloads import content_disposition
from publisher.pdf import readiness
from web import dates, printed
from web.activities.weekly_plan_words import PRINTING
from web.confirmation import confirm_page, confirmed
from web.context import db, runtime
from web.i18n import select_locale
from web.roles import permission_required

bp = Blueprint("weekly_plan", __name__)

STATE_WORDS = {"prepared": _l("prepared, waiting for “send”"), "sent": _l("sent"),
               "failed": _l("could not be made")}
DELIVERY_WORDS = {"queued": _l("waiting to go out"), "sending": _l("going out"), "sent": _l("arrived at the server"),
                  "failed": _l("failed"), "unknown": _l("unknown"), "bounced": _l("bounced")}


def _config() -> PlanConfig:
    return PlanConfig.of(runtime().settings)


def _week(text: str | None) -> date:
    """The week asked for (its Monday), else next week; a bad one is refused by name (400)."""
    if text is None:
        return weekly_plan.next_week(runtime().clock(), runtime().settings.timezone)
    try:
        return weekly_plan.read_week(text)
    except Invalid as exc:
        abort(400, gettext("There is no such week: %(problem)s", problem=str(exc)))


def _when(at: str) -> dict[str, str]:
    """ "FRI 12:00" as the page says it: {"day": "petak", "time": "12:00"}."""
    day, _, time = at.partition(" ")
    return {"day": get_day_names("wide", locale=select_locale())[WEEKDAYS.index(day)], "time": time}


def _days(week: date) -> str:
    return gettext("%(first)s to %(last)s", first=dates.format_date(week, "long"),
                   last=dates.format_date(week + timedelta(days=6), "long"))


@bp.get("/events/weekly-plan")
@permission_required("activities", "read")
def index() -> str:
    week = _week(request.args.get("week"))
    config = _config()
    plan = weekly_plan.content(db(), week, config)
    rows = weekly_plan.earlier(db())
    return render_template(
        "activities/weekly_plan.html", plan=plan, config=config, days=_days(week), when=_when(config.at), row=weekly_plan.get(db(), week),
        rows=[(r, weekly_plan.deliveries(db(), r)) for r in rows], state_words=STATE_WORDS,
        delivery_words=DELIVERY_WORDS, may_send=current_user.may("activities", "weekly_plan"),
        previous=week - timedelta(days=7), following=week + timedelta(days=7))


@bp.get("/events/weekly-plan/<week>.pdf")
@permission_required("activities", "read")
def pdf(week: str) -> Response | tuple[str, int]:
    missing = readiness.missing()
    if missing:
        return printed.unavailable(missing)
    made = weekly_plan.make(db(), _week(week), _config(), PRINTING)
    return _download(made.pdf, made.pdf_name, "application/pdf")


@bp.get("/events/weekly-plan/<week>.ics")
@permission_required("activities", "read")
def ics(week: str) -> Response:
    plan = weekly_plan.content(db(), _week(week), _config())
    data = weekly_plan.calendar_file(plan, PRINTING, runtime().clock())
    return _download(data, f"weekly-plan-{plan.week.isoformat()}.ics", "text/calendar")


def _download(data: bytes, name: str, mimetype: str) -> Response:
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": content_disposition(name, inline=False, fallback=name),
        "Cache-Control": "private, no-store"})


@bp.post("/events/weekly-plan/<week>/send")
@permission_required("activities", "weekly_plan")
def send(week: str) -> Response | tuple[str, int]:
    """First POST: the confirmation naming the recipients (and an earlier sending of the week); the second sends."""
    monday = _week(week)
    config = _config()
    back = url_for("weekly_plan.index", week=monday.isoformat())
    heading = gettext("Send the weekly plan for %(days)s?", days=_days(monday))
    if not config.to:
        return confirm_page(heading=heading, effects=[], action=request.path, confirm_label=gettext("Send now"),
                            back=back, problem=gettext("Nobody is set to receive the weekly plan: the administrator "
                                                       "sets the addresses in PUBLISHER_WEEKLY_PLAN_TO."), status=409)
    missing = readiness.missing()
    if missing:
        return printed.unavailable(missing)
    if not confirmed():
        row = weekly_plan.get(db(), monday)
        effects = [ngettext("It goes by e-mail to %(num)d address: %(addresses)s.",
                            "It goes by e-mail to %(num)d addresses: %(addresses)s.", len(config.to),
                            addresses=", ".join(config.to)),
                   gettext("The e-mail carries the plan as a PDF document and as a calendar file (.ics), as the "
                           "calendar says now: every event of the week, without internal notes or guests.")]
        if row is not None and row.sent_at is not None:
            effects.insert(0, gettext("This week's plan was sent already, on %(time)s to %(addresses)s: it goes "
                                      "out again.", time=dates.format_datetime(row.sent_at, "short"),
                                      addresses=", ".join(row.recipients)))
        return confirm_page(heading=heading, effects=effects, action=request.path, confirm_label=gettext("Send now"),
                            back=back)
    try:
        weekly_plan.send(db(), current_user.actor(), monday, config, PRINTING)
    except Invalid as exc:
        db().rollback()
        return confirm_page(heading=heading, effects=[], action=request.path, confirm_label=gettext("Send now"),
                            back=back, problem=str(exc), status=400)
    db().commit()
    flash(gettext("The weekly plan is in the outbox and goes out in a moment."), "success")
    return redirect(back)
