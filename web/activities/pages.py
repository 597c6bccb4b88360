"""The office's event pages: the list of upcoming occurrences, the form (new and edit), and the event's own
page with its status, its occurrences, the approval of its public fields and the sections other modules add.

Everything goes through publisher.activities (the same services the API calls). A refused save rolls the
transaction back and shows the form again as typed, the refusal next to the field it names.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from publisher.activities import approval as event_approval
from publisher.activities import calendar, events, officials
from publisher.activities import search as event_search
from publisher.activities.input import read_event
from publisher.activities.kinds import Kind, Status, Visibility
from publisher.activities.models import Event
from publisher.activities.timing import EventTime
from publisher.core import parse
from publisher.core.errors import Conflict, Invalid
from publisher.core.multilingual import LANGUAGES
from web import approval_panel, params
from web.activities import form as event_form
from web.activities import refusals, sections, words
from web.activities.blueprint import bp
from web.activities.preparation_words import event_title
from web.context import db, runtime
from web.labels import language_name
from web.roles import permission_required

WINDOW_DAYS = 30  # the list's default span from its "from" day
PAGE_SIZE = 100  # occurrences per page of the list: a busy month has thousands
NEXT_OCCURRENCES = 10  # a recurring event's page lists this many of its coming occurrences
MAX_REASON = 500

approval_panel.register_page(event_approval.TYPE, lambda event_id: url_for("activities.show", event_id=event_id))


# --- the list ------------------------------------------------------------------------------------------

@bp.get("")
@permission_required("activities", "read")
def index() -> tuple[str, int]:
    session = db()
    zone = ZoneInfo(runtime().settings.timezone)
    problems: dict[str, str] = {}
    text, problem = params.search_arg("q")
    if problem:
        problems["q"] = problem
    start_day = _from_day(problems, zone)
    filters = _filters(problems)
    after = datetime.combine(start_day, time(), zone).astimezone(UTC)
    before = datetime.combine(start_day + timedelta(days=WINDOW_DAYS), time(), zone).astimezone(UTC)
    found = calendar.occurrences(session, after, before, filters, briefly=True)
    everyone = found if filters == calendar.Filters() else calendar.occurrences(session, after, before, briefly=True)
    clashes = calendar.conflicts(everyone)  # a clash with an event the filters hide still counts
    matching = event_search.matching_ids(session, text)
    if matching is not None:
        found = [o for o in found if o.event.id in matching]
    names = {o.id: o.name for o in officials.listed(session, active_only=False)}
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(params.query_number("page", 1, 1, 100_000) or 1, pages)  # past the last: the last
    total = len(found)
    found = found[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    kept = {name: value for name, value in request.args.items() if name != "page" and value}
    return render_template(
        "activities/index.html", found=found, total=total, page=page, pages=pages, kept=kept, clashes=clashes, official_names=names, q=text, problems=problems,
        start_day=start_day, last_day=start_day + timedelta(days=WINDOW_DAYS - 1), window_days=WINDOW_DAYS,
        chosen={"kind": request.args.get("kind", ""), "official": request.args.get("official", ""),
                "status": request.args.get("status", ""), "from": request.args.get("from", "")},
        officials=officials.listed(session), when=when, words=words, title_of=event_title,
        may_write=current_user.may("activities", "write"),
    ), 422 if problems else 200


def _from_day(problems: dict[str, str], zone: ZoneInfo) -> date:
    raw = request.args.get("from", "").strip()
    if raw:
        try:
            return parse.day(raw)
        except parse.ParseError:
            problems["from"] = gettext("Enter a day, for example 2026-12-07.")
    return runtime().clock().astimezone(zone).date()


def _filters(problems: dict[str, str]) -> calendar.Filters:
    kind, status, official = (request.args.get(n, "").strip() for n in ("kind", "status", "official"))
    if kind and kind not in {k.value for k in Kind}:
        problems["kind"], kind = gettext("Choose one of the kinds listed."), ""
    if status and status not in {s.value for s in Status}:
        problems["status"], status = gettext("Choose one of the statuses listed."), ""
    official_id = parse.record_id(official) if official else None
    if official and official_id is None:
        problems["official"] = gettext("Choose one of the people listed.")
    return calendar.Filters(kinds=frozenset({kind} if kind else ()), official_id=official_id,
                            statuses=frozenset({status} if status else ()))


# --- words for the templates ---------------------------------------------------------------------------

def when(start: datetime, end: datetime, zone_name: str, all_day: bool) -> str:
    """An occurrence's time as the office reads it: in the event's zone, the zone named when it is not the
    office's own (a trip abroad)."""
    zone = ZoneInfo(zone_name)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if all_day:
        last = (local_end - timedelta(days=1)).date()
        return local_start.date().isoformat() if last == local_start.date() else \
            f"{local_start.date().isoformat()} – {last.isoformat()}"
    shown = f"{local_start:%Y-%m-%d %H:%M} – " + (f"{local_end:%H:%M}" if local_end.date() == local_start.date()
                                                 else f"{local_end:%Y-%m-%d %H:%M}")
    return shown if zone_name == runtime().settings.timezone else f"{shown} ({zone_name})"


