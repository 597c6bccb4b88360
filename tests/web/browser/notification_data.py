"""Notifications of every kind, for the pages' checks: ana's posts approved, sent back with a comment,
published with links, published in part with a refusal; an alert; posts waiting for marko."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from publisher.notifications import making
from publisher.notifications.choices import APPROVAL_REMINDER
from publisher.publishing import alerts
from tests.factories.office import Office
from tests.factories.posts import post_row

AT = datetime(2031, 6, 16, 9, 30, tzinfo=UTC)


def notifications_of_every_kind(session: Session, office: Office) -> None:
    marko, ana = office.actor("marko"), office.actor("ana")
    approved = post_row(session, office, status="scheduled", title="Dan otvorenih vrata ministarstva")
    making.post_approved(session, marko, approved, AT)
    back = post_row(session, office, status="rejected", title="Конкурс за стипендије")
    making.post_sent_back(session, marko, back, AT, comment="Dodajte rok za prijave i link ka pravilniku.")
    published = post_row(session, office, status="published", title="Izveštaj o radu za 2030. godinu")
    making.tell(session, [ana.user.id], "published", AT, post_id=published.id, data={
        "title": published.title, "links": [
            {"channel": "portal", "url": "https://www.ministarstvo.example/vesti/izvestaj-o-radu-za-2030-godinu"},
            {"channel": "archive", "url": None}]})
    partial = post_row(session, office, status="partially_published", title="Saopštenje o radovima")
    making.tell(session, [ana.user.id], "failed", AT, post_id=partial.id, data={
        "title": partial.title, "partial": True, "links": [{"channel": "archive", "url": None}],
        "failures": [{"channel": "portal", "status": "failed", "error_kind": "rejected",
                      "error": "HTTP 422: title must not be empty (field 'naslov_dokumenta_za_portal')"}]})
    alerts.raise_alert(session, "failed:page", "failed", "portal refused it", post_id=partial.id)
    waiting = post_row(session, office, status="pending_approval", author="bojan", title="Poziv novinarima")
    making.post_submitted(session, office.actor("bojan"), waiting, AT)
    making.tell(session, making.approvers_of(session, waiting), APPROVAL_REMINDER, AT, post_id=waiting.id,
                data={"title": waiting.title, "waiting_since": AT.isoformat()})
