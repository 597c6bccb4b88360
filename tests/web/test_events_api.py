"""Events and officials through the JSON API: writing with If-Match, refusals that name the field, the window
of occurrences with conflicts, status and single occurrences, four eyes on the public fields, who may do what."""

from __future__ import annotations

from sqlalchemy import func, select

from publisher.activities.models import AgendaEntry, Event
from publisher.core.models import AuditEvent
from tests.factories.events import event_fields, make_official

WEEK = "after=2026-12-07&before=2026-12-14"


def put(caller, path: str, body: dict, if_match: str | None):
    headers = {"Authorization": f"Bearer {caller.token}", **({"If-Match": if_match} if if_match else {})}
    return caller.client.put(path, json=body, headers=headers)


def create(caller, **overrides):
    fields = event_fields(**overrides)
    return caller.post("/api/v1/events", json=fields)


def created(caller, **overrides) -> dict:
    answer = create(caller, **overrides)
    assert answer.status_code == 201, answer.json
    return answer.json


def events_in_database(session) -> int:
    count = session.scalar(select(func.count()).select_from(Event))
    session.rollback()  # SQLite: end the reading transaction before the next request
    return count


def test_create_read_and_change_with_if_match(api, session):
    answer = create(api("ana"), rule="")
    assert answer.status_code == 201
    event = answer.json
    assert answer.headers["Location"].endswith(f"/api/v1/events/{event['id']}")
    assert answer.headers["ETag"] == f'"{event["version"]}"'
    assert event["title"]["sr-Cyrl"] == {"text": "Конференција за медије министра", "derived": False}
    assert event["title"]["sr-Latn"] == {"text": "Konferencija za medije ministra", "derived": True}
    assert (event["starts_at"], event["ends_at"]) == ("2026-12-07T09:00:00Z", "2026-12-07T10:00:00Z")
    assert event["approval"] == {"state": None}

    path = f"/api/v1/events/{event['id']}"
    read = api("jelena").get(path)  # a manager reads
    assert read.status_code == 200 and read.headers["ETag"] == answer.headers["ETag"]
    assert read.json["internal_notes"] == "Обезбеђење: улаз са задње стране."

    changed = event_fields(place="Палата Србије", start="2026-12-07T12:00", end="2026-12-07T13:00")
    missing = put(api("ana"), path, changed, None)
    assert missing.status_code == 428 and missing.json["error"]["code"] == "precondition_required"
    stale = put(api("ana"), path, changed, '"999"')
    assert stale.status_code == 412 and stale.json["error"]["details"] == {"version": event["version"]}
    assert api("ana").get(path).json["place"] == "Сала 1, Немањина 11"  # neither changed anything

    done = put(api("bojan"), path, changed, read.headers["ETag"])
    assert done.status_code == 200, done.json
    assert done.json["place"] == "Палата Србије" and done.json["updated_by"] == "bojan"
    assert done.json["version"] > event["version"] and done.json["sequence"] == event["sequence"] + 1
    assert done.headers["ETag"] == f'"{done.json["version"]}"'
    again = put(api("ana"), path, {**changed, "city": "Ниш"}, read.headers["ETag"])  # the old ETag: stale now
    assert again.status_code == 412
    overwrite = put(api("ana"), path, {**changed, "city": "Ниш"}, "*")
    assert overwrite.status_code == 200 and overwrite.json["city"] == "Ниш"
    assert put(api("ana"), path, changed, "not-an-etag").status_code == 400


def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(api, session):
    shape = create(api("ana"), all_day="yes")
    assert shape.status_code == 400
    assert [d["path"] for d in shape.json["error"]["details"]] == ["all_day"]
    unknown = create(api("ana"), colour="red")
    assert unknown.status_code == 400 and "'colour' was unexpected" in unknown.json["error"]["message"]
    for overrides, field in [({"end": "2026-12-07T09:00"}, "end"), ({"zone": "Mars/Olympus"}, "zone"),
                             ({"start": "2026-12-07 ten"}, "start"), ({"officials": [987654]}, "officials"),
                             ({"start": "0001-01-01T00:30", "end": "0001-01-01T01:00"}, "start"),
                             ({"country": "Србија"[:2]}, "country"), ({"title": {}}, "title"),
                             ({"start": "2026-03-29T02:30", "end": "2026-03-29T04:00"}, "start")]:
        refused = create(api("ana"), **overrides)
        assert refused.status_code == 422, (overrides, refused.json)
        assert refused.json["error"]["details"]["field"] == field, overrides
    assert events_in_database(session) == 0

    event = created(api("ana"))
    path = f"/api/v1/events/{event['id']}"
    refused = put(api("ana"), path, event_fields(end="2026-12-07T08:00"), f'"{event["version"]}"')
    assert refused.status_code == 422 and refused.json["error"]["details"]["field"] == "end"
    assert api("ana").get(path).json["end"] == "2026-12-07T11:00"


