"""The kinds of event the office plans, their statuses and who may see them. Pages word each (web/activities)."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    PRESS_CONFERENCE = "press_conference"
    INTERVIEW = "interview"
    STATEMENT = "statement"
    RECEPTION = "reception"
    WORKING_MEETING = "working_meeting"
    VISIT = "visit"  # a delegation or visit, at home or abroad
    INTERNATIONAL_MEETING = "international_meeting"
    PUBLIC_CONSULTATION = "public_consultation"  # also a public meeting
    CAMPAIGN_MILESTONE = "campaign_milestone"
    OTHER = "other"


class Status(StrEnum):
    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


class Visibility(StrEnum):
    INTERNAL = "internal"  # the office only: never in a public page or feed
    PUBLIC = "public"  # the public agenda, once approved and from its "public from"


# Statuses that go out at once, without a second approval: the public must not be told to come to an event
# that will not happen (issue 13). Every change of status is audited.
STOPPED = frozenset({Status.CANCELLED, Status.POSTPONED})

# The kinds whose meetings the public log of meetings with organisations lists (date, place, who,
# organisation, subject), a configurable number of days after they took place.
MEETING_KINDS = frozenset({Kind.RECEPTION, Kind.WORKING_MEETING, Kind.VISIT, Kind.INTERNATIONAL_MEETING,
                           Kind.PUBLIC_CONSULTATION})

# The approval subject type of an event (publisher.approval): its public fields are approved under this name.
APPROVAL_TYPE = "event"
