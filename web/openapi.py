"""The OpenAPI 3 document, built from the declared endpoints."""

from __future__ import annotations

import re
from typing import Any

from web.endpoints import ENDPOINTS, Endpoint

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {}},
        }
    },
}
STATUS_TEXT = {200: "OK", 201: "Created", 400: "Malformed request", 401: "No or bad token",
               403: "Not allowed", 404: "Not found", 409: "Wrong state or a conflicting change",
               413: "Too large", 415: "Unsupported media type", 422: "Invalid content",
               429: "Too many requests without a valid token from this address; see Retry-After",
               503: "Unavailable"}
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def build_document(version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for spec in ENDPOINTS:
        path = _PARAM.sub(r"{\2}", spec.rule)
        paths.setdefault(path, {})[spec.method.lower()] = _operation(spec)
    return {
        "openapi": "3.1.0",
        "info": {"title": "publisher API", "version": version,
                 "description": "Compose, approve and schedule posts for every channel of the office."},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR},
        },
        "paths": dict(sorted(paths.items())),
    }


def _operation(spec: Endpoint) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": spec.summary,
        "tags": [spec.tag],
        "operationId": f"{spec.method.lower()}_{re.sub(r'[^a-z0-9]+', '_', spec.rule.lower()).strip('_')}",
        "responses": {},
    }
    params = [{"name": name, "in": "path", "required": True,
               "schema": {"type": "integer" if conv == "int" else "string"}}
              for conv, name in _PARAM.findall(spec.rule)]
    params += [{"name": name, "in": "query", "required": False, "schema": schema}
               for name, schema in spec.query.items()]
    if params:
        op["parameters"] = params
    if spec.auth:
        op["security"] = [{"bearer": []}]
    if spec.body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": spec.body}}}
    if spec.multipart:
        op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": spec.multipart}}}
    statuses = dict(spec.responses)
    if spec.auth:
        statuses.setdefault(401, "")
        statuses.setdefault(429, "")  # web.api: an address over PUBLISHER_API_REFUSALS_PER_MINUTE
    if spec.body:
        statuses.setdefault(413, "")  # web.guards: over PUBLISHER_MAX_FORM_KB
    for status, text in sorted(statuses.items()):
        entry: dict[str, Any] = {"description": text or STATUS_TEXT.get(status, "")}
        if status >= 400:
            entry["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        elif spec.response_schema:
            entry["content"] = {"application/json": {"schema": spec.response_schema}}
        else:
            entry["content"] = {"application/json": {"schema": {"type": "object"}}}
        op["responses"][str(status)] = entry
    return op
