"""The signed-in pages: the overview at / and the person's own account; the layout's shared parts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, flash, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from publisher.core.errors import Invalid
from publisher.home import overview
from publisher.notifications import choices, inbox
from publisher.people import profile
from publisher.people.accounts import MIN_PASSWORD_LENGTH
from publisher.publishing import holds
from web import labels, params, platform_errors
from web.channel_fields import kind_name
from web.context import db, runtime
from web.forms import LanguageForm, PasswordForm
from web.i18n import BABEL_LOCALES, LANGUAGE_NAMES, SIGN_IN_KEY, interface_language
from web.notifications import choices_form, chosen

bp = Blueprint("dashboard", __name__)


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    permission: tuple[str, str] | None = None  # (area, action) in publisher.core.permissions; None: everyone


# Only pages that exist; each later page adds itself here with the permission its route requires.
NAV = (
    NavItem("dashboard.home", _l("Overview")),
    NavItem("compose.new", _l("New post"), ("posts", "write")),
    NavItem("approvals.index", _l("Approvals"), ("posts", "approve")),
    NavItem("queue.calendar_week", _l("Calendar"), ("posts", "plan")),
    NavItem("activities.index", _l("Events"), ("activities", "read")),
    NavItem("queue.index", _l("Queue"), ("posts", "plan")),
    NavItem("library.index", _l("Media library")),
    NavItem("history.history_page", _l("History"), ("posts", "history")),
    NavItem("alerts.index", _l("Alerts"), ("alerts", "read")),
    NavItem("audit.audit_page", _l("Audit log"), ("audit", "read")),
    NavItem("admin.channels", _l("Channels"), ("channels", "manage")),
    NavItem("admin.user_list", _l("Users"), ("people", "manage")),
    NavItem("outbox.index", _l("Outbox"), ("outbox", "manage")),
    NavItem("dashboard.account", _l("Your account")),
)


@bp.app_context_processor
def layout_context() -> dict[str, Any]:
    """What base.html needs on every page: the language, the navigation and the holds."""
    context: dict[str, Any] = {"html_lang": interface_language(), "languages": list(LANGUAGE_NAMES.items()),
                               "role_list": labels.role_list, "post_states": labels.POST_STATES,
                               "delivery_states": labels.DELIVERY_STATES,
                               "channel_health": labels.CHANNEL_HEALTH, "channel_reason": labels.channel_reason,
                               "sent_back_reason": labels.sent_back_reason, "language_name": labels.language_name,
                               "explain_error": platform_errors.explain, "search_limit": params.MAX_SEARCH,
                               "who": labels.who, "via": labels.via, "subject_words": labels.subject,
                               "error_kind": labels.error_kind, "is_web_link": labels.is_web_link,
                               "channel_kind_name": kind_name, "media_type": labels.media_type,
                               "audit_action": labels.audit_action, "hold_reason": labels.hold_reason,
                               "hold_by": labels.hold_by}
    if g.get("bare_page") or not g.get("signed_in"):
        return context  # an error page about the database itself must not ask it anything
    active = holds.active_holds(db())
    context["nav"] = [item for item in NAV if not item.permission or current_user.may(*item.permission)]
    context["global_hold"] = next((h for h in active if h.channel_id is None), None)
    context["channel_holds"] = [h for h in active if h.channel_id is not None]
    context["unread_notifications"] = inbox.unread_count(db(), current_user.user.id)
    return context


@bp.get("/")
@login_required
def home() -> str:
    rt = runtime()
    summary = overview.overview(db(), current_user.user, rt.clock(),
                                overdue_after=timedelta(minutes=rt.settings.overdue_alert_minutes),
                                warn_before=timedelta(days=rt.settings.credential_warn_days))
    return render_template("home.html", overview=summary, timezone=rt.settings.timezone)


@bp.get("/account")
@login_required
def account() -> str:
    return _account_page(LanguageForm(language=current_user.locale), PasswordForm())


def _account_page(language_form: FlaskForm, password_form: FlaskForm, status: int = 200, *,
                  notifications_form: FlaskForm | None = None) -> Any:
    return render_template("account.html", language_form=language_form, password_form=password_form,
                           notifications_form=notifications_form or choices_form(),
                           min_password=MIN_PASSWORD_LENGTH), status


@bp.post("/account/notifications")
@login_required
def account_notifications() -> Response | tuple[str, int]:
    form = choices_form(request.form)
    if not form.validate():
        return _account_page(LanguageForm(formdata=None, language=current_user.locale), PasswordForm(formdata=None),
                             422, notifications_form=form)
    choices.save_choices(db(), current_user.actor(), chosen(form))
    db().commit()
    flash(gettext("Your notification choices are saved."), "success")
    return redirect(url_for("dashboard.account", _anchor="notifications-title"))


@bp.post("/account/language")
@login_required
def account_language() -> Response | tuple[str, int]:
    form = LanguageForm()
    if not form.validate():
        return _account_page(form, PasswordForm(formdata=None), 422)
    profile.set_locale(db(), current_user.actor(), form.language.data)
    db().commit()
    session.pop(SIGN_IN_KEY, None)  # the stored language now rules, not the sign-in page's pick
    with force_locale(BABEL_LOCALES[form.language.data]):  # the confirmation in the language just chosen
        flash(gettext("Your interface language is saved."), "success")
    return redirect(url_for("dashboard.account"))


# A service refusal, as the field it concerns and what to tell the person.
PASSWORD_REFUSALS = {
    "wrong_password": ("current_password", _l("The current password is not right.")),
    "too_short": ("new_password", _l("The new password is too short: use at least %(num)d characters.")),
    "same_password": ("new_password", _l("The new password must differ from the current one.")),
    "locked": ("current_password", _l("Too many wrong passwords. Try again in a quarter of an hour.")),
}


@bp.post("/account/password")
@login_required
def account_password() -> Response | tuple[str, int]:
    form = PasswordForm()
    language_form = LanguageForm(formdata=None, language=current_user.locale)
    if not form.validate():
        return _account_page(language_form, form, 422)
    rt = runtime()
    try:
        profile.change_password(db(), current_user.actor(), form.current_password.data, form.new_password.data,
                                now=rt.clock(), keep_session=current_user.session_id)
    except Invalid as exc:
        db().commit()  # keeps the audit event of a refused attempt; nothing else was changed
        field, message = PASSWORD_REFUSALS.get(exc.code, ("new_password", exc.message))
        getattr(form, field).errors.append(str(message) % {"num": MIN_PASSWORD_LENGTH})
        return _account_page(language_form, form, 422)
    db().commit()
    flash(gettext("Your password is changed. Your other signed-in browsers were signed out."), "success")
    return redirect(url_for("dashboard.account"))

