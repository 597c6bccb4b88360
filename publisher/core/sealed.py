"""Form tokens sealed with the credential key: what a page hands to the next request (secrets typed into a
form that came back, the file an import previewed) bound to what it is for, the person, and a lifetime.
A token that is forged, another person's, made for something else or too old opens to nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from publisher.core.credentials import CredentialBox
from publisher.core.errors import CredentialKeyError


def seal(box: CredentialBox, purpose: str, user: int, payload: dict[str, Any], now: datetime) -> str:
    return box.encrypt({**payload, "purpose": purpose, "user": user, "at": now.isoformat()})


def unseal(box: CredentialBox, token: str, purpose: str, user: int, now: datetime, lifetime: timedelta, *,
           slack: timedelta = timedelta(0)) -> dict[str, Any] | None:
    """The payload, or None. `slack`: how far ahead of `now` the sealing time may be (another process's clock)."""
    try:
        sealed = box.decrypt(token)
        at = datetime.fromisoformat(sealed["at"])
    except (CredentialKeyError, ValueError, TypeError, KeyError):
        return None
    if (sealed.get("purpose"), sealed.get("user")) != (purpose, user) or not now - lifetime <= at <= now + slack:
        return None
    return sealed
