"""The form that connects a channel or changes its settings, made from the adapter's own list of settings:
each setting labelled and explained in the reader's language (web/channel_fields.py), every refusal shown
at once on its field, secrets never shown but kept (sealed, channel_admin.seal_typed_secrets) when the form
comes back with an error, and the platform asked whether the settings work before they are saved."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from channels import registry
from channels.base import LANGUAGE_FIELDS, LANGUAGE_TAGS, TOGETHER, ConfigField, Health, setting_languages
from publisher.core import limits
from publisher.publishing import channel_admin
from web.channel_fields import kind_name, setting_help, setting_label
from web.labels import language_name

SETTING_PREFIX = "setting_"  # keeps a setting called "name" apart from the channel's own name
MAX_SETTING = limits.CHANNEL_SETTING
LANGUAGE_SETTINGS = frozenset(f.name for f in LANGUAGE_FIELDS)  # chosen from lists, not typed


def channel_form(kind: str, *, editing: bool, posted: bool = False, data: dict[str, Any] | None = None,
                 kept: frozenset[str] = frozenset()) -> FlaskForm:
    """Secrets are password fields, never filled in; one stored (editing) or kept from the form's last
    showing (`kept`) may be left empty."""
    attrs: dict[str, Field] = {}
    if not editing:
        attrs["name"] = StringField(_l("Channel name"), validators=[
            InputRequired(_l("Give the channel a name.")),
            Length(max=limits.CHANNEL_NAME, message=_l("A channel name is at most %(max)d characters.")),
            Regexp(r"^[\w][\w .-]*\Z", message=_l("Use letters, digits, spaces, '.', '_' or '-'."))],
            description=_l("How officers find it when they write a post, e.g. “Website” or “X (ministry)”."))
    for setting in channel_admin.fields_of(kind):
        if setting.name in LANGUAGE_SETTINGS:
            if choice := _language_field(kind, setting):
                attrs[SETTING_PREFIX + setting.name] = choice
            continue
        label = setting_label(kind, setting)
        validators: list[Any] = [Length(max=MAX_SETTING, message=_l("At most %(max)d characters."))]
        if setting.required and not (setting.secret and (editing or setting.name in kept)):
            validators.insert(0, InputRequired(gettext("Fill in “%(setting)s”.", setting=label)))
        else:
            validators.insert(0, Optional())
        if not setting.required:
            label = gettext("%(setting)s (optional)", setting=label)
        field_class = PasswordField if setting.secret else StringField
        render_kw = {"autocomplete": "off"} if setting.secret else {}
        attrs[SETTING_PREFIX + setting.name] = field_class(label, validators=validators,
                                                           description=setting_help(kind, setting),
                                                           render_kw=render_kw)
    attrs["kept_secrets"] = HiddenField()
    attrs["save_unchecked"] = BooleanField(_l("Save even though the check did not succeed"))
    form_class = type(f"{kind.title().replace('_', '')}ChannelForm", (FlaskForm,), attrs)
    prefilled = {SETTING_PREFIX + k: _shown(k, v) for k, v in (data or {}).items() if not isinstance(v, dict)}
    form = form_class() if posted else form_class(formdata=None, data=prefilled)
    form.technical = {}  # a field's id -> the adapter's or platform's own words, for experts
    form.check_failed = False
    return form


def _language_field(kind: str, setting: ConfigField) -> Field | None:
    """The language versions a channel takes, chosen by name (a list of languages, none: the post's own only);
    how they go out, where the platform allows more than one way."""
    label = gettext("%(setting)s (optional)", setting=setting_label(kind, setting))
    if setting.name == "languages":
        return SelectMultipleField(label, choices=[(tag, language_name(tag)) for tag in LANGUAGE_TAGS],
                                   validators=[Optional()], description=setting_help(kind, setting),
                                   render_kw={"size": len(LANGUAGE_TAGS)})
    modes = registry.adapter_class(kind).capabilities().language_modes
    if TOGETHER not in modes:
        return None  # one way only: nothing to choose
    return SelectField(label, choices=[("", _l("Each version as a post of its own")),
                                       (TOGETHER, _l("Every version in one post, one after another"))],
                       validators=[Optional()], description=setting_help(kind, setting))


def _shown(name: str, value: Any) -> Any:
    """A setting as its field shows it: the languages a channel takes as a list, whichever way they were given."""
    return setting_languages(value) if name == "languages" else value


def settings_from(form: FlaskForm) -> dict[str, Any]:
    """The settings typed in; an empty field is a setting not given (the adapter's default applies)."""
    out: dict[str, Any] = {}
    for field in form:
        if not field.name.startswith(SETTING_PREFIX):
            continue
        value = [v for v in field.data if v] if isinstance(field.data, list) else (field.data or "").strip()
        if value:
            out[field.name.removeprefix(SETTING_PREFIX)] = value
    return out


def secret_fields(kind: str) -> list[str]:
    return [SETTING_PREFIX + f.name for f in channel_admin.fields_of(kind) if f.secret]


def typed_secrets(form: FlaskForm, kind: str, kept: dict[str, str]) -> dict[str, str]:
    """The secrets of this posting: typed now, else kept from the form's last showing."""
    typed = settings_from(form)
    return {name: typed.get(name) or kept[name] for name in
            (f.name for f in channel_admin.fields_of(kind) if f.secret) if typed.get(name) or name in kept}


def show_problems(form: FlaskForm, kind: str, problems: channel_admin.SettingProblems) -> None:
    """The adapter's refusals on their fields, in words; its own sentence kept for experts."""
    for name, messages in problems.by_setting.items():
        if SETTING_PREFIX + name not in form:  # a setting the form does not offer (one way only): said for all
            form.form_errors.append(gettext("These settings do not fit together. See the technical details."))
            form.technical.setdefault("form", []).extend(messages)
            continue
        field = form[SETTING_PREFIX + name]
        if field.errors:
            continue  # the form said it already (empty, too long)
        field.errors = [*field.errors, gettext("“%(setting)s” is not accepted as it is. See the help above the "
                                               "field for what it needs.", setting=_bare_label(kind, name))]
        form.technical[field.id] = messages
    if problems.general:
        form.form_errors.append(gettext("These settings do not fit together. See the technical details."))
        form.technical["form"] = problems.general


def show_failed_check(form: FlaskForm, kind: str, health: Health) -> None:
    form.form_errors.append(gettext(
        "%(kind)s did not confirm that these settings work, so they are not saved yet. Check the "
        "credentials, or tick “Save even though the check did not succeed” if the platform cannot be "
        "reached from here just now.", kind=kind_name(kind)))
    form.technical["form"] = [health.message or gettext("no answer")]
    form.check_failed = True


def _bare_label(kind: str, name: str) -> str:
    return next(setting_label(kind, f) for f in channel_admin.fields_of(kind) if f.name == name)
