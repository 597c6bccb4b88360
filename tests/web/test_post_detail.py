"""One post's page (/posts/<id>): deliveries, attempts, the audit trail, and the decisions a person takes
about a delivery (it went out, send again, retry now, cancel) as forms with CSRF."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from publisher.core.models import AuditEvent, Delivery
from publisher.core.states import DeliveryStatus
from tests.factories.publishing import post_with_deliveries
from tests.web.history_data import EVIL, history_mix
from web.labels import language_name

D = DeliveryStatus


def state_of(rt, delivery_id: int) -> tuple[str, str | None]:
    with rt.read_sessions() as reader:
        row = reader.execute(select(Delivery.status, Delivery.url).where(Delivery.id == delivery_id)).one()
    return row.status, row.url


def decide_path(made, channel: str, decision: str) -> str:
    return f"/posts/{made.post.id}/deliveries/{made.deliveries[channel].id}/{decision}"


def act(browser, made, channel: str, decision: str, data: dict | None = None, **kw):
    """As a person does: open the post's page (its forms carry the CSRF token), then send one form."""
    browser.get(f"/posts/{made.post.id}")
    return browser.post(decide_path(made, channel, decision), data, **kw)


@pytest.fixture
def mix(people, session):
    made = history_mix(session, people)
    session.commit()
    return made


def test_the_page_tells_the_whole_story(signed_in, mix):
    html = signed_in("ana").get(f"/posts/{mix.post.id}").get_data(as_text=True)
    assert "Saopštenje o budžetu" in html
    assert f'href="https://example.org/portal/{mix.post.id}" rel="noopener noreferrer"' in html
    assert "worker-a" in html and "read timeout after the request was sent" in html  # the attempt and its error
    assert 'id="trail-title"' in html and "odobreno" in html  # the audit trail: approved
    unknown = mix.deliveries["archive"].id
    assert f'action="/posts/{mix.post.id}/deliveries/{unknown}/went_out"' in html
    assert f'action="/posts/{mix.post.id}/deliveries/{unknown}/send_again"' in html
    assert 'name="confirm"' in html  # sending an unknown again asks first
    sent = mix.deliveries["portal"].id
    assert f"/deliveries/{sent}/" not in html  # nothing to decide about what went out


def test_a_manager_reads_without_forms_and_is_refused_an_action(signed_in, mix, rt):
    browser = signed_in("jelena")
    html = browser.get(f"/posts/{mix.post.id}").get_data(as_text=True)
    assert "/went_out" not in html
    response = act(browser, mix, "archive", "went_out", {"url": "https://example.org/x"})
    assert response.status_code == 403
    assert state_of(rt, mix.deliveries["archive"].id) == (D.UNKNOWN, None)


