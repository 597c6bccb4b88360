"""An event with its briefing documents, for the browser tests of the event's documents page: event 1 (a press
conference) carries document 1, a PDF. Ids are predictable: each test starts with an empty database."""

from __future__ import annotations

import io

from sqlalchemy.orm import Session

from publisher.documents import attaching, store
from tests.factories import documents as docs
from tests.factories.events import make_event
from tests.factories.office import Office
from tests.web.browser.library_data import media_dir


def event_with_briefing(session: Session, office: Office) -> None:
    event = make_event(session, office.actor("bojan"))
    attaching.attach_upload(session, store.documents_dir(media_dir(office)), office.actor("bojan"), "event",
                            event.id, io.BytesIO(docs.pdf_bytes("v1")), filename="Brifing za konferenciju.pdf",
                            kind="background", note="Ključne poruke i pitanja novinara")
