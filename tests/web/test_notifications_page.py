"""The notifications in the dashboard: a count in the header of every page, the list, marking read, the
choices on the account page, and the same through the API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from publisher.core.models import User
from publisher.notifications.models import Notification, NotificationChoice
from publisher.posts import workflow
from publisher.publishing import alerts
from tests.factories import posts as factories
from tests.web.page_helpers import at_home


@pytest.fixture
def signed_in(signed_in, session):
    session.execute(update(User).values(locale="en"))
    session.commit()
    return at_home(signed_in)


@pytest.fixture
def waiting(session, rt, people) -> int:
    """ana's post waits for approval: marko and vesna are told."""
    post_id = factories.pending_post(session, rt, people, title="Nova vest")
    session.commit()
    return post_id


def header_count(html: str) -> str:
    return re.search(r'class="unread-link[^"]*" href="/notifications"[^>]*>([^<]+)</a>', html).group(1)


def test_every_page_says_how_many_are_unread(signed_in, waiting):
    marko, ana = signed_in("marko"), signed_in("ana")
    for path in ("/", "/history", "/account", "/notifications"):
        assert header_count(marko.get(path).get_data(as_text=True)) == "1 unread notification"
    assert header_count(ana.get("/").get_data(as_text=True)) == "0 unread notifications"


def test_the_list_opens_the_post_and_marks_read_one_or_all(signed_in, waiting, session, rt, people):
    factories.pending_post(session, rt, people, title="Druga vest")
    marko = signed_in("marko")
    html = marko.get("/notifications").get_data(as_text=True)
    assert html.index("Druga vest") < html.index("Nova vest")  # newest first
    assert f'href="/approvals/{waiting}">“Nova vest” waits for your approval (sent by ana).</a>' in html
    first = session.scalars(select(Notification.id).where(Notification.post_id == waiting,
                                                          Notification.user_id == people.users["marko"].id)).one()
    session.commit()
    assert marko.post(f"/notifications/{first}/read").status_code == 302
    assert header_count(marko.get("/").get_data(as_text=True)) == "1 unread notification"
    assert signed_in("vesna").post(f"/notifications/{first}/read").status_code == 404  # not hers
    assert marko.post("/notifications/read").status_code == 302
    page = marko.get("/notifications").get_data(as_text=True)
    assert header_count(page) == "0 unread notifications" and "Mark all as read" not in page


def test_sent_back_shows_the_approvers_comment(signed_in, waiting, session, rt, people):
    workflow.reject(session, rt, people.actor("marko"), waiting, "Dodajte izvor podataka.")
    session.commit()
    html = signed_in("ana").get("/notifications").get_data(as_text=True)
    assert "marko sent “Nova vest” back." in html and "Dodajte izvor podataka." in html
    assert f'href="/posts/{waiting}/edit"' in html  # a post sent back opens where it is fixed


def test_an_alert_that_concerns_you_links_to_the_alerts_page(signed_in, session, people):
    alerts.raise_alert(session, "auth:1", "auth", "X refused the credentials", channel_id=people.channels["portal"].id)
    session.commit()
    html = signed_in("admin").get("/notifications").get_data(as_text=True)
    assert '<a href="/alerts">Alert: A channel refused our credentials</a>' in html
    assert "X refused the credentials" not in html  # the system's words stay on the alerts page


def test_the_list_pages_through_older_notifications(signed_in, session, rt, people):
    for i in range(23):
        factories.pending_post(session, rt, people, title=f"Vest {i:02d}")
    marko = signed_in("marko")
    first = marko.get("/notifications").get_data(as_text=True)
    assert "Vest 22" in first and "Vest 02" not in first
    older = re.search(r'href="(/notifications\?before=\d+)">Older notifications', first).group(1)
    second = marko.get(older).get_data(as_text=True)
    assert "Vest 02" in second and "Vest 00" in second and "Vest 03" not in second
    assert marko.get("/notifications?before=abc").status_code == 400


def test_choices_are_saved_on_the_account_page(signed_in, session, people):
    ana = signed_in("ana")
    page = ana.get("/account").get_data(as_text=True)
    assert "Your post was published" in page and 'name="published_email"' in page
    assert 'name="alert_email"' not in page  # alerts mail themselves
    assert "waits for your approval" not in page  # an officer approves nothing
    assert "A post waits for your approval" in signed_in("marko").get("/account").get_data(as_text=True)
    assert "You have no e-mail address" in page
    form = {"published_dashboard": "y", "sent_back_email": "y", "sent_back_dashboard": "y"}
    assert ana.post("/account/notifications", form).status_code == 302
    saved = {r.kind: (r.dashboard, r.email) for r in session.scalars(
        select(NotificationChoice).where(NotificationChoice.user_id == people.users["ana"].id))}
    session.commit()
    assert saved["published"] == (True, False) and saved["sent_back"] == (True, True)
    assert saved["approved"] == (False, False)
    refused = ana.post("/account/notifications", {"published_dashboard": "maybe"})
    assert refused.status_code == 422 and "Tick the box or leave it empty." in refused.get_data(as_text=True)


# --- the API ------------------------------------------------------------------------------------------

def test_the_api_lists_and_marks_your_own(api, waiting, session, people):
    listed = api("marko").get("/api/v1/notifications").get_json()
    assert listed["unread"] == 1 and listed["next_before"] is None
    [item] = listed["items"]
    assert (item["kind"], item["post_id"], item["read_at"]) == ("awaiting_approval", waiting, None)
    assert item["data"] == {"title": "Nova vest", "by": "ana"}
    assert item["text"] == "„Nova vest“ čeka vaše odobrenje (šalje ana)."  # no Accept-Language: the default
    english = api("marko").get("/api/v1/notifications", headers={"Accept-Language": "en"}).get_json()
    assert english["items"][0]["text"] == "“Nova vest” waits for your approval (sent by ana)."
    assert api("vesna").post(f"/api/v1/notifications/{item['id']}/read").status_code == 404
    read = api("marko").post(f"/api/v1/notifications/{item['id']}/read").get_json()
    assert read["read_at"] is not None
    assert api("marko").post("/api/v1/notifications/read").get_json() == {"marked": 0}
    assert api("vesna").post("/api/v1/notifications/read").get_json() == {"marked": 1}
    assert api("marko").get("/api/v1/notifications?limit=0").status_code == 400
    assert api("marko").get("/api/v1/notifications?before=-1").status_code == 400


def test_the_list_searches_by_the_posts_title_in_either_script_and_by_kind(signed_in, api, session, rt, people):
    factories.pending_post(session, rt, people, title="Посета Чачку")
    factories.pending_post(session, rt, people, title="Budžet za 2027.")
    session.commit()
    marko = signed_in("marko")
    found = marko.get("/notifications?q=poseta+cacku").get_data(as_text=True)
    assert "Посета Чачку" in found and "Budžet" not in found
    by_kind = marko.get("/notifications?q=waits+for+your+approval").get_data(as_text=True)  # the kind's name in English
    assert "Посета Чачку" in by_kind and "Budžet" in by_kind
    none = marko.get("/notifications?q=nema+takvog").get_data(as_text=True)
    assert "Nothing matches «nema takvog»." in none
    refused = marko.get("/notifications?q=" + "x" * 201)
    assert refused.status_code == 422
    listed = api("marko").get("/api/v1/notifications?q=ПОСЕТА").get_json()
    assert [i["data"]["title"] for i in listed["items"]] == ["Посета Чачку"]
    assert api("marko").get("/api/v1/notifications?q=%07").status_code == 400
