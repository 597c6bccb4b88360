"""Every dashboard page in a real Chromium, in all four languages on a 390 px phone and in one language on a
1366 px laptop: it loads, nothing scrolls sideways (the document is no wider than the window), axe finds no
WCAG A/AA violation, and the console stays clean (no errors, no CSP violations). A failing page leaves a
screenshot in test-artifacts/screenshots/; `make screenshots` (PUBLISHER_SCREENSHOTS=all) takes one of every
page at both widths in all four languages.

A new page gets one line in PAGES; its languages and widths come with it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from publisher.core.models import Alert
from publisher.publishing import alerts, holds
from tests.factories.office import Office
from tests.support.browser import (
    PASSWORD_FIELD,
    USERNAME_FIELD,
    axe_violations,
    format_violations,
    page_log,
    screenshot,
    sign_in,
)
from tests.web.browser.calendar_events_data import planned_week_with_events
from tests.web.browser.documents_data import post_with_documents
from tests.web.browser.event_preparation_data import event_with_briefing, event_with_photos
from tests.web.browser.events_data import planned_events
from tests.web.browser.feeds_data import ICS_PREVIEW, calendar_feeds, ics_file_kept
from tests.web.browser.import_data import PEOPLE_PREVIEW, people_file_kept
from tests.web.browser.library_data import approval_with_media, channel_states, library_files, more_people
from tests.web.browser.mail_bounce_data import bounced_addresses
from tests.web.browser.notification_data import notifications_of_every_kind
from tests.web.browser.posts import approval_queue, planned_week
from tests.web.browser.preview_data import on_every_network
from tests.web.browser.versions_data import post_with_versions
from tests.web.browser.weekly_plan_data import a_planned_week
from tests.web.conftest import PASSWORD
from tests.web.history_data import history_languages, history_mix


def a_written_post(session: Session, office: Office) -> None:
    from tests.web.browser.test_compose_browser import a_written_post as prepare  # noqa: PLC0415 (a cycle)

    prepare(session, office)


def open_and_resolved_alerts(session: Session, office: Office) -> None:
    alerts.raise_alert(session, "auth:portal", "auth", "The portal refused the credentials: 401 Unauthorized",
                       channel_id=office.channels["portal"].id)
    alerts.raise_alert(session, "worker", "worker_silent", "Worker w1 stopped sending heartbeats.")
    session.flush()
    done = session.scalar(select(Alert.id).where(Alert.key == "worker"))
    alerts.resolve(session, office.actor("admin"), done, "Radni proces je ponovo pokrenut.")


def outbox_mix(session: Session, office: Office) -> None:
    """A sent alert, a notification whose fate is unknown, one waiting after a 4xx, one refused for good."""
    from publisher.outbox.models import OutboxRecipient  # noqa: PLC0415
    from publisher.outbox.queueing import queue_mail  # noqa: PLC0415

    alert = queue_mail(session, to=["ana@ministarstvo.example", "marko@ministarstvo.example"], kind="alert",
                       subject="[publisher] auth: The portal refused the credentials", body="…", record="alert:1")
    plan = queue_mail(session, to=["vesna@ministarstvo.example", "nepoznat.primalac.sa.dugom.adresom@ministarstvo.example"],
                      subject="„Nova vest“ čeka vaše odobrenje", body="…", kind="notification",
                      record="notification:4", language="sr-Latn")
    session.flush()
    now = office.runtime.clock()
    states = [("sent", "250 2.0.0 Ok: queued as 4F2A"), ("sent", "250 2.0.0 Ok"),
              ("unknown", "no answer after the message was sent: SMTPServerDisconnected: Connection unexpectedly "
                          "closed"), ("failed", "550 5.1.1 no such user")]
    for row, (state, reply) in zip([*alert.recipients, *plan.recipients], states, strict=True):
        row.state, row.attempts, row.last_error = state, 1, reply if state != "sent" else None
        row.reply, row.sent_at = reply, now if state == "sent" else None
    session.add(OutboxRecipient(message_id=plan.id, address="jelena@ministarstvo.example", state="queued",
                                attempts=2, next_attempt_at=now, last_error="451 4.3.0 try again later"))


def on_hold(session: Session, office: Office) -> None:
    holds.hold(session, office.actor("admin"), "Dan žalosti")
    holds.hold(session, office.actor("admin"), "novi token", office.channels["portal"])


def public_feeds(session: Session, office: Office) -> None:
    from publisher.destinations import channel_store  # noqa: PLC0415
    from tests.factories.people import SYSTEM  # noqa: PLC0415

    for name, slug, title in (("Vesti", "vesti", "Vesti ministarstva — saopštenja za javnost i najave događaja"),
                              ("Вести", "vesti-cyrl", "Вести")):
        channel_store.add_channel(session, office.runtime.box, "feed", name,
                                  {"slug": slug, "title": title, "public_url": "https://ministarstvo.example"},
                                  actor=SYSTEM)


def public_agenda(session: Session, office: Office) -> None:
    """Event 1: an approved public press conference on the next Monday (with an official, an organisation), a
    weekly meeting with one occurrence cancelled, a trip to New York, and a past meeting for the log."""
    from datetime import timedelta  # noqa: PLC0415

    from publisher.activities import approval as event_approval  # noqa: PLC0415
    from publisher.activities import events  # noqa: PLC0415
    from publisher.approval import service as approval  # noqa: PLC0415
    from tests.factories.events import make_event, make_official  # noqa: PLC0415

    today = office.runtime.now().date()
    monday = today + timedelta(days=7 - today.weekday())
    past = today - timedelta(days=20)
    minister = make_official(session, position={"sr-Cyrl": "Министарка информисања", "en": "Minister of Information",
                                                "sq": "Ministre e Informimit"})
    made = [
        make_event(session, office.actor("ana"), officials=[minister.id], organisations=["УНИЦЕФ"],
                   start=f"{monday}T10:00", end=f"{monday}T11:00"),
        make_event(session, office.actor("ana"), kind="working_meeting", title={"sr-Latn": "Kolegijum ministarke"},
                   start=f"{monday}T09:00", end=f"{monday}T09:45", rule="FREQ=WEEKLY;COUNT=4"),
        make_event(session, office.actor("ana"), kind="visit", zone="America/New_York", city="Њујорк", country="US",
                   title={"en": "Visit to the United Nations", "sq": "Vizitë në Kombet e Bashkuara"},
                   start=f"{monday + timedelta(days=2)}T10:00", end=f"{monday + timedelta(days=2)}T12:00"),
        make_event(session, office.actor("ana"), kind="reception", organisations=["ОЕБС"], officials=[minister.id],
                   title={"sr-Cyrl": "Пријем делегације ОЕБС"}, start=f"{past}T12:00", end=f"{past}T13:00"),
    ]
    for event in made:
        subject = event_approval.subject(event)
        approval.submit(session, office.actor("ana"), subject)
        approval.approve(session, office.actor("marko"), subject, approval.current_hash(session, subject)[1])
    events.cancel_occurrence(session, office.actor("bojan"), made[1].id, f"{monday + timedelta(days=7)}T09:00")


@dataclass(frozen=True)
class DashboardPage:
    name: str  # the test's id and the screenshot's file name
    path: str
    person: str | None  # who signs in first (a person of tests/factories.py, with PASSWORD); None: nobody
    status: int = 200
    prepare: Callable[[Session, Office], None] | None = None  # data the page should show


PAGES = [
    DashboardPage("login", "/login", None),  # its language switch sets the language of nobody's pages
    DashboardPage("public-landing", "/public/", None, prepare=public_feeds),  # the public site (web/public)
    DashboardPage("public-agenda", "/agenda", None, prepare=public_agenda),
    DashboardPage("public-agenda-event", "/agenda/1", None, prepare=public_agenda),
    DashboardPage("public-agenda-meetings", "/agenda/meetings", None, prepare=public_agenda),
    DashboardPage("home-ana", "/", "ana"),  # officer
    DashboardPage("home-marko", "/", "marko"),  # approver
    DashboardPage("home-jelena", "/", "jelena"),  # manager
    DashboardPage("home-admin", "/", "admin"),
    DashboardPage("home-ana-on-hold", "/", "ana", prepare=on_hold),  # the hold banners
    DashboardPage("account-ana", "/account", "ana"),
    DashboardPage("compose-new-ana", "/posts/new", "ana"),
    DashboardPage("compose-edit-ana", "/posts/1/edit", "ana", prepare=a_written_post),  # own text, a set time
    DashboardPage("approvals-olga", "/approvals", "olga", prepare=approval_queue),  # hers refused, others' to do
    DashboardPage("approval-diff-vesna", "/approvals/2", "vesna", prepare=approval_queue),  # edited after approval
    DashboardPage("approval-new-marko", "/approvals/1", "marko", prepare=approval_queue),  # never approved
    DashboardPage("approval-own-olga", "/approvals/3", "olga", prepare=approval_queue),  # four eyes: refused
    # the images with their alt texts (one flagged: none); every page is checked in the four languages
    DashboardPage("approval-media-marko", "/approvals/1", "marko", prepare=approval_with_media("sr-Latn")),
    # the preview per channel on every network: a text over X's limit, photos cropped; links made cards
    DashboardPage("compose-preview-ana", "/posts/1/edit", "ana", prepare=on_every_network),
    DashboardPage("approval-preview-marko", "/approvals/2", "marko", prepare=on_every_network),
    DashboardPage("compose-versions-ana", "/posts/1/edit", "ana", prepare=post_with_versions),
    DashboardPage("approval-versions-vesna", "/approvals/1", "vesna", prepare=post_with_versions),  # diff per version
    DashboardPage("post-versions-ana", "/posts/1", "ana", prepare=post_with_versions),
    # with events beside the posts: all-day, abroad, cancelled, tentative, two in conflict (calendar_events_data)
    DashboardPage("calendar-month-ana", "/calendar?view=month&day=2031-06-16", "ana",
                  prepare=planned_week_with_events),
    DashboardPage("calendar-week-ana", "/calendar?view=week&day=2031-06-16", "ana", prepare=planned_week_with_events),
    DashboardPage("calendar-list-ana", "/calendar?view=list&day=2031-06-16", "ana", prepare=planned_week_with_events),
    DashboardPage("calendar-today-marko", "/calendar", "marko", prepare=planned_week),  # the post without a time
    DashboardPage("calendar-week-today-ana", "/calendar?view=week", "ana", prepare=planned_week),
    DashboardPage("calendar-filtered-marko", "/calendar?week=2031-06-16&status=scheduled", "marko",
                  prepare=planned_week),  # an old address: the week as a list
    DashboardPage("queue-jelena", "/queue?from=2031-06-16", "jelena", prepare=planned_week),
    DashboardPage("queue-move-ana", "/queue/1/move", "ana", prepare=planned_week),  # approved: goes back
    DashboardPage("queue-ana", "/queue?from=2031-06-16", "ana", prepare=planned_week),  # boxes to choose
    DashboardPage("queue-bulk-move-ana", "/queue/bulk?action=move&post=1&post=2&post=3", "ana",
                  prepare=planned_week),  # asks first: one approved goes back; the move's fields
    DashboardPage("queue-bulk-cancel-marko", "/queue/bulk?action=cancel&post=1&post=5", "marko",
                  prepare=planned_week),
    DashboardPage("bulk-result-olga", "/posts/bulk/result?kind=approve&r=1.approved&r=2.content_changed&r=3.own_post",
                  "olga", prepare=approval_queue),  # each post's outcome
    DashboardPage("post-delete-ana", "/posts/1/delete", "ana", prepare=a_written_post),  # "Delete this draft?"
    DashboardPage("post-cancel-marko", "/posts/1/cancel", "marko", prepare=planned_week),  # "Cancel this post?"
    DashboardPage("queue-move-dropped-ana", "/queue/1/move?to=2031-06-18T09:00&view=month", "ana",
                  prepare=planned_week),  # where a drag in the month ends: confirm, goes back for approval
    DashboardPage("media-ana", "/media", "ana", prepare=library_files),  # upload form, previews, a PDF
    DashboardPage("media-search-jelena", "/media?q=grb", "jelena", prepare=library_files),  # no upload form
    DashboardPage("media-item-ana", "/media/1", "ana", prepare=library_files),  # used by two posts
    DashboardPage("admin-channels", "/admin/channels", "admin", prepare=channel_states),  # paused, held, checked
    DashboardPage("admin-channel-kinds", "/admin/channels/new", "admin"),
    DashboardPage("admin-channel-new", "/admin/channels/new/state_portal", "admin"),
    DashboardPage("admin-channel-new-wordpress", "/admin/channels/new/wordpress", "admin"),  # the longest help
    DashboardPage("admin-channel-new-facebook", "/admin/channels/new/facebook", "admin"),
    DashboardPage("admin-channel-edit", "/admin/channels/1", "admin"),
    DashboardPage("admin-users", "/admin/users", "admin", prepare=more_people),
    DashboardPage("admin-outbox", "/admin/outbox", "admin", prepare=outbox_mix),  # every state, actions
    DashboardPage("admin-outbox-unknown", "/admin/outbox?state=unknown&q=ministarstvo", "admin", prepare=outbox_mix),
    DashboardPage("admin-outbox-resend", "/admin/outbox/recipients/3/resend", "admin", prepare=outbox_mix),
    DashboardPage("admin-user-new", "/admin/users/new", "admin"),
    DashboardPage("admin-user-ana", "/admin/users/1", "admin", prepare=more_people),  # tokens, one revoked
    DashboardPage("admin-users-bounced", "/admin/users", "admin", prepare=bounced_addresses),  # a long reason
    DashboardPage("admin-user-bounced", "/admin/users/1", "admin", prepare=bounced_addresses),  # clear the mark
    DashboardPage("admin-import-people", "/admin/users/import", "admin"),
    DashboardPage("admin-import-preview", PEOPLE_PREVIEW, "admin", prepare=people_file_kept, status=422),
    DashboardPage("admin-import-gone", "/admin/users/import/" + "0" * 64, "admin", status=404),  # an hour later
    DashboardPage("history-jelena", "/history", "jelena", prepare=history_mix),
    DashboardPage("history-languages-jelena", "/history", "jelena", prepare=history_languages),  # a row per language
    DashboardPage("history-filtered-ana", "/history?status=unknown", "ana", prepare=history_mix),
    DashboardPage("post-detail-ana", "/posts/3", "ana", prepare=history_mix),  # sent + unknown: decisions
    DashboardPage("post-detail-media-jelena", "/posts/1", "jelena", prepare=library_files),  # thumbnails
    DashboardPage("post-detail-jelena", "/posts/2", "jelena", prepare=history_mix),  # failed + stale, read
    DashboardPage("event-documents-ana", "/documents/event/1", "ana", prepare=event_with_briefing),  # briefing
    DashboardPage("event-photos-ana", "/events/1?photo_q=ministarka", "ana", prepare=event_with_photos),  # picker
    DashboardPage("post-detail-documents-ana", "/posts/1", "ana", prepare=post_with_documents),  # attach form
    DashboardPage("documents-ana", "/documents/post/1", "ana", prepare=post_with_documents),
    DashboardPage("document-ana", "/documents/post/1/1", "ana", prepare=post_with_documents),  # two versions
    DashboardPage("document-jelena", "/documents/post/1/2", "jelena", prepare=post_with_documents),  # reads only
    DashboardPage("approval-pdf-never-approved-ana", "/posts/1/approval.pdf", "ana", prepare=a_written_post,
                  status=404),  # a draft has no approval record: said in words
    DashboardPage("history-search-jelena", "/history?q=konkurs", "jelena", prepare=history_mix),  # finds Cyrillic
    DashboardPage("queue-search-nothing-ana", "/queue?from=2031-06-16&q=nema+takvog", "ana", prepare=planned_week),
    DashboardPage("users-search-too-long-admin", "/admin/users?q=" + "x" * 201, "admin", status=422),
    DashboardPage("audit-jelena", "/audit", "jelena", prepare=history_mix),
    DashboardPage("audit-filtered-admin", "/audit?action=post.approve&post=x", "admin", prepare=history_mix,
                  status=422),  # a filter that cannot be read
    DashboardPage("alerts-marko", "/alerts", "marko", prepare=open_and_resolved_alerts),  # resolve forms
    DashboardPage("alerts-jelena", "/alerts", "jelena", prepare=open_and_resolved_alerts),  # reads only
    DashboardPage("alerts-credentials-admin", "/alerts", "admin", prepare=channel_states),  # refused, in words
    DashboardPage("home-credentials-admin", "/", "admin", prepare=channel_states),  # expiring: needs attention
    DashboardPage("notifications-ana", "/notifications", "ana", prepare=notifications_of_every_kind),
    DashboardPage("notifications-marko", "/notifications", "marko", prepare=notifications_of_every_kind),
    DashboardPage("events-ana", "/events?from=2030-03-02", "ana", prepare=planned_events),  # a clash, a trip
    DashboardPage("event-new-ana", "/events/new", "ana", prepare=planned_events),  # the officials to choose
    DashboardPage("event-public-ana", "/events/1", "ana", prepare=planned_events),  # the approval panel
    DashboardPage("event-weekly-ana", "/events/2", "ana", prepare=planned_events),  # occurrences, one cancelled
    DashboardPage("event-edit-ana", "/events/3/edit", "ana", prepare=planned_events),  # another zone
    DashboardPage("officials-admin", "/events/officials", "admin", prepare=planned_events),
    DashboardPage("calendar-feed-ana", "/account/calendar-feed", "ana", prepare=calendar_feeds),  # two, revoke
    DashboardPage("ical-import-ana", "/events/import", "ana"),
    DashboardPage("ical-import-preview-ana", ICS_PREVIEW, "ana", prepare=ics_file_kept, status=422),  # one refused
    DashboardPage("weekly-plan-ana", "/events/weekly-plan?week=2026-12-07", "ana", prepare=a_planned_week),  # sent once
    DashboardPage("weekly-plan-jelena", "/events/weekly-plan?week=2026-12-07", "jelena", prepare=a_planned_week),
    DashboardPage("not-found", "/no-such-page", None, status=404),
    DashboardPage("not-found-ana", "/no-such-page", "ana", status=404),
]


# Each page is checked on SQLite: what a browser gets does not depend on the database, the pages' queries
# run on both databases in tests/web/, and a second run would double this suite's time. ALSO_ON_POSTGRESQL
# runs there too, so that the live server and signing in are proven on both.
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
ALSO_ON_POSTGRESQL = ["home-ana-on-hold"]


def backend(database_url: str) -> str:
    return urlsplit(database_url).scheme.split("+")[0]


LANGUAGES = ("sr-Latn", "sr-Cyrl", "sq", "en")  # User.locale's spelling, as <html lang> says it
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
LAPTOP_LANGUAGE = "sr-Latn"  # at 1366 px one language is enough in `make test`; `make screenshots` takes all
EVERY_SCREENSHOT = os.environ.get("PUBLISHER_SCREENSHOTS") == "all"

# The document's width against the window's, and the elements that stick out past the window's right edge
# (the outermost few), so that a failure says what to fix.
_SIDEWAYS = """() => {
  const width = window.innerWidth, doc = document.documentElement;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5 && !out.some(o => o.contains(el))) out.push(el);
  }
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.classList.length ? '.' + [...el.classList].join('.') : '');
  return {scrollWidth: doc.scrollWidth, innerWidth: width,
          wide: out.slice(0, 5).map(el => `${name(el)} (${Math.round(el.getBoundingClientRect().right)} px)`)};
}"""


def sideways_problem(page) -> str | None:
    """Why the page scrolls sideways in its window, or None when it does not."""
    measured = page.evaluate(_SIDEWAYS)
    if measured["scrollWidth"] <= measured["innerWidth"]:
        return None
    return (f"scrolls sideways: {measured['scrollWidth']} px wide in a {measured['innerWidth']} px window; "
            f"too wide: {', '.join(measured['wide']) or '(no single element)'}")


def page_problems(page, status: int = 200) -> list[str]:
    """Every problem of the page as it is now: sideways scrolling, axe, the console."""
    if status >= 400:  # Chromium logs the document's own error status as a console error: expected here
        log = page_log(page)
        log.console_errors[:] = [m for m in log.console_errors
                                 if not (f"status of {status}" in m and f"({page.url}:" in m)]
    problems = []
    sideways = sideways_problem(page)
    if sideways:
        problems.append(sideways)
    violations = axe_violations(page)
    if violations:
        problems.append(f"axe: {len(violations)} violation(s)\n" + format_violations(violations))
    logged = page_log(page).problems()
    if logged:
        problems.append("console:\n  " + "\n  ".join(logged))
    return problems


def check_page(page, name: str, status: int = 200) -> None:
    """Sideways scrolling, axe and the console at the page's present width: every problem in one failure."""
    problems = page_problems(page, status)
    if problems or EVERY_SCREENSHOT:
        screenshot(page, name)  # there to look at when a check fails
    if problems:
        pytest.fail(f"{name} ({page.url}):\n" + "\n".join(problems), pytrace=False)


