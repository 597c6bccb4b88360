"""An event's preparation, follow-up and links sections, and the forms they send, through the Flask client.

The event page itself is another module's (web/activities, "pages"); here a test-only route renders every
registered section of an event as that page does (web.activities.sections.rendered_for)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from flask import render_template_string
from sqlalchemy import select

from publisher.activities import events
from publisher.activities.checklist import EventChecklistItem
from publisher.activities.links import EventPost
from publisher.core.models import AuditEvent
from publisher.media.store import store_upload
from tests.factories.documents import pdf_bytes
from tests.factories.events import make_event
from tests.factories.media import png_bytes
from tests.factories.posts import draft_post

SECTIONS = """{% for s, c in sections %}{% with section=c %}{% include s.template %}{% endwith %}{% endfor %}
<input name="csrf_token" value="{{ csrf_token() }}">"""


@pytest.fixture
def app(app):
    def event_sections(event_id: int) -> str:
        from web.activities.sections import rendered_for
        from web.context import db
        event = events.get(db(), event_id)
        return render_template_string(SECTIONS, sections=rendered_for(event), event=event)

    app.add_url_rule("/test/events/<int:event_id>/sections", "test_event_sections", event_sections)
    return app


@dataclass(frozen=True)
class Ref:
    """An event by its id only: reading an expired row would open a transaction that, on SQLite, holds the
    lock the pages' requests need."""

    id: int


@pytest.fixture
def event(session, people):
    made = make_event(session, people.actor("bojan"))
    session.commit()
    ref = Ref(made.id)
    session.commit()
    return ref


def sections_of(browser, event) -> str:
    response = browser.get(f"/test/events/{event.id}/sections")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def items(session, event) -> list[EventChecklistItem]:
    session.expire_all()
    found = [Item(i.id, i.key, i.text) for i in session.scalars(
        select(EventChecklistItem).where(EventChecklistItem.event_id == event.id, EventChecklistItem.removed_at.is_(None))
        .order_by(EventChecklistItem.position))]
    session.commit()
    return found


@dataclass(frozen=True)
class Item:
    id: int
    key: str | None
    text: str


def test_the_checklist_is_ticked_added_to_and_trimmed_through_the_page(signed_in, english, session, event):
    english("ana", "jelena")
    ana = signed_in("ana")
    page = sections_of(ana, event)
    assert "Invite the media" in page and "Accreditations" in page and "0 of 5 done" in page
    first = items(session, event)[0]
    response = ana.post(f"/events/{event.id}/checklist/{first.id}", {"done": "1"})
    assert response.status_code == 302 and response.location.endswith(f"/events/{event.id}#preparation")
    assert ana.post(f"/events/{event.id}/checklist", {"text": "Tumač za znakovni jezik"}).status_code == 302
    assert ana.post(f"/events/{event.id}/checklist", {"text": "  "}).status_code == 422
    assert ana.post(f"/events/{event.id}/checklist/{first.id}", {"done": "maybe"}).status_code == 400
    last = items(session, event)[-1]
    assert ana.post(f"/events/{event.id}/checklist/{items(session, event)[1].id}/remove").status_code == 302
    page = sections_of(ana, event)
    assert "1 of 5 done" in page and "Tumač za znakovni jezik" in page and "Prepare the statement" not in page
    assert last.text == "Tumač za znakovni jezik" and last.key is None
    jelena = signed_in("jelena")  # a manager reads, without the forms, and may not change
    assert "/checklist" not in sections_of(jelena, event) and "Accreditations" in sections_of(jelena, event)
    assert jelena.post(f"/events/{event.id}/checklist/{first.id}", {"done": "0"}).status_code == 403


