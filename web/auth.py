"""Signing in and out of the dashboard (Flask-Login), and who a page request comes from.

Flask-Login keeps one value in the signed cookie: the random token of a row in web_sessions (see
publisher.people.signin). Every request checks that row, so signing out, an idle timeout or a deactivated
account ends the session even for a copied cookie.
"""

from __future__ import annotations

import math
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, flash, g, redirect, render_template, request, session, url_for
from flask_babel import force_locale, gettext, ngettext
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.models import User
from publisher.people import profile, signin
from web.context import db, runtime
from web.forms import SignInForm
from web.i18n import (
    BABEL_LOCALES,
    CHOSEN_KEY,
    DEFAULT_LANGUAGE,
    SESSION_KEY,
    SIGN_IN_KEY,
    interface_language,
    language_of,
)

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


class WebUser(UserMixin):
    """The signed-in person for one request: their (detached) User and their browser session."""

    def __init__(self, user: User, session_id: int, token: str) -> None:
        self.user = user
        self.session_id = session_id
        self.token = token

    def get_id(self) -> str:
        return self.token

    @property
    def is_active(self) -> bool:
        return self.user.active

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def display_name(self) -> str:
        return self.user.display_name or self.user.name

    @property
    def roles(self) -> frozenset[str]:
        return self.user.roles

    @property
    def locale(self) -> str | None:
        return self.user.locale

    def may(self, area: str, action: str) -> bool:
        """What publisher.core.permissions allows this person."""
        return permissions.may(self.user, area, action)

    def actor(self) -> Actor:
        return Actor(user=self.user, via=f"web-session:{self.session_id}", ip=request.remote_addr)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.register_blueprint(bp)


def _load_user(token: str) -> WebUser | None:
    # Short sessions of its own, before the request's session exists: nothing here waits on itself.
    rt = runtime()
    with rt.read_sessions() as reader:
        check = signin.check_session(reader, rt.sessions, token, now=rt.clock(), ip=request.remote_addr,
                                     idle=timedelta(minutes=rt.settings.session_idle_minutes))
    if check.live:
        return WebUser(check.user, check.session_id, token)
    for key in ("_user_id", "_fresh", "_id"):
        session.pop(key, None)
    if check.ended == "idle":
        # Said, and the sign-in page shown, in the language of the person who was signed in.
        language = check.user.locale if check.user.locale in BABEL_LOCALES else DEFAULT_LANGUAGE
        session[SESSION_KEY] = language
        minutes = round(rt.settings.session_idle_minutes)
        with force_locale(BABEL_LOCALES[language]):
            flash(ngettext("You were signed out after %(num)d minute without activity.",
                           "You were signed out after %(num)d minutes without activity.", minutes), "info")
    return None


def _unauthorized() -> Response:
    target = request.full_path.rstrip("?") if request.query_string else request.path
    if request.method != "GET" or target == "/":
        return redirect(url_for("auth.login"))  # a form's target is no page to come back to
    return redirect(url_for("auth.login", next=target))


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another site (open redirect)."""
    home = url_for("dashboard.home")
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return home
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int, dict]:
    chosen = language_of(request.args.get(SESSION_KEY))
    if chosen is not None:
        session[SESSION_KEY] = chosen
        session[CHOSEN_KEY] = True
    form = SignInForm()
    target = safe_next(form.next.data or request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target)
    if not form.is_submitted():
        form.next.data = target if target != url_for("dashboard.home") else ""
        return _login_page(form, 200)
    if not form.validate():
        return _login_page(form, 422)
    rt = runtime()
    now = rt.clock()
    shown = interface_language()  # the sign-in page's language, picked or the browser's
    picked = session.get(SESSION_KEY) if session.get(CHOSEN_KEY) else None
    result = signin.sign_in(db(), form.name.data, form.password.data, ip=request.remote_addr, now=now)
    db().commit()  # successes and failures alike: the audit log and the failure count must be kept
    if result.outcome == signin.SIGNED_IN:
        # A fresh session: nothing from before sign-in (its CSRF token, a language choice) carries over.
        session.clear()
        person = WebUser(result.user, result.session_id, result.token)
        login_user(person)
        _settle_language(person, shown, picked)
        return redirect(target)
    if result.outcome == signin.LOCKED:
        minutes = max(1, math.ceil((result.locked_until - now).total_seconds() / 60))
        form.form_errors.append(ngettext(
            "Too many failed attempts. Signing in with this name or from this address is paused; "
            "try again in %(num)d minute.",
            "Too many failed attempts. Signing in with this name or from this address is paused; "
            "try again in %(num)d minutes.", minutes))
        retry = str(math.ceil((result.locked_until - now).total_seconds()))
        return _login_page(form, 429, {"Retry-After": retry})
    form.form_errors.append(gettext("The user name or password is not right, or the account is not active."))
    return _login_page(form, 422)


def _settle_language(person: WebUser, shown: str, picked: str | None) -> None:
    """No language yet: the sign-in page's becomes theirs. Else a language picked on the sign-in page
    holds for this browser session (until sign-out); their own stays stored."""
    if person.user.locale is None:
        person.user = profile.adopt_locale(db(), person.actor(), shown)
        db().commit()
    elif picked in BABEL_LOCALES and picked != person.user.locale:
        session[SIGN_IN_KEY] = picked


def _login_page(form: SignInForm, status: int, headers: dict[str, str] | None = None) -> tuple[str, int, dict]:
    idle = round(runtime().settings.session_idle_minutes)
    return render_template("login.html", form=form, idle_minutes=idle), status, headers or {}


@bp.post("/logout")
def logout() -> Response:
    language = interface_language()
    if current_user.is_authenticated:
        rt = runtime()
        signin.sign_out(db(), current_user.actor(), current_user.session_id, now=rt.clock())
        db().commit()
    logout_user()
    session.clear()
    session[SESSION_KEY] = language  # the sign-in page that follows stays in the person's language
    with force_locale(BABEL_LOCALES[language]):
        flash(gettext("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def load_signed_in_user() -> None:
    """Before a page request: settle who is signed in first (its own short database sessions)."""
    current_user._get_current_object()  # the proxy would load lazily, perhaps mid-transaction
    g.signed_in = current_user.is_authenticated
