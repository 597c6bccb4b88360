"""A post's own actions on the pages (delete a draft and cancel a post after asking, duplicate, withdraw) and
several posts at once (approve from the approvals list, cancel or move from the queue): what is offered to
whom, what the confirmation says, each post's outcome, and every bad input as a clear 4xx."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from publisher.core.models import Post
from publisher.posts import bulk
from tests.web.test_posts_api import new_post, scheduled_post, submitted_post

EVIL = "<script>alert(1)</script>"


def read_post(rt, post_id: int) -> Post | None:
    with rt.read_sessions() as reader:
        post = reader.get(Post, post_id)
        if post is not None:
            reader.expunge(post)
        return post


def draft(api, **fields) -> int:
    created = new_post(api("ana"), **fields)
    assert created.status_code == 201, created.json
    return created.json["id"]


@pytest.fixture
def person(signed_in, english):
    """person("ana"): signed in, reading English so the assertions read plainly."""

    def sign_in(name: str):
        english(name)
        browser = signed_in(name)
        browser.get("/account")  # the session's CSRF token, as a page gives it
        return browser

    return sign_in


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field"
    return found.group(1)


# --- deleting a draft --------------------------------------------------------------------------------------

def test_a_draft_is_deleted_after_the_page_that_asks(api, person, rt):
    post_id = draft(api, title=EVIL)
    ana = person("ana")
    compose = ana.get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert f'href="/posts/{post_id}/delete"' in compose
    asked = ana.get(f"/posts/{post_id}/delete")
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Delete this draft?" in html and EVIL not in html
    assert "cannot be undone" in html and read_post(rt, post_id) is not None
    done = ana.post(f"/posts/{post_id}/delete", {"content_hash": hidden(html, "content_hash"), "confirmed": "yes"})
    assert done.status_code == 302 and read_post(rt, post_id) is None
    assert "Deleted" in ana.get("/").get_data(as_text=True)


def test_deleting_a_changed_draft_asks_again(api, person, rt):
    post_id = draft(api)
    ana = person("ana")
    seen = hidden(ana.get(f"/posts/{post_id}/delete").get_data(as_text=True), "content_hash")
    api("bojan").edit(f"/api/v1/posts/{post_id}", {"title": "Izmenjeno"})
    again = ana.post(f"/posts/{post_id}/delete", {"content_hash": seen})
    assert again.status_code == 409 and "changed after you opened this page" in again.get_data(as_text=True)
    assert read_post(rt, post_id) is not None


def test_deleting_refuses_a_waiting_post_an_unknown_one_and_a_missing_version(api, person, rt):
    waiting = submitted_post(api)
    ana = person("ana")
    refused = ana.get(f"/posts/{waiting}/delete")
    assert refused.status_code == 409 and "Only a draft or a post sent back" in refused.get_data(as_text=True)
    assert ana.post(f"/posts/{waiting}/delete", {"content_hash": "0" * 64}).status_code == 409
    assert ana.get("/posts/999999/delete").status_code == 404
    post_id = draft(api)
    assert ana.post(f"/posts/{post_id}/delete", {"content_hash": "nope"}).status_code == 400
    assert person("marko").get(f"/posts/{post_id}/delete").status_code == 403  # approvers do not delete
    assert read_post(rt, post_id) is not None and read_post(rt, waiting) is not None


# --- duplicating and withdrawing ---------------------------------------------------------------------------

def test_duplicating_a_published_post_opens_the_copy_in_compose(api, person, rt):
    source = scheduled_post(api, title="Original")
    bojan = person("bojan")
    page = bojan.get(f"/posts/{source}").get_data(as_text=True)
    assert f'action="/posts/{source}/duplicate"' in page and f'href="/posts/{source}/cancel"' in page
    done = bojan.post(f"/posts/{source}/duplicate")
    assert done.status_code == 302
    copy_id = int(re.fullmatch(r"/posts/(\d+)/edit", urlsplit(done.headers["Location"]).path).group(1))
    copy = read_post(rt, copy_id)
    assert copy.status == "draft" and copy.title == "Original" and copy.scheduled_at is None
    assert "a new draft of yours" in bojan.get(f"/posts/{copy_id}/edit").get_data(as_text=True)
    assert bojan.post("/posts/999999/duplicate").status_code == 404


def test_the_author_withdraws_from_approval_and_another_officer_may_not(api, person, rt):
    post_id = submitted_post(api)
    bojan = person("bojan")
    assert f"/posts/{post_id}/withdraw" not in bojan.get(f"/posts/{post_id}").get_data(as_text=True)
    refused = bojan.post(f"/posts/{post_id}/withdraw")
    assert refused.status_code == 403 and "Only who wrote or edited" in refused.get_data(as_text=True)
    ana = person("ana")
    assert f'action="/posts/{post_id}/withdraw"' in ana.get(f"/posts/{post_id}").get_data(as_text=True)
    assert ana.post(f"/posts/{post_id}/withdraw").status_code == 302
    assert read_post(rt, post_id).status == "draft"
    assert "Nothing is waiting for you." in person("marko").get("/approvals").get_data(as_text=True)
    again = ana.post(f"/posts/{post_id}/withdraw")
    assert again.status_code == 409 and "no longer waiting for approval" in again.get_data(as_text=True)


# --- cancelling one post -----------------------------------------------------------------------------------

def test_cancelling_says_which_deliveries_stop(api, person, rt):
    post_id = scheduled_post(api, channels=["portal", "archive"])
    vesna = person("vesna")  # an approver stops a post
    approval = vesna.get(f"/approvals/{post_id}")  # not pending any more: the page still offers cancelling
    assert f'href="/posts/{post_id}/cancel"' in approval.get_data(as_text=True)
    html = vesna.get(f"/posts/{post_id}/cancel").get_data(as_text=True)
    assert "Cancel this post?" in html and "2 deliveries will not be sent: portal, archive." in html
    assert "Its approval is dropped." in html and read_post(rt, post_id).status == "scheduled"
    assert vesna.post(f"/posts/{post_id}/cancel", {"confirmed": "yes"}).status_code == 302
    assert read_post(rt, post_id).status == "cancelled"
    assert vesna.get(f"/posts/{post_id}/cancel").status_code == 409
    assert person("jelena").get(f"/posts/{post_id}/cancel").status_code == 403  # a manager reads only


# --- approving several -------------------------------------------------------------------------------------

def test_approving_several_from_the_list_refuses_a_changed_one_alone(api, person, rt):
    first = submitted_post(api, title="Prva")
    changed = submitted_post(api, title="Druga")
    marko = person("marko")
    listing = marko.get("/approvals").get_data(as_text=True)
    chosen = re.findall(r'name="post" value="(\d+:[0-9a-f]{64})"', listing)
    assert len(chosen) == 2
    api("bojan").edit(f"/api/v1/posts/{changed}", {"title": "Druga, izmenjena"})
    done = marko.post("/approvals/bulk", {"post": chosen})
    assert done.status_code == 302
    assert read_post(rt, first).status == "scheduled" and read_post(rt, changed).status == "pending_approval"
    result = marko.get(done.headers["Location"]).get_data(as_text=True)
    assert "1 post done; 1 refused" in result and "changed after the list was loaded" in result
    assert "Druga, izmenjena" in result


def test_an_approvers_own_posts_are_not_offered_and_refused_when_sent(api, person, rt):
    created = new_post(api("olga"), title="Olgina")
    own = created.json["id"]
    api("olga").post(f"/api/v1/posts/{own}/submit")
    olga = person("olga")
    assert f'value="{own}:' not in olga.get("/approvals").get_data(as_text=True)
    done = olga.post("/approvals/bulk", {"post": [f"{own}:{read_post(rt, own).content_hash}"]})
    assert "you wrote or edited it" in olga.get(done.headers["Location"]).get_data(as_text=True)
    assert read_post(rt, own).status == "pending_approval"


@pytest.mark.parametrize("values, status", [
    ([], 422), (["12"], 400), (["x:" + "0" * 64], 400), (["99999999999:" + "0" * 64], 400),
    ([f"{n}:{'0' * 64}" for n in range(1, bulk.MAX_POSTS + 2)], 422),
])
def test_approving_several_refuses_what_it_cannot_read(person, people, values, status):
    response = person("marko").post("/approvals/bulk", {"post": values})
    assert response.status_code == status
    if status == 422 and values:
        assert f"at most {bulk.MAX_POSTS} can be handled at once" in response.get_data(as_text=True)


# --- cancelling or moving several from the queue -----------------------------------------------------------

def test_cancelling_several_asks_then_reports_each(api, person, rt):
    approved = scheduled_post(api, channels=["portal", "archive"])
    waiting = submitted_post(api)
    ana = person("ana")
    queue = ana.get("/queue").get_data(as_text=True)
    assert f'name="post" value="{approved}"' in queue and 'value="cancel"' in queue
    asked = ana.post("/queue/bulk", {"action": "cancel", "post": [approved, waiting]})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "2 posts are cancelled" in html and "2 deliveries will not be sent" in html
    assert read_post(rt, approved).status == "scheduled"
    done = ana.post("/queue/bulk", {"action": "cancel", "post": [approved, waiting, 999999], "confirmed": "yes"})
    assert read_post(rt, approved).status == "cancelled" and read_post(rt, waiting).status == "cancelled"
    result = ana.get(done.headers["Location"]).get_data(as_text=True)
    assert "2 posts done; 1 refused" in result and "the post no longer exists" in result


def test_moving_several_says_approved_ones_go_back_and_moves_by_a_shift(api, person, rt):
    approved = scheduled_post(api, scheduled_at="2031-06-16T09:00:00+02:00")
    drafted = draft(api, scheduled_at="2031-06-17T10:00:00+02:00")
    ana = person("ana")
    asked = ana.post("/queue/bulk", {"action": "move", "post": [approved, drafted]})
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "1 of them is approved: moving it sends it back for approval" in html
    refused = ana.post("/queue/bulk", {"action": "move", "post": [approved, drafted], "confirmed": "yes",
                                       "how": "shift", "days": "0", "hours": "0"})
    assert refused.status_code == 422 and "Give a number of days or hours" in refused.get_data(as_text=True)
    done = ana.post("/queue/bulk", {"action": "move", "post": [approved, drafted], "confirmed": "yes",
                                    "how": "shift", "days": "1", "hours": "-2"})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert parse_qs(urlsplit(done.headers["Location"]).query)["r"] == [f"{approved}.moved_back", f"{drafted}.moved"]
    moved = read_post(rt, approved)
    assert moved.status == "pending_approval" and moved.scheduled_at.isoformat().startswith("2031-06-17T05:00")
    result = ana.get(done.headers["Location"]).get_data(as_text=True)
    assert "it waits for approval again" in result


def test_moving_several_to_a_date(api, person, rt):
    drafted = draft(api, scheduled_at="2031-06-17T10:00:00+02:00")
    ana = person("ana")
    done = ana.post("/queue/bulk", {"action": "move", "post": [drafted], "confirmed": "yes", "how": "date",
                                    "day": "2031-07-01", "clock": ""})
    assert done.status_code == 302
    assert read_post(rt, drafted).scheduled_at.isoformat().startswith("2031-07-01T08:00")
    no_day = ana.post("/queue/bulk", {"action": "move", "post": [drafted], "confirmed": "yes", "how": "date"})
    assert no_day.status_code == 422 and "Enter the date" in no_day.get_data(as_text=True)


def test_the_queue_offers_only_what_each_person_may(api, person):
    scheduled_post(api)
    assert 'name="post"' not in person("jelena").get("/queue").get_data(as_text=True)  # a manager reads
    marko = person("marko").get("/queue").get_data(as_text=True)  # an approver cancels but does not move
    assert 'value="cancel"' in marko and 'value="move"' not in marko
    assert person("marko").post("/queue/bulk", {"action": "move", "post": ["1"]}).status_code == 403
    assert person("jelena").post("/queue/bulk", {"action": "cancel", "post": ["1"]}).status_code == 403


@pytest.mark.parametrize("data, status", [
    ({"action": "cancel"}, 422), ({"action": "explode", "post": ["1"]}, 400), ({"post": ["1"]}, 400),
    ({"action": "cancel", "post": ["١"]}, 400), ({"action": "cancel", "post": ["99999999999"]}, 400),
    ({"action": "cancel", "post": [str(n) for n in range(1, bulk.MAX_POSTS + 2)]}, 422),
    ({"action": "move", "post": ["1"], "confirmed": "yes", "how": "shift", "days": "9999"}, 422),
    ({"action": "move", "post": ["1"], "confirmed": "yes", "how": "sideways"}, 422),
])
def test_bad_bulk_requests_are_refused_clearly(person, people, rt, data, status):
    response = person("ana").post("/queue/bulk", data)
    assert response.status_code == status, response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["", "?kind=explode", "?kind=approve&r=1.exploded", "?kind=approve&r=x.approved"])
def test_a_result_address_that_cannot_be_read_is_a_bad_request(person, people, query):
    assert person("ana").get(f"/posts/bulk/result{query}").status_code == 400


def test_a_draft_offers_delete_not_cancel_and_a_reader_gets_no_buttons(api, person):
    post_id = draft(api)
    compose = person("ana").get(f"/posts/{post_id}/edit").get_data(as_text=True)
    assert f"/posts/{post_id}/delete" in compose and f"/posts/{post_id}/cancel" not in compose
    page = person("jelena").get(f"/posts/{post_id}").get_data(as_text=True)  # a manager reads only
    assert all(f"/posts/{post_id}/{a}" not in page for a in ("delete", "cancel", "duplicate", "withdraw"))


def test_an_officer_who_also_approves_withdraws_her_own_post_from_the_approvals_list(api, person, rt):
    created = new_post(api("olga"), title="Olgina")
    own = created.json["id"]
    api("olga").post(f"/api/v1/posts/{own}/submit")
    olga = person("olga")
    listing = olga.get("/approvals").get_data(as_text=True)
    assert f'action="/posts/{own}/withdraw"' in listing
    assert olga.post(f"/posts/{own}/withdraw").status_code == 302 and read_post(rt, own).status == "draft"
