"""The queue and the calendar: weeks cut at Belgrade's midnights (also across daylight-saving changes,
whatever the process's own zone), filters in the address, moving a post in time and every bad time."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from publisher.core.models import Post
from publisher.posts import calendar
from tests.web.test_posts_api import new_post, scheduled_post, submitted_post

EVIL = "<script>alert(1)</script>"
ZONE = "Europe/Belgrade"


@pytest.fixture
def stopped_clock(rt):
    """stopped_clock(datetime): the app's "now" (so posts may be planned in 2026's DST weeks)."""

    def stop(moment: datetime) -> None:
        rt.clock = lambda: moment

    return stop


@pytest.fixture
def foreign_process_zone():
    """The process runs in a zone far from Belgrade: nothing may depend on it."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Pacific/Kiritimati"  # UTC+14
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def draft_at(api, utc: str, title: str, **fields) -> int:
    created = new_post(api("ana"), title=title, scheduled_at=utc, **fields)
    assert created.status_code == 201, created.json
    return created.json["id"]


def read_post(rt, post_id: int) -> Post:
    with rt.read_sessions() as reader:
        post = reader.get(Post, post_id)
        reader.expunge(post)
        return post


def week_titles(session, day: date) -> dict[date, list[tuple[str, str]]]:
    shown = calendar.week(session, day, ZONE)
    return {d.date: [(e.local.strftime("%H:%M"), e.title) for e in d.entries] for d in shown.days}


# Weeks across daylight-saving changes


def test_the_week_of_spring_forward(api, stopped_clock, session, signed_in, english, foreign_process_zone):
    stopped_clock(datetime(2026, 1, 10, tzinfo=UTC))
    for utc, title in [("2026-03-22T22:30:00Z", "ned-pre"), ("2026-03-22T23:30:00Z", "pon-rano"),
                       ("2026-03-29T00:30:00Z", "ned-1.30"), ("2026-03-29T01:30:00Z", "ned-3.30"),
                       ("2026-03-29T21:30:00Z", "ned-23.30"), ("2026-03-29T22:30:00Z", "pon-posle")]:
        draft_at(api, utc, title)
    for any_day in (date(2026, 3, 23), date(2026, 3, 26), date(2026, 3, 29)):
        days = week_titles(session, any_day)
        assert list(days) == [date(2026, 3, 23 + i) for i in range(7)]
        assert days[date(2026, 3, 23)] == [("00:30", "pon-rano")]
        assert days[date(2026, 3, 29)] == [("01:30", "ned-1.30"), ("03:30", "ned-3.30"), ("23:30", "ned-23.30")]
        assert sum(len(v) for v in days.values()) == 4  # Sunday 23:30 before and Monday 00:30 after: not this week
    shown = calendar.week(session, date(2026, 3, 25), ZONE)
    assert (shown.start, shown.end) == (datetime(2026, 3, 22, 23, tzinfo=UTC), datetime(2026, 3, 29, 22, tzinfo=UTC))
    assert shown.offset_labels == ("+01:00", "+02:00")

    english("jelena")
    html = signed_in("jelena").get("/calendar?week=2026-03-25").get_data(as_text=True)
    assert "The clocks change this week: UTC+01:00 before the change, UTC+02:00 after it." in html
    assert html.index("ned-1.30") < html.index("ned-3.30") < html.index("ned-23.30")
    assert '<time datetime="2026-03-29T03:30:00+02:00">03:30</time>' in html
    assert '<time datetime="2026-03-29T01:30:00+01:00">01:30</time>' in html
    assert "ned-pre" not in html and "pon-posle" not in html
    assert 'href="/calendar?view=list&amp;day=2026-03-16"' in html
    assert 'href="/calendar?view=list&amp;day=2026-03-30"' in html


def test_the_week_of_fall_back(api, stopped_clock, session, signed_in, english, foreign_process_zone):
    stopped_clock(datetime(2026, 1, 10, tzinfo=UTC))
    for utc, title in [("2026-10-18T21:30:00Z", "ned-pre"), ("2026-10-18T22:30:00Z", "pon-rano"),
                       ("2026-10-25T00:30:00Z", "prvo-2.30"), ("2026-10-25T01:30:00Z", "drugo-2.30"),
                       ("2026-10-25T22:30:00Z", "ned-23.30"), ("2026-10-25T23:30:00Z", "pon-posle")]:
        draft_at(api, utc, title)
    days = week_titles(session, date(2026, 10, 21))
    assert days[date(2026, 10, 19)] == [("00:30", "pon-rano")]
    assert days[date(2026, 10, 25)] == [("02:30", "prvo-2.30"), ("02:30", "drugo-2.30"), ("23:30", "ned-23.30")]
    assert sum(len(v) for v in days.values()) == 4
    shown = calendar.week(session, date(2026, 10, 19), ZONE)
    assert shown.end - shown.start == __import__("datetime").timedelta(hours=169)
    english("ana")
    html = signed_in("ana").get("/calendar?week=2026-10-25").get_data(as_text=True)
    assert '<time datetime="2026-10-25T02:30:00+02:00">02:30</time>' in html
    assert '<time datetime="2026-10-25T02:30:00+01:00">02:30</time>' in html
    assert "UTC+02:00 before the change, UTC+01:00 after it" in html


