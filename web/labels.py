"""Words for the names the core stores (roles, states), in the person's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLES = {
    "officer": _l("officer"),
    "approver": _l("approver"),
    "manager": _l("manager"),
    "admin": _l("administrator"),
}

POST_STATES = {
    "draft": _l("draft"),
    "pending_approval": _l("waiting for approval"),
    "scheduled": _l("scheduled"),
    "publishing": _l("publishing"),
    "published": _l("published"),
    "partially_published": _l("partly published"),
    "failed": _l("failed"),
    "rejected": _l("sent back"),
    "cancelled": _l("cancelled"),
}

DELIVERY_STATES = {
    "pending": _l("waiting"),
    "sending": _l("sending"),
    "retry_wait": _l("will retry"),
    "sent": _l("sent"),
    "failed": _l("failed"),
    "unknown": _l("outcome unknown"),
    "stale": _l("too late to send unasked"),
    "cancelled": _l("cancelled"),
}


def role_list(roles: frozenset[str] | set[str]) -> str:
    return ", ".join(str(ROLES.get(r, r)) for r in sorted(roles))


def sent_back_reason(reason: dict | None) -> str:
    """Why an approved post waits for approval again although nobody edited it (Post.sent_back)."""
    if not reason:
        return ""
    params = reason.get("params") or {}
    if reason.get("code") == "media_alt_changed":
        return str(_l("The alt text of “%(file)s” in the media library changed after approval, so the post "
                      "waits for approval again with the new text.", file=params.get("file", "")))
    return str(_l("Something this post uses changed after approval, so it waits for approval again."))
