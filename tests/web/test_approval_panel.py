"""The approval panel on an area's page and the generic moves behind it, on a test area whose records are
dicts (tests.factories.approval): four eyes on the page and on the server, the version read, send back with a
comment, refusals said on the page, and the approvals list's "other things waiting"."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from publisher.approval import service
from publisher.approval.models import ApprovalState
from publisher.approval.subject import Subject
from publisher.core.models import User
from tests.factories.approval import notices, with_notices_page  # noqa: F401 - fixture

HASH = re.compile(r'name="content_hash" value="([0-9a-f]{64})"')


@pytest.fixture
def app(app, notices):  # noqa: F811
    """The dashboard with a notices page of the test area, the panel on it."""
    return with_notices_page(app)


@pytest.fixture
def person(signed_in, people, session):
    """person("marko"): signed in, the interface in English so the assertions read plainly."""

    def sign_in(name: str):
        session.execute(update(User).where(User.id == people.users[name].id).values(locale="en"))
        session.commit()
        return signed_in(name)

    return sign_in


@pytest.fixture
def waiting(session, people, notices):  # noqa: F811
    subject = notices.add(1, "Javni poziv", "Rok je 1. mart.", people.users["ana"].id)
    service.submit(session, people.actor("ana"), subject)
    session.commit()
    return subject


def test_an_approver_approves_exactly_the_version_shown(person, session, waiting):
    marko = person("marko")
    page = marko.get("/test-notices/1").get_data(as_text=True)
    assert "Waiting for approval" in page and "Rok je 1. mart." in page
    seen = HASH.search(page).group(1)
    response = marko.post("/approval/notice/1/approve", {"content_hash": seen})
    assert response.status_code == 303 and response.headers["Location"].endswith("/test-notices/1")
    page = marko.get("/test-notices/1").get_data(as_text=True)
    assert "Approved: exactly the version you read may go out." in page and "approved by marko" in page
    session.expire_all()
    assert service.approved_version(session, waiting) == {"title": "Javni poziv", "body": "Rok je 1. mart."}


def test_a_change_after_the_page_was_read_is_refused_on_the_page(person, session, notices, waiting):  # noqa: F811
    marko = person("marko")
    seen = HASH.search(marko.get("/test-notices/1").get_data(as_text=True)).group(1)
    notices.records[1]["body"] = "Rok je 9. mart."
    marko.post("/approval/notice/1/approve", {"content_hash": seen})
    page = marko.get("/test-notices/1").get_data(as_text=True)
    assert "It changed after you opened it." in page and "Rok je 9. mart." in page
    session.expire_all()
    assert service.state(session, waiting) == ApprovalState.WAITING


def test_the_writer_sees_no_decision_and_is_refused_on_the_server(person, session, people, notices):  # noqa: F811
    notices.add(2, "Olgin poziv", "Tekst", people.users["olga"].id)
    service.submit(session, people.actor("olga"), Subject("notice", 2))
    session.commit()
    olga = person("olga")
    page = olga.get("/test-notices/2").get_data(as_text=True)
    assert "You may not approve or send this back." in page and 'name="content_hash"' not in page
    assert "Withdraw from approval" in page
    seen = service.current_hash(session, Subject("notice", 2))[1]
    assert olga.post("/approval/notice/2/approve", {"content_hash": seen}).status_code == 403
    assert olga.post("/approval/notice/2/send-back", {"comment": "ne"}).status_code == 403


def test_sending_back_without_a_comment_is_refused_and_with_one_is_shown(person, session, waiting):
    marko = person("marko")
    marko.get("/test-notices/1")
    marko.post("/approval/notice/1/send-back", {"comment": "  "})
    assert "Write a comment: the author needs to know what to change." in marko.get("/test-notices/1").get_data(
        as_text=True)
    marko.post("/approval/notice/1/send-back", {"comment": "Navedi adresu."})
    ana = person("ana")
    page = ana.get("/test-notices/1").get_data(as_text=True)
    assert "Sent back for changes" in page and "sent back by marko: Navedi adresu." in page
    assert "Submit for approval" in page


def test_unknown_subjects_are_not_found(person, people):
    marko = person("marko")
    marko.get("/approvals")
    assert marko.post("/approval/letter/1/approve", {"content_hash": "0" * 64}).status_code == 404
    assert marko.post("/approval/notice/77/approve", {"content_hash": "0" * 64}).status_code == 404
    assert marko.post(f"/approval/notice/{2**63}/submit").status_code == 404
    assert marko.post("/approval/notice/1/approve", {"content_hash": "0" * 64}, csrf=False).status_code == 400


def test_the_approvals_list_shows_other_things_waiting(person, session, people, notices):  # noqa: F811
    marko = person("marko")
    assert "Other things waiting for your approval" not in marko.get("/approvals").get_data(as_text=True)
    service.submit(session, people.actor("ana"), notices.add(1, "Javni poziv", "Tekst", people.users["ana"].id))
    session.commit()
    page = marko.get("/approvals").get_data(as_text=True)
    assert "Other things waiting for your approval" in page and 'href="/test-notices/1">Javni poziv' in page


def test_hostile_comments_are_refused_and_nothing_is_written(person, session, waiting):
    marko = person("marko")
    marko.get("/test-notices/1")
    assert marko.post("/approval/notice/1/send-back", {"comment": "a\x00b"}).status_code == 400
    marko.post("/approval/notice/1/send-back", {"comment": "x" * 2001})
    assert "A comment is at most 2000 characters." in marko.get("/test-notices/1").get_data(as_text=True)
    session.expire_all()
    assert service.state(session, waiting) == ApprovalState.WAITING and service.history(session, waiting) == []
