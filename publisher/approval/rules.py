"""The four-eyes rules, as pure functions: posts and every other approvable area decide by these, and only these.

Nothing here reads the database: each rule takes what it judges and raises the error the caller passes on."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from publisher.core import limits
from publisher.core.errors import Conflict, Forbidden, Invalid


def frozen_hash(frozen: dict[str, Any]) -> str:
    """The canonical hash of a frozen version: key order and spacing never change it, any value does."""
    canonical = json.dumps(frozen, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def refuse_contributor(user_id: int | None, contributor_ids: Iterable[int], what: str, verb: str, *,
                       code: str = "own_work") -> None:
    """The approver is never one who wrote or edited it. `what` names the record ("post 7")."""
    if user_id is not None and user_id in set(contributor_ids):
        raise Forbidden(f"you wrote or edited {what}; another approver must {verb} it (four eyes)", code=code)


def require_seen_hash(seen_hash: object) -> str:
    """An approval names the version the approver read; without it there is nothing to bind."""
    if not isinstance(seen_hash, str) or not seen_hash:
        raise Invalid("approving needs the content hash of the version you read", code="content_hash_required")
    return seen_hash


def check_seen_hash(seen_hash: str, current_hash: str, what: str) -> None:
    """What the approver read must be exactly what would go out now. `what` is "the post", "the release"…"""
    if seen_hash != current_hash:
        raise Conflict(f"{what} changed after you opened it; read it again before approving",
                       code="content_changed", details={"content_hash": current_hash})


def send_back_comment(comment: object) -> str:
    """Sending back tells the author what to change: a comment is required, within limits.COMMENT."""
    if not isinstance(comment, str) or not comment.strip():
        raise Invalid("a rejection needs a comment telling the author what to change", code="comment_required")
    limits.check_length(comment, "comment", limits.COMMENT)
    return comment.strip()
