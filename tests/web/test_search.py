"""The search box on every list: Latin finds Cyrillic and back, any case, with or without diacritics
(publisher.core.search_index), other filters kept, «Nothing matches» when a search empties a list, and a
search too long or with control characters refused with a message on the box (pages) or a 400 (API)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from publisher.audit import trail
from publisher.core.models import User
from publisher.core.states import PostStatus
from publisher.people import users
from publisher.publishing import alerts, history
from tests.factories.office import add_channel
from tests.factories.people import actor_for
from tests.factories.posts import pending_post, post_row
from tests.factories.publishing import D, post_with_deliveries

NOTHING = 'class="nothing-matches"'
ERROR = 'id="filter-q-error"'
WHEN = datetime(2031, 6, 17, 9, 0, tzinfo=UTC)  # a Tuesday, far enough ahead for the queue
TOO_LONG = "ž" * 201
BAD = [TOO_LONG, "budžet\x07", "tab\there"]


def shows(response, *texts: str) -> set[str]:
    """Which of `texts` the page shows."""
    html = response.get_data(as_text=True)
    return {t for t in texts if t in html}


@pytest.fixture
def planned(session, people):
    """Two posts planned for one day, one in each script, on different channels; and one elsewhere."""
    post_row(session, people, status=PostStatus.SCHEDULED, channels=("portal",), title="Most u Čačku otvoren",
             body="Đorđe Petrović, ministar, otvorio je most.", scheduled_at=WHEN)
    post_row(session, people, status=PostStatus.SCHEDULED, channels=("archive",), title="Министар у Нишу",
             body="Посета 100% завршена.", scheduled_at=WHEN.replace(hour=11))
    session.commit()


TITLES = ("Most u Čačku otvoren", "Министар у Нишу")


@pytest.mark.parametrize(("q", "found"), [
    ("cacku", {"Most u Čačku otvoren"}),  # without diacritics
    ("ČAČKU", {"Most u Čačku otvoren"}),  # any case
    ("мост", {"Most u Čačku otvoren"}),  # Cyrillic finds Latin
    ("ministar", set(TITLES)),  # Latin finds Cyrillic (and the body of the other)
    ("nisu", {"Министар у Нишу"}),
    ("Djordje", {"Most u Čačku otvoren"}),  # dj, d and đ are one letter here
    ("100%", {"Министар у Нишу"}),  # % is a character, not a wildcard
    ("1_0", set()),  # so is _
    ("", set(TITLES)),
])
@pytest.mark.parametrize(("page", "args"), [("/queue", {"from": "2031-06-01"}), ("/calendar", {"week": "2031-06-16"})])
def test_the_queue_and_the_calendar_search_titles_and_texts(signed_in, planned, page, args, q, found):
    response = signed_in("ana").get(page, query_string={**args, "q": q})
    assert response.status_code == 200
    assert shows(response, *TITLES) == found
    assert (NOTHING in response.get_data(as_text=True)) == (not found)


def test_the_queue_search_keeps_the_other_filters(signed_in, planned, people):
    archive = people.channels["archive"].id
    browser = signed_in("ana")
    response = browser.get("/queue", query_string={"from": "2031-06-01", "q": "ministar", "channel": archive})
    assert shows(response, *TITLES) == {"Министар у Нишу"}
    html = response.get_data(as_text=True)
    assert 'name="q" value="ministar"' in html and f'<option value="{archive}" selected' in html


@pytest.fixture
def waiting(session, rt, people):
    pending_post(session, rt, people, title="Čačak dobija most", body="Tekst.")
    pending_post(session, rt, people, title="Министар у посети", body="Текст.")


@pytest.mark.parametrize(("q", "found"), [
    ("CACAK", {"Čačak dobija most"}),
    ("министар", {"Министар у посети"}),
    ("MINISTAR", {"Министар у посети"}),
    ("čačak", {"Čačak dobija most"}),
    ("%", set()),
])
def test_the_approvals_page_searches_what_waits(signed_in, waiting, q, found):
    response = signed_in("marko").get("/approvals", query_string={"q": q})
    assert response.status_code == 200
    assert shows(response, "Čačak dobija most", "Министар у посети") == found
    mine = response.get_data(as_text=True).split('id="own-title"')[0]
    assert (NOTHING in mine) == (not found)


@pytest.mark.parametrize("few", [0, 500])  # the search walks the history, or reads the few posts' deliveries
def test_the_history_searches_titles_and_texts_in_either_script(signed_in, session, people, monkeypatch, few):
    monkeypatch.setattr(history, "FEW_POSTS", few)
    post_with_deliveries(session, people, "Ђорђе у Шапцу", {"portal": D.SENT}, body="Budžet za 2026.")
    post_with_deliveries(session, people, "Saopštenje", {"portal": D.FAILED}, body="Нови конкурс.")
    session.commit()
    browser = signed_in("jelena")
    assert shows(browser.get("/history?q=dordje+u+sapcu"), "Ђорђе у Шапцу", "Saopštenje") == {"Ђорђе у Шапцу"}
    assert shows(browser.get("/history?q=БУЏЕТ"), "Ђорђе у Шапцу", "Saopštenje") == {"Ђорђе у Шапцу"}
    assert shows(browser.get("/history?q=konkurs&status=failed"), "Ђорђе у Шапцу", "Saopštenje") == {"Saopštenje"}
    assert shows(browser.get("/history?q=konkurs&status=sent"), "Ђорђе у Шапцу", "Saopštenje") == set()
    assert NOTHING in browser.get("/history?q=konkurs&status=sent").get_data(as_text=True)


@pytest.fixture
def raised(session, people):
    session.execute(update(User).values(locale="en"))
    alerts.raise_alert(session, "auth:1", "auth", "Mastodon refused the token of Ministarstvo kulture")
    alerts.raise_alert(session, "overdue:7", "overdue", "A delivery due 2031-06-15 10:00 UTC has not gone out.")
    session.commit()


@pytest.mark.parametrize(("q", "found"), [
    ("ministarstvo", {"A channel refused our credentials"}),  # the message the system recorded
    ("министарство", {"A channel refused our credentials"}),
    ("OVERDUE", {"A post is overdue"}),  # the kind's name as the page shows it
    ("2031-06-15", {"A post is overdue"}),
    ("nothing like it", set()),
])
def test_the_alerts_page_searches_what_it_shows(signed_in, raised, q, found):
    response = signed_in("jelena").get("/alerts", query_string={"q": q})
    assert shows(response, "A channel refused our credentials", "A post is overdue") == found


def test_an_alert_kinds_name_is_searched_in_the_readers_language(signed_in, raised, session):
    session.execute(update(User).where(User.name == "jelena").values(locale="sr-Cyrl"))
    session.commit()
    english = signed_in("jelena").get("/alerts", query_string={"q": "overdue"}).get_data(as_text=True)
    assert NOTHING in english  # in Serbian the kind is not called "overdue", and the message does not say it


@pytest.fixture
def logged(session, rt, people):
    users.create(session, people.actor("admin"), name="djordje", display_name="Ђорђе Јовановић", email=None,
                 roles=["officer"], password="a long enough password 1")
    for reader in ("jelena", "admin"):
        people.users[reader].locale = "en"
    pending_post(session, rt, people, title="Буџет за Чачак")
    session.commit()


def events(html: str) -> int:
    return html.count('<tr id="event-')


def test_the_audit_log_searches_actions_objects_and_posts_as_it_shows_them(signed_in, logged):
    browser = signed_in("jelena")
    # The post's title is not in the log; the log names the post, and the post is found by its title.
    assert events(browser.get("/audit", query_string={"q": "budzet za cacak"}).get_data(as_text=True)) == 2
    # The action as the page names it in the reader's language (here English), not as the log stores it.
    assert events(browser.get("/audit", query_string={"q": "SENT FOR APPROVAL"}).get_data(as_text=True)) == 1
    assert events(browser.get("/audit", query_string={"q": "post.submit"}).get_data(as_text=True)) == 0
    everything = events(browser.get("/audit").get_data(as_text=True))
    assert 0 < events(browser.get("/audit", query_string={"q": "USER:"}).get_data(as_text=True)) < everything
    assert NOTHING in browser.get("/audit", query_string={"q": "nema"}).get_data(as_text=True)


def test_the_audit_log_finds_a_person_by_their_name_in_either_script(signed_in, session, logged):
    djordje = session.scalars(select(User).where(User.name == "djordje")).one()
    trail.record(session, actor_for(djordje), "post.create", post_id=999, subject="post:999")
    session.commit()
    html = signed_in("jelena").get("/audit", query_string={"q": "Đorđe Jovanović"}).get_data(as_text=True)
    assert events(html) == 1 and "post:999" in html


def test_the_users_page_searches_names_and_addresses(signed_in, session, people):
    users.create(session, people.actor("admin"), name="djordje", display_name="Ђорђе Јовановић",
                 email="dj@example.org", roles=["officer"], password="a long enough password 1")
    session.commit()
    browser = signed_in("admin")
    found = browser.get("/admin/users", query_string={"q": "Jovanovic"})
    assert found.status_code == 200 and shows(found, ">djordje<", ">ana<") == {">djordje<"}
    assert shows(browser.get("/admin/users?q=ANA"), ">djordje<", ">ana<") == {">ana<"}
    assert NOTHING in browser.get("/admin/users?q=petrovic").get_data(as_text=True)


def test_the_channels_page_searches_names_and_kinds(signed_in, session, rt, people):
    add_channel(session, rt, people, "Влада Србије", "local_folder", {"path": str(rt.settings.instance_dir / "v")})
    session.commit()
    titles = {name: f'id="channel-{channel.id}-title"' for name, channel in people.channels.items()}
    browser = signed_in("admin")

    def found(q: str) -> set[str]:
        response = browser.get("/admin/channels", query_string={"q": q})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        return {name for name, title in titles.items() if title in html}

    assert found("PORTAL") == {"portal"}
    assert found("vlada srbije") == {"Влада Србије"}  # Latin finds Cyrillic
    assert found("lokalna fascikla") == {"archive", "Влада Србије"}  # the kind as the page names it (sr-Latn)
    assert found("mastodon") == set()
    assert NOTHING in browser.get("/admin/channels?q=mastodon").get_data(as_text=True)


# --- bad input -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("q", BAD)
@pytest.mark.parametrize(("who", "page"), [
    ("marko", "/approvals"), ("ana", "/queue"), ("ana", "/calendar"), ("jelena", "/history"),
    ("jelena", "/media"), ("jelena", "/alerts"), ("jelena", "/audit"), ("admin", "/admin/users"),
    ("admin", "/admin/channels"),
])
def test_every_list_refuses_a_search_too_long_or_with_control_characters_on_the_box(signed_in, people, who,
                                                                                  page, q):
    response = signed_in(who).get(page, query_string={"q": q})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert ERROR in html and 'aria-invalid="true"' in html


def test_a_nul_in_a_search_is_refused_before_any_list(signed_in, people):
    assert signed_in("jelena").get("/history", query_string={"q": "a\x00b"}).status_code == 400


# --- the API -----------------------------------------------------------------------------------------------

def test_the_api_lists_take_a_search(api, session, rt, people):
    pending_post(session, rt, people, title="Čačak dobija most", body="Tekst.")
    pending_post(session, rt, people, title="Министар у посети", body="Текст.")
    alerts.raise_alert(session, "auth:1", "auth", "Mastodon refused the token")
    session.commit()
    posts = api("ana").get("/api/v1/posts", query_string={"q": "CACAK"})
    assert posts.status_code == 200 and [p["title"] for p in posts.json["items"]] == ["Čačak dobija most"]
    posts = api("ana").get("/api/v1/posts", query_string={"q": "ministar", "status": "pending_approval"})
    assert [p["title"] for p in posts.json["items"]] == ["Министар у посети"]
    channels = api("ana").get("/api/v1/channels", query_string={"q": "ARCH"})
    assert [c["name"] for c in channels.json] == ["archive"]
    found = api("admin").get("/api/v1/alerts", query_string={"q": "мастодон"})
    assert len(found.json) == 1 and api("admin").get("/api/v1/alerts?q=x%25y").json == []


@pytest.mark.parametrize("path", ["/api/v1/posts", "/api/v1/channels", "/api/v1/alerts"])
@pytest.mark.parametrize("q", BAD)
def test_the_api_refuses_a_bad_search_with_a_400_naming_it(api, people, path, q):
    response = api("admin").get(path, query_string={"q": q})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_search" and "'q'" in response.json["error"]["message"]


def test_the_openapi_document_names_the_search(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/posts", "/api/v1/channels", "/api/v1/alerts"):
        q = next(p for p in paths[path]["get"]["parameters"] if p["name"] == "q")
        assert q["schema"]["maxLength"] == 200
