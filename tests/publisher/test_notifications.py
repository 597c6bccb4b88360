"""Who is told what happened to a post, in the same transaction as the change, and never of their own doing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from publisher.core.errors import Invalid, NotFound
from publisher.core.models import Alert, Post, PostContributor, User
from publisher.notifications import choices, inbox
from publisher.notifications.choices import Choice
from publisher.notifications.models import Notification
from publisher.posts import workflow
from publisher.publishing import alerts, deliveries
from publisher.publishing.dispatch import DispatchPolicy
from publisher.publishing.worker import Worker, WorkerOptions
from tests.factories import posts as factories
from tests.factories.office import PORTAL_SECRET, add_channel
from tests.factories.publishing import BASE, post_with_deliveries


def told(session, kind: str | None = None, post_id: int | None = None) -> dict[str, Notification]:
    """Who got a notification (of that kind, about that post), by user name."""
    session.expire_all()
    query = select(Notification)
    if kind:
        query = query.where(Notification.kind == kind)
    if post_id:
        query = query.where(Notification.post_id == post_id)
    rows = session.scalars(query).all()
    names = {session.get(User, row.user_id).name: row for row in rows}
    assert len(names) == len(rows), "somebody was told twice"
    session.commit()
    return names


def test_a_submitted_post_tells_the_approvers_who_did_not_write_it(session, rt, office):
    post_id = factories.pending_post(session, rt, office, author="olga")  # olga is an officer and an approver
    assert sorted(told(session, "awaiting_approval", post_id)) == ["marko", "vesna"]
    assert told(session)["marko"].data == {"title": "Саопштење", "by": "olga"}


def test_everyone_who_may_approve_is_told_whatever_role_lets_them(session, rt, staff):
    post_id = factories.pending_post(session, rt, staff, author="ana")
    # The head of office approves too; the cabinet and the information officer do not.
    assert sorted(told(session, "awaiting_approval", post_id)) == ["dragan", "marko", "olga", "vesna"]


def test_an_approval_tells_the_author_and_every_contributor_but_not_the_approver(session, rt, office):
    post = factories.draft_post(session, rt, office, author="ana")
    workflow.edit_post(session, rt, office.actor("bojan"), post.id, {"body": "Bojan je dopisao."})
    workflow.submit(session, rt, office.actor("bojan"), post.id)
    factories.approve_as_read(session, rt, office.actor("marko"), post.id)
    session.commit()
    assert sorted(told(session, "approved", post.id)) == ["ana", "bojan"]
    assert "marko" not in told(session, "approved", post.id)


def test_sending_back_carries_the_approvers_comment(session, rt, office):
    post_id = factories.pending_post(session, rt, office)
    workflow.reject(session, rt, office.actor("vesna"), post_id, "  Dodajte izvor.  ")
    session.commit()
    row = told(session, "sent_back", post_id)
    assert sorted(row) == ["ana"]
    assert row["ana"].data == {"title": "Саопштење", "by": "vesna", "comment": "Dodajte izvor."}


def test_nobody_is_told_of_their_own_action(session, rt, office):
    post_id = factories.pending_post(session, rt, office, author="olga")
    # olga approves nothing of hers (four eyes), but she is an approver: her own submit did not tell her
    assert "olga" not in told(session, "awaiting_approval", post_id)
    factories.approve_as_read(session, rt, office.actor("marko"), post_id)
    session.commit()
    assert "marko" not in told(session, "approved", post_id)


def test_a_refused_change_tells_nobody(session, rt, office):
    post_id = factories.pending_post(session, rt, office)
    session.execute(Notification.__table__.delete())
    session.commit()
    with pytest.raises(Invalid):  # the comment is missing: nothing happened, nobody is told
        workflow.reject(session, rt, office.actor("vesna"), post_id, " ")
    session.rollback()
    assert told(session) == {}


@pytest.fixture
def live_portal(rt, session, office, portal):
    add_channel(session, rt, office, "live-portal", "state_portal", {"url": portal.url, "secret": PORTAL_SECRET})
    session.commit()


@pytest.fixture
def worker(rt):
    w = Worker(rt, WorkerOptions(policy=DispatchPolicy(backoff_base=0.0, max_attempts=1), threads=4),
               worker_id="test-worker")
    yield w
    w.close()


def test_published_tells_the_writers_with_each_channels_link(session, rt, office, portal, live_portal, worker):
    post_id = factories.approved_post(session, rt, office, channels=("live-portal",))
    worker.run_until_idle()
    row = told(session, "published", post_id)
    assert sorted(row) == ["ana"]
    assert row["ana"].data["links"] == [{"channel": "live-portal", "url": f"{portal.base_url}/vesti/1"}]


def test_a_failure_names_the_channel_and_why(session, rt, office, portal, live_portal, worker):
    portal.script(["422"])
    post_id = factories.approved_post(session, rt, office, channels=("live-portal",))
    worker.run_until_idle()
    session.expire_all()  # the worker settled the post in its own session
    assert session.get(Post, post_id).status == "failed"
    row = told(session, "failed", post_id)["ana"]
    [missed] = row.data["failures"]
    assert (missed["channel"], missed["status"], row.data["partial"]) == ("live-portal", "failed", False)
    assert "title must not be empty" in missed["error"]


def test_an_alert_appears_in_the_notifications_of_the_people_it_concerns(session, rt, office):
    post = factories.post_row(session, office, status="failed", title="Vest")
    alerts.raise_alert(session, "failed:7", "failed", "the portal refused it", post_id=post.id)
    alerts.raise_alert(session, "failed:7", "failed", "seen again by another worker", post_id=post.id)
    session.commit()
    rows = told(session, "alert")
    alert = session.get(Alert, rows["ana"].alert_id)
    assert sorted(rows) == sorted(u.name for u in alerts.concerned(session, alert))
    assert sorted(rows) == ["ana", "marko", "olga", "vesna"]
    assert rows["ana"].data == {"alert_kind": "failed", "title": "Vest"}
    assert all(not r.mail_due for r in rows.values())  # the alert mails itself


# --- choices ------------------------------------------------------------------------------------------

def test_the_defaults_mail_what_needs_a_person_and_list_everything(session, rt, office):
    office.users["marko"].email = "marko@ministarstvo.example"
    session.commit()
    post_id = factories.pending_post(session, rt, office)
    marko = told(session, "awaiting_approval", post_id)["marko"]
    assert (marko.shown, marko.read_at, marko.mail_due) == (True, None, True)
    assert told(session, "awaiting_approval", post_id)["vesna"].mail_due is False  # no e-mail address


def test_a_person_who_wants_neither_is_not_told_and_email_only_is_not_listed(session, rt, office):
    for name in ("marko", "vesna"):
        office.users[name].email = f"{name}@ministarstvo.example"
    choices.save_choices(session, office.actor("marko"), {"awaiting_approval": Choice(False, False)})
    choices.save_choices(session, office.actor("vesna"), {"awaiting_approval": Choice(False, True)})
    session.commit()
    post_id = factories.pending_post(session, rt, office)
    rows = told(session, "awaiting_approval", post_id)
    assert sorted(rows) == ["olga", "vesna"]
    assert rows["vesna"].shown is False and rows["vesna"].read_at is not None and rows["vesna"].mail_due
    assert inbox.unread_count(session, office.users["vesna"].id) == 0
    assert inbox.newest(session, office.users["vesna"].id).items == []


def test_choices_refuse_an_unknown_kind_and_never_mail_alerts(session, office):
    with pytest.raises(Invalid, match="unknown kind"):
        choices.save_choices(session, office.actor("ana"), {"gossip": Choice(True, True)})
    saved = choices.save_choices(session, office.actor("ana"), {"alert": Choice(True, True)})
    assert saved["alert"] == Choice(True, False)


# --- reading ------------------------------------------------------------------------------------------

def test_the_list_is_newest_first_in_pages_and_marking_read_is_ones_own(session, rt, office):
    ids = [factories.pending_post(session, rt, office, title=f"Vest {i}") for i in range(5)]
    marko = office.users["marko"].id
    first = inbox.newest(session, marko, limit=3)
    assert [n.post_id for n in first.items] == ids[::-1][:3]
    second = inbox.newest(session, marko, before=first.next_before, limit=3)
    assert [n.post_id for n in second.items] == ids[::-1][3:] and second.next_before is None
    assert inbox.unread_count(session, marko) == 5
    with pytest.raises(NotFound):
        inbox.mark_read(session, office.actor("vesna"), first.items[0].id, rt.clock())
    inbox.mark_read(session, office.actor("marko"), first.items[0].id, rt.clock())
    assert inbox.unread_count(session, marko) == 4
    assert inbox.mark_all_read(session, office.actor("marko"), rt.clock()) == 4
    assert inbox.unread_count(session, marko) == 0


def test_the_reminder_period_is_a_setting(rt):
    from publisher.core.config import ConfigError, Settings

    assert Settings.from_env({}, instance_dir=rt.settings.instance_dir).approval_reminder_hours == 24
    assert Settings.from_env({"PUBLISHER_APPROVAL_REMINDER_HOURS": "0"},
                             instance_dir=rt.settings.instance_dir).approval_reminder_hours == 0
    with pytest.raises(ConfigError):
        Settings.from_env({"PUBLISHER_APPROVAL_REMINDER_HOURS": "-1"}, instance_dir=rt.settings.instance_dir)


def test_a_person_who_settles_a_post_is_not_told_but_its_other_writers_are(session, office):
    made = post_with_deliveries(session, office, "Saopštenje", {"portal": "sent", "archive": "unknown"})
    made.post.status = "publishing"
    made.post.contributors.append(PostContributor(user_id=office.users["bojan"].id))
    session.commit()
    deliveries.decide(session, office.actor("ana"), made.deliveries["archive"].id, "went_out",
                      url="https://arhiva.example/saopstenje", now=BASE)
    session.commit()
    row = told(session, "published", made.post.id)
    assert sorted(row) == ["bojan"]  # ana said it went out herself
    assert {link["channel"] for link in row["bojan"].data["links"]} == {"portal", "archive"}


def test_an_approved_post_changed_afterwards_waits_for_the_approvers_again(session, rt, office):
    post_id = factories.approved_post(session, rt, office, author="ana", approver="marko")
    session.execute(Notification.__table__.delete())
    session.commit()
    workflow.edit_post(session, rt, office.actor("bojan"), post_id, {"body": "Ispravljen datum."})
    session.commit()
    assert sorted(told(session, "awaiting_approval", post_id)) == ["marko", "olga", "vesna"]


def test_a_resolved_alert_no_longer_counts_as_unread(session, rt, office):
    alerts.raise_alert(session, "auth:9", "auth", "paused", channel_id=office.channels["portal"].id)
    session.commit()
    admin = office.users["admin"].id
    assert inbox.unread_count(session, admin) == 1
    alerts.resolve(session, office.actor("marko"), told(session, "alert")["admin"].alert_id, "Token obnovljen.")
    session.commit()
    assert inbox.unread_count(session, admin) == 0
    assert [n.kind for n in inbox.newest(session, admin).items] == ["alert"]  # still listed, as read
