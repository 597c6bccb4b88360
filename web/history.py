"""History (what went out, where, when, by whom; CSV and XLSX export, web.history_export) and one post's page with its deliveries, their
attempts, the decisions a person takes about a delivery the worker could not settle, and the audit trail."""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from publisher.core import limits
from publisher.core.errors import Conflict, Invalid
from publisher.core.parse import MAX_YEAR, MIN_YEAR, ParseError, record_id
from publisher.core.states import DELIVERY_MOVES
from publisher.destinations import languages
from publisher.publishing import deliveries, history
from web import history_export, labels, params, spreadsheet
from web.confirmation import confirm_page, confirmed
from web.context import db, runtime
from web.roles import permission_required

bp = Blueprint("history", __name__)

# Everyone with a role reads the history; deciding about a delivery is the service's rule (deliveries.decide).
# A decision on the page -> the move in publisher.core.states that it makes.
DECISION_MOVES = {"went_out": "confirm_sent", "send_again": "send_again", "retry_now": "retry_now",
                  "cancel": "cancel"}
DONE = {
    "went_out": _l("Recorded: the post went out on %(channel)s."),
    "send_again": _l("The delivery to %(channel)s will be sent again now."),
    "retry_now": _l("The delivery to %(channel)s will be tried again now."),
    "cancel": _l("The delivery to %(channel)s is cancelled."),
}
DECISION_NAMES = {
    "went_out": _l("it went out"),
    "send_again": _l("send again"),
    "retry_now": _l("retry now"),
    "cancel": _l("cancel"),
}
ATTEMPT_OUTCOMES = {
    "sent": _l("went out"),
    "retry": _l("will retry"),
    "failed": _l("refused"),
    "unknown": _l("outcome unknown"),
}
AUDIT_ACTIONS = {
    "post.create": _l("written"),
    "post.edit": _l("edited"),
    "post.submit": _l("sent for approval"),
    "post.withdraw": _l("withdrawn from approval"),
    "post.duplicate": _l("written as a copy of another post"),
    "post.approve": _l("approved"),
    "post.reject": _l("sent back"),
    "post.cancel": _l("cancelled"),
    "post.publishing": _l("publishing started"),
    "delivery.sent": _l("a delivery went out"),
    "delivery.went_out": _l("a person recorded that it went out"),
    "delivery.send_again": _l("a person had it sent again"),
    "delivery.retry_now": _l("a person had it tried again now"),
    "delivery.cancel": _l("a person cancelled a delivery"),
    "delivery.stale": _l("too late to send unasked"),
    "delivery.reconcile": _l("found on the channel afterwards"),
}
MAX_URL = limits.URL


def available_decisions(status: str) -> list[str]:
    return [decision for decision, move in DECISION_MOVES.items() if status in DELIVERY_MOVES[move]]


# --- the history list ---------------------------------------------------------------------------------------

def _parse_date(name: str, problems: dict[str, str]) -> date | None:
    try:
        return params.query_day(name)
    except ParseError:
        problems[name] = gettext("Enter a date as year-month-day between the years %(low)d and %(high)d, "
                                 "for example 2025-03-31.", low=MIN_YEAR, high=MAX_YEAR)
        return None


def _filters() -> tuple[history.HistoryFilter, dict[str, str]]:
    """The filter from the query string, and a message per field that could not be read (it is ignored)."""
    problems: dict[str, str] = {}
    args = request.args
    channel_id = None
    if args.get("channel", "").strip():
        channel_id = record_id(args["channel"].strip())
        if channel_id is None:
            problems["channel"] = gettext("Choose one of the channels listed.")
    status = args.get("status", "").strip() or None
    if status is not None and status not in history.HISTORY_STATES:
        problems["status"] = gettext("Choose one of the states listed.")
        status = None
    date_from, date_to = _parse_date("from", problems), _parse_date("to", problems)
    if date_from and date_to and date_from > date_to:
        problems["to"] = gettext("The last day must not come before the first day.")
        date_to = None
    text, problem = params.search_arg("q")
    if problem:
        problems["q"] = problem
    return history.HistoryFilter(channel_id=channel_id, status=status, date_from=date_from, date_to=date_to,
                                 text=text, timezone=runtime().settings.timezone), problems


