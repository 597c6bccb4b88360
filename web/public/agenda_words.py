"""The public agenda's words for what the core stores as names: an event's kind and status, an official's role.

The kinds and roles are worded as on the office's pages (web.activities.words); the statuses are the public's
own: an agenda says "to be confirmed", and says nothing of a confirmed event.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from publisher.activities.kinds import Kind
from web.activities import words

KINDS = words.KINDS

# Confirmed is what the public expects of an agenda: only the other statuses are said on the page.
STATUSES = {
    "tentative": _l("To be confirmed"),
    "cancelled": _l("Cancelled"),
    "postponed": _l("Postponed"),
}

# An official's role, said when their position is not written in the reader's language.
ROLES = words.OFFICIAL_ROLES


def kind_word(kind: str) -> str:
    return str(KINDS.get(kind, KINDS[Kind.OTHER]))


def status_word(status: str) -> str | None:
    word = STATUSES.get(status)
    return str(word) if word is not None else None


def role_word(role: str) -> str:
    return str(ROLES.get(role, ROLES["official"]))
