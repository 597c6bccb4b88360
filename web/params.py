"""What requests carry, read once and strictly: ids in paths, numbers and days in query strings, text that a
database can store, JSON of a sane depth. Python and Werkzeug accept more than the database or the clock can
take (int('٣') is 3, an id may have 40 digits, '\\x00' is a fine str, JSON may nest 10,000 deep); here such
input becomes a 4xx that names the problem instead of a 500 later. The rules themselves (ASCII digits,
the largest id, years) live in publisher.core.parse."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from flask import request
from flask_babel import gettext
from werkzeug.routing import BaseConverter, Map, ValidationError

from publisher.core import limits, parse
from publisher.core.errors import Malformed, PreconditionRequired
from web.context import is_page_request

MAX_JSON_DEPTH = 32  # the deepest real body (a post with media objects) is 4 levels
_SHOWN = 40  # characters of a field's name shown in a message


def up_to(limit: int) -> str:
    """A regular expression for the numbers 1..limit in ASCII digits without leading zeros."""
    text = str(limit)
    options = [f"[1-9][0-9]{{0,{len(text) - 2}}}"] if len(text) > 1 else []
    for i, digit in enumerate(text):
        low = 1 if i == 0 else 0
        if int(digit) - 1 >= low:
            options.append(f"{text[:i]}[{low}-{int(digit) - 1}][0-9]{{{len(text) - i - 1}}}")
    return "(?:" + "|".join([*options, text]) + ")"


class IdConverter(BaseConverter):
    """Replaces Werkzeug's `int` converter: 1..parse.MAX_ID in ASCII digits, else the route does not match
    (404), where `int` takes Unicode digits and ids that overflow the database. The range is in the regex:
    a value the converter refused after matching would answer 405 to other methods of the same path."""

    regex = up_to(parse.MAX_ID)
    weight = 50
    part_isolating = True

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map)

    def to_python(self, value: str) -> int:
        found = parse.record_id(value)
        if found is None:  # the regex lets nothing else through; kept as a guard
            raise ValidationError()
        return found

    def to_url(self, value: Any) -> str:
        return str(int(value))


def query_number(name: str, default: int | None, low: int, high: int = parse.MAX_ID) -> int | None:
    """?name= as a whole number in low..high; absent or empty gives `default`; anything else is Malformed."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        return parse.whole_number(raw, low, high)
    except parse.ParseError as exc:
        raise Malformed(f"query parameter {name!r} must be a whole number {low}..{min(high, parse.MAX_ID)}: "
                        f"{exc}", code="bad_parameter", details={"parameter": name}) from None


def query_day(name: str) -> date | None:
    """?name= as a day (None when absent); ParseError says what is wrong."""
    raw = request.args.get(name, "").strip()
    return parse.day(raw) if raw else None


# --- a search box ---------------------------------------------------------------------------------------

MAX_SEARCH = limits.SEARCH


def _search_problem(text: str) -> str | None:
    """Why `text` is no search (in English, for the API), or None."""
    if len(text) > MAX_SEARCH:
        return f"search for at most {MAX_SEARCH} characters; this is {len(text)}"
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        return "the search contains a control character (such as a tab or a line break)"
    return None


def search_arg(name: str = "q") -> tuple[str, str | None]:
    """?q= of a page's search box, spaces at the ends removed, and why it cannot be searched for (in the
    reader's language; the page then shows every row and the message on the box), or None."""
    text = request.args.get(name, "").strip()
    problem = _search_problem(text)
    if problem is None:
        return text, None
    if len(text) > MAX_SEARCH:
        return "", gettext("Search for at most %(num)d characters.", num=MAX_SEARCH)
    return "", gettext("Search for words without tabs, line breaks or other control characters.")


def query_search(name: str = "q") -> str:
    """?q= of an API list: the search text, or Malformed (400) naming the problem."""
    text = request.args.get(name, "").strip()
    problem = _search_problem(text)
    if problem:
        raise Malformed(f"query parameter {name!r}: {problem}", code="bad_search",
                        details={"parameter": name, "limit": MAX_SEARCH})
    return text


