"""The audit page: managers and admins filter the log by person, action, object and time, page it, export it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from publisher.audit import trail
from publisher.core.models import AuditEvent
from tests.factories.people import SYSTEM


def csv_rows(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))


def _event(session, actor, action: str, *, at: datetime, **fields) -> None:
    event = trail.record(session, actor, action, **fields)
    event.at = at


@pytest.fixture
def log(session, people):
    ana, marko = people.actor("ana"), people.actor("marko")
    for reader in ("jelena", "admin"):
        people.users[reader].locale = "en"  # the page's words in English; the catalogs cover the other three
    _event(session, ana, "post.create", at=datetime(2031, 3, 1, 9, tzinfo=UTC), post_id=7, subject="post:7")
    _event(session, marko, "post.approve", at=datetime(2031, 3, 2, 9, tzinfo=UTC), post_id=7, subject="post:7")
    _event(session, SYSTEM, "delivery.sent", at=datetime(2031, 3, 3, 9, tzinfo=UTC), post_id=7,
           subject="delivery:12", detail={"n": 1})
    _event(session, ana, "post.create", at=datetime(2031, 3, 4, 9, tzinfo=UTC), post_id=8,
           subject="post:8,=1+2")
    session.commit()
    return people


@pytest.mark.parametrize(("name", "status"), [("jelena", 200), ("admin", 200), ("ana", 403), ("marko", 403)])
def test_managers_and_admins_read_the_log_others_do_not(signed_in, log, name, status):
    browser = signed_in(name)
    assert browser.get("/audit").status_code == status
    assert browser.get("/audit.csv").status_code == status
    home = browser.get("/").get_data(as_text=True)
    assert ('href="/audit"' in home) is (status == 200)


def test_actions_are_named_in_words_and_filters_narrow_the_rows(signed_in, log):
    browser = signed_in("jelena")
    html = browser.get("/audit").get_data(as_text=True)
    assert "post approved" in html and "delivery went out" in html
    assert ">post.approve<" not in html
    ana = log.users["ana"].id
    html = browser.get(f"/audit?person={ana}").get_data(as_text=True)
    assert html.count('id="event-') == 2  # ana wrote two posts
    html = browser.get("/audit?action=post.approve").get_data(as_text=True)
    assert html.count('id="event-') == 1
    html = browser.get("/audit?post=8").get_data(as_text=True)
    assert html.count('id="event-') == 1
    html = browser.get("/audit?subject=delivery:12").get_data(as_text=True)
    assert html.count('id="event-') == 1
    html = browser.get("/audit?from=2031-03-02&to=2031-03-03").get_data(as_text=True)
    assert html.count('id="event-') == 2


def test_the_pages_go_back_in_time(signed_in, log, session, monkeypatch):
    from publisher.audit import reading

    monkeypatch.setattr(reading, "PAGE_SIZE", 3)
    browser = signed_in("admin")
    first = browser.get("/audit?action=post.create").get_data(as_text=True)
    assert first.count('id="event-') == 2 and 'rel="next"' not in first
    everything = session.query(AuditEvent).count()
    html = browser.get("/audit").get_data(as_text=True)
    shown = html.count('id="event-')
    older = html.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    rest = browser.get(older).get_data(as_text=True).count('id="event-')
    assert shown == 3 and rest >= 1 and shown + rest <= everything


@pytest.mark.parametrize("query", ["person=abc", "person=99999999999999999999999", "post=-1", "post=１２",
                                   "from=0001-01-01", "to=9999-12-31", "from=2031-03-05&to=2031-03-01",
                                   "subject=" + "x" * 101, "before=x"])
def test_a_filter_that_cannot_be_read_is_named_never_a_500(signed_in, log, query):
    browser = signed_in("jelena")
    response = browser.get(f"/audit?{query}")
    assert response.status_code == 422
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert browser.get(f"/audit.csv?{query}").status_code in (200, 422)


def test_a_nul_in_a_filter_is_refused_before_the_page_naming_the_field(signed_in, log):
    browser = signed_in("jelena")
    for path in ("/audit?subject=a%00b", "/audit.csv?subject=a%00b"):
        response = browser.get(path)  # web.params refuses it for every page: text the database cannot store
        assert response.status_code == 400 and "subject" in response.get_data(as_text=True)


def test_the_export_is_the_filtered_set_with_formulas_neutralised(signed_in, log):
    response = signed_in("admin").get("/audit.csv?post=7")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-')
    rows = csv_rows(response)
    assert rows[0][:3] == ["Row", "Time", "Who"]
    assert [r[5] for r in rows[1:]] == ["delivery went out", "post approved", "post written"]
    assert rows[2][2] == "marko"
    eight = csv_rows(signed_in("admin").get("/audit.csv?post=8"))
    assert eight[1][7] == "post:8,'=1+2"  # a formula after the comma
