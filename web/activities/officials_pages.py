"""The list of officials the office keeps (publisher.activities.officials): who takes part in events, in the
order the office lists them, each with a position in several languages and, optionally, the person's account
(their own calendar feed then shows their events)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from publisher.activities import models, officials
from publisher.activities.models import Official
from publisher.core import parse
from publisher.core.errors import Invalid
from publisher.people import accounts
from web import multilingual_field
from web.activities import words
from web.activities.blueprint import bp
from web.context import db
from web.roles import permission_required

MAX_SORT = 10_000


@bp.get("/officials")
@permission_required("activities", "officials")
def officials_list() -> tuple[str, int]:
    return _page(None)


@bp.post("/officials")
@permission_required("activities", "officials")
def official_add() -> Response | tuple[str, int]:
    return _save(None)


@bp.get("/officials/<int:official_id>")
@permission_required("activities", "officials")
def official_edit(official_id: int) -> tuple[str, int]:
    return _page(officials.get(db(), official_id))


@bp.post("/officials/<int:official_id>")
@permission_required("activities", "officials")
def official_save(official_id: int) -> Response | tuple[str, int]:
    return _save(officials.get(db(), official_id))


def _page(editing: Official | None, status: int = 200, *, sent: dict[str, Any] | None = None,
          errors: dict[str, str] | None = None, position: Any = None) -> tuple[str, int]:
    session = db()
    values = sent or (_values(editing) if editing else {"role": "official", "active": True, "sort": "0",
                                                          "user_id": ""})
    if position is None:
        position = multilingual_field.from_text("position", editing.position if editing else None,
                                                limit=models.NAME)
    return render_template("activities/officials.html", listed=officials.listed(session, active_only=False),
                           editing=editing, values=values, errors=errors or {}, position=position,
                           roles=words.OFFICIAL_ROLES, role_name=words.role_name,
                           people=[u for u in accounts.list_users(session) if u.active]), status


def _values(official: Official) -> dict[str, Any]:
    return {"name": official.name, "role": official.role, "active": official.active, "sort": str(official.sort),
            "user_id": str(official.user_id or "")}


def _save(editing: Official | None) -> Response | tuple[str, int]:
    session = db()
    sent = {"name": request.form.get("name", ""), "role": request.form.get("role", ""),
            "active": request.form.get("active") == "y", "sort": request.form.get("sort", "0").strip() or "0",
            "user_id": request.form.get("user_id", "").strip()}
    position = multilingual_field.read(request.form, "position", limit=models.NAME)
    errors: dict[str, str] = {}
    try:
        sort = parse.whole_number(sent["sort"], 0, MAX_SORT)
    except parse.ParseError:
        errors["sort"], sort = gettext("Write the place in the list as a whole number from 0 to %(max)d.",
                                       max=MAX_SORT), 0
    user_id = parse.record_id(sent["user_id"]) if sent["user_id"] else None
    if sent["user_id"] and user_id is None:
        errors["user_id"] = gettext("Choose one of the people listed.")
    if errors or not position.valid:
        return _page(editing, 422, sent=sent, errors=errors, position=position)
    try:
        saved = officials.save(session, current_user.actor(), name=sent["name"], role=sent["role"],
                               position=position.text, user_id=user_id, active=sent["active"], sort=sort,
                               official_id=editing.id if editing else None)
    except Invalid as exc:
        session.rollback()
        field = (exc.details or {}).get("field", "name") if isinstance(exc.details, dict) else "name"
        words_for = {"name": gettext("Write the official's name."), "role": gettext("Choose one of the roles listed."),
                     "user_id": gettext("Choose one of the people listed.")}
        errors[field] = words_for.get(field, exc.message) if exc.code in ("required", "bad_choice",
                                                                          "unknown_user") else exc.message
        return _page(_reloaded(editing), 422, sent=sent, errors=errors, position=position)
    session.commit()
    flash(gettext("%(name)s is saved on the list of officials.", name=saved.name), "success")
    return redirect(url_for("activities.officials_list"), 303)


def _reloaded(official: Official | None) -> Official | None:
    return officials.get(db(), official.id) if official is not None else None