def test_a_post_is_linked_by_words_of_its_title_and_both_pages_name_each_other(signed_in, session, rt, people,
                                                                               event):
    budget = Ref(draft_post(session, rt, people, title="Budžet ministarstva za 2027").id)
    draft_post(session, rt, people, title="Konkurs za medije")
    draft_post(session, rt, people, title="Konkurs za mlade")
    session.commit()
    ana = signed_in("ana")
    sections_of(ana, event)
    response = ana.post(f"/events/{event.id}/posts", {"post": "budžet ministarstva", "role": "announcement"})
    assert response.status_code == 302 and response.location.endswith(f"/events/{event.id}#links")
    several = ana.post(f"/events/{event.id}/posts", {"post": "konkurs", "role": "report"})
    assert several.status_code == 422 and "Konkurs za mlade" in several.get_data(as_text=True)
    assert ana.post(f"/events/{event.id}/posts", {"post": "nema takvog"}).status_code == 422
    assert ana.post(f"/events/{event.id}/posts", {"post": str(budget.id), "role": "teaser"}).status_code == 422
    page = sections_of(ana, event)
    assert f'href="/posts/{budget.id}"' in page and "Budžet ministarstva za 2027" in page
    post_page = ana.get(f"/posts/{budget.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}#links"' in post_page and "Konferencija za medije ministra" in post_page
    jelena = signed_in("jelena")
    sections_of(jelena, event)
    assert jelena.post(f"/events/{event.id}/posts", {"post": str(budget.id)}).status_code == 403
    assert ana.post(f"/events/{event.id}/posts/{budget.id}/unlink").status_code == 302
    session.expire_all()
    assert session.scalars(select(EventPost)).all() == []
    session.commit()


def test_compose_for_an_event_prefills_the_post_and_links_it_once_saved(signed_in, session, people, event):
    portal = str(people.channels["portal"].id)
    session.commit()
    ana = signed_in("ana")
    page = ana.get(f"/posts/new?event={event.id}&role=announcement").get_data(as_text=True)
    title = re.search(r'<input[^>]*id="title"[^>]*value="([^"]*)"', page).group(1)
    assert title == "Konferencija za medije ministra"  # the post is in Latin: the title is transliterated
    body = re.search(r'<textarea[^>]*id="body"[^>]*>\s*([^<]*)</textarea>', page).group(1)
    assert "2026" in body and "10:00" in body and "Sala 1, Nemanjina 11, Beograd" in body
    assert f'name="event" value="{event.id}"' in page
    assert ana.get(f"/posts/new?event={event.id}&role=teaser").status_code == 400
    assert ana.get("/posts/new?event=999999").status_code == 404
    response = ana.post("/posts/new", {"title": title, "body": body + "Pozivamo novinare.", "language": "sr-Latn",
                                       "when": "approved", "action": "save", "event": str(event.id),
                                       "event_role": "announcement",
                                       "channels": [portal]})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    post_id = int(re.fullmatch(r"/posts/(\d+)/edit", response.location).group(1))
    session.expire_all()
    assert [(link.event_id, link.role) for link in session.scalars(
        select(EventPost).where(EventPost.post_id == post_id))] == [(event.id, "announcement")]
    session.commit()


def test_the_minutes_are_saved_against_the_version_read(signed_in, session, event):
    ana, bojan = signed_in("ana"), signed_in("bojan")
    page = sections_of(ana, event)
    assert 'name="version" value="0"' in page
    sections_of(bojan, event)
    assert ana.post(f"/events/{event.id}/followup/minutes", {"text": "Dogovoreno: radna grupa.",
                                                             "version": "0"}).status_code == 302
    stale = bojan.post(f"/events/{event.id}/followup/minutes", {"text": "Moja verzija", "version": "0"})
    assert stale.status_code == 409
    assert "Dogovoreno: radna grupa." in sections_of(bojan, event)
    assert ana.post(f"/events/{event.id}/followup/diary", {"text": "x", "version": "0"}).status_code == 404
    assert session.scalar(select(AuditEvent.subject).where(AuditEvent.action == "event.followup")) == \
        f"event:{event.id}"
    session.commit()


def test_a_briefing_document_is_attached_and_listed_in_the_preparation(signed_in, event):
    ana = signed_in("ana")
    ana.get(f"/documents/event/{event.id}")
    response = ana.post(f"/documents/event/{event.id}", {"file": (io.BytesIO(pdf_bytes()), "brifing.pdf")},
                        content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith(f"/events/{event.id}#preparation")
    page = sections_of(ana, event)
    assert page.count(">brifing<") == 1  # in the briefing documents, not after the event
    jelena = signed_in("jelena")
    assert jelena.get(f"/documents/event_followup/{event.id}").status_code == 200
    jelena.get(f"/documents/event/{event.id}")
    assert jelena.post(f"/documents/event/{event.id}", {"file": (io.BytesIO(pdf_bytes()), "x.pdf")},
                       content_type="multipart/form-data").status_code == 403


def test_every_default_checklist_item_has_words_on_the_page():
    from publisher.activities.checklist import KEYS
    from web.activities.preparation_words import CHECKLIST_ITEMS
    assert sorted(KEYS - set(CHECKLIST_ITEMS)) == []


def test_a_photo_of_the_library_is_linked_shown_and_unlinked(signed_in, session, rt, people, event):
    photo, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=people.actor("ana"),
                            filename="konferencija.png", alt_text="Ministarka na konferenciji")
    session.commit()
    photo_id = photo.id
    session.commit()
    ana = signed_in("ana")
    page = sections_of(ana, event)
    assert f'name="media" value="{photo_id}"' in page and "Nijedna fotografija nije povezana" in page
    response = ana.post(f"/events/{event.id}/media", {"media": str(photo_id)})
    assert response.status_code == 302 and response.location.endswith(f"/events/{event.id}#links")
    assert ana.post(f"/events/{event.id}/media", {"media": "abc"}).status_code == 422
    page = sections_of(ana, event)
    assert f'src="/media/{photo_id}/preview"' in page and 'alt="Ministarka na konferenciji"' in page
    assert f'name="media" value="{photo_id}"' not in page  # no longer offered
    assert ana.post(f"/events/{event.id}/media/{photo_id}/unlink").status_code == 302
    assert f'src="/media/{photo_id}/preview"' in sections_of(ana, event)  # offered again, in the picker


def test_the_photo_picker_searches_the_whole_library(signed_in, session, rt, people, event):
    def upload(name: str, alt: str, shade: int) -> int:  # each its own bytes: the same ones are one item
        item, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes(color=(shade, 30, 30))),
                               actor=people.actor("ana"), filename=name, alt_text=alt)
        return item.id

    wanted = upload("konferencija.png", "Ministarka na konferenciji", 0)
    newer = [upload(f"sednica-{n}.png", f"Sednica vlade {n}", n + 1) for n in range(12)]
    session.commit()
    ana = signed_in("ana")
    offered = ana.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'name="media" value="{wanted}"' not in offered and f'name="media" value="{newer[0]}"' in offered
    found = ana.get(f"/events/{event.id}?photo_q=конференцији").get_data(as_text=True)  # the other script finds it
    assert f'name="media" value="{wanted}"' in found and f'name="media" value="{newer[0]}"' not in found
    assert '<details id="photo-picker" open>' in found
    nothing = ana.get(f"/events/{event.id}?photo_q=budzet").get_data(as_text=True)
    assert "budzet" in nothing and 'name="media"' not in nothing
    refused = ana.get(f"/events/{event.id}?photo_q=tab%09here")
    assert refused.status_code == 200 and 'id="photo-search-error"' in refused.get_data(as_text=True)
