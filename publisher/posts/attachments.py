"""Posts carry documents (the background of a post: a decision, a report, a scan; internal, never published):
who sees the post sees them, who may edit posts changes them."""

from __future__ import annotations

from publisher.core import permissions
from publisher.core.models import Post
from publisher.documents import attaching

attaching.register("post", attaching.RecordArea(
    load=lambda session, post_id: session.get(Post, post_id),
    can_view=lambda user, _post: permissions.may(user, "posts", "history"),
    can_edit=lambda user, _post: permissions.may(user, "posts", "edit"),
))
