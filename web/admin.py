"""The administrator's pages: channels (settings, pause, check, the global hold) and people (accounts,
roles, passwords, API tokens). Every route is for admins only; the services check the role again."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from channels import registry
from publisher.core import limits, permissions, search_index
from publisher.core.errors import Conflict, Invalid
from publisher.core.models import Channel
from publisher.destinations.channel_store import add_channel, channel_exists, get_channel
from publisher.mailbox import addresses as mail_addresses
from publisher.people import accounts, users
from publisher.people.profile import INTERFACE_LANGUAGES
from publisher.publishing import channel_admin, channel_health, credential_checks, holds
from web import labels, params
from web.auth import login_manager
from web.channel_fields import kind_name
from web.channel_form import (
    SETTING_PREFIX,
    channel_form,
    secret_fields,
    settings_from,
    show_failed_check,
    show_problems,
    typed_secrets,
)
from web.confirmation import confirm_page, confirmed
from web.context import db, runtime
from web.forms import MAX_PASSWORD
from web.i18n import LANGUAGE_NAMES

bp = Blueprint("admin", __name__, url_prefix="/admin")

MAX_REASON = limits.HOLD_REASON


@bp.before_request
def _admins_only() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.may("administration", "enter"):
        abort(403)
    return None


# Channels


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value  # a reason of only spaces is no reason


class ReasonForm(FlaskForm):
    hold_reason = TextAreaField(_l("Reason"), filters=[_strip], validators=[
        DataRequired(_l("Give a reason: everyone sees it while publishing is held.")),
        Length(max=MAX_REASON, message=_l("A reason is at most %(max)d characters."))])


class PauseForm(FlaskForm):
    pause_reason = StringField(_l("Reason for the pause"), filters=[_strip], validators=[
        DataRequired(_l("Give a reason: everyone sees it while the channel is paused.")),
        Length(max=MAX_REASON, message=_l("A reason is at most %(max)d characters."))])


def _searched_states() -> tuple[list[channel_admin.ChannelState], dict[str, Any]]:
    """The channels the search box asks for (name, or the kind's name as the page shows it), and the
    template's words about the search."""
    text, problem = params.search_arg("q")
    kinds = search_index.labelled(dict(_kinds()), text)
    rt = runtime()
    states = channel_admin.states(db(), rt.clock(), credential_checks.policy_from(rt.settings).warn_before,
                                  text=text, kinds=kinds)
    return states, {"q": text, "problems": {"q": problem} if problem else {}}


@bp.get("/channels")
def channels() -> tuple[str, int]:
    states, search = _searched_states()
    return render_template("admin_channels.html", states=states, hold_form=ReasonForm(formdata=None),
                           pause_form=PauseForm(formdata=None), kinds=_kinds(), health=_health(),
                           **search), 422 if search["problems"] else 200


def _health() -> dict[int, channel_health.ChannelHealth]:
    rt = runtime()
    return {v.channel.id: v for v in channel_health.channel_health(
        db(), rt.clock(), credential_checks.policy_from(rt.settings).warn_before)}


def _kinds() -> list[tuple[str, str]]:
    return [(kind, kind_name(kind)) for kind in registry.kinds()]


@bp.get("/channels/new")
def channel_kind() -> str:
    return render_template("admin_channel_kind.html", kinds=_kinds())


def _known_kind(kind: str) -> None:
    if kind not in registry.BUILTIN and kind not in registry.kinds():
        abort(404)


@bp.route("/channels/new/<kind>", methods=["GET", "POST"])
def channel_add(kind: str) -> Response | tuple[str, int]:
    _known_kind(kind)
    if request.method == "GET":
        return _channel_page(channel_form(kind, editing=False), kind)
    return _save_channel(kind, None)


@bp.route("/channels/<int:channel_id>", methods=["GET", "POST"])
def channel_edit(channel_id: int) -> Response | tuple[str, int]:
    channel = get_channel(db(), channel_id)
    if request.method == "GET":
        return _channel_page(channel_form(channel.kind, editing=True, data=channel.config), channel.kind,
                             channel=channel)
    return _save_channel(channel.kind, channel)


def _save_channel(kind: str, channel: Any) -> Response | tuple[str, int]:
    """Every refusal at once on its field; then the platform's check; then the row. A secret typed in is
    kept (sealed) for the form's next showing, one stored is kept when its field is left empty."""
    rt, person = runtime(), current_user.user.id
    kept = channel_admin.unseal_typed_secrets(rt.box, request.form.get("kept_secrets"), kind, person, rt.clock())
    form = channel_form(kind, editing=channel is not None, posted=True, kept=frozenset(kept))
    valid = form.validate()
    secrets = typed_secrets(form, kind, kept)
    settings = {**settings_from(form), **secrets}
    try:
        complete = channel_admin.merged_settings(rt.box, channel, settings) if channel is not None else settings
    except Invalid as exc:
        form.form_errors.append(gettext("The settings were refused: %(reason)s", reason=exc.message))
        return _channel_page(form, kind, channel=channel, secrets=secrets, status=422)
    problems = channel_admin.setting_problems(kind, complete)
    show_problems(form, kind, problems)
    name = channel.name if channel is not None else (form.name.data or "").strip()
    taken = channel is None and not form.name.errors and channel_exists(db(), name)
    if taken:
        form.name.errors.append(gettext("A channel with this name exists already."))
    if not valid or problems or taken:
        return _channel_page(form, kind, channel=channel, secrets=secrets, status=409 if taken else 422)
    if not form.save_unchecked.data:
        db().commit()  # no transaction stays open across the network call
        health = channel_admin.probe_settings(kind, complete, name)
        if not health.ok:
            show_failed_check(form, kind, health)
            return _channel_page(form, kind, channel=channel, secrets=secrets, status=422)
    try:
        if channel is None:
            channel = add_channel(db(), rt.box, kind, name, settings, actor=current_user.actor())
        else:
            channel_admin.update_settings(db(), rt.box, channel, settings, actor=current_user.actor(), rt=rt)
    except Conflict:
        db().rollback()
        form.name.errors.append(gettext("A channel with this name exists already."))
        return _channel_page(form, kind, secrets=secrets, status=409)
    except Invalid as exc:
        db().rollback()
        form.form_errors.append(gettext("The settings were refused: %(reason)s", reason=exc.message))
        return _channel_page(form, kind, channel=channel, secrets=secrets, status=422)
    db().commit()
    if form.save_unchecked.data:
        flash(gettext("The settings of %(name)s are saved without a successful check. Check the channel when "
                      "the platform can be reached.", name=channel.name), "warning")
    else:
        flash(gettext("The settings of %(name)s are saved and the platform confirmed that they work.",
                      name=channel.name), "success")
    return redirect(url_for("admin.channels"))


def _channel_page(form: FlaskForm, kind: str, *, channel: Any = None, secrets: dict[str, str] | None = None,
                  status: int = 200) -> tuple[str, int]:
    rt = runtime()
    form.kept_secrets.data = channel_admin.seal_typed_secrets(rt.box, kind, current_user.user.id, secrets or {},
                                                              rt.clock())
    return render_template("admin_channel_form.html", form=form, kind=kind, kind_label=kind_name(kind),
                           channel=channel, secrets=secret_fields(kind),
                           kept=[SETTING_PREFIX + name for name in secrets or {}]), status


def _refused(exc: Invalid | Conflict) -> Response:
    db().rollback()
    flash(gettext("Not done: %(reason)s", reason=exc.message), "error")
    return redirect(url_for("admin.channels"))


def _channels_with_errors(form: FlaskForm, which: str, status: int = 422) -> tuple[str, int]:
    states, search = _searched_states()
    return render_template("admin_channels.html", states=states, **search,
                           hold_form=form if which == "hold" else ReasonForm(formdata=None),
                           pause_form=form if which == "pause" else PauseForm(formdata=None),
                           failed_pause=request.view_args.get("channel_id"), kinds=_kinds(),
                           health=_health()), status


def _held_lines(channel: Channel | None, releasing: bool) -> list[str]:
    """What holding or releasing does to the deliveries it covers, for the confirmation page."""
    work = holds.held_work(db(), runtime().clock(), channel)
    if releasing:
        return [ngettext("%(num)d delivery waits for this: it goes out when it is due.",
                         "%(num)d deliveries wait for this: they go out when they are due.", work.waiting),
                ngettext("%(num)d of them is already due and goes out at once, unless it is so late that it "
                         "waits for a person to decide.",
                         "%(num)d of them are already due and go out at once, unless they are so late that they "
                         "wait for a person to decide.", work.due)]
    return [ngettext("%(num)d delivery will not be sent while this lasts.",
                     "%(num)d deliveries will not be sent while this lasts.", work.waiting),
            ngettext("%(num)d of them is already due and stops now.",
                     "%(num)d of them are already due and stop now.", work.due),
            gettext("Everyone signed in sees the reason until it is released.")]


@bp.post("/channels/<int:channel_id>/pause")
def channel_pause(channel_id: int) -> Response | tuple[str, int]:
    channel = get_channel(db(), channel_id)
    form = PauseForm()
    if not form.validate():
        return _channels_with_errors(form, "pause")
    if not confirmed():
        return confirm_page(heading=gettext("Pause %(name)s?", name=channel.name),
                            subject=gettext("Reason: %(reason)s", reason=form.pause_reason.data),
                            effects=_held_lines(channel, False), confirm_label=gettext("Pause the channel"),
                            action=url_for("admin.channel_pause", channel_id=channel.id),
                            back=url_for("admin.channels"), hidden=[("pause_reason", form.pause_reason.data)])
    try:
        channel_admin.set_hold(db(), current_user.actor(), True, form.pause_reason.data, channel)
    except (Invalid, Conflict) as exc:
        return _refused(exc)
    db().commit()
    flash(gettext("%(name)s is paused: nothing goes out on it until it is resumed.", name=channel.name), "success")
    return redirect(url_for("admin.channels"))


@bp.post("/channels/<int:channel_id>/resume")
def channel_resume(channel_id: int) -> Response | tuple[str, int]:
    channel = get_channel(db(), channel_id)
    if not confirmed():
        return confirm_page(heading=gettext("Resume %(name)s?", name=channel.name),
                            effects=_held_lines(channel, True), confirm_label=gettext("Resume the channel"),
                            action=url_for("admin.channel_resume", channel_id=channel.id),
                            back=url_for("admin.channels"))
    try:
        channel_admin.set_hold(db(), current_user.actor(), False, channel=channel)
    except Conflict as exc:
        return _refused(exc)
    db().commit()
    flash(gettext("%(name)s is resumed.", name=channel.name), "success")
    return redirect(url_for("admin.channels"))


@bp.post("/channels/<int:channel_id>/check")
def channel_check(channel_id: int) -> Response:
    channel = get_channel(db(), channel_id)
    db().commit()  # no transaction stays open across the network call
    health = channel_admin.probe(channel, runtime().box)
    rt = runtime()
    channel_admin.record_check(db(), current_user.actor(), channel, health, rt.clock(),
                               credential_checks.policy_from(rt.settings))
    db().commit()
    if health.ok:
        flash(gettext("%(name)s answers: %(message)s", name=channel.name, message=health.message), "success")
    else:
        flash(gettext("%(name)s does not work: %(message)s", name=channel.name, message=health.message), "error")
    return redirect(url_for("admin.channels"))


@bp.post("/hold")
def hold_on() -> Response | tuple[str, int]:
    form = ReasonForm()
    if not form.validate():
        return _channels_with_errors(form, "hold")
    if not confirmed():
        return confirm_page(heading=gettext("Hold all publishing?"),
                            subject=gettext("Reason: %(reason)s", reason=form.hold_reason.data),
                            effects=_held_lines(None, False), confirm_label=gettext("Hold all publishing"),
                            action=url_for("admin.hold_on"), back=url_for("admin.channels"),
                            hidden=[("hold_reason", form.hold_reason.data)])
    try:
        channel_admin.set_hold(db(), current_user.actor(), True, form.hold_reason.data)
    except (Invalid, Conflict) as exc:
        return _refused(exc)
    db().commit()
    flash(gettext("All publishing is on hold."), "success")
    return redirect(url_for("admin.channels"))


@bp.post("/hold/release")
def hold_off() -> Response | tuple[str, int]:
    if not confirmed():
        return confirm_page(heading=gettext("Release the hold?"), effects=_held_lines(None, True),
                            confirm_label=gettext("Release the hold"), action=url_for("admin.hold_off"),
                            back=url_for("admin.channels"))
    try:
        channel_admin.set_hold(db(), current_user.actor(), False)
    except Conflict as exc:
        return _refused(exc)
    db().commit()
    flash(gettext("The hold is released: what is due goes out again."), "success")
    return redirect(url_for("admin.channels"))


# People


# For _forms.html's checkboxes: each role with what it lets a person do.
ROLE_OPTIONS = [(role, labels.ROLES[role], labels.ROLE_HINTS[role]) for role in permissions.ROLES]


class UserDetails(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[
        Length(max=users.MAX_DISPLAY_NAME, message=_l("A display name is at most %(max)d characters."))])
    email = StringField(_l("E-mail"), validators=[
        Optional(), Length(max=users.MAX_EMAIL, message=_l("An e-mail address is at most %(max)d characters.")),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z", message=_l("Enter an e-mail address such as name@example.rs."))],
        render_kw={"autocomplete": "off", "type": "email"})
    roles = SelectMultipleField(_l("Roles"), choices=[SelectChoice(role, labels.ROLES[role]) for role in permissions.ROLES],
                                validate_choice=False, validators=[InputRequired(_l("Choose at least one role."))])
    # Empty: not chosen yet; the language of the sign-in page becomes theirs at their first sign-in.
    locale = StringField(_l("Interface language"), default="", validators=[
        Optional(), AnyOf(INTERFACE_LANGUAGES, message=_l("Choose one of the languages listed."))])


    def validate_roles(self, field: Field) -> None:
        if not set(field.data or ()) <= set(permissions.ROLES):
            raise ValidationError(_l("Choose among the roles listed."))


class NewUserForm(UserDetails):
    name = StringField(_l("User name"), validators=[
        InputRequired(_l("Enter a user name.")),
        Regexp(r"^[a-z0-9][a-z0-9._-]{0,63}\Z",
               message=_l("Use up to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit."))],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Initial password"), validators=[
        InputRequired(_l("Enter an initial password.")),
        Length(min=accounts.MIN_PASSWORD_LENGTH, max=MAX_PASSWORD,
               message=_l("A password needs %(min)d to %(max)d characters."))],
        render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField(_l("Initial password again"), validators=[
        InputRequired(_l("Enter the password a second time.")),
        EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"})


class EditUserForm(UserDetails):
    active = BooleanField(_l("Active (may sign in and use API tokens)"))


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[
        InputRequired(_l("Enter a new password.")),
        Length(min=accounts.MIN_PASSWORD_LENGTH, max=MAX_PASSWORD,
               message=_l("A password needs %(min)d to %(max)d characters."))],
        render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField(_l("New password again"), validators=[
        InputRequired(_l("Enter the new password a second time.")),
        EqualTo("new_password", message=_l("The two new passwords are not the same."))],
        render_kw={"autocomplete": "new-password"})


# A service refusal: the field it concerns and what to tell the person.
USER_REFUSALS = {
    "own_admin": ("roles", _l("You cannot remove your own administrator role. Another administrator can.")),
    "own_active": ("active", _l("You cannot deactivate yourself. Another administrator can.")),
    "own_password": ("new_password", _l("Change your own password on the “Your account” page.")),
    "too_short": ("password", _l("A password needs %(min)d to %(max)d characters.")),
    "bad_email": ("email", _l("Enter an e-mail address such as name@example.rs.")),
    "bad_roles": ("roles", _l("Choose at least one role.")),
}


def _refusal_to_form(form: FlaskForm, exc: Invalid) -> None:
    field_name, message = USER_REFUSALS.get(exc.code, (None, exc.message))
    text = str(message) % {"min": accounts.MIN_PASSWORD_LENGTH, "max": MAX_PASSWORD} if "%(" in str(message) \
        else str(message)
    field = getattr(form, field_name, None) if field_name else None
    if field is None and field_name == "password":
        field = getattr(form, "new_password", None)
    if field is not None:
        field.errors = [*field.errors, text]
    else:
        form.form_errors.append(text)


@bp.get("/users")
def user_list() -> tuple[str, int]:
    text, problem = params.search_arg("q")
    people = accounts.list_users(db(), text=text)
    return render_template("admin_users.html", people=people, q=text, problems={"q": problem} if problem else {},
                           bounced=mail_addresses.bounced(db(), [p.email for p in people if p.email]),
                           bounce_reason=bounce_reason), \
        422 if problem else 200


@bp.route("/users/new", methods=["GET", "POST"])
def user_add() -> Response | tuple[str, int]:
    if request.method == "GET":
        return _new_user_page(NewUserForm(formdata=None))
    form = NewUserForm()
    if not form.validate():
        return _new_user_page(form, 422)
    try:
        user = users.create(db(), current_user.actor(), name=form.name.data, display_name=form.display_name.data or "",
                            email=form.email.data, roles=form.roles.data, password=form.password.data,
                            locale=form.locale.data or None)
    except Conflict:
        form.name.errors.append(gettext("Someone has this user name already."))
        return _new_user_page(form, 409)
    except Invalid as exc:
        _refusal_to_form(form, exc)
        return _new_user_page(form, 422)
    db().commit()
    flash(gettext("%(name)s can sign in now. Give them the initial password in person, not by e-mail.",
                  name=user.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


def _locale_options() -> list[tuple[str, str]]:
    """The interface languages, each named in itself, after "not chosen yet"."""
    return [("", gettext("Not chosen yet: the language they pick when they first sign in")),
            *LANGUAGE_NAMES.items()]


def _new_user_page(form: FlaskForm, status: int = 200) -> tuple[str, int]:
    return render_template("admin_user_new.html", form=form, min_password=accounts.MIN_PASSWORD_LENGTH,
                           role_options=ROLE_OPTIONS, locale_options=_locale_options()), status


def _user_page(user: Any, form: FlaskForm, password_form: FlaskForm, status: int = 200) -> tuple[str, int]:
    return render_template("admin_user.html", person=user, form=form, password_form=password_form,
                           tokens=accounts.list_tokens(db(), user), min_password=accounts.MIN_PASSWORD_LENGTH,
                           is_self=user.id == current_user.user.id, role_options=ROLE_OPTIONS,
                           locale_options=_locale_options(), bounce=_bounce_of(user),
                           bounce_reason=bounce_reason), status


def _bounce_of(user: Any) -> Any:
    """The person's address's bounce mark, when mail to it bounced and nobody cleared it since."""
    state = mail_addresses.state_of(db(), user.email) if user.email else None
    return state if state is not None and state.state == mail_addresses.BOUNCED else None


@bp.get("/users/<int:user_id>")
def user_edit(user_id: int) -> tuple[str, int]:
    user = users.get(db(), user_id)
    form = EditUserForm(formdata=None, display_name=user.display_name, email=user.email or "",
                        roles=sorted(user.roles), locale=user.locale or "", active=user.active)
    return _user_page(user, form, ResetPasswordForm(formdata=None))


@bp.post("/users/<int:user_id>")
def user_save(user_id: int) -> Response | tuple[str, int]:
    user = users.get(db(), user_id)
    form = EditUserForm()
    if not form.validate():
        return _user_page(user, form, ResetPasswordForm(formdata=None), 422)
    try:
        users.update(db(), current_user.actor(), user, display_name=form.display_name.data or "",
                     email=form.email.data, roles=form.roles.data, active=form.active.data,
                     locale=form.locale.data or None, now=runtime().clock())
    except Invalid as exc:
        db().rollback()
        _refusal_to_form(form, exc)
        return _user_page(users.get(db(), user_id), form, ResetPasswordForm(formdata=None), 422)
    db().commit()
    flash(gettext("The changes to %(name)s are saved.", name=user.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int) -> Response | tuple[str, int]:
    user = users.get(db(), user_id)
    form = ResetPasswordForm()
    details = EditUserForm(formdata=None, display_name=user.display_name, email=user.email or "",
                           roles=sorted(user.roles), locale=user.locale or "", active=user.active)
    if not form.validate():
        return _user_page(user, details, form, 422)
    try:
        users.reset_password(db(), current_user.actor(), user, form.new_password.data, now=runtime().clock())
    except Invalid as exc:
        db().rollback()
        _refusal_to_form(form, exc)
        return _user_page(users.get(db(), user_id), details, form, 422)
    db().commit()
    flash(gettext("The password of %(name)s is changed; their browsers were signed out.", name=user.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
def token_revoke(user_id: int, token_id: int) -> Response:
    user = users.get(db(), user_id)
    token = users.revoke_token(db(), current_user.actor(), user, token_id)
    db().commit()
    flash(gettext("The token %(prefix)s… no longer works.", prefix=token.prefix), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.post("/users/<int:user_id>/mail-bounce/clear")
def user_mail_clear(user_id: int) -> Response | tuple[str, int]:
    user = users.get(db(), user_id)
    bounce = _bounce_of(user)
    if bounce is None:
        flash(gettext("Mail to %(name)s is not marked as bouncing.", name=user.name), "info")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    if not confirmed():
        return confirm_page(heading=gettext("Clear the bounce mark of %(address)s?", address=user.email),
                            subject=gettext("Mail to this address bounced: %(reason)s, %(date)s",
                                            reason=bounce_reason(bounce),
                                            date=format_datetime(bounce.last_bounce_at, "short")),
                            effects=[gettext("Mail is sent to this address again, from now on."),
                                     gettext("Do this once the person has fixed their mailbox or address: a new "
                                             "bounce marks it again.")],
                            confirm_label=gettext("Clear the mark"),
                            action=url_for("admin.user_mail_clear", user_id=user.id),
                            back=url_for("admin.user_edit", user_id=user.id))
    mail_addresses.clear(db(), current_user.actor(), user.email)
    db().commit()
    flash(gettext("Mail goes to %(address)s again.", address=user.email), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


def bounce_reason(bounce: Any) -> str:
    """The remote server's words, shortened, with the status code: what the administrator tells the person."""
    words = " ".join(bounce.diagnostic.split())
    words = words if len(words) <= 200 else words[:199] + "…"
    return f"{bounce.status} {words}".strip()
