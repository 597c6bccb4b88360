"""What the pages say about credentials and platform errors: the channels page's "credentials refused on ..."
and "the token expires on ...", the overview's "needs attention", the alerts page, and a delivery's error on
the post page and in the history, each in words with the platform's original behind "Original message"."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from channels.base import Health
from publisher.core.actor import Actor
from publisher.core.models import Alert, ChannelCheck, Delivery
from publisher.publishing import credential_checks
from tests.web.page_helpers import at_home

EXPIRED = ("Facebook refused the page token (code 190, subcode 463): Error validating access token: Session has "
           "expired; generate a new page access token")
SENTENCE = ("refused the login: the access token has expired. Make a new one, enter it in the channel's settings, "
            "then resume the channel if it is paused.")


@pytest.fixture
def signed_in(signed_in):
    return at_home(signed_in)


def page(browser, path: str) -> str:
    return unescape(browser.get(path).get_data(as_text=True))


def checked(session, rt, channel, health: Health, **later) -> None:
    credential_checks.record(session, Actor.system("worker"), channel, health, rt.clock() + timedelta(**later),
                             credential_checks.CheckPolicy())
    session.commit()


def test_refused_credentials_show_in_words_everywhere(signed_in, people, english, session, rt):
    english("admin")
    portal = people.channels["portal"]
    checked(session, rt, portal, Health.refusal(EXPIRED))
    admin = signed_in("admin")

    channels = page(admin, "/admin/channels")
    assert "credentials refused on" in channels and "The state portal " + SENTENCE in channels
    assert "<summary>Original message</summary>" in channels and "subcode 463" in channels
    assert "Last checked" in channels and "by the periodic check" in channels

    home = page(admin, "/")
    assert "Needs attention" in home and "the platform has refused the credentials since" in home

    alerts = page(admin, "/alerts")
    assert "A channel's credentials were refused at a check" in alerts and SENTENCE in alerts

    checked(session, rt, portal, Health(ok=True, message="the portal answers"), hours=6)
    alerts = page(admin, "/alerts")
    assert "by a later check that found the credentials working" in alerts
    assert "the platform has refused" not in page(admin, "/")


def test_an_expiry_within_the_warning_period_needs_attention(signed_in, people, english, session, rt):
    english("admin")
    checked(session, rt, people.channels["portal"],
            Health(ok=True, message="page; the token expires", expires_at=rt.clock() + timedelta(days=3)))
    admin = signed_in("admin")
    channels = page(admin, "/admin/channels")
    assert "the token expires on" in channels and "credentials expire soon" in channels
    home = page(admin, "/")
    assert "Needs attention" in home and "the credentials expire on" in home


def test_a_far_expiry_is_only_shown(signed_in, people, english, session, rt):
    english("admin")
    checked(session, rt, people.channels["portal"],
            Health(ok=True, message="fine", expires_at=rt.clock() + timedelta(days=60)))
    admin = signed_in("admin")
    assert "the token expires on" in page(admin, "/admin/channels")
    assert "credentials expire" not in page(admin, "/")


def test_a_delivery_error_in_words_on_the_post_page_and_in_the_history(signed_in, people, english, session, api):
    from tests.web.test_posts_api import scheduled_post

    english("ana")
    post_id = scheduled_post(api)
    delivery = session.scalar(select(Delivery).where(Delivery.post_id == post_id))
    delivery.status, delivery.error_kind = "failed", "rejected"
    delivery.error = "the portal refused the delivery (HTTP 422): <script>alert(1)</script>"
    session.commit()
    ana = signed_in("ana")

    for path in (f"/posts/{post_id}", "/history"):
        html = ana.get(path).get_data(as_text=True)
        assert "The state portal refused the post as it is" in html, path
        assert "<summary>Original message</summary>" in html and "&lt;script&gt;alert(1)" in html, path
        assert "<script>alert(1)" not in html


def test_serbian_readers_get_the_sentence_in_serbian(signed_in, people, session, rt):
    checked(session, rt, people.channels["portal"], Health.refusal(EXPIRED))
    html = page(signed_in("admin"), "/admin/channels")
    assert "Original message" not in html and SENTENCE not in html


def test_check_now_keeps_the_outcome_and_alerts_like_the_periodic_check(signed_in, people, english, session, rt,
                                                                        portal):
    english("admin")
    channel = people.channels["portal"]
    admin = signed_in("admin")
    admin.post(f"/admin/channels/{channel.id}", {"setting_url": portal.url, "setting_health_url": portal.health_url})
    portal.script(["401"])

    assert admin.post(f"/admin/channels/{channel.id}/check").status_code == 302

    html = page(admin, "/admin/channels")
    assert "credentials refused on" in html and "by admin" in html
    with rt.read_sessions() as s:
        assert s.scalar(select(ChannelCheck.outcome).where(ChannelCheck.channel_id == channel.id)) == "refused"
        assert s.scalar(select(Alert.kind).where(Alert.resolved_at.is_(None))) == "credentials_refused"

    assert admin.post(f"/admin/channels/{channel.id}/check").status_code == 302  # the portal answers 200 now
    with rt.read_sessions() as s:
        assert s.scalar(select(Alert.kind).where(Alert.resolved_at.is_(None))) is None


def test_the_api_lists_each_channels_last_check(api, people, session, rt):
    checked(session, rt, people.channels["portal"], Health.refusal(EXPIRED))
    listed = {c["name"]: c for c in api("admin").get("/api/v1/channels").json}
    assert listed["archive"]["credentials"] is None
    assert listed["portal"]["credentials"]["outcome"] == "refused"
    assert set(listed["portal"]["credentials"]) == {"outcome", "checked_at", "since", "expires_at"}


def test_new_settings_make_the_channel_due_a_new_check(signed_in, people, english, session, rt):
    english("admin")
    channel = people.channels["portal"]
    checked(session, rt, channel, Health.refusal(EXPIRED))
    admin = signed_in("admin")
    admin.post(f"/admin/channels/{channel.id}", {"setting_url": "https://portal.example/new-hook"})

    html = page(admin, "/admin/channels")
    assert "not checked yet" in html and "credentials refused on" not in html
    with rt.read_sessions() as s:
        assert [c.name for c in credential_checks.due(s, rt.clock(), timedelta(hours=6))] == ["portal", "archive"]
        assert s.scalar(select(Alert.kind).where(Alert.resolved_at.is_(None))) == "credentials_refused"
