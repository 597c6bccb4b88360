"""The API's own post actions: DELETE /posts/ID (If-Match like PATCH), POST /posts/ID/duplicate and
POST /posts/ID/withdraw, with their refusals."""

from __future__ import annotations

from tests.web.test_posts_api import error_code, new_post, scheduled_post, submitted_post


def delete(caller, post_id: int, etag: str | None):
    headers = {"If-Match": etag} if etag is not None else {}
    return caller.client.delete(f"/api/v1/posts/{post_id}", headers={**caller._headers({}), **headers})


def test_a_draft_is_deleted_with_the_version_read(api):
    post_id = new_post(api("ana")).json["id"]
    path = f"/api/v1/posts/{post_id}"
    etag = api("ana").get(path).headers["ETag"]
    assert delete(api("ana"), post_id, None).status_code == 428
    api("bojan").edit(path, {"title": "Промењено"})
    stale = delete(api("ana"), post_id, etag)
    assert stale.status_code == 412 and error_code(stale) == "precondition_failed"
    assert delete(api("ana"), post_id, '"a", "b"').status_code == 400
    gone = delete(api("ana"), post_id, api("ana").get(path).headers["ETag"])
    assert gone.status_code == 204 and gone.data == b""
    assert api("ana").get(path).status_code == 404
    assert delete(api("ana"), post_id, "*").status_code == 404
    events = api("ana").get("/api/v1/posts").json["items"]
    assert post_id not in [p["id"] for p in events]


def test_a_post_that_is_not_a_draft_is_not_deleted(api):
    post_id = scheduled_post(api)
    refused = delete(api("ana"), post_id, "*")
    assert refused.status_code == 409 and error_code(refused) == "not_deletable"
    assert delete(api("marko"), new_post(api("ana")).json["id"], "*").status_code == 403


def test_duplicating_answers_201_with_a_new_draft_of_the_caller(api, office):
    source = scheduled_post(api, title="Изворна")
    copy = api("bojan").post(f"/api/v1/posts/{source}/duplicate")
    assert copy.status_code == 201, copy.json
    assert copy.json["id"] != source and copy.json["status"] == "draft" and copy.json["title"] == "Изворна"
    assert copy.json["scheduled_at"] is None
    assert api("bojan").post("/api/v1/posts/999999/duplicate").status_code == 404
    assert api("marko").post(f"/api/v1/posts/{source}/duplicate").status_code == 403


def test_withdrawing_goes_back_to_draft_for_its_author_only(api):
    post_id = submitted_post(api)
    refused = api("bojan").post(f"/api/v1/posts/{post_id}/withdraw")
    assert refused.status_code == 403 and error_code(refused) == "not_a_contributor"
    done = api("ana").post(f"/api/v1/posts/{post_id}/withdraw")
    assert done.status_code == 200 and done.json["status"] == "draft"
    again = api("ana").post(f"/api/v1/posts/{post_id}/withdraw")
    assert again.status_code == 409 and error_code(again) == "invalid_transition"
