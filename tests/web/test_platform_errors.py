"""A platform's refusal in words: each platform's real answer, given by a fake at the HTTP level to the real
adapter, becomes the sentence a person reads (what happened, what to do), as the dispatcher would store it."""

from __future__ import annotations

import httpx
import pytest
import responses
import respx
from flask import Flask
from flask_babel import Babel

from channels.base import Content
from channels.bluesky import BlueskyChannel, forget_sessions
from channels.errors import AuthExpired, ChannelError, OutcomeUnknown, RateLimited, Rejected, Retryable
from channels.facebook import FacebookPage
from channels.mastodon import MastodonChannel
from channels.telegram import Telegram
from channels.x import X
from tests.support.telegram_api import FakeBotApi
from web import platform_errors
from web.platform_errors import classify

KEY = "p7-c3-0123456789abcdef"
POST = Content(post_id=7, title="Саопштење", text="Министарство објављује програм подршке.", language="sr-Cyrl")
X_CREDENTIALS = {"consumer_key": "ck", "consumer_secret": "cs", "access_token": "at", "access_token_secret": "ats"}
TWEETS = "https://api.twitter.com/2/tweets"
PAGE_ID = "104912345678901"
FEED = f"https://graph.facebook.com/v21.0/{PAGE_ID}/feed"
MASTODON = "https://drustvena.mreza.gov.rs"


def error_kind(error: ChannelError) -> str:
    """What publisher.publishing.dispatch stores as Delivery.error_kind for this error."""
    if isinstance(error, AuthExpired):
        return "auth"
    if isinstance(error, RateLimited):
        return "rate_limited"
    if isinstance(error, Retryable):
        return "retryable"
    if isinstance(error, Rejected):
        return "rejected"
    return "outcome_unknown" if isinstance(error, OutcomeUnknown) else "adapter_error"


def refusal(adapter) -> ChannelError:  # noqa: ANN001
    with pytest.raises(ChannelError) as caught:
        adapter.publish(POST, key=KEY)
    return caught.value


@pytest.fixture(scope="module")
def english():
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "en")
    with app.test_request_context():
        yield


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


# --- X (API v2 for posts; v1.1 error bodies on media upload) ---------------------------------------------

@pytest.mark.parametrize(("status", "body", "code", "sentence"), [
    (401, {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}, "login_refused",
     "X refused the login. Check the credentials in the channel's settings, then resume the channel if it is paused."),
    (401, {"errors": [{"code": 89, "message": "Invalid or expired token."}]}, "token_revoked",
     "X refused the login: the access token was revoked or is no longer valid. Enter new credentials in the "
     "channel's settings, then resume the channel if it is paused."),
    (403, {"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank",
           "title": "Forbidden", "status": 403}, "duplicate",
     "X says the same text was already posted: it probably went out. Look at the account before sending it again."),
    (403, {"errors": [{"code": 186, "message": "Tweet needs to be a bit shorter."}]}, "too_long",
     "X refused the post as too long. Shorten its text for this channel and send it again."),
    (400, {"errors": [{"code": 324, "message": "The validation of media ids failed."}]}, "media_refused",
     "X refused an image or video of the post. Check the file's type and size, then send again."),
    (429, {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
     "rate_limited", "X asked us to slow down. The post goes out by itself when it lets us send again."),
])
def test_x(english, http, mocked, status, body, code, sentence):
    mocked.add(responses.POST, TWEETS, json=body, status=status)
    error = refusal(X({}, X_CREDENTIALS, session=http, name="X"))
    assert classify("x", error_kind(error), error.message).code == code
    assert platform_errors.explain("x", error_kind(error), error.message) == sentence


# --- Facebook (Graph API error objects) ------------------------------------------------------------------

def graph_error(code: int, message: str, subcode: int | None = None, kind: str = "OAuthException") -> dict:
    error = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEf123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


@pytest.mark.parametrize(("status", "body", "code"), [
    (400, graph_error(190, "Error validating access token: Session has expired on Friday, 04-Dec-26 01:00:00 PST. "
                           "The current time is Friday, 04-Dec-26 02:00:00 PST.", 463), "token_expired"),
    (400, graph_error(190, "Error validating access token: The session has been invalidated because the user changed "
                           "their password or Facebook has changed the session for security reasons.", 460),
     "password_changed"),
    (400, graph_error(190, "Error validating access token: The user is not logged into the application.", 467),
     "token_revoked"),
    (400, graph_error(368, "It looks like you were misusing this feature by going too fast. You've been temporarily "
                           "blocked from using it.", kind="OAuthException"), "blocked"),
    (400, graph_error(506, "Duplicate status message", kind="FacebookApiException"), "duplicate"),
    (403, graph_error(200, "(#200) The user hasn't authorized the application to perform this action"),
     "no_permission"),
])
def test_facebook(english, http, mocked, status, body, code):
    mocked.add(responses.POST, FEED, json=body, status=status)
    error = refusal(FacebookPage({"page_id": PAGE_ID}, {"page_access_token": "EAAG-token"}, session=http))
    assert classify("facebook", error_kind(error), error.message).code == code


def test_facebook_expired_token_in_words(english):
    message = ("Facebook refused the page token (code 190, subcode 463): Error validating access token: Session has "
               "expired; generate a new page access token")
    assert platform_errors.explain("facebook", "auth", message) == (
        "Facebook refused the login: the access token has expired. Make a new one, enter it in the channel's "
        "settings, then resume the channel if it is paused.")


# --- Mastodon --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "body", "code"), [
    (401, {"error": "The access token is invalid"}, "token_revoked"),
    (401, {"error": "The access token was revoked"}, "token_revoked"),
    (422, {"error": "Validation failed: Text character limit of 500 exceeded"}, "too_long"),
    (422, {"error": "Validation failed: Text can't be blank"}, "content_refused"),
])
def test_mastodon(english, http, mocked, status, body, code):
    mocked.add(responses.POST, f"{MASTODON}/api/v1/statuses", json=body, status=status)
    error = refusal(MastodonChannel({"api_base_url": MASTODON}, {"access_token": "tok"}, session=http))
    assert classify("mastodon", error_kind(error), error.message).code == code


