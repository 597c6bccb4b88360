"""The history page (/history) and its CSV export: filters, keyset pages, escaping, roles."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import delete

from publisher.core.models import UserRole
from publisher.core.states import DeliveryStatus
from publisher.publishing import history
from tests.factories.publishing import BASE, post_with_deliveries
from tests.web.history_data import EVIL, history_mix
from web import history_export
from web.spreadsheet import neutralise

D = DeliveryStatus
READERS = ["ana", "marko", "jelena", "admin"]


def titles(html: str) -> list[str]:
    return re.findall(r'<a href="/posts/\d+">([^<]*)</a>', html)


def csv_rows(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"))))


@pytest.mark.parametrize("name", READERS)
def test_every_role_reads_the_history(signed_in, people, session, name):
    mix = history_mix(session, people)
    session.commit()
    html = signed_in(name).get("/history").get_data(as_text=True)
    assert "Saopštenje o budžetu" in html and "Конкурс за стипендије" in html
    assert f'href="https://example.org/portal/{mix.post.id}" rel="noopener noreferrer"' in html
    assert "ana" in html and "marko" in html  # author and approver
    assert '<nav class="main-nav"' in html and 'href="/history" aria-current="page"' in html


def test_signed_out_and_roleless_people_are_kept_out(client, signed_in, people, session):
    for path in ("/history", "/history.csv", "/history.xlsx"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    browser = signed_in("bojan")
    session.execute(delete(UserRole).where(UserRole.user_id == people.users["bojan"].id))
    session.commit()
    assert browser.get("/history").status_code == 403
    assert browser.get("/history.csv").status_code == 403
    assert browser.get("/history.xlsx").status_code == 403


def test_open_deliveries_are_listed_too_and_rows_come_newest_first(signed_in, people, session):
    """Issue 11: while a channel kept failing the history did not list the delivery waiting to retry."""
    post_with_deliveries(session, people, "staro", {"portal": D.SENT}, at=BASE - timedelta(days=3))
    post_with_deliveries(session, people, "novo", {"portal": D.CANCELLED}, at=BASE - timedelta(hours=1))
    post_with_deliveries(session, people, "u redu čekanja", {"portal": D.PENDING, "archive": D.RETRY_WAIT},
                         error="X: 503 Service Unavailable")
    session.commit()
    browser = signed_in("jelena")
    html = browser.get("/history").get_data(as_text=True)
    assert titles(html) == ["u redu čekanja", "u redu čekanja", "novo", "staro"]
    assert ">biće ponovljeno</span>" in html and ">čeka</span>" in html and "X: 503 Service Unavailable" in html
    retrying = browser.get("/history", query_string={"status": "retry_wait"})
    assert retrying.status_code == 200 and titles(retrying.get_data(as_text=True)) == ["u redu čekanja"]
    assert '<option value="retry_wait"' in html and '<option value="pending"' in html


def test_filters_by_channel_state_title_and_local_days(signed_in, people, session):
    history_mix(session, people)
    # 22:30 UTC on 31 March is 00:30 on 1 April in Belgrade (summer time began on 30 March 2025).
    post_with_deliveries(session, people, "Ponoć u Beogradu", {"archive": D.SENT}, at=datetime(2025, 3, 31, 22, 30, tzinfo=UTC))
    post_with_deliveries(session, people, "Dan ranije", {"archive": D.SENT}, at=datetime(2025, 3, 31, 21, 30, tzinfo=UTC))
    session.commit()
    browser = signed_in("jelena")
    archive = people.channels["archive"].id

    def shown(**args) -> list[str]:
        response = browser.get("/history", query_string=args)
        assert response.status_code == 200, response.get_data(as_text=True)
        return titles(response.get_data(as_text=True))

    assert shown(**{"from": "2025-04-01", "to": "2025-04-01"}) == ["Ponoć u Beogradu"]
    assert shown(**{"to": "2025-03-31"})[0] == "Dan ranije"
    assert shown(status="unknown") == ["Saopštenje o budžetu"]
    assert shown(status="stale", channel=str(archive)) == ["Конкурс за стипендије"]
    assert shown(status="failed", channel=str(archive)) == []
    assert set(shown(q="BUDŽET")) == {"Saopštenje o budžetu"}
    assert shown(q="konkurs") == ["Конкурс за стипендије"] * 2  # Latin finds Cyrillic (both channels)
    assert shown(q="100%") == []  # % is a character here, not a wildcard
    assert shown(q="nema takvog") == []


@pytest.mark.parametrize(("args", "field"), [
    ({"status": "waiting"}, "status"),
    ({"status": "<b>x</b>"}, "status"),
    ({"from": "31.03.2025"}, "from"),
    ({"from": "2025-03-01", "to": "2025-02-01"}, "to"),
    ({"channel": "portal"}, "channel"),
    ({"q": "x" * 201}, "q"),
    ({"before": "2025-01-01_<script>"}, "before"),
])
def test_bad_filters_are_named_and_ignored(signed_in, people, session, args, field):
    history_mix(session, people)
    session.commit()
    response = signed_in("jelena").get("/history", query_string=args)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="error-summary"' in html
    if field != "before":
        assert f'id="filter-{field}-error"' in html
    assert "<script>" not in html and "<b>x</b>" not in html
    assert len(titles(html)) == 6  # the rest of the page still works: every history row shown


def test_keyset_pages_have_no_duplicates_or_gaps_with_equal_times(signed_in, people, session, monkeypatch):
    same = BASE
    for n in range(7):  # seven posts whose deliveries all went out in the same microsecond
        post_with_deliveries(session, people, f"isto {n}", {"portal": D.SENT, "archive": D.SENT}, at=same)
    for n in range(3):
        post_with_deliveries(session, people, f"ranije {n}", {"portal": D.FAILED}, at=same - timedelta(minutes=n + 1))
    session.commit()
    monkeypatch.setattr(history, "PAGE_SIZE", 4)
    browser = signed_in("jelena")
    seen: list[str] = []
    path = "/history"
    pages = 0
    while path:
        html = browser.get(path).get_data(as_text=True)
        seen += re.findall(r'id="row-(\d+)"', html)
        older = re.search(r'href="([^"]+)" rel="next"', html)
        path = older.group(1).replace("&amp;", "&") if older else ""
        pages += 1
    assert pages == 5  # 17 rows by 4
    assert len(seen) == len(set(seen)) == 17


def test_a_page_link_still_works_after_newer_rows_arrive(people, session, rt):
    for n in range(6):
        post_with_deliveries(session, people, f"p{n}", {"portal": D.SENT}, at=BASE + timedelta(seconds=n))
    session.commit()
    f = history.HistoryFilter()
    first = history.history_page(session, f, limit=3)
    post_with_deliveries(session, people, "novije", {"portal": D.SENT}, at=BASE + timedelta(hours=1))
    session.commit()
    second = history.history_page(session, f, after=history.Cursor.decode(first.older.encode()), limit=3)
    assert [r.title for r in first.rows] == ["p5", "p4", "p3"]
    assert [r.title for r in second.rows] == ["p2", "p1", "p0"]
    assert second.older is None


def test_the_export_is_the_filtered_set_with_bom_and_neutralised_formulas(signed_in, people, session):
    history_mix(session, people)
    made = post_with_deliveries(session, people, '=HYPERLINK("http://evil.example","klik")', {"portal": D.FAILED},
                     error="+cmd|' /C calc'!A0", at=BASE + timedelta(minutes=1))
    post_with_deliveries(session, people, "@SUM(1+1)", {"archive": D.SENT}, at=BASE + timedelta(minutes=2))
    post_with_deliveries(session, people, "-2+3", {"archive": D.SENT}, at=BASE + timedelta(minutes=3))
    session.commit()
    browser = signed_in("jelena")
    response = browser.get("/history.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="history-')
    rows = csv_rows(response)
    assert rows[0][0] == "Vreme" and len(rows) == 1 + 9
    assert [r[4] for r in rows[1:4]] == ["'-2+3", "'@SUM(1+1)", "'=HYPERLINK(\"http://evil.example\",\"klik\")"]
    refused = rows[3]
    assert refused[8] == "'+cmd|' /C calc'!A0" and refused[3] == str(made.post.id)
    assert rows[1][0] == "2025-03-10T10:03:00+01:00"  # Belgrade time, with its offset
    assert "Конкурс за стипендије" in [r[4] for r in rows]

    only_portal = csv_rows(browser.get("/history.csv", query_string={
        "channel": str(people.channels["portal"].id), "status": "sent"}))
    assert len(only_portal) == 1 + 2 and {r[1] for r in only_portal[1:]} == {"portal"}
    assert browser.get("/history.csv", query_string={"status": "nope"}).status_code == 422


def test_the_export_streams_more_rows_than_one_batch(people, session, signed_in, monkeypatch):
    for n in range(5):
        post_with_deliveries(session, people, f"r{n}", {"portal": D.SENT, "archive": D.SENT}, at=BASE + timedelta(seconds=n))
    session.commit()
    monkeypatch.setattr(history, "EXPORT_BATCH", 3)
    response = signed_in("marko").get("/history.csv")
    ids = [r[3] for r in csv_rows(response)[1:]]
    assert len(ids) == 10


def test_the_workbook_holds_the_filtered_rows_as_text_and_times(signed_in, people, session, monkeypatch):
    history_mix(session, people)
    made = post_with_deliveries(session, people, '=HYPERLINK("http://evil.example","klik")', {"portal": D.FAILED},
                                error="a;=cmd\x07", at=BASE + timedelta(minutes=1))
    session.commit()
    monkeypatch.setattr(history, "EXPORT_BATCH", 3)  # several batches
    browser = signed_in("jelena")
    response = browser.get("/history.xlsx")
    assert response.status_code == 200 and response.mimetype == history_export.XLSX_TYPE
    assert response.headers["Content-Disposition"].startswith('attachment; filename="history-')
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    rows = list(book.active.iter_rows(values_only=True))
    csv_version = csv_rows(browser.get("/history.csv"))
    assert len(rows) == len(csv_version) == 1 + 7
    assert rows[0][0] == "Vreme"
    newest = rows[1]
    assert newest[0] == datetime(2025, 3, 10, 10, 1)  # a real date-time, in Belgrade's time
    assert newest[3] == made.post.id  # a number
    assert newest[4] == '=HYPERLINK("http://evil.example","klik")' and newest[8] == "a;=cmd"
    cell = book.active.cell(row=2, column=5)
    assert cell.data_type == "s"  # text, not a formula
    assert [r[4] for r in rows[1:]] == [r[4].removeprefix("'") for r in csv_version[1:]]
    only_portal = openpyxl.load_workbook(io.BytesIO(browser.get("/history.xlsx", query_string={
        "channel": str(people.channels["portal"].id), "status": "sent"}).get_data()))
    assert {r[1] for r in list(only_portal.active.iter_rows(values_only=True))[1:]} == {"portal"}
    assert browser.get("/history.xlsx", query_string={"status": "nope"}).status_code == 422
    assert 'href="/history.xlsx"' in browser.get("/history").get_data(as_text=True)


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=x", "'\t'=x"), ("a=b", "a=b"),
    # Serbian Excel splits at ";", others at "," or tab or a line break: a formula may start after any of them.
    ("Beograd;=cmd|' /C calc'!A0", "Beograd;'=cmd|' /C calc'!A0"), ("a,+1", "a,'+1"), ("a\t-1", "a\t'-1"),
    ("x\n@SUM(A1)", "x\n'@SUM(A1)"), ("x\r\n=1", "x\r\n'=1"), ("a; =1", "a; '=1"), ("a;b=1", "a;b=1"),
    ("=1;=2,=3", "'=1;'=2,'=3"), ("a-b, c", "a-b, c"),
    (None, ""), (12, "12"), ("Ćao", "Ćao"),
])
def test_neutralise(value, cell):
    assert neutralise(value) == cell


def test_titles_and_errors_are_escaped(signed_in, people, session):
    post_with_deliveries(session, people, EVIL, {"portal": D.FAILED}, error=EVIL)
    session.commit()
    html = signed_in("jelena").get("/history").get_data(as_text=True)
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_url_that_is_not_http_is_shown_not_linked(signed_in, people, session):
    made = post_with_deliveries(session, people, "čudna veza", {"portal": D.SENT})
    made.deliveries["portal"].url = "javascript:alert(1)"
    session.commit()
    html = signed_in("jelena").get("/history").get_data(as_text=True)
    assert 'href="javascript:' not in html and "javascript:alert(1)" in html


def test_a_channel_that_takes_languages_one_by_one_has_a_row_per_language(signed_in, people, session):
    from tests.web.history_data import history_languages
    made = history_languages(session, people)
    session.commit()
    html = signed_in("jelena").get("/history").get_data(as_text=True)
    rows = re.findall(r'<tr id="row-\d+">(.*?)</tr>', html, re.DOTALL)
    channels = sorted(re.search(r'data-label="Kanal">(.*?)</td>', row).group(1) for row in rows)
    assert channels == ['archive', 'portal <span class="lang-label">albanski</span>',
                        'portal <span class="lang-label">engleski</span>',
                        'portal <span class="lang-label">srpski (latinica)</span>']
    assert f'href="https://example.org/portal/{made.post.id}/sq"' in html