def widths(language: str) -> list[dict[str, int]]:
    return [PHONE, LAPTOP] if EVERY_SCREENSHOT or language == LAPTOP_LANGUAGE else [PHONE]


def show_in(target: DashboardPage, live_server, page, people: Office, session: Session, language: str) -> None:
    """The page in a language: a signed-in person's own choice (User.locale), else the sign-in page's switch."""
    if target.person:
        people.users[target.person].locale = language
        session.commit()
    else:
        page.goto(live_server(f"/login?lang={language}"))
    response = page.goto(live_server(target.path))
    assert response is not None and response.status == target.status, \
        f"{target.path}: HTTP {response and response.status}, not {target.status}"
    assert urlsplit(page.url).path == urlsplit(target.path).path, f"{target.path} sent the browser to {page.url}"
    shown = page.evaluate("document.documentElement.lang")
    assert shown == language, f"{target.path} came in {shown!r}, not {language!r}"


def visit(target: DashboardPage, live_server, page, people: Office, session: Session, database_url: str) -> None:
    """Each language at 390 px (and one at 1366 px); one failure lists every language's and width's problems."""
    if target.prepare:
        target.prepare(session, people)
        session.commit()  # on SQLite an open writer transaction would hold up the server's writes
    if target.person:
        sign_in(page, live_server, target.person, PASSWORD)
    problems = []
    for language in LANGUAGES:
        page.set_viewport_size(PHONE)
        show_in(target, live_server, page, people, session, language)
        for size in widths(language):
            page.set_viewport_size(size)
            name = f"{target.name}-{language}-{size['width']}-{backend(database_url)}"
            found = page_problems(page, target.status)
            if found or EVERY_SCREENSHOT:
                screenshot(page, name)
            problems += [f"{language} at {size['width']} px: {p}" for p in found]
            page_log(page).console_errors.clear()  # each problem once, where it was seen
            page_log(page).page_errors.clear()
            page_log(page).csp_violations.clear()
    if problems:
        pytest.fail(f"{target.name} ({target.path}):\n" + "\n".join(problems), pytrace=False)


