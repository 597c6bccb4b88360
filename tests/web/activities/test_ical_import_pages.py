"""The .ics import pages: upload, preview, confirm; a file that cannot be imported is refused on the form."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from publisher.activities.models import Event
from tests.publisher.activities.test_ical_import import FLOATING, TRIP, WEEKLY, ics


def test_import_a_file_through_the_pages(app, session, people, signed_in):
    ana = signed_in("ana")
    assert ana.get("/events/import").status_code == 200
    refused = ana.post("/events/import", {"file": (io.BytesIO(b"not a calendar"), "x.ics"), "zone": "Europe/Belgrade",
                                          "language": "sr-Latn"}, content_type="multipart/form-data")
    assert refused.status_code == 422 and "Datoteka nije kalendarska datoteka" in refused.get_data(as_text=True)
    sent = ana.post("/events/import", {"file": (io.BytesIO(ics(WEEKLY, TRIP)), "kalendar.ics"),
                                       "zone": "Europe/Belgrade", "language": "en"}, content_type="multipart/form-data")
    assert sent.status_code == 302
    preview = ana.get(sent.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Колегијум министра" in page and "America/New_York" in page
    assert "Datoteka ne navodi vremensku zonu" not in page  # both have their zones
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert session.scalars(select(Event)).all() == []  # nothing before the confirmation
    session.commit()
    done = ana.post("/events/import/confirm", {"token": token})
    assert done.status_code == 302
    made = session.scalars(select(Event).order_by(Event.id)).all()
    assert [e.uid for e in made] == ["kolegijum@ministarstvo.example", "trip@ministarstvo.example"]
    assert made[1].title.get("en") == "Visit to the UN" and made[1].visibility == "internal"
    session.commit()
    assert ana.post("/events/import/confirm", {"token": token}).status_code == 404  # the file is gone


def test_the_preview_says_its_notes_and_refusals_in_the_readers_language(session, people, signed_in):
    ana = signed_in("ana")  # reads the pages in Serbian, Latin script
    ana.get("/events/import")
    gap = TRIP.replace("UID:trip@", "UID:gap@").replace("DTSTART;TZID=America/New_York:20260310T090000",
                                                        "DTSTART;TZID=Europe/Belgrade:20270328T023000")
    sent = ana.post("/events/import", {"file": (io.BytesIO(ics(FLOATING, gap)), "kalendar.ics"),
                                       "zone": "Europe/Belgrade", "language": "sr-Latn"},
                    content_type="multipart/form-data")
    page = ana.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Datoteka ne navodi vremensku zonu: pročitano u zoni Europe/Belgrade." in page
    assert "02:30 ne postoji 2027-03-28 u zoni Europe/Belgrade" in page