# --- Bluesky ---------------------------------------------------------------------------------------------

@pytest.fixture
def xrpc():
    forget_sessions()
    with respx.mock(base_url="https://bsky.social/xrpc", assert_all_called=False) as router:
        yield router
    forget_sessions()


def bluesky_session() -> dict:
    return {"did": "did:plc:z72i7hdynmk6r22z27h6tvur", "handle": "ministarstvo.bsky.social",
            "accessJwt": "a.eyJleHAiOjk5OTk5OTk5OTl9.s", "refreshJwt": "r.eyJleHAiOjk5OTk5OTk5OTl9.s"}


@pytest.mark.parametrize(("login", "code"), [
    (httpx.Response(401, json={"error": "AuthenticationRequired", "message": "Invalid identifier or password"}),
     "login_refused"),
    (httpx.Response(429, json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}), "rate_limited"),
])
def test_bluesky_sign_in(english, xrpc, login, code):
    xrpc.post("/com.atproto.server.createSession").mock(return_value=login)
    adapter = BlueskyChannel({"handle": "ministarstvo.bsky.social"}, {"app_password": "abcd-efgh-ijkl-mnop"})
    error = refusal(adapter)
    assert classify("bluesky", error_kind(error), error.message).code == code


@pytest.mark.parametrize(("message", "code"), [
    ("checking the session: the server refused the credentials (HTTP 400): ExpiredToken: Token has expired; check "
     "the handle and the app password", "token_expired"),
    ("posting: the server refused the credentials (HTTP 401): InvalidToken: Token could not be verified; check the "
     "handle and the app password", "token_revoked"),
])
def test_bluesky_token_errors_as_the_adapter_writes_them(message, code):
    assert classify("bluesky", "auth", message).code == code


# --- Telegram (a loopback Bot API) -----------------------------------------------------------------------

@pytest.mark.parametrize(("script", "code", "sentence"), [
    ("401", "token_revoked", None),
    ("403", "no_permission", "Telegram does not let this account post there. Give the account the right to post, "
                             "then resume the channel if it is paused."),
    ("429", "rate_limited_seconds", "Telegram asked us to wait 7 seconds before sending again. The post goes out by "
                                    "itself then."),
])
def test_telegram(english, http, script, code, sentence):
    token = "123456789:AAE-test-token-for-the-telegram-suite"
    with FakeBotApi(token) as api:
        api.script([script])
        error = refusal(Telegram({"chat_id": "@ministarstvo", "api_base": api.base_url, "timeout": 1},
                                 {"bot_token": token}, session=http))
    assert classify("telegram", error_kind(error), error.message).code == code
    if sentence:
        assert platform_errors.explain("telegram", error_kind(error), error.message) == sentence


# --- what is not the platform's refusal ------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "error_kind", "message", "code"), [
    ("x", "outcome_unknown", "X failed (HTTP 503); the post may exist", "outcome_unknown"),
    ("mastodon", "retryable", "posting: the connection to the instance failed (ConnectionError)", "unreachable"),
    ("mastodon", "retryable", "posting: the instance failed (HTTP 502)", "platform_failed"),
    ("state_portal", "stale", "due more than 1 hour ago when it could first be sent", "stale"),
    ("email", "auth", "127.0.0.1:25 refused the login of press (535 5.7.8 Authentication failed)", "login_refused"),
    ("wordpress", "rejected", "the site refused the post (HTTP 400): rest_invalid_param", "refused"),
])
def test_other_outcomes(kind, error_kind, message, code):
    assert classify(kind, error_kind, message).code == code


def test_the_mail_server_is_named_in_words(english):
    assert platform_errors.explain("email", "retryable", "127.0.0.1:25 refused the connection at CONNECT") == (
        "The mail server could not be reached. It is tried again automatically.")