def _filter_args() -> dict[str, str]:
    return {k: v for k in ("channel", "status", "from", "to", "q") if (v := request.args.get(k, "").strip())}


@bp.get("/history")
@permission_required("posts", "history")
def history_page() -> tuple[str, int]:
    f, problems = _filters()
    cursor = None
    if request.args.get("before"):
        try:
            cursor = history.Cursor.decode(request.args["before"])
        except Invalid:
            problems["before"] = gettext("The page link was damaged; this is the newest page.")
    page = history.history_page(db(), f, after=cursor, limit=history.PAGE_SIZE)
    return render_template("history.html", page=page, filters=_filter_args(), problems=problems,
                           channels=history.channels(db()), states=history.HISTORY_STATES,
                           first_page=cursor is None, timezone=f.timezone), 422 if problems else 200


def _csv_lines(f: history.HistoryFilter, zone: ZoneInfo) -> Iterator[str]:
    line = spreadsheet.line_writer()

    yield codecs.BOM_UTF8.decode("utf-8")  # Excel reads UTF-8 (Cyrillic, č, ë) only with the mark
    yield line(history_export.header())
    # Its own reading session: the response streams after the view has returned.
    with runtime().read_sessions() as session:
        chunk: list[str] = []
        for row in history.history_rows(session, f):
            at, *rest = history_export.cells(row, zone)
            chunk.append(line([at.isoformat(timespec="seconds"), *rest]))
            if len(chunk) >= 200:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk)


def _export_filters(extension: str) -> tuple[history.HistoryFilter, dict[str, str]]:
    """The filter of an export (a filter that cannot be read is a 422), and the download's headers."""
    f, problems = _filters()
    if problems:  # told before the download starts: a stream cannot turn into an error page halfway
        abort(422, " ".join(problems.values()))
    stamp = runtime().clock().astimezone(ZoneInfo(f.timezone)).strftime("%Y-%m-%d")
    return f, {"Content-Disposition": f'attachment; filename="history-{stamp}.{extension}"',
               "Cache-Control": "no-store"}


@bp.get("/history.csv")
@permission_required("posts", "history")
def history_csv() -> Response:
    f, headers = _export_filters("csv")
    # The request's context (language, app) stays with the generator while it streams.
    return Response(stream_with_context(_csv_lines(f, ZoneInfo(f.timezone))), mimetype="text/csv",
                    headers=headers)


@bp.get("/history.xlsx")
@permission_required("posts", "history")
def history_xlsx() -> Response:
    """The same rows as the CSV, as an Excel workbook (built in a temporary file, then streamed)."""
    f, headers = _export_filters("xlsx")
    with runtime().read_sessions() as session:
        path = history_export.write_xlsx(history.history_rows(session, f), ZoneInfo(f.timezone),
                                         gettext("History"))
    headers["Content-Length"] = str(os.path.getsize(path))
    return Response(history_export.stream_file(path), mimetype=history_export.XLSX_TYPE, headers=headers)


# --- one post -----------------------------------------------------------------------------------------------

def _post_page(post_id: int, *, status: int = 200, problems: list[str] | None = None,
               field_errors: dict[str, str] | None = None, values: dict[str, str] | None = None) -> tuple[str, int]:
    story = history.post_story(db(), post_id)
    return render_template("post_detail.html", story=story, can_decide=current_user.may("deliveries", "decide"),
                           available=available_decisions, decision_names=DECISION_NAMES,
                           problems=problems or [], field_errors=field_errors or {}, values=values or {},
                           timezone=runtime().settings.timezone, attempt_outcomes=ATTEMPT_OUTCOMES,
                           audit_actions=AUDIT_ACTIONS, state_word=_state_word,
                           versions=languages.versions(story.post)), status


