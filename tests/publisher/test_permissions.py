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
