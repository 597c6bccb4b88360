"""Every dashboard route × every role, checked on the server: who may use it gets past the role check,
everyone else gets 403, and nobody who is signed out gets anything but the sign-in page.

A new route must be added to ACCESS, or the first test fails: nothing is reachable by accident.
Record-level rules (the four-eyes rule, the admin's own account) are at the end.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule

from publisher.activities import checklist
from publisher.core.models import Alert, UserRole
from publisher.documents import attaching
from publisher.documents.store import documents_dir
from publisher.media.store import store_upload
from publisher.notifications.models import Notification
from publisher.people import accounts
from publisher.posts import workflow
from publisher.publishing import alerts
from tests.factories.documents import pdf_bytes
from tests.factories.events import make_event
from tests.factories.media import png_bytes
from tests.factories.posts import approve_as_read
from tests.web.conftest import Visitor

PUBLIC = "public"
SIGNED_IN = ("officer", "approver", "manager", "head_of_office", "cabinet", "info_officer", "admin")
OFFICER, ADMIN = ("officer",), ("admin",)
APPROVER = ("approver", "head_of_office")
HISTORY_READERS = SIGNED_IN
DECIDERS = ("officer", "approver", "admin")
CANCELLERS = ("officer", "approver", "head_of_office", "admin")
UPLOADERS = ("officer", "admin")
AUDIT_READERS = ("manager", "head_of_office", "admin")
EVENT_READERS = ("officer", "approver", "manager", "head_of_office", "cabinet")  # activities.read
EVENT_WRITERS = ("officer", "cabinet")  # activities.write and .edit
EVENT_STATUS = ("officer", "cabinet", "head_of_office")  # activities.status
OFFICIALS_KEEPERS = ("cabinet", "head_of_office", "admin")  # activities.officials
EVENT_EDITORS = ("officer", "cabinet")  # permissions: activities.edit
ACTIVITY_READERS = ("officer", "approver", "manager", "head_of_office", "cabinet")  # activities.read
PLAN_SENDERS = ("officer", "cabinet", "head_of_office")  # activities.weekly_plan

# (endpoint, method) -> the roles that may use it, or PUBLIC.
ACCESS: dict[tuple[str, str], str | tuple[str, ...]] = {
    ("auth.login", "GET"): PUBLIC,
    ("auth.login", "POST"): PUBLIC,
    ("healthz", "GET"): PUBLIC,
    ("public.index", "GET"): PUBLIC,  # the public site's landing page (web/public)
    ("agenda_ics.feed", "GET"): PUBLIC,  # the public agenda as iCalendar
    ("calendar_feed.feed", "GET"): PUBLIC,  # a person's feed: its secret address is the credential (404 here)
    ("calendar_feed.page", "GET"): ACTIVITY_READERS,
    ("calendar_feed.create", "POST"): ACTIVITY_READERS,
    ("calendar_feed.revoke", "POST"): ACTIVITY_READERS,  # one's own: another person's is "not found"
    ("ical_import.start", "GET"): EVENT_WRITERS,
    ("ical_import.upload", "POST"): EVENT_WRITERS,
    ("ical_import.preview", "GET"): EVENT_WRITERS,
    ("ical_import.confirm", "POST"): EVENT_WRITERS,
    ("agenda.index", "GET"): PUBLIC,  # the public agenda (web/public/agenda.py)
    ("agenda.event", "GET"): PUBLIC,
    ("agenda.meetings_log", "GET"): PUBLIC,
    ("agenda.meetings_csv", "GET"): PUBLIC,
    ("static", "GET"): PUBLIC,
    ("auth.logout", "POST"): SIGNED_IN,
    ("dashboard.home", "GET"): SIGNED_IN,
    ("dashboard.account", "GET"): SIGNED_IN,
    ("dashboard.account_language", "POST"): SIGNED_IN,
    ("dashboard.account_password", "POST"): SIGNED_IN,
    ("dashboard.account_notifications", "POST"): SIGNED_IN,
    ("notifications.index", "GET"): SIGNED_IN,
    ("notifications.mark_read", "POST"): SIGNED_IN,  # one's own: another person's is "not found"
    ("notifications.mark_all_read", "POST"): SIGNED_IN,
    ("compose.new", "GET"): OFFICER,
    ("compose.create", "POST"): OFFICER,
    ("compose.edit", "GET"): OFFICER,
    ("compose.update", "POST"): OFFICER,
    ("compose.check", "POST"): OFFICER,
    ("compose.transliterate", "POST"): OFFICER,
    ("compose.preview", "POST"): OFFICER,
    ("approvals.index", "GET"): APPROVER,
    # Any area's approval moves: the subject's area decides who may (publisher.approval); none is registered here.
    ("approval.submit", "POST"): SIGNED_IN,
    ("approval.approve", "POST"): SIGNED_IN,
    ("approval.send_back", "POST"): SIGNED_IN,
    ("approval.withdraw", "POST"): SIGNED_IN,
    ("approvals.detail", "GET"): APPROVER,
    ("approvals.approve", "POST"): APPROVER,
    ("approvals.reject", "POST"): APPROVER,
    ("queue.index", "GET"): SIGNED_IN,
    ("queue.calendar_week", "GET"): SIGNED_IN,
    ("queue.move", "GET"): OFFICER,
    ("queue.move", "POST"): OFFICER,
    ("post_actions.delete", "GET"): OFFICER,
    ("post_actions.delete", "POST"): OFFICER,
    ("post_actions.duplicate", "POST"): OFFICER,
    ("post_actions.withdraw", "POST"): OFFICER,
    ("post_actions.cancel", "GET"): CANCELLERS,
    ("post_actions.cancel", "POST"): CANCELLERS,
    ("bulk.approve", "POST"): APPROVER,
    ("bulk.queue_action", "GET"): CANCELLERS,
    ("bulk.queue_action", "POST"): CANCELLERS,  # cancelling: CANCELLERS; moving: officer
    ("bulk.result", "GET"): SIGNED_IN,
    ("history.history_page", "GET"): HISTORY_READERS,
    ("history.history_csv", "GET"): HISTORY_READERS,
    ("history.history_xlsx", "GET"): HISTORY_READERS,
    ("history.post_detail", "GET"): HISTORY_READERS,
    ("printed.approval_pdf", "GET"): HISTORY_READERS,
    ("weekly_plan.index", "GET"): EVENT_READERS,
    ("weekly_plan.pdf", "GET"): EVENT_READERS,
    ("weekly_plan.ics", "GET"): EVENT_READERS,
    ("weekly_plan.send", "POST"): PLAN_SENDERS,  # the confirmation page first (409 here: nobody to send it to)
    ("history.decide", "POST"): DECIDERS,
    ("alerts.index", "GET"): SIGNED_IN,
    ("alerts.resolve", "POST"): DECIDERS,
    ("audit.audit_page", "GET"): AUDIT_READERS,
    ("audit.audit_csv", "GET"): AUDIT_READERS,
    ("library.index", "GET"): SIGNED_IN,
    ("library.show", "GET"): SIGNED_IN,
    ("library.preview", "GET"): SIGNED_IN,
    ("library.original", "GET"): SIGNED_IN,
    ("library.upload", "POST"): UPLOADERS,
    ("library.describe", "POST"): UPLOADERS,
    # a record's documents: who sees the record reads them, who may edit it changes them (posts: officers)
    ("documents.index", "GET"): HISTORY_READERS,
    ("documents.show", "GET"): HISTORY_READERS,
    ("documents.download", "GET"): HISTORY_READERS,
    ("documents.attach", "POST"): OFFICER,
    ("documents.add_version", "POST"): OFFICER,
    ("documents.detach", "POST"): OFFICER,
    ("admin.channels", "GET"): ADMIN,
    ("admin.channel_kind", "GET"): ADMIN,
    ("admin.channel_add", "GET"): ADMIN,
    ("admin.channel_add", "POST"): ADMIN,
    ("admin.channel_edit", "GET"): ADMIN,
    ("admin.channel_edit", "POST"): ADMIN,
    ("admin.channel_check", "POST"): ADMIN,
    ("admin.channel_pause", "POST"): ADMIN,
    ("admin.channel_resume", "POST"): ADMIN,
    ("admin.hold_on", "POST"): ADMIN,
    ("admin.hold_off", "POST"): ADMIN,
    ("admin.user_list", "GET"): ADMIN,
    ("admin.user_add", "GET"): ADMIN,
    ("admin.user_add", "POST"): ADMIN,
    ("admin.user_edit", "GET"): ADMIN,
    ("admin.user_save", "POST"): ADMIN,
    ("admin.user_password", "POST"): ADMIN,
    ("admin.token_revoke", "POST"): ADMIN,
    ("outbox.index", "GET"): ADMIN,
    ("outbox.settle", "GET"): ADMIN,
    ("outbox.settle", "POST"): ADMIN,
    ("admin.user_mail_clear", "POST"): ADMIN,
    ("people_import.start", "GET"): ADMIN,
    ("people_import.upload", "POST"): ADMIN,
    ("people_import.preview", "GET"): ADMIN,
    ("people_import.confirm", "POST"): ADMIN,
    ("people_import.cancel", "POST"): ADMIN,
    ("activities.index", "GET"): EVENT_READERS,
    ("activities.show", "GET"): EVENT_READERS,
    ("activities.new", "GET"): EVENT_WRITERS,
    ("activities.create", "POST"): EVENT_WRITERS,
    ("activities.edit", "GET"): EVENT_WRITERS,
    ("activities.update", "POST"): EVENT_WRITERS,
    ("activities.status", "POST"): EVENT_STATUS,
    ("activities.occurrence", "POST"): EVENT_STATUS,  # moving or restoring one also needs activities.edit
    ("activities.officials_list", "GET"): OFFICIALS_KEEPERS,
    ("activities.official_add", "POST"): OFFICIALS_KEEPERS,
    ("activities.official_edit", "GET"): OFFICIALS_KEEPERS,
    ("activities.official_save", "POST"): OFFICIALS_KEEPERS,
    # an event's preparation, follow-up and links (web/activities/preparation.py): who may edit events
    ("event_preparation.checklist_add", "POST"): EVENT_EDITORS,
    ("event_preparation.checklist_tick", "POST"): EVENT_EDITORS,
    ("event_preparation.checklist_remove", "POST"): EVENT_EDITORS,
    ("event_preparation.followup_save", "POST"): EVENT_EDITORS,
    ("event_preparation.post_link", "POST"): EVENT_EDITORS,
    ("event_preparation.post_unlink", "POST"): EVENT_EDITORS,
    ("event_preparation.media_link", "POST"): EVENT_EDITORS,
    ("event_preparation.media_unlink", "POST"): EVENT_EDITORS,
}
# One person per role; each holds only that role.
PEOPLE = {"officer": "ana", "approver": "marko", "manager": "jelena", "head_of_office": "dragan",
          "cabinet": "milica", "info_officer": "sanja", "admin": "admin"}


def dashboard_routes(app) -> list[tuple[str, str, Rule]]:
    """(endpoint, method, rule) for every route outside the token API and the feeds."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("api.", "feed.")):
            continue
        routes += [(rule.endpoint, method, rule) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def test_every_dashboard_route_says_who_may_use_it(app):
    declared = set(ACCESS)
    present = {(endpoint, method) for endpoint, method, _ in dashboard_routes(app)}
    assert present - declared == set(), "routes without an entry in ACCESS"
    assert declared - present == set(), "entries in ACCESS for routes that do not exist"


@dataclass
class World:
    """One record of each kind the routes take, so that every route can be called for real."""

    values: dict[str, object]

    def path(self, rule: Rule) -> str:
        return rule.build({name: self.values[name] for name in rule.arguments})[1]


@pytest.fixture
def world(staff, session, rt) -> World:
    people = staff
    waiting = workflow.create_post(session, rt, people.actor("ana"), {
        "title": "Čeka odobrenje", "body": "Tekst", "language": "sr-Latn", "channels": ["archive"]})
    workflow.submit(session, rt, people.actor("ana"), waiting.id)
    scheduled = workflow.create_post(session, rt, people.actor("bojan"), {
        "title": "Odobrena", "body": "Tekst", "language": "sr-Latn", "channels": ["archive"]})
    workflow.submit(session, rt, people.actor("bojan"), scheduled.id)
    approve_as_read(session, rt, people.actor("vesna"), scheduled.id)
    media, _ = store_upload(session, rt.settings.media_dir, io.BytesIO(png_bytes()), actor=people.actor("ana"),
                            filename="slika.png", alt_text="Slika")
    document = attaching.attach_upload(session, documents_dir(rt.settings.media_dir), people.actor("ana"), "post",
                                       scheduled.id, io.BytesIO(pdf_bytes()), filename="odluka.pdf")
    event = make_event(session, people.actor("ana"))
    item = checklist.ensure_checklist(session, people.actor("ana"), event)[0]
    token, _ = accounts.create_token(session, people.users["bojan"], actor=people.actor("admin"), name="matrix")
    alerts.raise_alert(session, "matrix", "overdue", "A delivery is overdue.", post_id=scheduled.id)
    session.commit()
    alert_id = session.scalar(select(Alert.id).where(Alert.key == "matrix"))
    notification_id = session.scalar(select(Notification.id).where(Notification.post_id == waiting.id).limit(1))
    event_id, item_id = event.id, item.id
    session.commit()
    post_for = {"approvals": waiting.id, "compose": waiting.id, "queue": scheduled.id, "history": scheduled.id,
                "documents": scheduled.id}
    return World({
        "post_id": post_for, "delivery_id": scheduled.deliveries[0].id, "decision": "retry_now",
        "media_id": media.id, "channel_id": people.channels["archive"].id, "kind": "local_folder",
        "user_id": people.users["bojan"].id, "token_id": token.id, "filename": "app.css", "alert_id": alert_id,
        "notification_id": notification_id, "sha256": "0" * 64, "subject_type": "activity", "subject_id": 1,
        "record_type": "post", "record_id": scheduled.id, "document_id": document.id, "number": 1,
        "recipient_id": 1, "action": "resend",  # the outbox: a recipient that need not exist (404 past the check)
        "event_id": event_id, "item_id": item_id, "official_id": 1, "token": "unknown", "week": "2026-12-07"})


def call(visitor: Visitor, world: World, endpoint: str, method: str, rule: Rule):
    values = dict(world.values)
    values["post_id"] = world.values["post_id"].get(endpoint.split(".")[0], 1)  # type: ignore[union-attr]
    path = World(values).path(rule)
    return visitor.get(path) if method == "GET" else visitor.post(path, {})


def verdict(response) -> str:
    if response.status_code == 403:
        return "refused"
    if response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", ""):
        return "to sign-in"
    if response.status_code == 401:
        return "unauthenticated"
    return "let through"


@pytest.mark.parametrize("role", [None, *PEOPLE])
def test_the_route_and_role_matrix(app, people, world, role):
    visitor = Visitor(app.test_client())
    if role is not None:
        assert visitor.sign_in(PEOPLE[role]).status_code == 302
        visitor.get("/")  # the signed-in session's CSRF token: the first route called may be a POST
    mismatches = []
    # Sign-out last: it would end the session the other calls need.
    routes = sorted(dashboard_routes(app), key=lambda r: (r[0] == "auth.logout", r[0], r[1]))
    for endpoint, method, rule in routes:
        allowed = ACCESS[(endpoint, method)]
        if endpoint == "auth.logout":  # signed out afterwards either way (test_dashboard_auth checks it ends)
            expected = "to sign-in"
        elif allowed == PUBLIC:
            expected = "let through"
        elif role is None:
            expected = "to sign-in"
        else:
            expected = "let through" if role in allowed else "refused"
        got = verdict(call(visitor, world, endpoint, method, rule))
        if got != expected:
            mismatches.append(f"{method} {rule.rule} as {role or 'nobody'}: expected {expected}, got {got}")
    assert mismatches == []


# --- record-level rules ------------------------------------------------------------------------------


def olga_approves(signed_in, session, post, name: str = "olga") -> int:
    """Olga (officer and approver), or another, tries to approve through the page; returns the status code."""
    session.commit()
    olga = signed_in(name)
    olga.get(f"/approvals/{post.id}")
    status = olga.post(f"/approvals/{post.id}/approve", {"content_hash": post.content_hash}).status_code
    session.expire_all()
    assert session.get(type(post), post.id).status == "pending_approval"
    session.commit()
    return status


def test_an_approver_who_wrote_the_post_is_refused_on_the_server(app, people, session, rt, signed_in):
    own = workflow.create_post(session, rt, people.actor("olga"), {
        "title": "Moja", "body": "Tekst", "language": "sr-Latn", "channels": ["archive"]})
    workflow.submit(session, rt, people.actor("olga"), own.id)
    assert olga_approves(signed_in, session, own) == 403


def test_an_approver_who_edited_the_post_is_refused_on_the_server(app, people, session, rt, signed_in):
    post = workflow.create_post(session, rt, people.actor("ana"), {
        "title": "Zajednička", "body": "Tekst", "language": "sr-Latn", "channels": ["archive"]})
    workflow.edit_post(session, rt, people.actor("olga"), post.id, {"body": "Tekst koji je olga dopisala"})
    workflow.submit(session, rt, people.actor("ana"), post.id)
    assert olga_approves(signed_in, session, post) == 403


def test_a_head_of_office_who_wrote_the_post_is_refused_on_the_server(app, staff, session, rt, signed_in):
    staff.users["dragan"].role_rows.append(UserRole(role="officer"))  # writes too: four eyes still hold
    session.flush()
    own = workflow.create_post(session, rt, staff.actor("dragan"), {
        "title": "Šefova", "body": "Tekst", "language": "sr-Latn", "channels": ["archive"]})
    workflow.submit(session, rt, staff.actor("dragan"), own.id)
    assert olga_approves(signed_in, session, own, "dragan") == 403


def test_an_admin_cannot_take_away_their_own_admin_role(app, people, session, signed_in):
    admin = signed_in("admin")
    own_id = people.users["admin"].id
    admin.get(f"/admin/users/{own_id}")
    response = admin.post(f"/admin/users/{own_id}", {"display_name": "Admin", "roles": ["officer"],
                                                      "locale": "sr-Latn", "active": "y"})
    assert response.status_code in (400, 409, 422)
    session.expire_all()
    assert people.users["admin"].has_role("admin")
    session.commit()
