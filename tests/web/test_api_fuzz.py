"""A bounded schemathesis run against /api/v1/openapi.json, on both databases: requests generated from the
document, valid and invalid, sent with the token of a real person (an officer who also approves). No answer
may be a 5xx; every answer must have a status the document declares for that operation, the content type it
declares and a body of the declared shape.

Bounded: FUZZ_EXAMPLES examples per operation and kind (positive, negative), about 30 operations, and
FUZZ_EVENT_EXAMPLES for the 18 of the events (tag "events"); the run prints how many requests it sent and how
long it took (`-s` shows it)."""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
# The events' operations (tag "events", about 20 more) get fewer, to keep the run within the suite's budget;
# tests/web/test_events_api.py walks them for real.
EVENT_EXAMPLES = int(os.environ.get("FUZZ_EVENT_EXAMPLES", "3"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_generated_requests_get_documented_answers_and_never_a_5xx(app, office, capsys):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {office.tokens['olga']}"}
    sent = 0
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        examples = EVENT_EXAMPLES if "events" in (operation.tags or ()) else EXAMPLES
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            def exchange(case) -> None:
                nonlocal sent
                sent += 1
                case.call_and_validate(headers=headers, checks=CHECKS)

            exchange()
    took = time.monotonic() - started
    with capsys.disabled():
        print(f"\nschemathesis: {sent} requests to {len(operations)} operations in {took:.1f} s "
              f"({app.extensions['publisher'].engine.dialect.name})")
    assert sent >= len(operations)


@pytest.mark.parametrize("method,path,takes", [("delete", "/api/v1/posts", {"GET", "POST"}),
                                               ("put", "/api/v1/holds", {"GET", "POST"}),
                                               ("post", "/api/v1/me", {"GET"}),
                                               ("delete", "/api/v1/openapi.json", {"GET"})])
def test_a_method_the_address_does_not_take_says_which_it_does(api, method, path, takes):
    caller = api("ana")
    response = getattr(caller.client, method)(path, headers={"Authorization": f"Bearer {caller.token}"})
    assert response.status_code == 405
    assert takes <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert response.json["error"]["code"] == "method_not_allowed"


def test_lists_are_declared_as_lists(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path, method in [("/api/v1/channels", "get"), ("/api/v1/holds", "get"), ("/api/v1/holds", "post"),
                         ("/api/v1/alerts", "get")]:
        declared = paths[path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert declared["type"] == "array", (path, method)
    posts = paths["/api/v1/posts"]["get"]["responses"]
    assert {"400", "401", "429"} <= set(posts)
    assert {"400", "404", "413"} <= set(paths["/api/v1/posts/{post_id}"]["patch"]["responses"])
