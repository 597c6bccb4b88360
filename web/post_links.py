"""Where a post's title leads, for the person looking: one rule for every list that names a post.

A draft or a post sent back opens in the compose page for whoever may write posts (the compose page lets any
officer edit them); a post waiting for approval opens on its approval page for an approver; every other post,
and every post for everyone else, opens on its own page in the history (everyone may read the history).
"""

from __future__ import annotations

from typing import Protocol

from flask import Flask, url_for
from flask_login import current_user

from publisher.core.states import PostStatus

REOPENABLE = frozenset({PostStatus.DRAFT, PostStatus.REJECTED})


class Titled(Protocol):
    """A post or a list entry naming one: its id and its state are enough."""

    id: int
    status: str


def post_link(post: Titled) -> str | None:
    """The address a title links to for the signed-in person, or None when they may open no page of it."""
    if not current_user.is_authenticated:
        return None
    if post.status in REOPENABLE and current_user.may("posts", "write"):
        return url_for("compose.edit", post_id=post.id)
    if post.status == PostStatus.PENDING_APPROVAL and current_user.may("posts", "approve"):
        return url_for("approvals.detail", post_id=post.id)
    if current_user.may("posts", "history"):
        return url_for("history.post_detail", post_id=post.id)
    return None


def register(app: Flask) -> None:
    app.add_template_global(post_link)
