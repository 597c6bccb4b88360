"""A post with documents for the browser tests of the documents panel and pages: post 1 carries document 1
(a PDF in two versions, with notes) and document 2 (a scanned TIFF). Ids are predictable: each test starts
with an empty database."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from publisher.core.states import PostStatus
from publisher.documents import attaching, store
from tests.factories import documents as docs
from tests.factories.office import Office
from tests.web.browser.library_data import media_dir
from tests.web.browser.posts import WEEK, add_post


def post_with_documents(session: Session, office: Office) -> None:
    post = add_post(session, office, "ana", "Obrazloženje budžeta za 2027. godinu",
                    "Ministarstvo objavljuje obrazloženje budžeta.", PostStatus.DRAFT, WEEK)
    session.flush()
    root = store.documents_dir(media_dir(office))
    actor = office.actor("ana")
    decision = attaching.attach_upload(session, root, actor, "post", post.id, io.BytesIO(docs.pdf_bytes("v1")),
                                       filename="Odluka o budžetu.pdf", kind="background", note="Nacrt odluke")
    attaching.add_version(session, root, office.actor("bojan"), "post", post.id, decision.id,
                          io.BytesIO(docs.pdf_bytes("v2")), filename="Odluka o budžetu – konačna.pdf",
                          note="Ispravljeni iznosi u članu 3")
    attaching.attach_upload(session, root, actor, "post", post.id, io.BytesIO(docs.tiff_bytes()),
                            filename="dopis-ministarstvu-finansija-skeniran-2026-12-04.tif", kind="scan",
                            title="Dopis Ministarstvu finansija (skeniran, sa potpisom i pečatom)")