# --- the form ------------------------------------------------------------------------------------------

@bp.get("/new")
@permission_required("activities", "write")
def new() -> tuple[str, int]:
    return _form_page(None)


@bp.post("/new")
@permission_required("activities", "write")
def create() -> Response | tuple[str, int]:
    return _save(None)


@bp.get("/<int:event_id>/edit")
@permission_required("activities", "edit")
def edit(event_id: int) -> tuple[str, int]:
    return _form_page(events.get(db(), event_id))


@bp.post("/<int:event_id>/edit")
@permission_required("activities", "edit")
def update(event_id: int) -> Response | tuple[str, int]:
    return _save(events.get(db(), event_id))


class FormPage:
    """What one rendering of the form needs: the form, the texts in several languages, the errors."""

    def __init__(self, event: Event | None) -> None:
        session = db()
        chosen = event.official_ids if event else set()
        listed = officials.listed(session)
        kept = [o for o in event.officials if o.id not in {x.id for x in listed}] if event else []
        self.event = event
        self.form = event_form.event_form([*listed, *kept], runtime().settings.timezone, event)
        self.title, self.description = event_form.texts(event)
        self.errors: list[tuple[str | None, str]] = []  # (the input's id, or None for the whole form; message)
        self.chosen = chosen
        self.visibility_options = [(k.value, str(label)) for k, label in words.VISIBILITIES.items()]
        self.official_options = [(o.id, f"{o.name} ({words.role_name(o.role)})", None) for o in [*listed, *kept]]

    def error(self, field: str | None, message: str) -> None:
        if field in ("title", "description"):
            text = self.title if field == "title" else self.description
            text.errors.setdefault(LANGUAGES[0], message)
            field = f"{field}-{LANGUAGES[0]}"
        elif field is not None and field in self.form:
            target = self.form[field]
            target.errors = [*target.errors, message]
        elif field is not None:
            field = None
        self.errors.append((field, message))


def _form_page(event: Event | None, page: FormPage | None = None, status: int = 200) -> tuple[str, int]:
    page = page or FormPage(event)
    return render_template("activities/form.html", page=page, form=page.form, event=event,
                           title_of=event_title), status


def _save(event: Event | None) -> Response | tuple[str, int]:
    session = db()
    page = FormPage(event)
    for text in (page.title, page.description):
        for language, message in text.errors.items():
            page.errors.append((text.input_name(language), message))
    if page.errors:
        return _form_page(event, page, 422)
    try:
        data = read_event(event_form.fields(page.form, page.title, page.description))
        if event is None:
            saved = events.create(session, current_user.actor(), data, now=runtime().clock())
        else:
            saved = events.update(session, current_user.actor(), event.id, data,
                                  expected_version=event_form.version(page.form), now=runtime().clock())
    except Invalid as exc:
        session.rollback()
        field, message = refusals.worded(exc, rule_by_hand=bool((page.form.rule.data or "").strip()))
        page.error(event_form.FIELD_OF.get(field or "", field), message)
        return _form_page(_reloaded(event), page, 422)
    except Conflict as exc:
        session.rollback()
        message = gettext("Someone else changed this event since you opened it. Your changes are below, not "
                          "saved: open the event again, then make them again.") if exc.code in (
            "stale", "version_required") else exc.message
        page.error(None, message)
        return _form_page(_reloaded(event), page, 409)
    session.commit()
    flash(gettext("The event is saved.") if event is None else gettext("The event's changes are saved."), "success")
    return redirect(url_for("activities.show", event_id=saved.id), 303)


def _reloaded(event: Event | None) -> Event | None:
    return events.get(db(), event.id) if event is not None else None


# --- the event's page ----------------------------------------------------------------------------------