def test_the_window_lists_occurrences_with_conflicts_and_filters(api, session):
    minister = make_official(session)
    session.commit()
    weekly = created(api("ana"), kind="working_meeting", title={"sr-Latn": "Kolegijum"}, rule="FREQ=WEEKLY;COUNT=10",
                     start="2026-12-01T09:00", end="2026-12-01T10:30", officials=[minister.id])
    clash = created(api("ana"), officials=[minister.id], start="2026-12-08T10:00", end="2026-12-08T11:00")
    abroad = created(api("ana"), kind="international_meeting", zone="America/New_York", start="2026-12-10T09:00",
                     end="2026-12-10T10:00", status="tentative")

    listed = api("jelena").get(f"/api/v1/events?{WEEK}")
    assert listed.status_code == 200
    assert (listed.json["after"], listed.json["before"]) == ("2026-12-06T23:00:00Z", "2026-12-13T23:00:00Z")
    items = listed.json["items"]
    assert [(i["event_id"], i["original"]) for i in items] == [
        (weekly["id"], "2026-12-08T09:00"), (clash["id"], None), (abroad["id"], None)]
    assert items[0]["conflicts"] == [minister.id] and items[1]["conflicts"] == [minister.id]
    assert items[0]["title"]["sr-Cyrl"] == {"text": "Колегијум", "derived": True}
    assert (items[2]["start"], items[2]["start_local"]) == ("2026-12-10T14:00:00Z", "2026-12-10T09:00:00-05:00")

    only = api("jelena").get(f"/api/v1/events?{WEEK}&kind=working_meeting").json["items"]
    assert [i["event_id"] for i in only] == [weekly["id"]] and only[0]["conflicts"] == [minister.id]
    assert [i["event_id"] for i in api("jelena").get(
        f"/api/v1/events?{WEEK}&status=tentative&status=cancelled").json["items"]] == [abroad["id"]]
    assert len(api("jelena").get(f"/api/v1/events?{WEEK}&official={minister.id}").json["items"]) == 2

    for query, parameter in [("after=2026-12-07&before=2026-12-07", "before"),
                             ("after=2026-01-01&before=2027-06-01", "before"), ("after=7.12.2026", "after"),
                             (f"{WEEK}&kind=party", "kind"), (f"{WEEK}&official=987654", "official")]:
        refused = api("ana").get(f"/api/v1/events?{query}")
        assert refused.status_code == 400, query
        assert refused.json["error"]["details"]["parameter"] == parameter, query


def test_status_and_single_occurrences(api, session):
    weekly = created(api("ana"), rule="FREQ=WEEKLY;COUNT=10", start="2026-12-01T09:00", end="2026-12-01T10:00")
    base = f"/api/v1/events/{weekly['id']}"
    cancelled = api("ana").post(f"{base}/occurrences/2026-12-08T09:00/cancel")
    assert cancelled.status_code == 200 and cancelled.json["exceptions"]["skipped"] == ["2026-12-08T09:00"]
    assert cancelled.json["sequence"] == weekly["sequence"] + 1
    moved = api("ana").post(f"{base}/occurrences/2026-12-15T09:00/move", json={"start": "2026-12-16T11:00"})
    assert moved.status_code == 200, moved.json
    items = api("ana").get("/api/v1/events?after=2026-12-07&before=2026-12-21").json["items"]
    assert [(i["original"], i["status"], i["moved"], i["start_local"][:16]) for i in items] == [
        ("2026-12-08T09:00", "cancelled", False, "2026-12-08T09:00"),
        ("2026-12-15T09:00", "confirmed", True, "2026-12-16T11:00")]

    never = api("ana").post(f"{base}/occurrences/2026-12-09T09:00/cancel")
    assert never.status_code == 422 and never.json["error"]["details"]["field"] == "original"
    bad_move = api("ana").post(f"{base}/occurrences/2026-12-22T09:00/move", json={"start": "0001-01-01T10:00"})
    assert bad_move.status_code == 422 and bad_move.json["error"]["details"]["field"] == "start"
    restored = api("ana").post(f"{base}/occurrences/2026-12-08T09:00/restore")
    assert restored.status_code == 200 and restored.json["exceptions"]["skipped"] == []
    single = created(api("ana"))
    assert api("ana").post(f"/api/v1/events/{single['id']}/occurrences/2026-12-07T10:00/cancel").status_code == 422

    status = api("ana").post(f"{base}/status", json={"status": "postponed", "reason": "Министар је на путу"})
    assert status.status_code == 200 and status.json["status"] == "postponed"
    assert status.json["sequence"] > restored.json["sequence"]
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "event.status")).one()
    assert audit.detail == {"reason": "Министар је на путу"} and audit.actor.name == "ana"
    session.rollback()
    assert api("ana").post(f"{base}/status", json={"status": "gone"}).status_code == 400


