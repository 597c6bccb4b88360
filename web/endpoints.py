"""Declared API endpoints: one declaration feeds routing, request validation and the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, request
from jsonschema import Draft202012Validator

from publisher.core.errors import Malformed
from web.params import json_body


@dataclass
class Endpoint:
    rule: str
    method: str
    summary: str
    tag: str
    body: dict[str, Any] | None = None
    query: dict[str, dict[str, Any]] = field(default_factory=dict)
    responses: dict[int, str] = field(default_factory=dict)
    response_schema: dict[str, Any] | None = None  # of a 2xx answer; default: a JSON object
    response_type: str = "application/json"  # anything else is described as bytes of that type
    multipart: dict[str, Any] | None = None
    auth: bool = True


ENDPOINTS: list[Endpoint] = []
_MAX_MESSAGE = 200


def endpoint(bp: Blueprint, rule: str, method: str, summary: str, *, tag: str, **kw: Any) -> Callable:
    spec = Endpoint(rule=(bp.url_prefix or "") + rule, method=method, summary=summary, tag=tag, **kw)
    ENDPOINTS.append(spec)
    validator = Draft202012Validator(spec.body) if spec.body else None

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if validator is not None:
                kwargs["body"] = _validated_json(validator)
            return view(*args, **kwargs)

        bp.add_url_rule(rule, view_func=wrapper, methods=[method])
        return wrapper

    return decorate


def _validated_json(validator: Draft202012Validator) -> dict[str, Any]:
    if not request.get_data(cache=True) and not validator.schema.get("required"):
        return {}  # an optional body may be left out entirely
    data = json_body()
    if data is None:
        raise Malformed("the request body must be JSON (Content-Type: application/json)")
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise Malformed(
            "the request body does not match the expected shape: " + "; ".join(_describe(e) for e in errors[:5]),
            details=[{"path": "/".join(str(p) for p in e.absolute_path), "message": _message(e)} for e in errors[:20]],
        )
    return data


def _message(error: Any) -> str:
    """jsonschema's words, without echoing a huge value back (a 5 MB text would come back in the error)."""
    if error.validator == "maxLength":
        return f"is {len(error.instance)} characters; at most {error.validator_value}"
    if error.validator == "maxItems":
        return f"has {len(error.instance)} items; at most {error.validator_value}"
    return error.message if len(error.message) <= _MAX_MESSAGE else error.message[:_MAX_MESSAGE] + "…"


def _describe(error: Any) -> str:
    where = "/".join(str(p) for p in error.absolute_path)
    return f"{where}: {_message(error)}" if where else _message(error)
