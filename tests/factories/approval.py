"""A subject type for approval tests whose records are plain dicts the test holds: no tables of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Blueprint, Flask, render_template_string

from channels.base import Problem
from publisher.approval import subject as subjects
from publisher.approval.subject import Subject, SubjectType
from publisher.core import permissions
from web import approval_panel

NOTICE = "notice"


@dataclass
class Notices:
    """Notices by id: {"title", "body", "authors": set of user ids}. The test edits them as an area would."""

    records: dict[int, dict[str, Any]] = field(default_factory=dict)

    def add(self, notice_id: int, title: str, body: str, *authors: int) -> Subject:
        self.records[notice_id] = {"title": title, "body": body, "authors": set(authors)}
        return Subject(NOTICE, notice_id)


def notice_type(notices: Notices) -> SubjectType:
    return SubjectType(
        name=NOTICE,
        area="notices",
        load=lambda session, notice_id: notices.records.get(notice_id),
        freeze=lambda record: {"title": record["title"], "body": record["body"]},
        contributors=lambda record: set(record["authors"]),
        title=lambda record: record["title"],
        problems=lambda record, frozen: [] if frozen["body"].strip() else
        [Problem("", "the notice has no text", field="body", code="empty")],
        noun="the notice",
    )


@pytest.fixture
def notices(monkeypatch: pytest.MonkeyPatch):
    """The "notice" type registered for one test, with officers submitting and approvers deciding."""
    held = Notices()
    monkeypatch.setitem(permissions.RULES, ("notices", "submit"),
                        permissions.Rule(("officer",), "submitting a notice for approval"))
    monkeypatch.setitem(permissions.RULES, ("notices", "approve"),
                        permissions.Rule(("approver", "head_of_office"), "approving a notice"))
    subjects.register(notice_type(held))
    yield held
    subjects.unregister(NOTICE)


PAGE = """{% extends "base.html" %}{% from "_approval_panel.html" import approval_panel %}
{% block title %}{{ approval.fields[0].value }}{% endblock %}
{% block content %}<h1>{{ approval.fields[0].value }}</h1>{{ approval_panel(approval) }}{% endblock %}"""


def with_notices_page(app: Flask) -> Flask:
    """The test area's page, /test-notices/<id>, with the approval panel on it, as an area's page would have."""
    page = Blueprint("test_notices", __name__)

    @page.get("/test-notices/<int:notice_id>")
    def show(notice_id: int) -> str:
        return render_template_string(PAGE, approval=approval_panel.panel(
            Subject(NOTICE, notice_id), [("Title", "title"), ("Text", "body")]))

    app.register_blueprint(page)
    approval_panel.register_page(NOTICE, lambda notice_id: f"/test-notices/{notice_id}")
    return app
