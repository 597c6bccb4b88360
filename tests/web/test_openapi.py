"""The API documents itself, and /healthz tells whether the database answers."""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator

from publisher.core import clock, permissions
from publisher.core.models import WorkerBeat


def test_every_api_route_is_in_the_document(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (method, path)


def test_request_bodies_are_described(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    create = paths["/api/v1/posts"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert create["required"] == ["body", "channels"]
    assert "422" in paths["/api/v1/posts/{post_id}/submit"]["post"]["responses"]
    assert paths["/api/v1/posts/{post_id}"]["get"]["parameters"][0]["name"] == "post_id"


def test_the_limits_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "429" in paths["/api/v1/me"]["get"]["responses"]
    assert "413" in paths["/api/v1/posts"]["post"]["responses"]
    assert "429" not in paths["/api/v1/openapi.json"]["get"]["responses"]


def test_me_says_which_roles_a_token_carries_and_the_document_lists_them_all(client, staff):
    me = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/me"]["get"]
    schema = me["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["properties"]["roles"]["items"]["enum"] == list(permissions.ROLES)
    for name, roles in {"dragan": ["head_of_office"], "milica": ["cabinet"], "sanja": ["info_officer"]}.items():
        answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {staff.tokens[name]}"})
        assert answer.status_code == 200 and answer.json["roles"] == roles
        assert Draft202012Validator(schema).is_valid(answer.json)


def test_healthz_reports_the_database_and_a_missing_worker(signed_in, rt):
    response = signed_in("marko").get("/healthz")
    assert response.status_code == 200
    assert response.json["database"]["backend"] == rt.engine.dialect.name
    assert response.json["database"]["schema_current"] is True
    assert response.json["status"] == "degraded"
    assert response.json["publishing"]["problems"] == ["no worker has sent a heartbeat in the last minute"]


def test_healthz_is_ok_with_a_live_worker(client, rt, session):
    now = clock.system_now()
    session.add(WorkerBeat(id="w1", host="here", pid=1, started_at=now, heartbeat_at=now))
    session.commit()
    response = client.get("/healthz")
    assert response.json["status"] == "ok"
    assert response.json["counts"]["workers_alive"] == 1


def test_healthz_signed_out_says_only_the_status_and_counts(client, rt, session, office):
    from publisher.publishing import holds
    from tests.factories.people import SYSTEM

    holds.hold(session, SYSTEM, "Dan žalosti", office.channels["portal"])
    session.commit()
    response = client.get("/healthz")
    assert response.json == {"status": "degraded", "counts": {
        "workers_alive": 0, "due_now": 0, "overdue": 0, "open_alerts": 0, "holds": 1}}


def test_responses_carry_security_headers(client):
    response = client.get("/healthz")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_unknown_api_paths_answer_in_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"



def test_healthz_calls_a_delivery_overdue_by_the_watchdogs_setting(api, client, rt, signed_in):
    from datetime import timedelta

    from tests.web.test_posts_api import scheduled_post

    scheduled_post(api, scheduled_at=None)  # due at approval
    approved = rt.clock()
    minutes = rt.settings.overdue_alert_minutes  # PUBLISHER_OVERDUE_ALERT_MINUTES, the watchdog's too
    rt.clock = lambda: approved + timedelta(minutes=minutes - 1)
    assert client.get("/healthz").json["counts"]["overdue"] == 0
    rt.clock = lambda: approved + timedelta(minutes=minutes + 1)
    assert client.get("/healthz").json["counts"]["overdue"] == 1
    late = signed_in("marko").get("/healthz").json["publishing"]
    assert late["overdue"] == 1
    assert f"1 deliveries are more than {int(minutes)} min overdue" in late["problems"]