def _state_word(status: str) -> str:
    return str(labels.DELIVERY_STATES.get(status) or labels.POST_STATES.get(status) or status)


@bp.get("/posts/<int:post_id>")
@permission_required("posts", "history")
def post_detail(post_id: int) -> tuple[str, int]:
    return _post_page(post_id)


def _url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if not url:
        return gettext("Enter the link of the post as it is live on the channel.")
    if len(url) > MAX_URL or any(c.isspace() for c in url) or parts.scheme not in ("http", "https") \
            or not parts.netloc:
        return gettext("Enter a full web address starting with https:// (or http://), without spaces.")
    return None


def _conflict_message(exc: Conflict, decision: str, channel: str) -> str:
    details = exc.details if isinstance(exc.details, dict) else {}
    now = details.get("status")
    if now is None:
        return gettext("Nothing was changed: someone else changed this delivery at the same moment. "
                       "The page shows it as it is now.")
    allowed = ", ".join(str(labels.DELIVERY_STATES.get(s, s)) for s in details.get("allowed_from", []))
    return gettext("Nothing was changed: the delivery to %(channel)s is now “%(state)s”, and “%(decision)s” "
                   "applies only to a delivery that is: %(allowed)s. Someone may have settled it meanwhile; "
                   "the page shows it as it is now.", channel=channel,
                   state=labels.DELIVERY_STATES.get(now, now), decision=DECISION_NAMES[decision],
                   allowed=allowed)


@bp.post("/posts/<int:post_id>/deliveries/<int:delivery_id>/<decision>")
@login_required
def decide(post_id: int, delivery_id: int, decision: str) -> Response | tuple[str, int]:
    if decision not in DECISION_MOVES:
        abort(404)
    delivery = deliveries.get_delivery(db(), delivery_id)
    if delivery.post_id != post_id:
        abort(404)  # a delivery is reached only through its own post
    channel = delivery.channel.name
    url = request.form.get("url", "").strip()
    key = f"{decision}-{delivery_id}"
    if decision == "went_out" and (problem := _url_problem(url)):
        db().rollback()
        return _post_page(post_id, status=422, field_errors={key: problem}, values={key: url})
    if decision == "send_again" and delivery.status == "unknown" and request.form.get("confirm") != "yes":
        db().rollback()
        return _post_page(post_id, status=422, field_errors={key: gettext(
            "Tick the box to confirm that you checked the channel: sending again may post it twice.")})
    if decision == "cancel" and not confirmed() and decision in available_decisions(delivery.status):
        db().rollback()
        return confirm_page(
            heading=gettext("Cancel the delivery to %(channel)s?", channel=channel),
            effects=[gettext("The post will not go out on %(channel)s; this cannot be undone.", channel=channel),
                     gettext("Its other channels are not touched. A post that did not go out everywhere counts "
                             "as partly published, or as failed when it went out nowhere.")],
            confirm_label=gettext("Cancel the delivery"), back=url_for("history.post_detail", post_id=post_id,
                                                                        _anchor=f"delivery-{delivery_id}"),
            action=url_for("history.decide", post_id=post_id, delivery_id=delivery_id, decision="cancel"))
    try:
        deliveries.decide(db(), current_user.actor(), delivery_id, decision,
                          url=url if decision == "went_out" else None, now=runtime().clock())
    except Invalid as exc:  # the service's own check of the link
        db().rollback()
        return _post_page(post_id, status=422, field_errors={key: exc.message}, values={key: url})
    except Conflict as exc:  # the delivery is not (or no longer) in a state this decision applies to
        db().rollback()
        return _post_page(post_id, status=409, problems=[_conflict_message(exc, decision, channel)])
    db().commit()
    flash(str(DONE[decision]) % {"channel": channel}, "success")
    return redirect(url_for("history.post_detail", post_id=post_id, _anchor=f"delivery-{delivery_id}"))

