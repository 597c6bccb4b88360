"""An event with its briefing documents, for the browser tests of the event's documents page: event 1 (a press
conference) carries document 1, a PDF. Ids are predictable: each test starts with an empty database."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from publisher.activities import links
from publisher.documents import attaching, store
from publisher.media.store import store_upload
from tests.factories import documents as docs
from tests.factories.events import make_event
from tests.factories.media import png_bytes
from tests.factories.office import Office
from tests.web.browser.library_data import media_dir


def event_with_briefing(session: Session, office: Office) -> None:
    event = make_event(session, office.actor("bojan"))
    attaching.attach_upload(session, store.documents_dir(media_dir(office)), office.actor("bojan"), "event",
                            event.id, io.BytesIO(docs.pdf_bytes("v1")), filename="Brifing za konferenciju.pdf",
                            kind="background", note="Ključne poruke i pitanja novinara")


def event_with_photos(session: Session, office: Office) -> None:
    """Event 1 with one photo linked, and the picker open on a search that finds another (/events/1?photo_q=)."""
    event = make_event(session, office.actor("bojan"))
    actor = office.actor("ana")
    linked, _ = store_upload(session, media_dir(office), io.BytesIO(png_bytes(320, 200, (20, 60, 160))),
                             actor=actor, filename="sala.png", alt_text="Sala za konferencije pre početka")
    store_upload(session, media_dir(office), io.BytesIO(png_bytes(320, 200, (160, 60, 20))), actor=actor,
                 filename="ministarka.png", alt_text="Ministarka na konferenciji za medije")
    session.flush()
    links.link_media(session, office.actor("bojan"), event.id, linked.id)