def test_it_went_out_records_the_link(signed_in, mix, rt, session):
    browser = signed_in("ana")
    response = act(browser, mix, "archive", "went_out", {"url": "https://example.org/arhiva/7"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/posts/{mix.post.id}#delivery-{mix.deliveries['archive'].id}")
    assert state_of(rt, mix.deliveries["archive"].id) == (D.SENT, "https://example.org/arhiva/7")
    html = browser.get(f"/posts/{mix.post.id}").get_data(as_text=True)
    assert "Zabeleženo: objava je izašla na kanalu archive." in html  # the flash
    assert 'href="https://example.org/arhiva/7" rel="noopener noreferrer"' in html
    with rt.read_sessions() as reader:
        assert reader.scalar(select(AuditEvent).where(AuditEvent.action == "delivery.went_out")).who == "ana"


@pytest.mark.parametrize("url", ["", "javascript:alert(1)", "not a url", "ftp://example.org/x",
                                 "https://", "https://example.org/a b", "https://x.org/" + "a" * 2000])
def test_a_bad_link_is_refused_and_nothing_changes(signed_in, mix, rt, url):
    response = act(signed_in("ana"), mix, "archive", "went_out", {"url": url})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    key = f"went_out-{mix.deliveries['archive'].id}"
    assert f'id="{key}-error"' in html and 'aria-invalid="true"' in html and f'href="#{key}"' in html
    assert state_of(rt, mix.deliveries["archive"].id) == (D.UNKNOWN, None)


def test_sending_an_unknown_again_needs_the_confirmation(signed_in, mix, rt):
    browser = signed_in("marko")
    refused = act(browser, mix, "archive", "send_again")
    assert refused.status_code == 422
    assert "dva puta" in refused.get_data(as_text=True)  # "may post it twice"
    assert state_of(rt, mix.deliveries["archive"].id)[0] == D.UNKNOWN
    done = act(browser, mix, "archive", "send_again", {"confirm": "yes"})
    assert done.status_code == 302
    assert state_of(rt, mix.deliveries["archive"].id)[0] == D.PENDING


def test_failed_stale_and_retry_wait_decisions(signed_in, people, session, rt):
    made = post_with_deliveries(session, people, "Tri odluke", {"portal": D.FAILED, "archive": D.STALE})
    waiting = post_with_deliveries(session, people, "Čeka", {"portal": D.RETRY_WAIT})
    session.commit()
    browser = signed_in("admin")
    assert act(browser, made, "portal", "send_again").status_code == 302  # no question for failed
    assert state_of(rt, made.deliveries["portal"].id)[0] == D.PENDING
    asked = act(browser, made, "archive", "cancel")  # first the page that asks
    assert asked.status_code == 200 and 'name="confirmed" value="yes"' in asked.get_data(as_text=True)
    assert state_of(rt, made.deliveries["archive"].id)[0] == D.STALE
    assert act(browser, made, "archive", "cancel", {"confirmed": "yes"}).status_code == 302
    assert state_of(rt, made.deliveries["archive"].id)[0] == D.CANCELLED
    assert act(browser, waiting, "portal", "retry_now").status_code == 302
    assert state_of(rt, waiting.deliveries["portal"].id)[0] == D.PENDING


def test_a_decision_in_the_wrong_state_says_so_and_changes_nothing(signed_in, mix, rt):
    response = act(signed_in("ana"), mix, "portal", "went_out", {"url": "https://example.org/z"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Ništa nije promenjeno" in html and "poslato" in html  # nothing changed; it is "sent"
    assert state_of(rt, mix.deliveries["portal"].id) == (D.SENT, f"https://example.org/portal/{mix.post.id}")


def test_a_delivery_is_reached_only_through_its_own_post(signed_in, mix, people, session, rt):
    other = post_with_deliveries(session, people, "Druga objava", {"portal": D.UNKNOWN})
    session.commit()
    browser = signed_in("ana")
    browser.get(f"/posts/{mix.post.id}")
    wrong = f"/posts/{mix.post.id}/deliveries/{other.deliveries['portal'].id}/cancel"
    assert browser.post(wrong).status_code == 404
    assert browser.post(f"/posts/{mix.post.id}/deliveries/999999/cancel").status_code == 404
    assert act(browser, mix, "archive", "delete").status_code == 404
    assert state_of(rt, other.deliveries["portal"].id)[0] == D.UNKNOWN
    assert browser.get("/posts/999999").status_code == 404


def test_a_decision_without_its_csrf_token_is_refused(signed_in, mix, rt):
    response = act(signed_in("ana"), mix, "archive", "cancel", csrf=False)
    assert response.status_code == 400
    assert state_of(rt, mix.deliveries["archive"].id)[0] == D.UNKNOWN


def test_signed_out_people_go_to_the_sign_in_page(client, mix):
    response = client.get(f"/posts/{mix.post.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_script_in_title_body_and_errors_is_escaped(signed_in, people, session):
    made = post_with_deliveries(session, people, EVIL, {"portal": D.FAILED, "archive": D.UNKNOWN}, error=EVIL, body=EVIL)
    session.commit()
    response = signed_in("ana").get(f"/posts/{made.post.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert EVIL not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5  # title, heading, body, errors


def test_the_post_language_is_named_in_words_not_as_a_code(signed_in, mix):
    html = signed_in("ana").get(f"/posts/{mix.post.id}").get_data(as_text=True)
    language = html[html.index(">Jezik<"):][:80]
    assert "srpski (" in language and ">sr-" not in language


def test_language_names_in_each_interface_language(app):
    with app.test_request_context():
        for locale, expected in [("sr_Latn", "srpski (ćirilica)"), ("sr_Cyrl", "српски (ћирилица)"),
                                 ("sq", "serbisht (cirilik)"), ("en", "Serbian (Cyrillic)")]:
            with force_locale(locale):
                assert language_name("sr-Cyrl") == expected
        with force_locale("en"):
            assert language_name("de") == "another language (de)"