def test_today_is_marked(stopped_clock, signed_in, people, english):
    stopped_clock(datetime(2026, 3, 25, 23, 30, tzinfo=UTC))  # already Thursday in Belgrade
    english("marko")
    html = signed_in("marko").get("/calendar?view=list").get_data(as_text=True)
    assert html.count('aria-current="date"') == 1
    marked = html[html.index('aria-current="date"'):]
    assert marked.index("Thursday") < marked.index("today") < marked.index("</h2>")
    assert "Monday, 23 March 2026" in html  # the week of that day, Monday first


# Filters


def test_filters_by_channel_and_state_in_the_address(api, signed_in, people):
    draft = draft_at(api, "2031-06-16T08:00:00Z", "nacrt-portal")
    pending = submitted_post(api, title="ceka-arhiva", channels=["archive"], scheduled_at="2031-06-17T08:00:00Z")
    scheduled = scheduled_post(api, title="zakazan-oba", channels=["portal", "archive"],
                               scheduled_at="2031-06-18T08:00:00Z")
    archive = people.channels["archive"].id
    browser = signed_in("marko")
    week = "/calendar?week=2031-06-16"
    html = browser.get(week).get_data(as_text=True)
    assert all(t in html for t in ("nacrt-portal", "ceka-arhiva", "zakazan-oba"))
    html = browser.get(f"{week}&channel={archive}").get_data(as_text=True)
    assert "nacrt-portal" not in html and "ceka-arhiva" in html and "zakazan-oba" in html
    assert f'<option value="{archive}" selected>' in html
    html = browser.get(f"{week}&channel={archive}&status=scheduled").get_data(as_text=True)
    assert "ceka-arhiva" not in html and "zakazan-oba" in html
    assert f'href="/calendar?view=list&amp;day=2031-06-23&amp;status=scheduled&amp;channel={archive}"' in html
    html = browser.get("/queue?from=2031-06-16&status=pending_approval").get_data(as_text=True)
    assert "ceka-arhiva" in html and "nacrt-portal" not in html and "zakazan-oba" not in html
    assert f'href="/approvals/{pending}"' in html  # an approver goes on to approve it
    assert draft != scheduled


@pytest.mark.parametrize("query", ["status=bogus", "channel=abc", "channel=-1", "week=2026-02-30", "week=yesterday",
                                   "status=%3Cscript%3E"])
def test_a_made_up_filter_is_a_bad_request(signed_in, people, query):
    browser = signed_in("ana")
    assert browser.get(f"/calendar?{query}").status_code == 400
    assert browser.get(f"/queue?{query.replace('week', 'from')}").status_code == 400


def test_a_made_up_page_cursor_is_a_bad_request(signed_in, people):
    assert signed_in("ana").get("/queue?after=20310101_x").status_code == 400


def test_the_list_pages_by_time(api, session):
    ids = [draft_at(api, f"2031-06-16T0{h}:00:00Z", f"p{h}") for h in (3, 1, 2)]
    first = calendar.upcoming(session, datetime(2031, 6, 1, tzinfo=UTC), ZONE, limit=2)
    assert [e.title for e in first.entries] == ["p1", "p2"] and first.next_after
    second = calendar.upcoming(session, datetime(2031, 6, 1, tzinfo=UTC), ZONE, after=first.next_after, limit=2)
    assert [e.title for e in second.entries] == ["p3"] and second.next_after is None
    assert len(ids) == 3


@pytest.mark.parametrize("person,status", [("ana", 200), ("marko", 200), ("jelena", 200), ("admin", 200)])
def test_who_may_see_the_queue(signed_in, people, person, status):
    browser = signed_in(person)
    assert browser.get("/queue").status_code == status
    assert browser.get("/calendar").status_code == status


def test_titles_are_escaped_in_the_queue_and_the_calendar(api, signed_in):
    draft_at(api, "2031-06-16T08:00:00Z", EVIL)
    browser = signed_in("ana")
    for path in ("/calendar?week=2031-06-16", "/queue?from=2031-06-16"):
        html = browser.get(path).get_data(as_text=True)
        assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# Moving a post in time


