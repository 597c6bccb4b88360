"""Issue 11, "failures hide": a failing X (the scripted test channel) shows on the overview and the history,
and the overview does not say that publishing runs normally while it fails."""

from __future__ import annotations

import pytest

from publisher.core.models import Hold, WorkerBeat
from publisher.core.states import DeliveryStatus
from publisher.publishing import channel_health
from tests.factories.office import add_channel
from tests.factories.publishing import post_with_deliveries
from tests.support.scripted_channel import scripted_kind

D = DeliveryStatus
NORMAL = "Objavljivanje teče normalno."  # "Publishing is running normally." in jelena's Serbian


@pytest.fixture
def x_channel(session, rt, people):
    with scripted_kind():
        add_channel(session, rt, people, "X", "scripted", {})
        now = rt.clock()
        session.add(WorkerBeat(id="w1", host="here", pid=1, started_at=now, heartbeat_at=now))  # a live worker
        session.commit()
        yield people.channels["X"]


def test_a_quiet_office_runs_normally(signed_in, x_channel):
    html = signed_in("jelena").get("/").get_data(as_text=True)
    assert NORMAL in html and 'id="needs-attention"' not in html


def test_a_retrying_x_shows_on_the_overview_and_in_the_history(signed_in, people, session, rt, x_channel):
    post_with_deliveries(session, people, "Saopštenje za X", {"X": D.RETRY_WAIT, "archive": D.SENT},
                         at=rt.clock(), error="X: 503 Service Unavailable")
    session.commit()
    browser = signed_in("jelena")
    html = browser.get("/").get_data(as_text=True)
    assert NORMAL not in html
    attention = html.split('id="needs-attention"')[1].split("</section>")[0]
    assert "<strong>X</strong>" in attention and "X: 503 Service Unavailable" in attention
    assert f"/history?channel={x_channel.id}&amp;status=retry_wait" in attention
    assert "/history?status=retry_wait" in attention
    history = browser.get("/history", query_string={"status": "retry_wait"}).get_data(as_text=True)
    assert "Saopštenje za X" in history and "X: 503 Service Unavailable" in history


def test_the_verdicts_and_their_reasons(session, rt, people, x_channel):
    now = rt.clock()
    post_with_deliveries(session, people, "Odbijeno", {"X": D.FAILED}, at=now)
    session.add(Hold(channel_id=people.channels["portal"].id, reason="token revoked", created_by="worker",
                     created_at=now))
    session.commit()
    verdicts = {v.channel.name: v for v in channel_health.channel_health(session, now)}
    assert (verdicts["X"].state, verdicts["X"].reason, verdicts["X"].failed) == ("failing", "failed", 1)
    assert (verdicts["portal"].state, verdicts["portal"].reason) == ("broken", "credentials_refused")
    assert verdicts["portal"].detail == "token revoked"
    assert (verdicts["archive"].state, verdicts["archive"].reason) == ("healthy", "ok")
    people.channels["archive"].enabled = False
    people.channels["X"].rate_limited_until = now.replace(year=now.year + 1)
    session.commit()
    verdicts = {v.channel.name: v for v in channel_health.channel_health(session, now)}
    assert (verdicts["archive"].state, verdicts["archive"].reason) == ("broken", "switched_off")
    assert verdicts["X"].reason == "rate_limited"


def test_a_failing_x_is_warned_about_on_compose_and_the_channels_page(signed_in, people, session, rt, x_channel):
    post_with_deliveries(session, people, "Saopštenje za X", {"X": D.RETRY_WAIT}, at=rt.clock(),
                         error="X: 503 Service Unavailable")
    session.commit()
    compose = signed_in("ana").get("/posts/new").get_data(as_text=True)
    hint = f'id="channels-{x_channel.id}-hint"'
    assert f'aria-describedby="channels-{x_channel.id}-hint"' in compose and hint in compose
    portal = people.channels["portal"].id
    assert f'id="channels-{portal}-hint"' not in compose  # a healthy channel gets no warning
    channels = signed_in("admin").get("/admin/channels").get_data(as_text=True)
    card = channels.split(f'id="channel-{x_channel.id}-title"')[1].split("</article>")[0]
    assert 'class="channel-failing"' in card and "X: 503 Service Unavailable" in card
