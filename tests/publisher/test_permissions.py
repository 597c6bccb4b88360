"""Who may do what: one table, asked the same way by services and pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from publisher.core import permissions
from publisher.core.actor import Actor
from publisher.core.errors import Forbidden
from publisher.core.models import User, UserRole

ROOT = Path(__file__).resolve().parents[2]
# permissions.require(actor, "posts", "write") / current_user.may("posts", "write") / @permission_required(…)
NAMED = re.compile(r"""(?:require\(\s*[\w.]+,\s*|may\(\s*|permission_required\(\s*|\(\s*)"(\w+)",\s*"(\w+)"\s*\)?""")


def person(*roles: str) -> User:
    return User(name="x", display_name="x", role_rows=[UserRole(role=role) for role in roles])


def test_every_rule_a_service_or_a_page_names_is_in_the_table():
    named = set()
    for path in [*ROOT.glob("publisher/**/*.py"), *ROOT.glob("web/**/*.py"), *ROOT.glob("web/templates/*.html")]:
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if "require(" in line or "may(" in line or "permission_required(" in line or "NavItem(" in line:
                named |= {m.groups() for m in NAMED.finditer(line)}
    assert named, "the pattern finds the calls"
    assert named - set(permissions.RULES) == set()


def test_the_table_names_only_known_roles():
    assert {role for rule in permissions.RULES.values() for role in rule.roles} <= set(permissions.ROLES)


@pytest.mark.parametrize(("roles", "area", "action", "allowed"), [
    (("officer",), "posts", "write", True),
    (("approver",), "posts", "write", False),
    (("approver",), "posts", "approve", True),
    (("officer",), "posts", "approve", False),
    (("manager",), "posts", "history", True),
    (("manager",), "deliveries", "decide", False),
    (("admin",), "posts", "plan", True),  # admins read the queue and the history
    (("approver",), "publishing", "hold", False),  # a hold is part of running the channels
    (("admin",), "publishing", "hold", True),
    (("officer", "approver"), "posts", "approve", True),
    ((), "posts", "history", False),
])
def test_may(roles, area, action, allowed):
    assert permissions.may(person(*roles), area, action) is allowed


READING = {"posts.plan", "posts.history", "alerts.read"}  # every signed-in person
WRITING = {"posts.write", "posts.edit", "posts.submit", "posts.move", "posts.withdraw", "posts.delete",
           "posts.duplicate"}
EVENTS = {"activities.read", "activities.write", "activities.edit", "activities.submit", "activities.status",
          "activities.weekly_plan"}  # planning events: officers and the cabinet
# What each role alone may do today, row by row (docs/roles.md gives the reasons).
MAY = {
    "officer": READING | WRITING | EVENTS | {"posts.cancel", "deliveries.decide", "alerts.resolve", "media.upload",
                                             "media.describe"},
    "approver": READING | {"posts.approve", "posts.reject", "posts.cancel", "deliveries.decide", "alerts.resolve",
                           "activities.read", "activities.approve"},
    "manager": READING | {"audit.read", "activities.read"},
    "head_of_office": READING | {"audit.read", "posts.approve", "posts.reject", "posts.cancel", "activities.read",
                                 "activities.approve", "activities.status", "activities.officials",
                                 "activities.weekly_plan"},
    "cabinet": READING | EVENTS | {"activities.officials"},
    "info_officer": READING,
    "admin": READING | {"posts.cancel", "deliveries.decide", "alerts.resolve", "publishing.hold",
                        "channels.manage", "channels.add", "media.upload", "media.describe", "audit.read",
                        "people.manage", "administration.enter", "outbox.manage", "activities.officials"},
}


def allowed_rows(user: User) -> set[str]:
    return {f"{area}.{action}" for area, action in permissions.RULES if permissions.may(user, area, action)}


@pytest.mark.parametrize("role", permissions.ROLES)
def test_what_each_role_may_do(role):
    assert allowed_rows(person(role)) == MAY[role]


def test_every_role_is_in_the_matrix_and_every_row_has_a_role():
    assert set(MAY) == set(permissions.ROLES)
    assert set().union(*MAY.values()) == {f"{area}.{action}" for area, action in permissions.RULES}


def test_a_person_with_several_roles_may_do_what_any_of_them_allows():
    assert allowed_rows(person("cabinet", "officer")) == MAY["cabinet"] | MAY["officer"]
    assert allowed_rows(person("head_of_office", "info_officer")) == MAY["head_of_office"]
    assert allowed_rows(person(*permissions.ROLES)) == set().union(*MAY.values())


def test_a_refusal_names_every_role_that_would_do():
    with pytest.raises(Forbidden) as refused:
        permissions.require(Actor(person("cabinet"), via="test"), "posts", "approve")
    assert refused.value.message == "approving a post needs the role approver or head_of_office"
    assert refused.value.details == {"roles": ["approver", "head_of_office"]}


def test_only_rules_marked_so_admit_a_process():
    assert permissions.may(None, "publishing", "hold")
    assert not permissions.may(None, "posts", "write")
    with pytest.raises(Forbidden):
        permissions.require(Actor.system("cli"), "people", "manage")


def test_a_refusal_says_what_and_which_roles():
    with pytest.raises(Forbidden) as refused:
        permissions.require(Actor(person("manager"), via="test"), "deliveries", "decide")
    assert refused.value.message == "deciding about a delivery needs the role officer or approver or admin"
    assert refused.value.details == {"roles": ["officer", "approver", "admin"]}
    with pytest.raises(Forbidden, match="^changing a channel needs the role admin$"):
        permissions.require(Actor(person("officer"), via="test"), "channels", "manage", doing="changing a channel")
    with pytest.raises(Forbidden, match="^only officers and admins upload media$"):
        permissions.require(Actor(person("manager"), via="test"), "media", "upload")


def test_an_unknown_rule_is_a_programming_error_not_a_refusal():
    with pytest.raises(LookupError, match="no permission rule for posts.fly"):
        permissions.may(person("admin"), "posts", "fly")


def test_every_rule_is_explained_for_people_in_docs_roles():
    text = (Path(__file__).parents[2] / "docs" / "roles.md").read_text(encoding="utf-8")
    missing = [f"{area}.{action}" for area, action in permissions.RULES if f"`{area}.{action}`" not in text]
    assert missing == []


def test_every_role_is_explained_in_docs_roles_with_the_rows_that_name_it():
    text = (Path(__file__).parents[2] / "docs" / "roles.md").read_text(encoding="utf-8")
    assert [role for role in permissions.ROLES if f"| `{role}` |" not in text] == []
    rows = dict(re.findall(r"^\| (`[\w.]+`(?:, `[\w.]+`)*) \| ([^|]+) \|", text, re.MULTILINE))
    for names, roles in rows.items():
        for name in re.findall(r"`([\w.]+)`", names):
            if "." not in name:
                continue  # the table of roles
            said = set(permissions.ROLES) if roles.startswith("everyone signed in") else \
                {r.strip() for r in re.sub(r"\(.*?\)", "", roles).split(",")}
            area, action = name.split(".")
            assert said == set(permissions.rule(area, action).roles), name
