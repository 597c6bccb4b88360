"""The office's event pages through the Flask client, on both databases: the form (new, edit, a stale edit,
bad input), the event's page with its status and occurrences, the list, and the list of officials."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from publisher.activities.models import Event, Official
from publisher.core.models import AuditEvent
from tests.factories.events import make_event, make_official
from tests.web.page_helpers import at_home
from web.activities import pages


@pytest.fixture
def signed_in(signed_in, staff):
    return at_home(signed_in)


def form(**overrides):
    """What the form sends for a timed press conference in Belgrade (the browser's own field names)."""
    data = {"kind": "press_conference", "title-sr-Cyrl": "Конференција о закону о медијима", "description-en": "",
            "start_date": "2030-03-04", "start_time": "10:00", "end_date": "", "end_time": "11:00",
            "zone": "Europe/Belgrade", "repeat": "", "until": "", "count": "", "rule": "", "place": "Сала 1",
            "city": "Београд", "country": "RS", "organisations": "", "guests": "", "status": "confirmed",
            "visibility": "public", "public_from": "", "internal_notes": "Улаз са задње стране."}
    data.update(overrides)
    return data


def events_count(session) -> int:
    count = session.scalar(select(func.count()).select_from(Event))
    session.commit()
    return count


def test_an_officer_creates_an_event_and_reads_it_on_its_page(signed_in, session, staff):
    minister = make_official(session)
    session.commit()
    ana = signed_in("ana")
    assert ana.get("/events/new").status_code == 200
    saved = ana.post("/events/new", form(officials=[str(minister.id)]))
    assert saved.status_code == 303, saved.get_data(as_text=True)
    event = session.scalars(select(Event)).one()
    assert (event.start_local, event.end_local, event.zone) == ("2030-03-04T10:00", "2030-03-04T11:00",
                                                                "Europe/Belgrade")
    assert event.official_ids == {minister.id} and event.title.get("sr-Latn") == "Konferencija o zakonu o medijima"
    session.commit()
    page = ana.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Конференција о закону о медијима" in page and "Др Јована Петровић" in page
    assert "Konferencija o zakonu o medijima" in page and "(derived)" in page.replace("(izvedeno)", "(derived)")
    assert 'action="/approval/event/' in page  # public: its fields wait for a second person


def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(signed_in, session):
    ana = signed_in("ana")
    for sent, field_id in ((form(end_time="09:00"), "end_date"), (form(country="Serbia"), "country"),
                           (form(**{"title-sr-Cyrl": ""}), "title-sr-Cyrl"), (form(start_time=""), "start_time"),
                           (form(repeat="WEEKLY"), "until"), (form(rule="FREQ=SECONDLY;COUNT=3"), "rule"),
                           (form(zone="Mars/Olympus"), "zone")):
        response = ana.post("/events/new", sent)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (sent, html[:300])
        assert f'href="#{field_id}"' in html and f'id="{field_id}-error"' in html, field_id
        assert "Сала 1" in html  # what was typed stays
    assert events_count(session) == 0


def test_the_cores_refusals_are_said_in_the_readers_language_next_to_their_field(signed_in, session):
    ana = signed_in("ana")  # reads the pages in Serbian, Latin script
    cases = (
        # 31 March 2030: the clocks in Belgrade jump from 02:00 to 03:00
        (form(start_date="2030-03-31", start_time="02:30", end_time="04:00"), "start_time",
         "02:30 ne postoji 2030-03-31 u zoni Europe/Belgrade: satovi se pomeraju sa 02:00 na 03:00"),
        (form(end_date="2030-03-20"), "end_date", "Događaj traje najviše 14 dana"),
        (form(repeat="WEEKLY", count="900"), "count", "niz se završava u roku od 10 godina"),
        (form(repeat="WEEKLY", until="2030-03-01"), "until", "Poslednji dan mora biti posle početka"),
        (form(rule="FREQ=WEEKLY;COUNT=900"), "rule", "niz se završava u roku od 10 godina"),
        (form(rule="FREQ=WEEKLY;BYDAY=FR;COUNT=3"), "start_date", "Prvi dan mora biti jedan od dana"),
    )
    for sent, field_id, said in cases:
        response = ana.post("/events/new", sent)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, (sent, html[:300])
        assert f'id="{field_id}-error"' in html and said in html, (field_id, said)
    assert events_count(session) == 0


def test_an_edit_saves_and_a_stale_edit_is_refused(signed_in, session, staff):
    event = make_event(session, staff.actor("ana"), start="2030-03-04T10:00", end="2030-03-04T11:00")
    session.commit()
    ana, bojan = signed_in("ana"), signed_in("bojan")
    opened = ana.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="2030-03-04"' in opened and f'name="version" type="hidden" value="{event.version}"' in opened
    seen = event.version
    done = bojan.post(f"/events/{event.id}/edit", form(place="Сала 2", version=str(seen)))
    assert done.status_code == 303, done.get_data(as_text=True)
    stale = ana.post(f"/events/{event.id}/edit", form(place="Сала 3", version=str(seen)))
    assert stale.status_code == 409 and "Someone else changed this event" in stale.get_data(as_text=True) \
        .replace("Neko drugi je promenio ovaj događaj", "Someone else changed this event")
    session.expire_all()
    assert session.get(Event, event.id).place == "Сала 2"
    session.commit()


def test_cancelling_needs_a_reason_and_goes_out_at_once(signed_in, session, staff):
    event = make_event(session, staff.actor("ana"), start="2030-03-04T10:00", end="2030-03-04T11:00")
    session.commit()
    ana = signed_in("ana")
    ana.get(f"/events/{event.id}")
    assert ana.post(f"/events/{event.id}/status", {"status": "cancelled"}).status_code == 303
    session.expire_all()
    assert session.get(Event, event.id).status == "confirmed"  # no reason: nothing done
    session.commit()
    assert ana.post(f"/events/{event.id}/status", {"status": "cancelled", "reason": "Министарка је болесна"}) \
        .status_code == 303
    session.expire_all()
    assert session.get(Event, event.id).status == "cancelled"
    row = session.scalars(select(AuditEvent).where(AuditEvent.action == "event.status")).one()
    assert row.detail == {"reason": "Министарка је болесна"}
    session.commit()
    assert ana.post(f"/events/{event.id}/status", {"status": "maybe"}).status_code == 400


def test_one_occurrence_of_a_weekly_meeting_is_cancelled_and_restored(signed_in, session, staff):
    event = make_event(session, staff.actor("milica"), kind="working_meeting", visibility="internal",
                       start="2030-03-04T09:00", end="2030-03-04T10:00", rule="FREQ=WEEKLY;COUNT=10")
    session.commit()
    milica = signed_in("milica")
    page = milica.get(f"/events/{event.id}").get_data(as_text=True)
    assert page.count('name="original" value="2030-03-') >= 2 and "needs no approval" in page.replace(
        "nije potrebno odobrenje", "needs no approval")
    assert milica.post(f"/events/{event.id}/occurrence", {"action": "cancel", "original": "2030-03-11T09:00"}) \
        .status_code == 303
    session.expire_all()
    assert session.get(Event, event.id).exceptions["skipped"] == ["2030-03-11T09:00"]
    session.commit()
    listed = milica.get("/events?from=2030-03-04").get_data(as_text=True)
    assert listed.count(f'href="/events/{event.id}"') >= 4 and "state-cancelled" in listed
    milica.post(f"/events/{event.id}/occurrence", {"action": "restore", "original": "2030-03-11T09:00"})
    session.expire_all()
    assert session.get(Event, event.id).exceptions["skipped"] == []
    session.commit()
    assert milica.post(f"/events/{event.id}/occurrence", {"action": "cancel", "original": "2030-03-12T09:00"}) \
        .status_code == 303  # not an occurrence: said on the page, nothing changed
    session.expire_all()
    assert session.get(Event, event.id).exceptions["skipped"] == []
    session.commit()


def test_the_list_filters_searches_and_flags_a_conflict(signed_in, session, staff):
    minister = make_official(session)
    make_event(session, staff.actor("ana"), officials=[minister.id], start="2030-03-04T10:00",
               end="2030-03-04T11:00")
    make_event(session, staff.actor("ana"), officials=[minister.id], kind="interview",
               title={"sr-Latn": "Intervju za RTS"}, place="RTS", start="2030-03-04T10:30", end="2030-03-04T11:30")
    session.commit()
    ana = signed_in("ana")
    everything = ana.get("/events?from=2030-03-01").get_data(as_text=True)
    assert everything.count("note-warning") == 2 and "Др Јована Петровић" in everything
    found = ana.get("/events?from=2030-03-01&q=интервју").get_data(as_text=True)  # the other script finds it
    assert "Intervju za RTS" in found and "Конференција за медије министра" not in found
    interviews = ana.get("/events?from=2030-03-01&kind=interview").get_data(as_text=True)
    assert "Intervju za RTS" in interviews and "Конференција за медије министра" not in interviews
    assert "note-warning" in interviews  # the clash with the hidden conference still shows
    assert ana.get("/events?from=2030-13-01&kind=party").status_code == 422


def test_a_long_list_is_shown_in_pages_that_keep_the_filters(signed_in, session, staff, monkeypatch):
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    for hour in (9, 10, 11):
        make_event(session, staff.actor("ana"), kind="interview", title={"sr-Latn": f"Intervju u {hour}"},
                   start=f"2030-03-04T{hour:02}:00", end=f"2030-03-04T{hour:02}:30")
    make_event(session, staff.actor("ana"), title={"sr-Latn": "Jutarnji brifing"}, start="2030-03-04T08:00",
               end="2030-03-04T08:30")
    session.commit()
    ana = signed_in("ana")
    first = ana.get("/events?from=2030-03-01&kind=interview").get_data(as_text=True)
    assert "Intervju u 9" in first and "Intervju u 10" in first and "Intervju u 11" not in first
    assert 'href="/events?page=2&amp;from=2030-03-01&amp;kind=interview" rel="next"' in first
    second = ana.get("/events?from=2030-03-01&kind=interview&page=2").get_data(as_text=True)
    assert "Intervju u 11" in second and "Intervju u 9" not in second and "Jutarnji brifing" not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert "Intervju u 11" in ana.get("/events?from=2030-03-01&kind=interview&page=9").get_data(as_text=True)
    refused = ana.get("/events?page=zero")
    assert refused.status_code == 400 and "page" in refused.get_data(as_text=True)


def test_the_cabinet_keeps_the_list_of_officials(signed_in, session, staff):
    milica = signed_in("milica")
    milica.get("/events/officials")
    added = milica.post("/events/officials", {"name": "Марко Марковић", "role": "state_secretary",
                                              "position-sr-Cyrl": "Државни секретар", "sort": "2", "active": "y"})
    assert added.status_code == 303
    official = session.scalars(select(Official)).one()
    assert (official.role, official.sort, official.active) == ("state_secretary", 2, True)
    assert official.position.get("sr-Latn") == "Državni sekretar"
    session.commit()
    refused = milica.post(f"/events/officials/{official.id}", {"name": " ", "role": "official", "sort": "x"})
    assert refused.status_code == 422
    changed = milica.post(f"/events/officials/{official.id}", {"name": "Марко Марковић", "role": "official",
                                                               "sort": "3"})
    assert changed.status_code == 303
    session.expire_all()
    assert (session.get(Official, official.id).active, session.get(Official, official.id).role) == (False, "official")
    session.commit()
    assert "Марко Марковић" in milica.get("/events/officials").get_data(as_text=True)


def test_who_may_open_the_pages(signed_in, session, staff):
    event = make_event(session, staff.actor("ana"), start="2030-03-04T10:00", end="2030-03-04T11:00")
    session.commit()
    jelena = signed_in("jelena")  # a manager reads
    assert jelena.get(f"/events/{event.id}").status_code == 200
    assert jelena.get("/events/new").status_code == 403
    assert jelena.post(f"/events/{event.id}/status", {"status": "cancelled", "reason": "x"}).status_code == 403
    assert signed_in("sanja").get("/events").status_code == 403
    assert signed_in("ana").get("/events/officials").status_code == 403
    assert jelena.get("/events/999999").status_code == 404
