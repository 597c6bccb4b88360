"""The public agenda's words for what the core stores as names: an event's kind and status, an official's role.

The office's pages (web/activities) word the same names for the staff; these are the public's, kept here so the
public site needs nothing of the dashboard's.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KINDS = {
    "press_conference": _l("Press conference"),
    "interview": _l("Interview"),
    "statement": _l("Statement"),
    "reception": _l("Reception"),
    "working_meeting": _l("Working meeting"),
    "visit": _l("Delegation or visit"),
    "international_meeting": _l("International meeting"),
    "public_consultation": _l("Public consultation or public meeting"),
    "campaign_milestone": _l("Campaign milestone"),
    "other": _l("Other event"),
}

# Confirmed is what the public expects of an agenda: only the other statuses are said on the page.
STATUSES = {
    "tentative": _l("To be confirmed"),
    "cancelled": _l("Cancelled"),
    "postponed": _l("Postponed"),
}

# An official's role, said when their position is not written in the reader's language.
ROLES = {
    "minister": _l("Minister"),
    "state_secretary": _l("State secretary"),
    "spokesperson": _l("Spokesperson"),
    "official": _l("Official"),
}


def kind_word(kind: str) -> str:
    return str(KINDS.get(kind, KINDS["other"]))


def status_word(status: str) -> str | None:
    word = STATUSES.get(status)
    return str(word) if word is not None else None


def role_word(role: str) -> str:
    return str(ROLES.get(role, ROLES["official"]))
