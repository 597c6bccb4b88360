"""The content queue through the JSON API: the whole story, then every refusal."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from publisher.core.models import Delivery, Post
from tests.factories.media import png_bytes

FUTURE = "2031-06-15T10:00:00+02:00"


def upload(caller, data: bytes = b"", *, alt: str = "Министар на конференцији", name: str = "slika.png"):
    return caller.post("/api/v1/media", data={"file": (io.BytesIO(data or png_bytes()), name), "alt_text": alt},
                       content_type="multipart/form-data")


def new_post(caller, **fields):
    body = {"title": "Саопштење", "body": "Министарство привреде објављује нови програм подршке.",
            "language": "sr-Cyrl", "channels": ["portal"], "scheduled_at": FUTURE, **fields}
    return caller.post("/api/v1/posts", json=body)


def submitted_post(api, **fields) -> int:
    created = new_post(api("ana"), **fields)
    assert created.status_code == 201, created.json
    post_id = created.json["id"]
    submitted = api("ana").post(f"/api/v1/posts/{post_id}/submit")
    assert submitted.status_code == 200, submitted.json
    return post_id


def approve(api, who: str, post_id: int):
    """Approve as an approver does through the API: read the post, then approve the hash read."""
    seen = api(who).get(f"/api/v1/posts/{post_id}").json.get("content_hash", "0" * 64)
    return api(who).post(f"/api/v1/posts/{post_id}/approve", json={"content_hash": seen})


def scheduled_post(api, **fields) -> int:
    post_id = submitted_post(api, **fields)
    approved = approve(api, "marko", post_id)
    assert approved.status_code == 200, approved.json
    return post_id


def error_code(response) -> str:
    return response.json["error"]["code"]


def test_the_head_of_office_approves_and_the_cabinet_and_information_officer_only_read(api, staff):
    post_id = submitted_post(api)
    for reader in ("milica", "sanja"):
        assert api(reader).get(f"/api/v1/posts/{post_id}").status_code == 200
        refused = approve(api, reader, post_id)
        assert refused.status_code == 403 and refused.json["error"]["details"]["roles"] == ["approver",
                                                                                           "head_of_office"]
        assert new_post(api(reader)).status_code == 403 and upload(api(reader)).status_code == 403
        assert api(reader).post(f"/api/v1/posts/{post_id}/cancel").status_code == 403
    approved = approve(api, "dragan", post_id)
    assert approved.status_code == 200 and approved.json["approved_by"] == "dragan"
    assert api("dragan").edit(f"/api/v1/posts/{post_id}", json={"title": "x"}).status_code == 403
    assert new_post(api("dragan")).status_code == 403
    assert api("dragan").post(f"/api/v1/posts/{post_id}/cancel").json["status"] == "cancelled"


def test_the_whole_story(api):
    image = upload(api("ana"))
    assert image.status_code == 201
    assert image.json["content_type"] == "image/png"

    created = new_post(api("ana"), media=[image.json["id"]])
    assert created.status_code == 201
    assert created.json["status"] == "draft"
    post_id = created.json["id"]
    assert created.json["scheduled_at"] == "2031-06-15T08:00:00Z"
    assert created.json["scheduled_local"] == "2031-06-15T10:00:00+02:00"

    assert api("ana").post(f"/api/v1/posts/{post_id}/submit").json["status"] == "pending_approval"

    own = approve(api, "ana", post_id)
    assert own.status_code == 403
    assert error_code(own) == "forbidden"

    approved = approve(api, "marko", post_id)
    assert approved.status_code == 200
    assert approved.json["status"] == "scheduled"
    assert approved.json["approved_by"] == "marko"
    [delivery] = approved.json["deliveries"]
    assert (delivery["channel"], delivery["status"], delivery["attempts"]) == ("portal", "pending", 0)
    assert delivery["due_at"] == "2031-06-15T08:00:00Z"

    edited = api("ana").edit(f"/api/v1/posts/{post_id}", json={"body": "Исправљен текст саопштења."})
    assert edited.status_code == 200
    assert edited.json["status"] == "pending_approval"
    assert edited.json["deliveries"] == []
    assert edited.json["approved_by"] is None

    manager = api("jelena")
    shown = manager.get(f"/api/v1/posts/{post_id}")
    assert shown.status_code == 200
    actions = [e["action"] for e in shown.json["events"]]
    assert actions == ["post.create", "post.submit", "post.approve", "post.edit"]
    assert shown.json["events"][2]["actor"] == "marko"
    assert [p["id"] for p in manager.get("/api/v1/posts").json["items"]] == [post_id]
    assert manager.edit(f"/api/v1/posts/{post_id}", json={"title": "x"}).status_code == 403
    assert approve(api, "jelena", post_id).status_code == 403
    assert manager.post(f"/api/v1/posts/{post_id}/reject", json={"comment": "no"}).status_code == 403
    assert manager.post(f"/api/v1/posts/{post_id}/cancel").status_code == 403
    assert new_post(manager).status_code == 403
    assert upload(manager).status_code == 403
    assert api("ana").get(f"/api/v1/posts/{post_id}").json["status"] == "pending_approval"


def test_approval_creates_one_delivery_per_channel(api, session):
    post_id = scheduled_post(api, channels=["portal", "archive"], media=[upload(api("ana")).json["id"]])
    rows = session.scalars(select(Delivery).where(Delivery.post_id == post_id)).all()
    assert sorted(d.channel.name for d in rows) == ["archive", "portal"]
    assert len({d.idempotency_key for d in rows}) == 2


def test_as_soon_as_approved_is_due_at_approval(api):
    post_id = scheduled_post(api, scheduled_at=None)
    post = api("ana").get(f"/api/v1/posts/{post_id}").json
    assert post["scheduled_at"] is None
    assert post["deliveries"][0]["due_at"] == post["approved_at"]


def test_an_approver_who_edited_cannot_approve(api):
    post_id = submitted_post(api)
    assert api("olga").edit(f"/api/v1/posts/{post_id}", json={"title": "Нови наслов"}).status_code == 200
    refused = approve(api, "olga", post_id)
    assert refused.status_code == 403
    assert error_code(refused) == "own_post"
    assert approve(api, "vesna", post_id).status_code == 200


def test_an_officer_without_the_approver_role_cannot_approve(api):
    post_id = submitted_post(api)
    refused = approve(api, "bojan", post_id)
    assert refused.status_code == 403
    assert "approver" in refused.json["error"]["message"]


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_approving_or_rejecting_a_draft_is_a_conflict(api, action):
    post_id = new_post(api("ana")).json["id"]
    response = api("marko").post(f"/api/v1/posts/{post_id}/{action}", json={"comment": "x"} if action == "reject" else {"content_hash": "0" * 64})
    assert response.status_code == 409
    assert response.json["error"]["details"]["status"] == "draft"


def test_approval_binds_to_the_version_read(api):
    post_id = submitted_post(api)
    seen = api("marko").get(f"/api/v1/posts/{post_id}").json["content_hash"]
    api("ana").edit(f"/api/v1/posts/{post_id}", json={"body": "Друга верзија."})
    stale = api("marko").post(f"/api/v1/posts/{post_id}/approve", json={"content_hash": seen})
    assert stale.status_code == 409
    assert error_code(stale) == "content_changed"
    fresh = api("marko").get(f"/api/v1/posts/{post_id}").json["content_hash"]
    assert api("marko").post(f"/api/v1/posts/{post_id}/approve", json={"content_hash": fresh}).status_code == 200


def test_editing_without_change_keeps_the_approval(api):
    post_id = scheduled_post(api)
    same = api("ana").edit(f"/api/v1/posts/{post_id}", json={"title": "Саопштење"})
    assert same.json["status"] == "scheduled"
    assert len(same.json["deliveries"]) == 1


def test_rescheduling_needs_approval_again(api):
    post_id = scheduled_post(api)
    moved = api("ana").edit(f"/api/v1/posts/{post_id}", json={"scheduled_at": "2031-06-16T10:00:00+02:00"})
    assert moved.json["status"] == "pending_approval"


def test_reject_needs_a_comment_and_an_edit_makes_a_draft(api):
    post_id = submitted_post(api)
    missing = api("marko").post(f"/api/v1/posts/{post_id}/reject", json={})
    assert missing.status_code == 400
    blank = api("marko").post(f"/api/v1/posts/{post_id}/reject", json={"comment": "   "})
    assert blank.status_code == 422
    rejected = api("marko").post(f"/api/v1/posts/{post_id}/reject", json={"comment": "Додати цитат министра."})
    assert rejected.json["status"] == "rejected"
    assert rejected.json["rejection"] == {"comment": "Додати цитат министра.", "by": "marko"}
    assert api("ana").post(f"/api/v1/posts/{post_id}/submit").status_code == 409
    redrafted = api("ana").edit(f"/api/v1/posts/{post_id}", json={"body": "Министар је рекао: „Подршка стиже.”"})
    assert redrafted.json["status"] == "draft"
    assert api("ana").post(f"/api/v1/posts/{post_id}/submit").json["status"] == "pending_approval"


def test_cancel_cancels_pending_deliveries(api):
    post_id = scheduled_post(api)
    cancelled = api("ana").post(f"/api/v1/posts/{post_id}/cancel")
    assert cancelled.json["status"] == "cancelled"
    assert [d["status"] for d in cancelled.json["deliveries"]] == ["cancelled"]
    assert api("ana").edit(f"/api/v1/posts/{post_id}", json={"title": "x"}).status_code == 409
    assert api("ana").post(f"/api/v1/posts/{post_id}/cancel").status_code == 409


def test_a_published_post_cannot_be_edited(api, session):
    post_id = scheduled_post(api)
    post = session.get(Post, post_id)
    post.status = "published"  # what the worker does once every delivery is sent
    session.commit()
    refused = api("ana").edit(f"/api/v1/posts/{post_id}", json={"body": "Измена после објаве"})
    assert refused.status_code == 409
    assert "published" in refused.json["error"]["message"]


def test_too_long_for_a_channel_names_channel_and_problem(api):
    created = new_post(api("ana"), title="Н" * 300)
    refused = api("ana").post(f"/api/v1/posts/{created.json['id']}/submit")
    assert refused.status_code == 422
    problems = refused.json["error"]["details"]["problems"]
    assert {"channel": "portal", "message": "title 300 of 250 characters", "field": "title",
            "code": "title_too_long", "params": {"used": 300, "limit": 250}} in problems
    assert api("ana").get(f"/api/v1/posts/{created.json['id']}").json["status"] == "draft"


def test_an_image_without_alt_text_cannot_be_submitted(api):
    image = upload(api("ana"), alt="")
    created = new_post(api("ana"), media=[image.json["id"]])
    refused = api("ana").post(f"/api/v1/posts/{created.json['id']}/submit")
    assert refused.status_code == 422
    assert "needs alt text" in refused.json["error"]["message"]
    fixed = api("ana").edit(f"/api/v1/posts/{created.json['id']}",
                             json={"media": [{"id": image.json["id"], "alt_text": "Зграда министарства"}]})
    assert fixed.status_code == 200
    assert api("ana").post(f"/api/v1/posts/{created.json['id']}/submit").status_code == 200


def test_a_post_without_channels_cannot_be_submitted(api):
    created = new_post(api("ana"), channels=[])
    refused = api("ana").post(f"/api/v1/posts/{created.json['id']}/submit")
    assert refused.status_code == 422
    assert "choose at least one channel" in refused.json["error"]["message"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"scheduled_at": "2031-03-30T02:30:00", "timezone": "Europe/Belgrade"}, "nonexistent_local_time"),
        ({"scheduled_at": "2031-10-26T02:30:00", "timezone": "Europe/Belgrade"}, "ambiguous_local_time"),
        ({"scheduled_at": "2031-06-15T10:00:00"}, "missing_offset_or_zone"),
        ({"scheduled_at": "2031-06-15T10:00:00", "timezone": "Europe/Novi_Sad"}, "unknown_timezone"),
        ({"scheduled_at": "sutra u podne"}, "invalid_format"),
        ({"scheduled_at": "2020-01-01T10:00:00+01:00"}, "time_in_past"),
    ],
)
def test_bad_times_are_refused_with_their_reason(api, fields, code):
    response = new_post(api("ana"), **fields)
    assert response.status_code == 422
    assert error_code(response) == code


@pytest.mark.parametrize(("choice", "utc"), [("earlier", "2031-10-26T00:30:00Z"), ("later", "2031-10-26T01:30:00Z")])
def test_an_ambiguous_local_time_takes_a_choice(api, choice, utc):
    response = new_post(api("ana"), scheduled_at="2031-10-26T02:30:00", timezone="Europe/Belgrade",
                        dst_choice=choice)
    assert response.status_code == 201
    assert response.json["scheduled_at"] == utc
    assert response.json["timezone"] == "Europe/Belgrade"


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"channels": ["nowhere"]}, 422),
        ({"language": "de"}, 400),
        ({"variants": {"archive": "Кратко"}}, 422),
        ({"media": [999]}, 422),
        ({"title": 5}, 400),
        ({"surprise": True}, 400),
    ],
)
def test_bad_post_fields_are_refused(api, session, fields, status):
    response = new_post(api("ana"), **fields)
    assert response.status_code == status, response.json
    assert response.json["error"]["message"]
    assert session.scalars(select(Post)).all() == []


def test_malformed_json_is_a_400(api):
    response = api("ana").post("/api/v1/posts", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert error_code(response) == "malformed"


def test_unknown_post_is_a_404(api):
    assert api("ana").get("/api/v1/posts/4242").status_code == 404
    assert api("marko").post("/api/v1/posts/4242/approve", json={"content_hash": "0" * 64}).status_code == 404


def test_listing_filters_and_pages(api):
    ids = [new_post(api("ana")).json["id"] for _ in range(3)]
    archive_only = new_post(api("ana"), channels=["archive"]).json["id"]
    api("ana").post(f"/api/v1/posts/{ids[0]}/submit")
    pending = api("jelena").get("/api/v1/posts?status=pending_approval").json
    assert [p["id"] for p in pending["items"]] == [ids[0]]
    on_archive = api("jelena").get("/api/v1/posts?channel=archive").json
    assert [p["id"] for p in on_archive["items"]] == [archive_only]
    first = api("jelena").get("/api/v1/posts?limit=2").json
    assert [p["id"] for p in first["items"]] == [archive_only, ids[2]]
    second = api("jelena").get(f"/api/v1/posts?limit=2&before={first['next_before']}").json
    assert [p["id"] for p in second["items"]] == [ids[1], ids[0]]
    assert second["next_before"] is None
    assert api("jelena").get("/api/v1/posts?status=lost").status_code == 400
    assert api("jelena").get("/api/v1/posts?limit=0").status_code == 400
    assert api("jelena").get("/api/v1/posts?channel=nowhere").status_code == 404


def test_derive_latin_from_cyrillic(api):
    response = api("ana").post("/api/v1/transliterate", json={"text": "Љубав и Његош", "to": "sr-Latn"})
    assert response.json == {"text": "Ljubav i Njegoš", "language": "sr-Latn"}


def test_approving_needs_the_hash_of_the_version_read(api, client, office):
    post_id = submitted_post(api)
    marko = {"Authorization": f"Bearer {office.tokens['marko']}"}
    assert client.post(f"/api/v1/posts/{post_id}/approve", headers=marko).status_code == 400
    empty = client.post(f"/api/v1/posts/{post_id}/approve", headers=marko, json={})
    assert empty.status_code == 400 and "content_hash" in empty.json["error"]["message"]
    assert client.post(f"/api/v1/posts/{post_id}/approve", headers=marko,
                       json={"content_hash": "not a hash"}).status_code == 400
    assert api("ana").get(f"/api/v1/posts/{post_id}").json["status"] == "pending_approval"
    assert approve(api, "marko", post_id).json["status"] == "scheduled"




def test_an_edit_names_the_version_it_changes(api, client, office):
    post_id = new_post(api("ana")).json["id"]
    read = api("ana").get(f"/api/v1/posts/{post_id}")
    etag = read.headers["ETag"]
    assert etag == f'"{read.json["content_hash"]}"'
    path = f"/api/v1/posts/{post_id}"
    unnamed = api("ana").patch(path, json={"title": "Без верзије"})
    assert unnamed.status_code == 428 and "If-Match" in unnamed.json["error"]["message"]
    first = api("ana").patch(path, json={"title": "Прва"}, headers={"If-Match": etag})
    assert first.status_code == 200 and first.headers["ETag"] != etag
    lost = api("bojan").patch(path, json={"title": "Друга"}, headers={"If-Match": etag})
    assert lost.status_code == 412 and lost.json["error"]["code"] == "precondition_failed"
    assert f'"{lost.json["error"]["details"]["content_hash"]}"' == first.headers["ETag"]
    assert api("ana").patch(path, json={"title": "x"}, headers={"If-Match": '"a", "b"'}).status_code == 400
    anyway = api("bojan").patch(path, json={"title": "Свеједно"}, headers={"If-Match": "*"})
    assert anyway.status_code == 200
    assert api("ana").get(path).json["title"] == "Свеједно"


def test_a_post_in_three_languages_through_the_api_gets_a_delivery_per_language(api, session, rt, office):
    from publisher.publishing import channel_admin
    portal = session.get(type(office.channels["portal"]), office.channels["portal"].id)
    channel_admin.update_settings(session, rt.box, portal, {"url": portal.config["url"], "secret": "",
                                                            "languages": ["sr-Cyrl", "sq", "en"]},
                                  actor=office.actor("admin"))
    session.commit()
    versions = {"sq": {"title": "Njoftim", "body": "Ministria njofton."},
                "en": {"title": "Announcement", "body": "The Ministry announces."}}
    lacking = new_post(api("ana"), translations={"sq": versions["sq"]})
    refused = api("ana").post(f"/api/v1/posts/{lacking.json['id']}/submit")
    assert refused.status_code == 422
    assert [p["params"] for p in refused.json["error"]["details"]["problems"] if p["code"] == "language_missing"] \
        == [{"language": "en", "channel": "portal"}]
    post_id = scheduled_post(api, translations=versions)
    read = api("marko").get(f"/api/v1/posts/{post_id}").json
    assert read["translations"] == versions
    assert sorted(d["language"] for d in read["deliveries"]) == ["en", "sq", "sr-Cyrl"]
    bad = new_post(api("ana"), translations={"de": {"title": "Mitteilung", "body": "Text."}})
    assert bad.status_code == 400 and "de" in bad.json["error"]["message"]
