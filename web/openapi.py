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
               412: "The version you read has changed since", 413: "Too large", 415: "Unsupported media type",
               422: "Invalid content", 428: "Say which version you change (If-Match)", 429: "Too many requests; try again later", 503: "Unavailable"}
# Answers any operation of a kind can give, whatever it declares: a path id may name nothing (404); a query or
# body may be malformed (400) or too large (413); any token may be refused or rate-limited (401, 429); the
# database may be out of reach (503).
_PATH_STATUSES = (404,)
_INPUT_STATUSES = (400,)
_BODY_STATUSES = (400, 413)
_AUTH_STATUSES = (401, 429)
_ALWAYS = (503,)
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
    implied = [*_ALWAYS, *(_PATH_STATUSES if _PARAM.search(spec.rule) else ()),
               *(_INPUT_STATUSES if spec.query else ()), *(_BODY_STATUSES if spec.body or spec.multipart else ()),
               *(_AUTH_STATUSES if spec.auth else ())]
    for status in implied:
        statuses.setdefault(status, "")
    for status, text in sorted(statuses.items()):
        entry: dict[str, Any] = {"description": text or STATUS_TEXT.get(status, "")}
        if status == 204:
            pass  # No Content: no body to describe
        elif status >= 400:
            entry["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        elif spec.response_type != "application/json":
            entry["content"] = {spec.response_type: {"schema": {"type": "string", "format": "binary"}}}
        else:
            entry["content"] = {"application/json": {"schema": spec.response_schema or {"type": "object"}}}
        op["responses"][str(status)] = entry
    return op
