"""Who may do what: one table of area x action -> roles, consulted by services and by pages alike.

Services call `require` before they change anything; pages call `may` to decide what to offer and
`web.roles.permission_required` to refuse a route. A new area adds its rows here; a new role is a name in
ROLES (and its words in web/labels.py) plus the rows that name it: nothing else changes. Whoever needs "the
people who may do X" (whom to tell of a post waiting for approval) asks `rule(area, action).roles`.

The decisions behind the rows, for people, are in docs/roles.md (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from publisher.core.actor import Actor
from publisher.core.errors import Forbidden
from publisher.core.models import User

# In the order the admin pages list them. A person may hold several; what one may do is the union of theirs.
ROLES = (
    "officer",  # the communication office writes, schedules and publishes
    "approver",  # the second pair of eyes
    "manager",  # follows what happens, changes nothing
    "head_of_office",  # the head of the communication office: oversees, approves, reads the log
    "cabinet",  # the minister's cabinet: plans receptions, meetings, delegations (events come with issue 13)
    "info_officer",  # designated for requests for access to public information (the requests register to come)
    "admin",  # runs channels and accounts
)


@dataclass(frozen=True)
class Rule:
    roles: tuple[str, ...]  # in the order a refusal names them
    doing: str  # completes "... needs the role X": what the person tried, in their words
    refusal: str | None = None  # a refusal worded otherwise than "<doing> needs the role <roles>"
    system: bool = False  # a process or the command line (no person) may do it too


def _rule(roles: str, doing: str, *, refusal: str | None = None, system: bool = False) -> Rule:
    return Rule(tuple(roles.split()), doing, refusal, system)


EVERYONE = " ".join(ROLES)  # every signed-in person, whichever role they hold

RULES: dict[tuple[str, str], Rule] = {
    # posts: the content queue
    ("posts", "write"): _rule("officer", "writing a post"),
    ("posts", "edit"): _rule("officer", "editing a post"),
    ("posts", "submit"): _rule("officer", "submitting a post for approval"),
    ("posts", "approve"): _rule("approver head_of_office", "approving a post"),
    ("posts", "reject"): _rule("approver head_of_office", "rejecting a post"),
    ("posts", "cancel"): _rule("officer approver head_of_office admin", "cancelling a post"),
    ("posts", "move"): _rule("officer", "moving a post in time"),
    ("posts", "withdraw"): _rule("officer", "withdrawing a post from approval"),
    ("posts", "delete"): _rule("officer", "deleting a draft"),
    ("posts", "duplicate"): _rule("officer", "duplicating a post"),
    # Reading what is planned harms nothing: admins see it too (before they pause or change a channel).
    ("posts", "plan"): _rule(EVERYONE, "reading the queue and the calendar"),
    ("posts", "history"): _rule(EVERYONE, "reading the history"),
    # publishing: what the worker could not settle, alerts, holds
    ("deliveries", "decide"): _rule("officer approver admin", "deciding about a delivery"),
    ("alerts", "read"): _rule(EVERYONE, "reading the alerts"),
    ("alerts", "resolve"): _rule("officer approver admin", "resolving an alert"),
    # the outbox: every mail the product sent; resending one whose fate is unknown is a person's decision
    ("outbox", "manage"): _rule("admin", "managing the outbox"),
    # A hold stops every channel: part of running the channels, as the pages always said. An approver stops
    # one post by cancelling it.
    ("publishing", "hold"): _rule("admin", "holding or releasing publishing", system=True),
    # activities: the calendar of the minister's and the ministry's events. Its planning is not for everyone
    # (a trip is announced only once it starts), so reading it is a row of its own.
    ("activities", "read"): _rule("officer approver manager head_of_office cabinet", "reading the events"),
    ("activities", "write"): _rule("officer cabinet", "planning an event"),
    ("activities", "edit"): _rule("officer cabinet", "editing an event"),
    ("activities", "submit"): _rule("officer cabinet", "submitting an event's public fields for approval"),
    ("activities", "approve"): _rule("approver head_of_office", "approving an event's public fields"),
    ("activities", "status"): _rule("officer cabinet head_of_office", "cancelling, postponing or confirming an event"),
    ("activities", "officials"): _rule("cabinet head_of_office admin", "keeping the list of officials",
                                        system=True),  # the demo and the command line fill it
    ("activities", "weekly_plan"): _rule("officer cabinet head_of_office", "sending the weekly plan",
                                         system=True),
    # channels
    ("channels", "manage"): _rule("admin", "managing channels"),
    ("channels", "add"): _rule("admin", "adding a channel"),
    # media library (everyone signed in reads it)
    ("media", "upload"): _rule("officer admin", "uploading media", refusal="only officers and admins upload media"),
    ("media", "describe"): _rule("officer admin", "describing media",
                                 refusal="only officers and admins describe media"),
    # the audit log
    ("audit", "read"): _rule("manager head_of_office admin", "reading the audit log"),
    # people
    ("people", "manage"): _rule("admin", "managing people"),
    # the administration pages (people and channels)
    ("administration", "enter"): _rule("admin", "running people and channels"),
}


def rule(area: str, action: str) -> Rule:
    try:
        return RULES[(area, action)]
    except KeyError:
        raise LookupError(f"no permission rule for {area}.{action}: add it to publisher.core.permissions") from None


def may(user: User | None, area: str, action: str) -> bool:
    """Whether this person may do it (None: a process or the command line)."""
    wanted = rule(area, action)
    if user is None:
        return wanted.system
    return user.has_role(*wanted.roles)


def require(actor: Actor, area: str, action: str, *, doing: str | None = None) -> None:
    """Raise Forbidden unless the actor may do it; `doing` words the refusal for this call."""
    wanted = rule(area, action)
    if may(actor.user, area, action):
        return
    roles = list(wanted.roles)
    message = wanted.refusal if wanted.refusal and doing is None else \
        f"{doing or wanted.doing} needs the role {' or '.join(roles)}"
    raise Forbidden(message, details={"roles": roles})
