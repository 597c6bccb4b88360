"""The audit page for managers and admins: who did what to which object and when, filtered, paged, as CSV."""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_babel import gettext
from flask_login import current_user

from publisher.audit import reading
from publisher.core import search_index
from web import labels, params, spreadsheet
from web.context import db, runtime
from web.labels import AUDIT_ACTIONS
from web.roles import permission_required

bp = Blueprint("audit", __name__)
FIELDS = ("person", "action", "post", "subject", "from", "to", "q")


def _number(name: str, problems: dict[str, str]) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and 0 < int(raw) <= reading.MAX_ID:
        return int(raw)
    problems[name] = gettext("Enter a whole number, for example 42.") if name == "post" else \
        gettext("Choose one of the people listed.")
    return None


def _day(name: str, problems: dict[str, str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if raw.isascii() else None
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2999:
        problems[name] = gettext("Enter a date as year-month-day, for example 2025-03-31.")
        return None
    return day


def _filters() -> tuple[reading.AuditFilter, dict[str, str]]:
    """The filter from the query string, and a message per field that could not be read (it is ignored)."""
    problems: dict[str, str] = {}
    zone = ZoneInfo(runtime().settings.timezone)
    actor_id, post_id = _number("person", problems), _number("post", problems)
    action = request.args.get("action", "").strip()
    if len(action) > 64 or "\x00" in action:
        problems["action"] = gettext("Choose one of the actions listed.")
        action = ""
    subject = request.args.get("subject", "").strip()
    if len(subject) > reading.MAX_SUBJECT or "\x00" in subject:
        problems["subject"] = gettext("Enter an object as the log names it, for example delivery:12 (at most "
                                      "%(num)d characters).", num=reading.MAX_SUBJECT)
        subject = ""
    first, last = _day("from", problems), _day("to", problems)
    if first and last and first > last:
        problems["to"] = gettext("The last day must not come before the first day.")
        last = None
    start = datetime.combine(first, time(), zone) if first else None
    end = datetime.combine(last + timedelta(days=1), time(), zone) if last else None
    text, problem = params.search_arg("q")
    if problem:
        problems["q"] = problem
    # The page names actions in the reader's language: those whose name holds the text are searched too.
    actions = search_index.labelled({a: labels.audit_action(a) for a in AUDIT_ACTIONS}, text) if text else []
    return reading.AuditFilter(actor_id=actor_id, action=action or None, post_id=post_id, subject=subject,
                               start=start, end=end, text=text, actions=tuple(actions)), problems


def _filter_args() -> dict[str, str]:
    return {k: v for k in FIELDS if (v := request.args.get(k, "").strip())}


@bp.get("/audit")
@permission_required("audit", "read")
def audit_page() -> tuple[str, int]:
    f, problems = _filters()
    before = _number("before", problems) if request.args.get("before") else None
    if "before" in problems:
        problems["before"] = gettext("The page link was damaged; this is the newest page.")
    found = reading.page(db(), current_user.actor(), f, before=before)
    return render_template("audit.html", page=found, filters=_filter_args(), problems=problems,
                           people=reading.people(db()), actions=reading.actions(db()),
                           action_name=labels.audit_action, first_page=before is None,
                           timezone=runtime().settings.timezone, as_json=_as_json), 422 if problems else 200


def _as_json(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _csv_lines(f: reading.AuditFilter, zone: ZoneInfo) -> Iterator[str]:
    line = spreadsheet.line_writer()
    actor = current_user.actor()

    yield codecs.BOM_UTF8.decode("utf-8")  # Excel reads UTF-8 (Cyrillic, č, ë) only with the mark
    yield line([gettext("Row"), gettext("Time"), gettext("Who"), gettext("Person's id"), gettext("Through"),
                gettext("What happened"), gettext("Post"), gettext("Object"), gettext("Before"), gettext("After"),
                gettext("Details"), gettext("Address")])
    with runtime().read_sessions() as session:  # the response streams after the view has returned
        for row in reading.all_rows(session, actor, f):
            yield line([row.id, row.at.astimezone(zone).isoformat(timespec="seconds"), row.who, row.actor_id,
                        row.via, labels.audit_action(row.action), row.post_id, row.subject, _as_json(row.before),
                        _as_json(row.after), _as_json(row.detail), row.ip])


@bp.get("/audit.csv")
@permission_required("audit", "read")
def audit_csv() -> Response:
    f, problems = _filters()
    if problems:
        abort(422)
    zone = ZoneInfo(runtime().settings.timezone)
    stamp = runtime().clock().astimezone(zone).strftime("%Y-%m-%d")
    return Response(stream_with_context(_csv_lines(f, zone)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.csv"',
                             "Cache-Control": "no-store"})
