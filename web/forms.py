"""The dashboard's forms. Every message is the person's own language; the services have the last word."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, EqualTo, InputRequired, Length

from publisher.core import limits
from publisher.people.profile import INTERFACE_LANGUAGES

MAX_PASSWORD = 1024  # argon2 takes any length; this keeps one request from hashing megabytes


class SignInForm(FlaskForm):
    name = StringField(_l("User name"), validators=[
        InputRequired(_l("Enter your user name.")), Length(max=limits.USER_NAME, message=_l("A user name is at most 64 characters."))],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Password"), validators=[
        InputRequired(_l("Enter your password.")),
        Length(max=MAX_PASSWORD, message=_l("A password is at most %(max)d characters."))],
        render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class LanguageForm(FlaskForm):
    # Shown as radio buttons by the template, each language named in itself (web.i18n.LANGUAGE_NAMES).
    language = StringField(_l("Interface language"), validators=[
        InputRequired(_l("Choose a language.")),
        AnyOf(INTERFACE_LANGUAGES, message=_l("Choose one of the languages listed."))])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        InputRequired(_l("Enter your current password.")),
        Length(max=MAX_PASSWORD, message=_l("A password is at most %(max)d characters."))],
        render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[
        InputRequired(_l("Enter a new password.")),
        Length(max=MAX_PASSWORD, message=_l("A password is at most %(max)d characters."))],
        render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField(_l("New password again"), validators=[
        InputRequired(_l("Enter the new password a second time.")),
        EqualTo("new_password", message=_l("The two new passwords are not the same."))],
        render_kw={"autocomplete": "new-password"})
