"""The one table of maximum lengths (in characters) of what people type. The dashboard's forms, the API's
JSON schemas (and so its OpenAPI document) and the services all read their limits from here, so a text the
page refuses is refused by the API too."""

from __future__ import annotations

from publisher.core.errors import Invalid

TITLE = 500
BODY = 100_000  # also a channel's own text
ALT_TEXT = 2_000
CREDIT = 500
HOLD_REASON = 500
COMMENT = 2_000  # an approver's comment when sending a post back
CHANNEL_NAME = 100
CHANNEL_SETTING = 4_000
USER_NAME = 64
DISPLAY_NAME = 200
EMAIL = 254
URL = 2_000
REMOTE_ID = 500
TRANSLITERATE = 100_000  # the transliteration endpoint: as much as a post's text
SEARCH = 200
# Imports (publisher/imports): a CSV or XLSX file, its rows after the header and its columns.
IMPORT_BYTES = 5 * 1024 * 1024
IMPORT_ROWS = 5_000
IMPORT_COLUMNS = 100
IMPORT_CELL = 10_000  # characters in one cell, whatever its column
IMPORT_UNPACKED_BYTES = 100 * 1024 * 1024  # an XLSX's parts unpacked (a zip bomb is refused before reading)


def check_length(value: str, field: str, limit: int) -> str:
    """`value` unchanged, or Invalid naming the field and its limit."""
    if len(value) > limit:
        raise Invalid(f"{field} is {len(value)} characters; at most {limit}", code="too_long",
                      details={"field": field, "limit": limit, "length": len(value)})
    return value
