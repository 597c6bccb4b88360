"""The approvals pages: what waits for whom (four eyes), the diff since the last approved version, approve
bound to the version read, send back with a comment, and every refusal."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from publisher.core.models import Post, PostApproval, User
from tests.web.test_posts_api import new_post, scheduled_post, submitted_post

EVIL = "<script>alert(1)</script>"
HASH_FIELD = re.compile(r'name="content_hash"[^>]*value="([0-9a-f]{64})"|value="([0-9a-f]{64})"[^>]*name="content_hash"')


def english(session, *users: User) -> None:
    for user in users:
        session.execute(update(User).where(User.id == user.id).values(locale="en"))
    session.commit()


def read_post(rt, post_id: int) -> Post:
    with rt.read_sessions() as reader:
        post = reader.get(Post, post_id)
        reader.expunge(post)
        return post


def shown_hash(html: str) -> str:
    found = HASH_FIELD.search(html)
    assert found, "no content_hash field on the page"
    return found.group(1) or found.group(2)


@pytest.fixture
def approver(signed_in, people, session):
    """approver("marko"): signed in, the interface in English so the assertions read plainly."""

    def sign_in(name: str):
        english(session, people.users[name])
        return signed_in(name)

    return sign_in


# What waits for whom


def test_each_approver_sees_what_they_may_approve_and_their_own_refused(api, approver):
    by_ana = submitted_post(api, title="Od Ane")
    created = new_post(api("olga"), title="Od Olge")
    by_olga = created.json["id"]
    assert api("olga").post(f"/api/v1/posts/{by_olga}/submit").status_code == 200

    marko = approver("marko").get("/approvals").get_data(as_text=True)
    mine, own = marko.split('id="own-title"')
    assert "Od Ane" in mine and "Od Olge" in mine
    assert "None of your posts is waiting for approval." in own

    olga = approver("olga").get("/approvals").get_data(as_text=True)
    mine, own = olga.split('id="own-title"')
    assert "Od Ane" in mine and "Od Olge" not in mine
    assert "Od Olge" in own and "you may not approve them (four eyes)" in own
    assert f'href="/approvals/{by_olga}"' in own and "you wrote it" in own
    assert by_ana != by_olga


def test_an_approver_who_edited_a_post_sees_it_as_their_own(api, approver):
    post_id = submitted_post(api, title="Uređeno")
    assert api("olga").edit(f"/api/v1/posts/{post_id}", json={"body": "Olga je ovo promenila."}).status_code == 200
    olga = approver("olga")
    mine, own = olga.get("/approvals").get_data(as_text=True).split('id="own-title"')
    assert "Uređeno" in own and "you edited it" in own and "Uređeno" not in mine
    page = olga.get(f"/approvals/{post_id}").get_data(as_text=True)
    assert "You may not approve or send back this post." in page
    assert 'name="content_hash"' not in page and 'name="comment"' not in page


@pytest.mark.parametrize("person", ["ana", "jelena", "admin"])
def test_people_who_do_not_approve_are_refused(api, signed_in, person):
    post_id = submitted_post(api)
    browser = signed_in(person)
    assert browser.get("/approvals").status_code == 403
    assert browser.get(f"/approvals/{post_id}").status_code == 403
    seen = read_post_hash(api, post_id)
    assert browser.post(f"/approvals/{post_id}/approve", {"content_hash": seen}).status_code == 403
    assert browser.post(f"/approvals/{post_id}/reject", {"comment": "ne"}).status_code == 403
    assert api("ana").get(f"/api/v1/posts/{post_id}").json["status"] == "pending_approval"


def read_post_hash(api, post_id: int) -> str:
    return api("ana").get(f"/api/v1/posts/{post_id}").json["content_hash"]


def test_signed_out_visitors_go_to_the_sign_in_page(client, people):
    response = client.get("/approvals")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_post_is_404(approver, people):
    assert approver("marko").get("/approvals/999999").status_code == 404


# The diff


def test_a_post_never_approved_is_shown_whole_as_new(api, approver):
    post_id = submitted_post(api, title="Prvi put", body="Ceo tekst je nov.", variants={"portal": "Za portal."})
    page = approver("marko").get(f"/approvals/{post_id}").get_data(as_text=True)
    assert "This post has never been approved: all of it is new." in page
    assert "Prvi put" in page and "Ceo tekst je nov." in page and "Za portal." in page
    assert "portal" in page and "<del>" not in page


def test_the_diff_since_the_last_approved_version(api, approver, rt):
    post_id = scheduled_post(api, title="Stari naslov", body="Ministarstvo objavljuje program podrške.\nDrugi red.",
                             channels=["portal"])
    edited = api("ana").edit(f"/api/v1/posts/{post_id}", json={
        "title": "Novi naslov", "body": "Ministarstvo danas objavljuje program podrške.\nDrugi red.",
        "channels": ["portal", "archive"], "scheduled_at": "2031-06-16T11:30:00+02:00",
        "variants": {"archive": "Za arhivu."}})
    assert edited.status_code == 200 and edited.json["status"] == "pending_approval"

    page = approver("vesna").get(f"/approvals/{post_id}").get_data(as_text=True)
    assert "Changes since the version" in page and "marko" in page
    text = re.sub(r'<span class="visually-hidden">([^<]*)</span>', r"\1", page)
    assert "<del>[removed: Stari end of removal]</del><ins>[added: Novi end of addition]</ins> naslov" in text
    assert "Ministarstvo<ins>[added:  danas end of addition]</ins> objavljuje program podrške." in text
    assert "<ins>[added: archive]</ins>" in text  # a channel added
    assert "Za arhivu." in text  # its variant, new
    assert "2031-06-15T08:00:00+00:00" in page and "2031-06-16T09:30:00+00:00" in page  # the time, before and after
    assert "Drugi red." in page
    with_snapshot = read_post(rt, post_id)
    assert with_snapshot.status == "pending_approval"


def test_media_and_alt_text_changes_show(api, approver):
    from tests.web.test_posts_api import upload

    media_id = upload(api("ana"), alt="Ministar na konferenciji").json["id"]
    post_id = scheduled_post(api, media=[{"id": media_id}])
    edited = api("ana").edit(f"/api/v1/posts/{post_id}", json={
        "media": [{"id": media_id, "alt_text": "Ministar na konferenciji za medije"}]})
    assert edited.status_code == 200, edited.json
    page = approver("vesna").get(f"/approvals/{post_id}").get_data(as_text=True)
    text = re.sub(r'<span class="visually-hidden">([^<]*)</span>', r"\1", page)
    assert "Alt text of slika.png" in text
    assert "Ministar na konferenciji<ins>[added:  za medije end of addition]</ins>" in text


# Approve and reject


def test_approve_through_the_page_records_the_snapshot(api, approver, rt):
    post_id = submitted_post(api, title="Za odobrenje")
    marko = approver("marko")
    seen = shown_hash(marko.get(f"/approvals/{post_id}").get_data(as_text=True))
    response = marko.post(f"/approvals/{post_id}/approve", {"content_hash": seen})
    assert response.status_code == 302 and response.headers["Location"].endswith("/approvals")
    assert "Approved: “Za odobrenje” is scheduled." in marko.get("/approvals").get_data(as_text=True)
    post = read_post(rt, post_id)
    assert post.status == "scheduled" and post.approved_hash == seen
    with rt.read_sessions() as reader:
        [snapshot] = reader.scalars(select(PostApproval).where(PostApproval.post_id == post_id))
        assert snapshot.content_hash == seen and snapshot.approved_by.name == "marko"
        assert snapshot.content["title"] == "Za odobrenje"
        assert snapshot.content["channels"] == [{"id": snapshot.content["channels"][0]["id"], "name": "portal"}]


def test_a_stale_version_is_a_clear_conflict(api, approver, rt):
    post_id = submitted_post(api, title="Prva verzija")
    marko = approver("marko")
    seen = shown_hash(marko.get(f"/approvals/{post_id}").get_data(as_text=True))
    assert api("ana").edit(f"/api/v1/posts/{post_id}", json={"title": "Druga verzija"}).status_code == 200
    response = marko.post(f"/approvals/{post_id}/approve", {"content_hash": seen})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "The post changed after you opened it. Read what changed below, then decide again." in page
    assert "Druga verzija" in page and shown_hash(page) != seen  # the form now binds the version shown
    assert read_post(rt, post_id).status == "pending_approval"
    assert marko.post(f"/approvals/{post_id}/approve", {"content_hash": shown_hash(page)}).status_code == 302


def test_approving_without_the_version_read_is_a_bad_request(api, approver, rt):
    post_id = submitted_post(api)
    assert approver("marko").post(f"/approvals/{post_id}/approve", {}).status_code == 400
    assert read_post(rt, post_id).status == "pending_approval"


def test_approving_twice_says_it_is_no_longer_waiting(api, approver):
    post_id = submitted_post(api)
    marko = approver("marko")
    seen = shown_hash(marko.get(f"/approvals/{post_id}").get_data(as_text=True))
    assert marko.post(f"/approvals/{post_id}/approve", {"content_hash": seen}).status_code == 302
    again = marko.post(f"/approvals/{post_id}/approve", {"content_hash": seen})
    assert again.status_code == 409
    assert "This post is no longer waiting for approval: it is scheduled." in again.get_data(as_text=True)


def test_own_post_is_refused_on_the_server_too(api, approver, rt):
    created = new_post(api("olga"), title="Olgino")
    post_id = created.json["id"]
    assert api("olga").post(f"/api/v1/posts/{post_id}/submit").status_code == 200
    olga = approver("olga")
    page = olga.get(f"/approvals/{post_id}").get_data(as_text=True)
    assert "You wrote or edited it, so another approver must decide on it (four eyes)." in page
    forged = olga.post(f"/approvals/{post_id}/approve", {"content_hash": read_post_hash(api, post_id)})
    assert forged.status_code == 403
    assert "another approver must decide on it (four eyes)" in forged.get_data(as_text=True)
    assert olga.post(f"/approvals/{post_id}/reject", {"comment": "sama sebi"}).status_code == 403
    assert olga.post(f"/approvals/{post_id}/reject", {"comment": ""}).status_code == 403
    assert read_post(rt, post_id).status == "pending_approval"


def test_reject_needs_a_comment(api, approver, rt):
    post_id = submitted_post(api)
    marko = approver("marko")
    marko.get(f"/approvals/{post_id}")
    for empty in ("", "   "):
        refused = marko.post(f"/approvals/{post_id}/reject", {"comment": empty})
        assert refused.status_code == 422
        page = refused.get_data(as_text=True)
        assert "Write a comment: the author needs to know what to change." in page
        assert 'aria-invalid="true"' in page
    assert read_post(rt, post_id).status == "pending_approval"
    done = marko.post(f"/approvals/{post_id}/reject", {"comment": "Dodajte datum konferencije."})
    assert done.status_code == 302
    post = read_post(rt, post_id)
    assert post.status == "rejected" and post.rejection_comment == "Dodajte datum konferencije."


def test_script_in_titles_and_comments_is_shown_escaped(api, approver, rt):
    post_id = submitted_post(api, title=EVIL, body=f"Tekst {EVIL}")
    marko = approver("marko")
    for path in ("/approvals", f"/approvals/{post_id}"):
        html = marko.get(path).get_data(as_text=True)
        assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    refused = marko.post(f"/approvals/{post_id}/reject", {"comment": EVIL + "x" * 2001})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "A comment is at most 2000 characters." in html
    assert marko.post(f"/approvals/{post_id}/reject", {"comment": EVIL}).status_code == 302
    assert read_post(rt, post_id).rejection_comment == EVIL
    html = approver("vesna").get(f"/approvals/{post_id}").get_data(as_text=True)
    assert "Sent back by marko: &lt;script&gt;alert(1)&lt;/script&gt;" in html and EVIL not in html


def test_the_approval_form_needs_its_csrf_token(api, approver, rt):
    post_id = submitted_post(api)
    marko = approver("marko")
    seen = shown_hash(marko.get(f"/approvals/{post_id}").get_data(as_text=True))
    assert marko.post(f"/approvals/{post_id}/approve", {"content_hash": seen}, csrf=False).status_code == 400
    assert read_post(rt, post_id).status == "pending_approval"
