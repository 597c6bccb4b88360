"""The calendar's month, week and list views: what each shows where (a day's posts, an hour's, the posts
without a time on today), the empty slots that compose for their time, the move page a drop opens, and every
address nobody could have made refused with a clear 400."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, update

from publisher.core.models import Post
from publisher.posts import calendar
from tests.web.test_posts_api import scheduled_post, submitted_post
from tests.web.test_queue import ZONE, draft_at, read_post
from web import dates


@pytest.fixture
def stopped_clock(rt):
    def stop(moment: datetime) -> None:
        rt.clock = lambda: moment

    return stop


def page(browser, path: str) -> str:
    response = browser.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


# The month


def test_the_month_is_six_weeks_from_the_monday_before_the_first(api, session):
    draft_at(api, "2031-05-31T08:00:00Z", "maj")  # Saturday before June: in the grid, not in the month
    draft_at(api, "2031-06-16T08:00:00Z", "jun")
    draft_at(api, "2031-07-07T08:00:00Z", "jul")  # after the sixth week
    shown = calendar.month(session, date(2031, 6, 20), ZONE)
    days = [d for week in shown.weeks for d in week]
    assert len(shown.weeks) == 6 and all(len(w) == 7 for w in shown.weeks)
    assert (days[0].date, days[-1].date) == (date(2031, 5, 26), date(2031, 7, 6))
    titles = {d.date: [e.title for e in d.entries] for d in days if d.entries}
    assert titles == {date(2031, 5, 31): ["maj"], date(2031, 6, 16): ["jun"]}
    assert shown.holds(date(2031, 6, 30)) and not shown.holds(date(2031, 5, 31))
    assert (shown.previous, shown.next) == (date(2031, 5, 1), date(2031, 7, 1))
    assert calendar.month(session, date(2031, 12, 31), ZONE).next == date(2032, 1, 1)


def test_the_month_is_read_with_one_range_query(api, session, rt):
    for hour in range(8, 14):
        draft_at(api, f"2031-06-{hour + 2:02d}T{hour:02d}:00:00Z", f"p{hour}")
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:
        if statement.startswith("SELECT"):
            statements.append(statement)

    event.listen(rt.engine, "before_cursor_execute", seen)
    try:
        calendar.month(session, date(2031, 6, 1), ZONE)
    finally:
        event.remove(rt.engine, "before_cursor_execute", seen)
    # the range, the posts without a time that went out in it (an index range too), the channels' names
    assert len(statements) == 3
    assert sum("LIMIT" in s for s in statements) == 2 and sum("post_channels" in s for s in statements) == 1


def test_a_busy_day_shows_three_posts_and_how_many_more(api, signed_in, english):
    for minute in range(5):
        draft_at(api, f"2031-06-18T08:{minute:02d}:00Z", f"vest-{minute}")
    english("ana")
    html = page(signed_in("ana"), "/calendar?view=month&day=2031-06-01")
    assert "June 2031" in html and "vest-2" in html and "vest-3" not in html
    assert '<a class="cal-more" href="/calendar?view=list&amp;day=2031-06-18#day-2031-06-18">2 more' in html
    listing = page(signed_in("ana"), "/calendar?view=list&day=2031-06-18")
    assert 'id="day-2031-06-18"' in listing and all(f"vest-{m}" in listing for m in range(5))


def test_the_month_counts_each_local_day_across_the_clock_change(api, session, stopped_clock):
    stopped_clock(datetime(2026, 1, 10, tzinfo=UTC))
    for utc in ("2026-03-28T22:30:00Z", "2026-03-28T23:30:00Z", "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z",
                "2026-03-29T21:59:00Z", "2026-03-29T22:00:00Z"):  # 23:30 CET Saturday ... 00:00 CEST Monday
        draft_at(api, utc, utc[11:16])
    days = {d.date: d for week in calendar.month(session, date(2026, 3, 1), ZONE).weeks for d in week}
    assert [e.title for e in days[date(2026, 3, 28)].entries] == ["22:30"]
    assert [e.title for e in days[date(2026, 3, 29)].entries] == ["23:30", "00:30", "01:30"]
    assert (days[date(2026, 3, 29)].count, days[date(2026, 3, 29)].unread) == (4, 1)
    assert [e.title for e in days[date(2026, 3, 30)].entries] == ["22:00"]


def test_entries_show_time_title_and_state_and_open_their_post(api, signed_in, english):
    pending = submitted_post(api, title="ceka", scheduled_at="2031-06-17T08:30:00Z")
    english("marko")
    html = page(signed_in("marko"), "/calendar?view=month&day=2031-06-17")
    entry = html[html.index('<li class="cal-entry state-pending_approval'):]
    entry = entry[:entry.index("</li>")]
    assert '<time datetime="2031-06-17T10:30:00+02:00">10:30</time>' in entry
    assert f'<a href="/approvals/{pending}">ceka</a>' in entry and "waiting for approval" in entry
    assert "data-move" not in entry and "Move in time" not in entry  # an approver does not move posts


# The week's hour grid


def test_each_post_is_in_its_hour_and_the_skipped_hour_is_named(api, signed_in, english, stopped_clock):
    stopped_clock(datetime(2026, 1, 10, tzinfo=UTC))
    draft_at(api, "2026-03-29T00:30:00Z", "prije")  # 01:30 CET
    draft_at(api, "2026-03-29T01:30:00Z", "posle")  # 03:30 CEST: 02:00-03:00 does not exist
    english("ana")
    html = page(signed_in("ana"), "/calendar?view=week&day=2026-03-29")
    sunday = html[html.index('id="day-2026-03-29"'):]
    slots = re.findall(r'<div class="cal-slot[^"]*"[^>]*>(.*?)</div>', sunday, re.S)
    assert len(slots) == 24
    assert "prije" in slots[1] and "posle" in slots[3]
    assert "02:00: this hour does not exist, the clocks jump forward." in slots[2]
    assert "/posts/new?at=2026-03-29T02:00" not in html  # no compose link for a time that does not exist
    assert 'href="/posts/new?at=2026-03-29T04:00"' in html


def test_the_hour_that_happens_twice_holds_both_posts(api, session, stopped_clock):
    stopped_clock(datetime(2026, 1, 10, tzinfo=UTC))
    draft_at(api, "2026-10-25T00:30:00Z", "prvo")
    draft_at(api, "2026-10-25T01:30:00Z", "drugo")
    sunday = calendar.week(session, date(2026, 10, 25), ZONE).days[-1]
    slots = sunday.slots(ZONE)
    assert all(s.exists for s in slots)
    assert [e.title for e in slots[2].entries] == ["prvo", "drugo"]


def test_empty_future_slots_compose_for_their_time(api, signed_in, stopped_clock, people):
    stopped_clock(datetime(2031, 6, 18, 9, 30, tzinfo=UTC))  # Wednesday 11:30 in Belgrade
    draft_at(api, "2031-06-19T08:00:00Z", "cetvrtak")
    ana = page(signed_in("ana"), "/calendar?view=week&day=2031-06-18")
    assert 'href="/posts/new?at=2031-06-18T12:00"' in ana and 'href="/posts/new?at=2031-06-18T11:00"' not in ana
    assert 'href="/posts/new?at=2031-06-17T15:00"' not in ana  # the past
    assert 'href="/posts/new?at=2031-06-19T10:00"' not in ana  # not empty
    assert 'data-drop-day="2031-06-18" data-drop-hour="12"' in ana
    assert 'data-drop-day="2031-06-18" data-drop-hour="11"' not in ana
    month = page(signed_in("ana"), "/calendar?view=month&day=2031-06-18")
    assert 'href="/posts/new?at=2031-06-19T09:00"' in month and "/posts/new?at=2031-06-18T" not in month
    for person in ("marko", "jelena"):  # they neither write nor move posts
        html = page(signed_in(person), "/calendar?view=week&day=2031-06-18")
        assert "/posts/new?at=" not in html and "data-drop-day" not in html and "data-move" not in html


# Posts without a time


def test_posts_without_a_time_wait_on_today(api, signed_in, english, stopped_clock, session):
    stopped_clock(datetime(2031, 6, 18, 9, 30, tzinfo=UTC))
    waiting = submitted_post(api, title="cim-odobre", scheduled_at=None)
    went_out = submitted_post(api, title="vec-izaslo", scheduled_at=None)
    session.execute(update(Post).where(Post.id == went_out).values(
        status="published", approved_at=datetime(2031, 6, 16, 12, 5, tzinfo=UTC)))
    session.commit()
    english("ana")
    ana = signed_in("ana")
    for view in ("month", "week", "list"):
        html = page(ana, f"/calendar?view={view}&day=2031-06-18")
        today = html[html.index('aria-current="date"'):]
        assert today.index("as soon as approved") < today.index("cim-odobre") < today.index("</li>\n")
        assert f'data-move="/queue/{waiting}/move?view={view}"' in html
        assert '<time datetime="2031-06-16T14:05:00+02:00">14:05</time>' in html  # at its approval
        assert "vec-izaslo" in html
    elsewhere = page(ana, "/calendar?view=week&day=2031-07-01")
    assert "1 post without a time waits to go out as soon as it is approved" in elsewhere
    assert "cim-odobre" not in elsewhere and 'href="/calendar?view=week&amp;day=2031-06-18"' in elsewhere
    assert "cim-odobre" not in page(ana, "/calendar?view=month&day=2031-06-18&status=scheduled")


# The move page a drop opens


def test_a_drop_opens_the_move_page_with_the_new_time(api, signed_in, english, rt):
    post_id = scheduled_post(api, title="Pomeri me")
    english("ana")
    ana = signed_in("ana")
    html = page(ana, f"/queue/{post_id}/move?to=2031-06-19T14:30&view=month")
    assert "Move this post to 19/06/2031, 14:30? Check the new time below and confirm." in html
    assert "This post is approved. Moving it sends it back for approval:" in html
    assert 'value="2031-06-19"' in html and 'value="14:30"' in html and 'name="back" type="hidden" value="month"' in html
    assert read_post(rt, post_id).status == "scheduled"  # nothing moved before the confirmation
    moved = ana.post(f"/queue/{post_id}/move", {"day": "2031-06-19", "clock": "14:30", "back": "month"})
    assert moved.headers["Location"].endswith("/calendar?view=month&day=2031-06-19")
    assert read_post(rt, post_id).status == "pending_approval"
    again = ana.post(f"/queue/{post_id}/move", {"day": "2031-06-20", "clock": "14:30", "back": "<script>"})
    assert again.headers["Location"].endswith("/calendar?view=week&day=2031-06-20")


@pytest.mark.parametrize("to", ["2031-06-19", "2031-06-19T25:00", "2031-02-30T10:00", "2031-06-19T10:00:00",
                                "2031-06-19 10:00", "٢٠٣١-06-19T10:00", "3000-01-01T10:00", "<b>x</b>"])
def test_a_made_up_drop_is_a_bad_request(api, signed_in, english, to):
    post_id = scheduled_post(api)
    english("ana")
    response = signed_in("ana").get(f"/queue/{post_id}/move", query_string={"to": to})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "for example 2026-12-07T10:00" in html and "<b>x</b>" not in html


# Compose for a slot


def test_compose_opens_with_the_slot_time(signed_in, english, people):
    english("ana")
    html = page(signed_in("ana"), "/posts/new?at=2031-06-19T14:00")
    assert re.search(r'<input type="radio" name="when" id="[^"]+" value="at" checked>', html)
    assert 'name="date"' in html and 'value="2031-06-19"' in html and 'value="14:00"' in html
    plain = page(signed_in("ana"), "/posts/new")
    assert re.search(r'value="approved" checked>', plain) and 'value="2031-06-19"' not in plain


@pytest.mark.parametrize("at", ["2031-06-19", "2031-06-19T24:00", "2031-13-01T10:00", "2031-06-19T10:00Z",
                                "2031-06-19t10:00", "1899-12-31T10:00", "<script>"])
def test_compose_refuses_a_made_up_slot_time(signed_in, english, people, at):
    english("ana")
    response = signed_in("ana").get("/posts/new", query_string={"at": at})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The time in the address must be year-month-day, T, hour:minute" in html and "<script>" not in html.split(
        "<main")[-1]


@pytest.mark.parametrize("query", ["view=day", "view=%3Cb%3E", "day=2031-6-1", "day=2031-06-31&view=week"])
def test_a_made_up_view_is_a_bad_request(signed_in, people, query):
    assert signed_in("ana").get(f"/calendar?{query}").status_code == 400


@pytest.mark.parametrize("locale,month,weekday", [("sr_Latn", "Jun 2031.", "pon"), ("sr_Cyrl", "Јун 2031.", "пон"),
                                                  ("sq", "Qershor 2031", "hën"), ("en", "June 2031", "Mon")])
def test_the_month_heading_and_weekdays_in_each_language(app, locale, month, weekday):
    with app.test_request_context():
        assert dates.format_month(date(2031, 6, 16), locale) == month
        assert dates.format_weekday(date(2031, 6, 16), locale) == weekday
