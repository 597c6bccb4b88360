"""Posts carry documents (the background of a post: a decision, a report, a scan; internal, never published):
who sees the post sees them, who may edit posts changes them. A deleted draft takes its attachments along
(the documents stay): a later post must not inherit them, and SQLite may give it the same id."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from publisher.core import permissions
from publisher.core.models import Post
from publisher.documents import attaching
from publisher.documents.models import Attachment

attaching.register("post", attaching.RecordArea(
    load=lambda session, post_id: session.get(Post, post_id),
    can_view=lambda user, _post: permissions.may(user, "posts", "history"),
    can_edit=lambda user, _post: permissions.may(user, "posts", "edit"),
))


def forget_post(session: Session, post_id: int) -> None:
    """Take every document off a post that is being deleted (publisher.posts.drafts)."""
    session.execute(delete(Attachment).where(Attachment.record_type == "post", Attachment.record_id == post_id))
