"""The labels the office's pages give the kinds of event, their statuses, visibilities and the officials'
roles (publisher.activities.kinds and .officials keep only the values)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from publisher.activities.kinds import Kind, Status, Visibility

KINDS = {
    Kind.PRESS_CONFERENCE: _l("Press conference"),
    Kind.INTERVIEW: _l("Interview"),
    Kind.STATEMENT: _l("Statement"),
    Kind.RECEPTION: _l("Reception"),
    Kind.WORKING_MEETING: _l("Working meeting"),
    Kind.VISIT: _l("Delegation or visit"),
    Kind.INTERNATIONAL_MEETING: _l("International meeting"),
    Kind.PUBLIC_CONSULTATION: _l("Public consultation or public meeting"),
    Kind.CAMPAIGN_MILESTONE: _l("Campaign milestone"),
    Kind.OTHER: _l("Other event"),
}

STATUSES = {
    Status.TENTATIVE: _l("Tentative"),
    Status.CONFIRMED: _l("Confirmed"),
    Status.CANCELLED: _l("Cancelled"),
    Status.POSTPONED: _l("Postponed"),
}

# The status as a mark inside a line ("Press conference · confirmed"): the calendar's entries and filters.
STATUS_MARKS = {
    Status.TENTATIVE: _l("tentative"),
    Status.CONFIRMED: _l("confirmed"),
    Status.CANCELLED: _l("cancelled"),
    Status.POSTPONED: _l("postponed"),
}

VISIBILITIES = {
    Visibility.INTERNAL: _l("Internal: the office only"),
    Visibility.PUBLIC: _l("Public: on the public agenda once approved"),
}

OFFICIAL_ROLES = {
    "minister": _l("Minister"),
    "state_secretary": _l("State secretary"),
    "spokesperson": _l("Spokesperson"),
    "official": _l("Official"),
}

REPEATS = {
    "": _l("Does not repeat"),
    "DAILY": _l("Every day"),
    "WEEKLY": _l("Every week"),
    "MONTHLY": _l("Every month"),
}


def kind_name(value: str) -> str:
    return str(KINDS.get(value, value))  # type: ignore[call-overload]


def status_name(value: str) -> str:
    return str(STATUSES.get(value, value))  # type: ignore[call-overload]


def visibility_name(value: str) -> str:
    return str(VISIBILITIES.get(value, value))  # type: ignore[call-overload]


def role_name(value: str) -> str:
    return str(OFFICIAL_ROLES.get(value, value))