def test_four_eyes_on_the_public_fields(api, session):
    event = created(api("ana"))
    base = f"/api/v1/events/{event['id']}"
    submitted = api("ana").post(f"{base}/submit")
    assert submitted.status_code == 200 and submitted.json["state"] == "waiting"
    assert submitted.json["may_decide"] is False and submitted.json["last_approved"] is None
    seen = api("marko").get(f"{base}/approval").json
    assert seen["may_decide"] is True and seen["current"]["frozen"]["title"]["sr-Cyrl"].startswith("Конференција")
    assert "internal_notes" not in seen["current"]["frozen"]

    own = api("ana").post(f"{base}/approve", json={"content_hash": seen["current"]["content_hash"]})
    assert own.status_code == 403
    wrong = api("marko").post(f"{base}/approve", json={"content_hash": "0" * 64})
    assert wrong.status_code == 409
    approved = api("marko").post(f"{base}/approve", json={"content_hash": seen["current"]["content_hash"]})
    assert approved.status_code == 200, approved.json
    assert approved.json["state"] == "approved" and approved.json["last_approved"]["approved_by"] == "marko"
    assert session.get(AgendaEntry, event["id"]) is not None  # the public copy
    session.rollback()

    read = api("ana").get(base)
    edited = put(api("ana"), base, event_fields(place="Палата Србије"), read.headers["ETag"])
    assert edited.json["approval"] == {"state": "waiting"}  # the edit lapsed the approval
    waiting = api("marko").get(f"{base}/approval").json
    assert waiting["last_approved"]["frozen"]["place"] == "Сала 1, Немањина 11"  # what the public still reads
    assert waiting["current"]["frozen"]["place"] == "Палата Србије"

    assert api("bojan").post(f"{base}/withdraw").status_code == 403  # not one of its writers
    sent_back = api("marko").post(f"{base}/send-back", json={"comment": "Место још није потврђено."})
    assert sent_back.status_code == 200 and sent_back.json["state"] == "sent_back"
    assert [s["kind"] for s in sent_back.json["history"]] == ["approved", "sent_back"]
    assert api("ana").post(f"{base}/submit").json["state"] == "waiting"
    assert api("ana").post(f"{base}/withdraw").json["state"] == "withdrawn"
    assert api("marko").post(f"{base}/approve", json={"content_hash": "0" * 64}).status_code == 409


def test_officials(api, session, office):
    added = api("admin").post("/api/v1/officials", json={
        "name": "Марко Јовић", "role": "state_secretary", "position": {"sr-Cyrl": "Државни секретар"}, "sort": 2})
    assert added.status_code == 201, added.json
    official = added.json
    assert official["position"]["sr-Latn"] == {"text": "Državni sekretar", "derived": True}
    assert added.headers["Location"].endswith(f"/api/v1/officials/{official['id']}")
    path = f"/api/v1/officials/{official['id']}"
    changed = put(api("admin"), path, {"name": "Марко Јовић", "role": "state_secretary", "active": False,
                                       "user_id": office.users["ana"].id}, None)
    assert changed.status_code == 200 and (changed.json["active"], changed.json["user"]) == (False, "ana")
    assert api("jelena").get("/api/v1/officials").json == []
    assert [o["id"] for o in api("jelena").get("/api/v1/officials?all=true").json] == [official["id"]]
    assert api("jelena").get(path).json["name"] == "Марко Јовић"

    assert api("ana").post("/api/v1/officials", json={"name": "X", "role": "official"}).status_code == 403
    assert api("admin").post("/api/v1/officials", json={"name": "X", "role": "king"}).status_code == 400
    for body, field in [({"name": " ", "role": "official"}, "name"),
                        ({"name": "X", "role": "official", "user_id": 987654}, "user_id"),
                        ({"name": "X", "role": "official", "position": {"de": "Minister"}}, "position")]:
        refused = api("admin").post("/api/v1/officials", json=body)
        assert refused.status_code in (400, 422), body
        if refused.status_code == 422:
            assert refused.json["error"]["details"]["field"] == field, body
    assert len(api("jelena").get("/api/v1/officials?all=1").json) == 1


def test_a_manager_reads_but_does_not_write_and_no_token_gets_nothing(api, client, session):
    event = created(api("ana"))
    base = f"/api/v1/events/{event['id']}"
    manager = api("jelena")
    assert manager.get(f"/api/v1/events?{WEEK}").status_code == 200
    assert manager.get(f"{base}/approval").status_code == 200
    for refused in [create(manager), put(manager, base, event_fields(), f'"{event["version"]}"'),
                    manager.post(f"{base}/status", json={"status": "cancelled"}), manager.post(f"{base}/submit")]:
        assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    assert api("ana").get(base).json["status"] == "confirmed"
    assert client.get(base).status_code == 401
    assert client.post("/api/v1/events", json=event_fields()).status_code == 401
    assert client.get("/api/v1/officials").status_code == 401
    assert api("ana").get("/api/v1/events/987654").status_code == 404
