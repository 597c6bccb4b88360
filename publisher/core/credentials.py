"""Channel credentials encrypted at rest with keys that live outside the database.

Several keys may be configured (newest first): the newest encrypts, all of them decrypt, and
`rotate` re-encrypts every stored secret with the newest so an old key can be retired.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from publisher.core.errors import CredentialKeyError


class CredentialBox:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise CredentialKeyError("no credentials key configured (PUBLISHER_CREDENTIALS_KEY)")
        try:
            self._fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])
        except (ValueError, TypeError) as exc:
            raise CredentialKeyError(
                "PUBLISHER_CREDENTIALS_KEY must be comma-separated Fernet keys "
                "(32 url-safe base64-encoded bytes; `publisher keys generate` makes one)"
            ) from exc

    def encrypt(self, secrets: dict[str, Any]) -> str:
        return self._fernet.encrypt(json.dumps(secrets, sort_keys=True).encode()).decode()

    def decrypt(self, token: str) -> dict[str, Any]:
        if not token:
            return {}
        try:
            return json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise CredentialKeyError(
                "stored channel credentials cannot be decrypted with the configured keys "
                "(was the key rotated without keeping the old one?)"
            ) from None

    def rotate(self, token: str) -> str:
        if not token:
            return token
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise CredentialKeyError("a stored credential cannot be decrypted with any configured key") from None
