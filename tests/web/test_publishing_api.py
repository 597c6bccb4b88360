"""Holds, alerts and a person's decisions about deliveries, through the API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from publisher.core.models import Delivery
from publisher.publishing import dispatch
from publisher.publishing.dispatch import DispatchPolicy
from tests.web.test_posts_api import scheduled_post


def test_a_hold_shows_everywhere_and_is_released(api):
    assert api("ana").post("/api/v1/holds", json={"on": True, "reason": "Dan žalosti"}).status_code == 403
    held = api("admin").post("/api/v1/holds", json={"on": True, "reason": "Dan žalosti"})
    assert held.status_code == 200
    assert held.json == [{"id": held.json[0]["id"], "channel": None, "reason": "Dan žalosti", "by": "admin",
                          "since": held.json[0]["since"]}]
    assert api("jelena").get("/api/v1/holds").json[0]["reason"] == "Dan žalosti"
    assert api("admin").post("/api/v1/holds", json={"on": True, "reason": "opet"}).status_code == 409
    assert api("admin").post("/api/v1/holds", json={"on": False}).json == []
    assert api("admin").post("/api/v1/holds", json={"on": False}).status_code == 409


def test_a_channel_pause_needs_a_reason_and_a_real_channel(api):
    assert api("admin").post("/api/v1/holds", json={"on": True, "channel": "portal"}).status_code == 422
    assert api("admin").post("/api/v1/holds", json={"on": True, "channel": "nowhere", "reason": "x"}).status_code == 404
    refused = api("marko").post("/api/v1/holds", json={"on": True, "channel": "portal", "reason": "novi token"})
    assert refused.status_code == 403  # holds are the admins' (docs/roles.md)
    paused = api("admin").post("/api/v1/holds", json={"on": True, "channel": "portal", "reason": "novi token"})
    assert paused.json[0]["channel"] == "portal"


def unknown_delivery(api, rt, session) -> int:
    """A delivery whose worker died mid-send: its lease ran out."""
    scheduled_post(api, scheduled_at=None)
    delivery = session.scalar(select(Delivery))
    session.commit()
    policy = DispatchPolicy(lease=timedelta(seconds=1))
    with rt.sessions() as s:
        assert dispatch.claim_due(s, "gone", rt.clock(), {delivery.channel_id: 1}, policy)
        s.commit()
    with rt.sessions() as s:
        assert dispatch.reap_expired_leases(s, rt.clock() + timedelta(seconds=5))
        s.commit()
    return delivery.id


def test_a_person_says_it_went_out(api, rt, session):
    delivery_id = unknown_delivery(api, rt, session)
    assert api("jelena").post(f"/api/v1/deliveries/{delivery_id}/decide",
                              json={"decision": "went_out", "url": "https://portal.example/vesti/1"}).status_code == 403
    no_url = api("marko").post(f"/api/v1/deliveries/{delivery_id}/decide", json={"decision": "went_out"})
    assert no_url.status_code == 422
    assert "link" in no_url.json["error"]["message"]
    done = api("marko").post(f"/api/v1/deliveries/{delivery_id}/decide",
                             json={"decision": "went_out", "url": "https://portal.example/vesti/1"})
    assert done.status_code == 200, done.json
    assert (done.json["status"], done.json["url"]) == ("sent", "https://portal.example/vesti/1")
    assert [a["outcome"] for a in done.json["attempt_log"]] == ["lease_expired"]
    post = api("jelena").get(f"/api/v1/posts/{done.json['post_id']}").json
    assert post["status"] == "published"
    assert "delivery.went_out" in [e["action"] for e in post["events"]]


def test_a_decision_that_does_not_fit_the_state_is_a_conflict(api, rt, session):
    delivery_id = unknown_delivery(api, rt, session)
    again = api("ana").post(f"/api/v1/deliveries/{delivery_id}/decide", json={"decision": "send_again"})
    assert again.json["status"] == "pending"
    refused = api("ana").post(f"/api/v1/deliveries/{delivery_id}/decide", json={"decision": "retry_now"})
    assert refused.status_code == 409
    assert api("ana").post("/api/v1/deliveries/999/decide", json={"decision": "cancel"}).status_code == 404
    assert api("ana").post(f"/api/v1/deliveries/{delivery_id}/decide", json={"decision": "pray"}).status_code == 400


def test_alerts_are_listed_and_resolved(api, rt, session):
    from publisher.publishing import alerts

    alerts.raise_alert(session, "stale:1", "stale", "Zakasnila objava")
    session.commit()
    [alert] = api("jelena").get("/api/v1/alerts").json
    assert alert["kind"] == "stale"
    done = {"comment": "Objavljeno ručno na portalu."}
    assert api("jelena").post(f"/api/v1/alerts/{alert['id']}/resolve", json=done).status_code == 403
    assert api("marko").post(f"/api/v1/alerts/{alert['id']}/resolve", json={"comment": "  "}).status_code == 422
    resolved = api("marko").post(f"/api/v1/alerts/{alert['id']}/resolve", json=done).json
    assert (resolved["resolved_by"], resolved["resolution_comment"]) == ("marko", "Objavljeno ručno na portalu.")
    assert api("jelena").get("/api/v1/alerts").json == []
    assert api("marko").post(f"/api/v1/alerts/{alert['id']}/resolve", json=done).status_code == 409