def test_moving_an_approved_post_sends_it_back_for_approval(api, signed_in, english, rt):
    post_id = scheduled_post(api, title="Pomeri me")
    english("ana")
    ana = signed_in("ana")
    form = ana.get(f"/queue/{post_id}/move").get_data(as_text=True)
    assert "This post is approved. Moving it sends it back for approval:" in form
    assert 'value="2031-06-15"' in form and 'value="10:00"' in form  # the current local time, to change
    moved = ana.post(f"/queue/{post_id}/move", {"day": "2031-06-20", "clock": "09:15"})
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/calendar?view=week&day=2031-06-20")
    page = ana.get(moved.headers["Location"]).get_data(as_text=True)
    assert "Moved to 20/06/2031, 09:15. The post waits for approval again." in page
    post = read_post(rt, post_id)
    assert post.status == "pending_approval" and post.scheduled_at == datetime(2031, 6, 20, 7, 15, tzinfo=UTC)
    assert api("marko").get(f"/api/v1/posts/{post_id}").json["deliveries"] == []


def test_a_time_that_does_not_exist_is_refused_clearly(api, signed_in, english, rt):
    post_id = scheduled_post(api)
    english("ana")
    ana = signed_in("ana")
    ana.get(f"/queue/{post_id}/move")  # a person opens the form first: its CSRF token
    refused = ana.post(f"/queue/{post_id}/move", {"day": "2031-03-30", "clock": "02:30"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert ("02:30 does not exist on 2031-03-30 in Europe/Belgrade: the clocks jump from 02:00 to 03:00. "
            "Choose a time before 02:00 or from 03:00 on.") in html
    assert read_post(rt, post_id).status == "scheduled"


def test_a_time_that_happens_twice_asks_which(api, signed_in, english, rt):
    post_id = scheduled_post(api)
    english("ana")
    ana = signed_in("ana")
    ana.get(f"/queue/{post_id}/move")
    asked = ana.post(f"/queue/{post_id}/move", {"day": "2031-10-26", "clock": "02:30"})
    assert asked.status_code == 422
    html = asked.get_data(as_text=True)
    assert "02:30 happens twice on 2031-10-26 in Europe/Belgrade" in html
    assert 'value="earlier"' in html and 'value="later"' in html and "UTC+02:00" in html
    assert read_post(rt, post_id).status == "scheduled"
    done = ana.post(f"/queue/{post_id}/move", {"day": "2031-10-26", "clock": "02:30", "dst_choice": "later"})
    assert done.status_code == 302
    assert read_post(rt, post_id).scheduled_at == datetime(2031, 10, 26, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("day,clock,message", [
    ("2020-01-01", "10:00", "That time has passed. Choose a time in the future."),
    ("", "10:00", "Enter the date, for example 2026-03-29."),
    ("2031-02-30", "10:00", "Not a valid date value."),
    ("2031-06-20", "25:99", "Not a valid time value."),
    ("2031-06-20", "", "Enter the time, for example 09:30."),
    ("2031-06-20", "10:00", "Choose one of the two times."),
])
def test_bad_times_are_refused(api, signed_in, english, rt, day, clock, message):
    post_id = scheduled_post(api)
    english("ana")
    data = {"day": day, "clock": clock}
    if message.startswith("Choose one"):
        data["dst_choice"] = "<b>sooner</b>"
    ana = signed_in("ana")
    ana.get(f"/queue/{post_id}/move")
    refused = ana.post(f"/queue/{post_id}/move", data)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert message in html and "<b>sooner</b>" not in html
    assert read_post(rt, post_id).status == "scheduled"


def test_a_post_that_went_out_cannot_move(api, signed_in, english, session):
    post_id = scheduled_post(api)
    session.execute(update(Post).where(Post.id == post_id).values(status="published"))
    session.commit()
    english("ana")
    ana = signed_in("ana")
    assert "This post can no longer be moved: it is published." in ana.get(f"/queue/{post_id}/move").get_data(
        as_text=True)
    refused = ana.post(f"/queue/{post_id}/move", {"day": "2031-06-20", "clock": "09:15"})
    assert refused.status_code == 409
    assert "This post can no longer be moved: it is published." in refused.get_data(as_text=True)


@pytest.mark.parametrize("person", ["marko", "jelena", "admin"])
def test_only_officers_move_posts(api, signed_in, rt, person):
    post_id = scheduled_post(api)
    browser = signed_in(person)
    assert browser.get(f"/queue/{post_id}/move").status_code == 403
    browser.get("/account")
    assert browser.post(f"/queue/{post_id}/move", {"day": "2031-06-20", "clock": "09:15"}).status_code == 403
    assert read_post(rt, post_id).status == "scheduled"


def test_moving_an_unknown_post_is_404(signed_in, people):
    assert signed_in("ana").get("/queue/999999/move").status_code == 404