# --- text a database can store ---------------------------------------------------------------------------

def text_problem(value: str | None) -> str | None:
    """Why a text cannot be stored (PostgreSQL refuses NUL; a lone surrogate is no UTF-8), or None."""
    if not value:
        return None
    if "\x00" in value:
        return "contains a NUL character (\\u0000), which cannot be stored"
    if any("\ud800" <= c <= "\udfff" for c in value):
        return "contains a lone surrogate (\\ud800-\\udfff), which is not valid Unicode"
    return None


_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_unstorable_text() -> None:
    """Before every request: a query parameter or form field (name or value) with NUL or a lone surrogate
    is Malformed, before any view or service sees it."""
    fields = list(request.args.items(multi=True))
    if request.mimetype in _FORMS:
        fields += request.form.items(multi=True)
    for key, value in fields:
        problem = text_problem(key) or text_problem(value)
        if problem:
            name = ascii(key[:_SHOWN])
            if is_page_request():
                raise Malformed(gettext("The field %(name)s contains a NUL character or broken Unicode, which "
                                        "cannot be stored. Remove it and send again.", name=name))
            raise Malformed(f"the field {name} {problem}", code="unstorable_text", details={"field": key[:_SHOWN]})


# --- JSON bodies -----------------------------------------------------------------------------------------

def json_body() -> Any:
    """The request's JSON, or None when it is not JSON; Malformed when it nests deeper than MAX_JSON_DEPTH,
    holds text that cannot be stored or an integer beyond parse.MAX_ID (every integer the API takes is an
    id or a small count)."""
    try:
        data = request.get_json(silent=True)
    except RecursionError:
        raise Malformed(f"the JSON body is nested too deep; at most {MAX_JSON_DEPTH} levels",
                        code="too_deep") from None
    if data is not None:
        problem = json_problem(data)
        if problem:
            raise Malformed(problem[1], code=problem[0])
    return data


def json_problem(data: Any) -> tuple[str, str] | None:
    """(code, message) for the first thing in `data` no database can take, walking without recursion."""
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        where = f"at '{path}'" if path else "at the top"
        if depth > MAX_JSON_DEPTH:
            return "too_deep", f"the JSON body is nested too deep {where}; at most {MAX_JSON_DEPTH} levels"
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                return "unstorable_text", f"the text {where} {problem}"
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > parse.MAX_ID:
            return "number_too_large", f"the number {where} is too large; at most {parse.MAX_ID}"
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = text_problem(key)
                if problem:
                    return "unstorable_text", f"a key {where} {problem}"
                stack.append((item, f"{path}/{key[:_SHOWN]}" if path else key[:_SHOWN], depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{path}/{i}" if path else str(i), depth + 1) for i, item in enumerate(value))
    return None


def if_match_tag(resource: str, where: str, *, code: str | None = None) -> str | None:
    """The one ETag of If-Match (RFC 9110 13.1.1) on a change to `resource` (read at GET `where`), its weak
    prefix and quotes removed; None for `*` ("whatever is there now"). Without If-Match the change is refused
    (428): it could overwrite work the caller has not seen. More or less than one tag is Malformed (`code`)."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired(f"send If-Match with the {resource}'s ETag (from GET {where}), so that your "
                                   "change cannot overwrite one you have not seen; If-Match: * overwrites "
                                   "whatever is there")
    if header == "*":
        return None
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")]
    if len(tags) != 1 or not tags[0]:
        raise bad_if_match(resource, where, code=code)
    return tags[0]


def bad_if_match(resource: str, where: str, *, code: str | None = None) -> Malformed:
    return Malformed(f"If-Match must hold exactly one ETag, the {resource}'s, as GET {where} gave it", code=code,
                     details={"header": "If-Match"} if code else None)
