"""A post with language versions for the browser pages: 1 is Ana's, approved by Marko in sr-Latn, sq and en,
then edited by Bojan (the Albanian text changed, the English one removed, the Cyrillic written by hand)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from publisher.core.models import PostContributor
from publisher.core.states import PostStatus
from publisher.destinations.content import content_hash, freeze, frozen_hash
from publisher.posts.approvals import record_approval
from tests.factories.office import Office
from tests.web.browser.posts import WEEK, add_post


def post_with_versions(session: Session, office: Office) -> None:
    post = add_post(session, office, "ana", "Program podrške", "Ministarstvo objavljuje program podrške.",
                    PostStatus.PENDING_APPROVAL, WEEK)
    post.translations = {"sq": {"title": "Programi i mbështetjes", "body": "Ministria shpall programin e mbështetjes."},
                         "en": {"title": "Support programme", "body": "The ministry announces a support programme."}}
    post.content_hash = content_hash(post)
    frozen = freeze(post)
    record_approval(session, post, office.users["marko"], datetime.now(UTC) - timedelta(hours=1), frozen,
                    frozen_hash(frozen))
    post.translations = {"sq": {"title": "Programi i mbështetjes", "body": "Ministria sot shpall programin."},
                         "sr-Cyrl": {"title": "Програм подршке", "body": "Министарство објављује Програм подршке."}}
    post.content_hash = content_hash(post)
    post.contributors.append(PostContributor(user_id=office.users["bojan"].id))