@ON_SQLITE
@pytest.mark.parametrize("target", PAGES, ids=lambda p: p.name)
def test_page_in_browser(target: DashboardPage, live_server, page, people, session, database_url) -> None:
    visit(target, live_server, page, people, session, database_url)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("target", [p for p in PAGES if p.name in ALSO_ON_POSTGRESQL], ids=lambda p: p.name)
def test_page_in_browser_on_postgresql(target: DashboardPage, live_server, page, people, session,
                                       database_url) -> None:
    visit(target, live_server, page, people, session, database_url)


@ON_SQLITE
def test_refused_sign_in_in_browser(live_server, page, people, database_url: str) -> None:
    """The sign-in form showing its error: where markup most often goes wrong for screen readers."""
    page.set_viewport_size(PHONE)
    page.goto(live_server("/login"))
    page.locator(USERNAME_FIELD).first.fill("ana")
    page.locator(PASSWORD_FIELD).first.fill("not-" + PASSWORD)
    with page.expect_navigation():
        page.locator(PASSWORD_FIELD).first.press("Enter")
    assert urlsplit(page.url).path == "/login"
    check_page(page, f"login-refused-{backend(database_url)}", 422)


@ON_SQLITE
def test_refused_password_change_in_browser(live_server, page, people, database_url: str) -> None:
    """The account page showing a refused password change: the error summary and the field's error."""
    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "ana", PASSWORD)
    page.goto(live_server("/account"))
    page.locator('input[autocomplete="current-password"]').fill("not-" + PASSWORD)
    new_password = page.locator('input[autocomplete="new-password"]')
    new_password.nth(0).fill("short")
    new_password.nth(1).fill("different")
    with page.expect_navigation():
        new_password.nth(1).press("Enter")
    assert urlsplit(page.url).path.startswith("/account")
    check_page(page, f"account-password-refused-{backend(database_url)}", 422)