@bp.get("/<int:event_id>")
@permission_required("activities", "read")
def show(event_id: int) -> str:
    session = db()
    event = events.get(session, event_id)
    public = event.visibility == Visibility.PUBLIC
    panel = approval_panel.panel(event_approval.subject(event), [
        (gettext("Kind"), "kind"), (gettext("Title"), "title"), (gettext("Description"), "description"),
        (gettext("Starts"), "start"), (gettext("Ends"), "end"), (gettext("Time zone"), "zone"),
        (gettext("Place"), "place"), (gettext("City"), "city"), (gettext("Who takes part"), "officials"),
        (gettext("Organisations"), "organisations"), (gettext("Public from"), "public_from"),
    ]) if public else None
    if panel is not None:
        panel = replace(panel, fields=[approval_panel.Field(f.label, _readable(f.value)) for f in panel.fields])
    return render_template(
        "activities/event.html", event=event, panel=panel, sections=sections.rendered_for(event),
        coming=_coming(event), skipped=list((event.exceptions or {}).get("skipped", [])),
        when=when, words=words, title_of=event_title, public_from=_local(event, event.public_from),
        may_edit=current_user.may("activities", "edit"), may_status=current_user.may("activities", "status"),
        max_reason=MAX_REASON,
    )


def _readable(value: Any) -> Any:
    """A frozen value as a person reads it: texts by language, officials by name, a kind in words."""
    if isinstance(value, dict):
        return "; ".join(f"{language_name(k)}: {v}" for k, v in value.items() if v)
    if isinstance(value, list):
        return ", ".join(v.get("name", "") if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, str) and value in words.KINDS:
        return words.kind_name(value)
    return value


def _coming(event: Event) -> list[Any]:
    """The next occurrences of a recurring event (its last week's included, so a move there can be undone)."""
    if not event.rule:
        return []
    now = runtime().clock()
    after = max(now - timedelta(days=7), event.starts_at)
    before = min(event.last_ends_at, after + timedelta(days=3650)) + timedelta(minutes=1)
    if before <= after:
        return []
    return EventTime.of(event).occurrences(after, before)[:NEXT_OCCURRENCES]


def _local(event: Event, moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(event.zone)).strftime("%Y-%m-%d %H:%M")


@bp.post("/<int:event_id>/status")
@permission_required("activities", "status")
def status(event_id: int) -> Response:
    wanted = request.form.get("status", "")
    reason = request.form.get("reason", "").strip()
    if wanted not in {s.value for s in Status}:
        abort(400, gettext("Choose one of the statuses listed."))
    if wanted in (Status.CANCELLED, Status.POSTPONED) and not reason:
        flash(gettext("Say why: the reason is kept in the audit log."), "error")
        return redirect(url_for("activities.show", event_id=event_id, _anchor="status"), 303)
    if len(reason) > MAX_REASON:
        abort(400, gettext("A reason is at most %(max)d characters.", max=MAX_REASON))
    events.set_status(db(), current_user.actor(), event_id, wanted, reason=reason, now=runtime().clock())
    db().commit()
    flash(gettext("The event is now: %(status)s.", status=words.status_name(wanted)), "success")
    return redirect(url_for("activities.show", event_id=event_id), 303)


@bp.post("/<int:event_id>/occurrence")
@permission_required("activities", "status")
def occurrence(event_id: int) -> Response:
    """Cancel, move or restore one occurrence of a recurring event, named by its original start."""
    action, original = request.form.get("action", ""), request.form.get("original", "").strip()
    session, actor, now = db(), current_user.actor(), runtime().clock()
    if action not in ("cancel", "move", "restore") or not original:
        abort(400, gettext("Choose an occurrence and what to do with it."))
    if action != "cancel" and not current_user.may("activities", "edit"):
        abort(403)
    try:
        if action == "cancel":
            events.cancel_occurrence(session, actor, event_id, original, now=now)
            done = gettext("That occurrence is cancelled; the others stay.")
        elif action == "move":
            start = request.form.get("start", "").strip().replace(" ", "T")[:16]
            events.move_occurrence(session, actor, event_id, original, start, now=now)
            done = gettext("That occurrence is moved.")
        else:
            events.restore_occurrence(session, actor, event_id, original, now=now)
            done = gettext("That occurrence is back as the rule makes it.")
    except Invalid as exc:
        session.rollback()
        flash(gettext("That could not be done: %(reason)s", reason=exc.message), "error")
        return redirect(url_for("activities.show", event_id=event_id, _anchor="occurrences"), 303)
    session.commit()
    flash(done, "success")
    return redirect(url_for("activities.show", event_id=event_id, _anchor="occurrences"), 303)
