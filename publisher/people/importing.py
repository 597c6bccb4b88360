"""Adding many people at once from a spreadsheet (the users page's import): the kind's columns and the write.

Imported people get no password: they cannot sign in until an administrator sets one on their page (the
reset of users.reset_password, which every administrator has), handed over in person as for a person added
one by one. A spreadsheet is no place for passwords, and nobody is e-mailed one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.core import limits, permissions
from publisher.core.actor import Actor
from publisher.core.models import User
from publisher.imports import reading, writing
from publisher.imports.checking import Checked, check
from publisher.imports.fields import Field, Kind
from publisher.people import accounts
from publisher.people.profile import INTERFACE_LANGUAGES

# Each role as the four languages name it (web/labels.py's words), besides its stored name.
ROLE_WORDS = {
    "službenik": "officer", "zyrtar": "officer",
    "odobravalac": "approver", "miratues": "approver",
    "rukovodilac": "manager", "menaxher": "manager",
    "administrator": "admin", "admin": "admin",
}
LANGUAGE_WORDS = {
    "srpski (latinica)": "sr-Latn", "latinica": "sr-Latn",
    "српски (ћирилица)": "sr-Cyrl", "ćirilica": "sr-Cyrl",
    "shqip": "sq", "albanski": "sq", "albanian": "sq",
    "english": "en", "engleski": "en", "anglisht": "en",
}


def _taken(session: Session, field: str, values: list[str]) -> set[str]:
    if field != "name":
        return set()
    return set(session.scalars(select(User.name).where(User.name.in_(values))))


PEOPLE = Kind("people", (
    Field("name", "text", ("User name", "Korisničko ime", "Username", "Emri i përdoruesit", "Login"),
          required=True, max_length=limits.USER_NAME, pattern=r"[a-z0-9][a-z0-9._-]{0,63}", unique=True),
    Field("display_name", "text", ("Display name", "Name", "Ime", "Ime i prezime", "Emri",
                                   "Emri i plotë", "Full name"), max_length=limits.DISPLAY_NAME),
    Field("email", "email", ("E-mail", "Email", "E-pošta", "Imejl", "Mejl", "Adresa e-pošte", "Adresa e emailit"),
          max_length=limits.EMAIL),
    Field("roles", "choice", ("Roles", "Role", "Uloge", "Uloga", "Rolet", "Roli"), required=True,
          choices={**ROLE_WORDS, **{r: r for r in permissions.ROLES}}, many=True),
    Field("locale", "choice", ("Language", "Interface language", "Jezik", "Gjuha"),
          choices={**LANGUAGE_WORDS, **{code: code for code in INTERFACE_LANGUAGES}}),
), taken=_taken)


def preview(session: Session, actor: Actor, data: bytes, *, sheet: str | None = None) -> Checked:
    """The file's rows as they would be written and every problem, written nowhere."""
    permissions.require(actor, "people", "manage", doing="importing people")
    return check(reading.read(data, sheet=sheet), PEOPLE, session)


def _add(session: Session, actor: Actor, values: dict[str, Any]) -> User:
    user = accounts.add_user(session, values["name"], values["roles"], actor=actor, password=None,
                             email=values["email"] or None, display_name=values["display_name"] or "")
    user.locale = values["locale"]
    return user


def write(session: Session, actor: Actor, data: bytes, *, sha256: str, sheet: str | None = None) -> Checked:
    """Add everyone in the file, or nobody (writing.Refused with every problem)."""
    permissions.require(actor, "people", "manage", doing="importing people")
    return writing.write_all(session, actor, PEOPLE, reading.read(data, sheet=sheet), _add, sha256=sha256)
