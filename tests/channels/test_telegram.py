"""The Telegram adapter on the wire, against a loopback Bot API (tests/support/telegram_api.py)."""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import ssl
from pathlib import Path

import pytest
import requests
import responses
from PIL import Image
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError
from urllib3.exceptions import SSLError as Urllib3SSLError

from channels import registry
from channels.base import Content, MediaItem, Problem, Published
from channels.errors import (
    AuthExpired,
    ChannelConfigError,
    ChannelError,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Retryable,
)
from channels.telegram import Telegram, _transport_failure, reply_outcome
from tests.support.telegram_api import BOT_ID, FakeBotApi, Upload

TOKEN = "123456789:AAE-test-token-for-the-telegram-suite"
SECRET_PART = TOKEN.split(":", 1)[1]
CHAT = "@ministarstvo"
KEY = "p7-c4-0123456789abcdef"
TITLE = "Саопштење за јавност"
TEXT = "Министарство привреде објављује нови програм подршке. <b>не</b> & *ни ово*"


@pytest.fixture
def bot_api():
    with FakeBotApi(TOKEN) as api:
        yield api


def make(bot_api: FakeBotApi, http: requests.Session, **config) -> Telegram:
    settings = {"chat_id": CHAT, "api_base": bot_api.base_url, "timeout": 1, **config}
    return Telegram(settings, {"bot_token": TOKEN}, session=http, name="Telegram")


@pytest.fixture
def telegram(bot_api, http):
    return make(bot_api, http)


def media_file(tmp_path: Path, name: str, content_type: str, *, alt_text: str = "") -> MediaItem:
    path = tmp_path / name
    if content_type.startswith("image/"):
        Image.new("RGB", (4, 3), (200, 30, 40)).save(path, "PNG" if content_type == "image/png" else "JPEG")
    else:
        path.write_bytes(b"\x00\x00\x00\x18ftypmp42 a tiny stand-in video")
    data = path.read_bytes()
    return MediaItem(path, content_type, hashlib.sha256(data).hexdigest(), len(data), alt_text, name)


def fake_media(name: str, content_type: str, *, size: int = 100) -> MediaItem:
    """For validate only: never read."""
    return MediaItem(Path("/nonexistent") / name, content_type, "ab" * 32, size, "", name)


def content(**changes) -> Content:
    return Content(**{"post_id": 7, "title": TITLE, "text": TEXT, "language": "sr-Cyrl", **changes})


def outcome(adapter: Telegram, post: Content | None = None) -> Published | ChannelError:
    try:
        return adapter.publish(post or content(), key=KEY)
    except ChannelError as exc:
        return exc


# --- the requests ------------------------------------------------------------------------------------


def test_a_text_post_is_one_plain_text_sendmessage(telegram, bot_api):
    published = telegram.publish(content(), key=KEY)

    assert published == Published("101", "https://t.me/ministarstvo/101")
    (request,) = bot_api.requests
    assert (request.method, request.path) == ("POST", f"/bot{TOKEN}/sendMessage")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == "publisher/0.1"
    # No parse_mode: "<b>" and "*" reach the reader as typed. No other option: link previews as default.
    assert request.json == {"chat_id": CHAT, "text": TEXT}
    assert TEXT.encode() in request.body  # UTF-8, not \u escapes
    assert bot_api.posted[0]["text"] == TEXT


def test_a_photo_goes_with_the_text_as_caption(telegram, bot_api, tmp_path):
    photo = media_file(tmp_path, "foto.png", "image/png", alt_text="Министар на конференцији")

    published = telegram.publish(content(media=(photo,)), key=KEY)

    assert published == Published("101", "https://t.me/ministarstvo/101")
    (request,) = bot_api.requests
    assert (request.method, request.path) == ("POST", f"/bot{TOKEN}/sendPhoto")
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert request.form == {"chat_id": CHAT, "caption": TEXT}
    assert request.files == {"photo": Upload("foto.png", "image/png", photo.read())}
    # Telegram has no alt text: it is not sent anywhere.
    assert "Министар на конференцији".encode() not in request.body


def test_a_video_goes_to_sendvideo_streamable(telegram, bot_api, tmp_path):
    video = media_file(tmp_path, "snimak.mp4", "video/mp4")

    published = telegram.publish(content(media=(video,)), key=KEY)

    assert published.remote_id == "101"
    (request,) = bot_api.requests
    assert request.path == f"/bot{TOKEN}/sendVideo"
    assert request.form == {"chat_id": CHAT, "caption": TEXT, "supports_streaming": "true"}
    assert request.files == {"video": Upload("snimak.mp4", "video/mp4", video.read())}


def test_several_media_are_one_album_with_the_caption_on_the_first(telegram, bot_api, tmp_path):
    first = media_file(tmp_path, "prva.jpg", "image/jpeg", alt_text="opis")
    second = media_file(tmp_path, "druga.png", "image/png")
    video = media_file(tmp_path, "snimak.mp4", "video/mp4")

    published = telegram.publish(content(media=(first, second, video)), key=KEY)

    assert published == Published("101,102,103", "https://t.me/ministarstvo/101")
    (request,) = bot_api.requests
    assert request.path == f"/bot{TOKEN}/sendMediaGroup"
    assert set(request.form) == {"chat_id", "media"}
    assert request.form["chat_id"] == CHAT
    assert json.loads(request.form["media"]) == [
        {"type": "photo", "media": "attach://file0", "caption": TEXT},
        {"type": "photo", "media": "attach://file1"},
        {"type": "video", "media": "attach://file2", "supports_streaming": True},
    ]
    assert request.files == {
        "file0": Upload("prva.jpg", "image/jpeg", first.read()),
        "file1": Upload("druga.png", "image/png", second.read()),
        "file2": Upload("snimak.mp4", "video/mp4", video.read()),
    }
    assert [m.get("caption") for m in bot_api.posted] == [TEXT, None, None]


def test_media_without_text_has_no_caption_and_odd_names_are_replaced(telegram, bot_api, tmp_path):
    photo = media_file(tmp_path, "фото министра.jpg", "image/jpeg")

    telegram.publish(content(text="", media=(photo,)), key=KEY)

    (request,) = bot_api.requests
    assert request.form == {"chat_id": CHAT}
    assert request.files["photo"] == Upload("photo0.jpg", "image/jpeg", photo.read())


def test_a_numeric_chat_has_no_public_link(bot_api, http):
    adapter = make(bot_api, http, chat_id="-1001234567890")

    assert adapter.publish(content(), key=KEY) == Published("101", None)
    assert bot_api.requests[0].json["chat_id"] == "-1001234567890"


def test_a_chat_given_as_number_or_link_is_normalised(bot_api, http):
    assert make(bot_api, http, chat_id=-1001234567890).publish(content(), key=KEY).url is None
    assert make(bot_api, http, chat_id="https://t.me/ministarstvo").publish(content(), key=KEY).url == (
        "https://t.me/ministarstvo/102")
    assert [r.json["chat_id"] for r in bot_api.requests] == ["-1001234567890", CHAT]


# --- the failure table -------------------------------------------------------------------------------

MAYBE = "; the message may have been posted, check @ministarstvo before resending"
LOOK = "; the message may have been posted: look in the channel before sending again"


@pytest.mark.parametrize(
    ("behaviour", "expected", "message", "posted"),
    [
        ("429", RateLimited, "Telegram is limiting this bot (HTTP 429): Too Many Requests: retry after 7", 0),
        ("401", AuthExpired, "Telegram refused the bot token (HTTP 401): Unauthorized; it was revoked or "
                             "replaced in @BotFather: enter the current token", 0),
        ("403", AuthExpired, "the bot may not post to @ministarstvo (HTTP 403): Forbidden: bot is not a member "
                             "of the channel chat; a channel admin must add the bot as an administrator "
                             "allowed to post", 0),
        ("400-chat", AuthExpired, "Telegram refused the chat @ministarstvo (HTTP 400): Bad Request: chat not "
                                  "found; check chat_id and that the bot is an administrator of the channel "
                                  "allowed to post", 0),
        ("404", AuthExpired, "Telegram answered HTTP 404 to sendMessage: Not Found; check the bot token and "
                             "api_base", 0),
        ("400", Rejected, "Telegram rejected the post (HTTP 400): Bad Request: message caption is too long", 0),
        ("500", OutcomeUnknown, f"Telegram failed (HTTP 500): Internal Server Error{MAYBE}", 1),
        ("502-html", OutcomeUnknown, f"Telegram failed (HTTP 502): <html><body><h1>502 Bad Gateway</h1>"
                                     f"</body></html>{MAYBE}", 1),
        ("garbage", OutcomeUnknown, "Telegram answered HTTP 200 to sendMessage without a readable result: "
                                    f"<html>hello</html>{MAYBE}", 1),
        ("empty", OutcomeUnknown, f"Telegram answered HTTP 200 to sendMessage without a readable result{MAYBE}", 1),
        ("ok-no-result", OutcomeUnknown, "Telegram answered HTTP 200 to sendMessage without a readable result: "
                                         f'{{"ok": true}}{MAYBE}', 1),
        ("drop-after-body", OutcomeUnknown, f"the connection to Telegram broke during sendMessage "
                                            f"(ConnectionError){LOOK}", 1),
        ("drop-before-body", OutcomeUnknown, f"the connection to Telegram broke during sendMessage "
                                             f"(ConnectionError){LOOK}", 0),
        ("hang", OutcomeUnknown, f"Telegram did not answer sendMessage within 1 s (ReadTimeout){LOOK}", 1),
    ],
)
def test_every_failure_class(telegram, bot_api, behaviour, expected, message, posted):
    bot_api.script([behaviour])

    error = outcome(telegram)

    assert type(error) is expected
    assert error.message == message
    assert len(bot_api.posted) == posted  # where it says "may have been posted", it was
    if expected is RateLimited:
        assert error.retry_after == 7


def test_an_album_that_fails_after_sending_is_unknown_too(telegram, bot_api, tmp_path):
    bot_api.script(["500"])
    photos = tuple(media_file(tmp_path, f"f{n}.jpg", "image/jpeg") for n in range(2))

    error = outcome(telegram, content(media=photos))

    assert type(error) is OutcomeUnknown
    assert len(bot_api.posted) == 2


def test_a_rate_limit_without_parameters_uses_retry_after_header():
    with pytest.raises(RateLimited) as caught:
        reply_outcome(429, {"Retry-After": "12"}, '{"ok":false,"error_code":429}', method="sendMessage",
                      sending=True, chat=CHAT)
    assert caught.value.retry_after == 12.0


def test_nobody_listening_is_retryable(http):
    with socket.socket() as probe:  # free a moment ago: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    adapter = Telegram({"chat_id": CHAT, "api_base": f"http://127.0.0.1:{port}"}, {"bot_token": TOKEN}, session=http)

    error = outcome(adapter)

    assert type(error) is Retryable
    assert error.message == "could not connect to Telegram (ConnectionError); nothing was sent"


@responses.activate
def test_a_connect_timeout_is_retryable():
    responses.post(f"https://api.telegram.org/bot{TOKEN}/sendMessage", body=requests.ConnectTimeout("slow"))
    adapter = Telegram({"chat_id": CHAT}, {"bot_token": TOKEN})

    error = outcome(adapter)

    assert type(error) is Retryable
    assert error.message == "could not connect to Telegram within 5 s (ConnectTimeout); nothing was sent"


def ssl_error(inner: BaseException) -> requests.exceptions.SSLError:
    # The chain requests raises: SSLError(MaxRetryError(reason=urllib3 SSLError(ssl error))).
    return requests.exceptions.SSLError(MaxRetryError(None, "/bot<t>/sendMessage", Urllib3SSLError(inner)))


@pytest.mark.parametrize(
    ("error", "sending", "expected"),
    [
        (requests.ConnectTimeout("x"), True, Retryable),
        (requests.ConnectionError(MaxRetryError(None, "/", NewConnectionError(None, "refused"))), True, Retryable),
        (requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError())), True, OutcomeUnknown),
        (requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError())), False, Retryable),
        (requests.ReadTimeout("x"), True, OutcomeUnknown),
        (requests.ReadTimeout("x"), False, Retryable),
        (ssl_error(ssl.SSLCertVerificationError("certificate verify failed")), True, Retryable),
        (ssl_error(ssl.SSLEOFError("EOF occurred in violation of protocol")), True, OutcomeUnknown),
        (requests.exceptions.ChunkedEncodingError("x"), True, OutcomeUnknown),
    ],
)
def test_transport_failures(error, sending, expected):
    assert type(_transport_failure(error, "sendMessage", sending=sending, read_timeout=30)) is expected


@pytest.mark.parametrize(
    ("status", "body", "sending", "expected"),
    [
        (200, '{"ok":true,"result":{"message_id":5}}', True, {"message_id": 5}),
        (200, '{"ok":true,"result":[{"message_id":5},{"message_id":6}]}', True,
         [{"message_id": 5}, {"message_id": 6}]),
        (200, '{"ok":false,"error_code":400,"description":"Bad Request: message is too long"}', True, Rejected),
        (400, '{"ok":false,"error_code":400,"description":"Bad Request: not enough rights to send text messages '
              'to the chat"}', True, AuthExpired),
        (400, '{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup '
              'chat","parameters":{"migrate_to_chat_id":-1009}}', True, AuthExpired),
        (400, "", True, Rejected),
        (408, "", True, Retryable),
        (413, "Request Entity Too Large", True, Rejected),
        (409, '{"ok":false,"error_code":409,"description":"Conflict"}', True, Rejected),
        (302, "", True, AuthExpired),
        (503, "", True, OutcomeUnknown),
        (503, "", False, Retryable),
        (200, "", False, Retryable),
        (200, "[1,2]", True, OutcomeUnknown),
        (429, '{"ok":false,"error_code":429,"parameters":{"retry_after":"soon"}}', True, RateLimited),
    ],
)
def test_reply_outcome(status, body, sending, expected):
    try:
        result = reply_outcome(status, {}, body, method="sendMessage", sending=sending, chat=CHAT)
    except ChannelError as exc:
        result = exc
    if isinstance(expected, type):
        assert type(result) is expected
        assert result.status == status
    else:
        assert result == expected


def test_a_chat_that_moved_says_where():
    with pytest.raises(AuthExpired, match="the chat is now -1009: change chat_id"):
        reply_outcome(400, {}, '{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded '
                               'to a supergroup chat","parameters":{"migrate_to_chat_id":-1009}}',
                      method="sendMessage", sending=True, chat=CHAT)


def test_the_answer_is_cut_to_500_characters():
    with pytest.raises(Rejected) as caught:
        reply_outcome(400, {}, json.dumps({"ok": False, "error_code": 400, "description": "x" * 5000}),
                      method="sendMessage", sending=True, chat=CHAT)
    words = caught.value.message.split(": ", 1)[1]
    assert len(words) == 500 and words.endswith("…")


@responses.activate
def test_ok_without_message_ids_is_unknown():
    # Telegram says it posted, but we cannot store what: a person confirms rather than a blind resend.
    responses.post(f"https://api.telegram.org/bot{TOKEN}/sendMessage", json={"ok": True, "result": {"chat": {}}})

    error = outcome(Telegram({"chat_id": CHAT}, {"bot_token": TOKEN}))

    assert type(error) is OutcomeUnknown
    assert error.message == ("Telegram answered ok but without message ids; the post was probably published: "
                             "look in the channel and confirm")


# --- the token never leaks ---------------------------------------------------------------------------


def no_token(error: BaseException) -> None:
    assert isinstance(error, ChannelError)
    for text in (str(error), repr(error), error.message, error.body or ""):
        assert TOKEN not in text and SECRET_PART not in text
    assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_the_token_stays_out_of_errors(telegram, bot_api, http):
    assert repr(telegram) == "<Telegram 'Telegram' chat='@ministarstvo'>"
    bot_api.script(["401", "500", "hang", "drop-after-body", "garbage"])
    for _ in range(5):
        no_token(outcome(telegram))

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    refused = Telegram({"chat_id": CHAT, "api_base": f"http://127.0.0.1:{port}"}, {"bot_token": TOKEN}, session=http)
    no_token(outcome(refused))


@responses.activate
def test_a_token_echoed_by_the_server_is_scrubbed():
    responses.post(f"https://api.telegram.org/bot{TOKEN}/sendMessage", status=400,
                   json={"ok": False, "error_code": 400, "description": f"Bad Request: bot{TOKEN} says {SECRET_PART}"})
    error = outcome(Telegram({"chat_id": CHAT}, {"bot_token": TOKEN}))

    no_token(error)
    assert error.message == "Telegram rejected the post (HTTP 400): Bad Request: bot<bot token> says <bot token>"


def test_urllib3_debug_lines_do_not_carry_the_token(telegram, bot_api, caplog):
    with caplog.at_level(logging.DEBUG, logger="urllib3.connectionpool"):
        telegram.publish(content(), key=KEY)

    assert '"POST /bot<token>/sendMessage HTTP/1.1" 200' in caplog.text
    assert SECRET_PART not in caplog.text


# --- before sending ----------------------------------------------------------------------------------


def test_a_caption_too_long_is_refused_before_sending(telegram, bot_api, tmp_path):
    photo = media_file(tmp_path, "foto.png", "image/png")

    with pytest.raises(Rejected, match="caption 1200 of 1024 characters; shorten it or post the text without media"):
        telegram.publish(content(text="ж" * 1200, media=(photo,)), key=KEY)
    assert bot_api.requests == []


def test_changed_or_missing_media_is_never_sent(telegram, bot_api, tmp_path):
    changed = media_file(tmp_path, "foto.png", "image/png")
    changed.path.write_bytes(b"tampered")
    missing = media_file(tmp_path, "nema.png", "image/png")
    missing.path.unlink()

    with pytest.raises(Rejected, match="foto.png: the media file changed since it was approved"):
        telegram.publish(content(media=(changed,)), key=KEY)
    with pytest.raises(Rejected, match="nema.png: the media file cannot be read"):
        telegram.publish(content(media=(missing,)), key=KEY)
    assert bot_api.requests == []


# --- validate ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"title": ""}, []),  # Telegram posts have no title
        ({"text": "ж" * 4096}, []),
        ({"text": "ж" * 4097}, [Problem("Telegram", "4097 of 4096 characters", "body")]),
        ({"text": " "}, [Problem("Telegram", "the text is empty", "body")]),
        ({"text": "ж" * 1024, "media": (fake_media("a.jpg", "image/jpeg"),)}, []),
        (
            {"text": "ж" * 1200, "media": (fake_media("a.jpg", "image/jpeg"),)},
            [Problem("Telegram", "caption 1200 of 1024 characters; shorten it or post the text without media",
                     "body")],
        ),
        ({"media": (fake_media("a.jpg", "image/jpeg"),)}, []),  # no alt text needed
        (
            {"media": (fake_media("a.pdf", "application/pdf"),)},
            [Problem("Telegram", "a.pdf: application/pdf files are not accepted", "media")],
        ),
        (
            {"media": (fake_media("a.gif", "image/gif"),)},
            [Problem("Telegram", "a.gif: image/gif files are not accepted", "media")],
        ),
        (
            {"media": (fake_media("a.jpg", "image/jpeg", size=10 * 1024 * 1024 + 1),)},
            [Problem("Telegram", "a.jpg: 10485761 bytes, at most 10485760 allowed for a photo", "media")],
        ),
        (
            {"media": (fake_media("v.mp4", "video/mp4", size=50 * 1024 * 1024 + 1),)},
            [Problem("Telegram", "v.mp4: 52428801 bytes, at most 52428800 allowed", "media")],
        ),
        (
            {"media": tuple(fake_media(f"{n}.jpg", "image/jpeg") for n in range(6))
             + tuple(fake_media(f"{n}.mp4", "video/mp4") for n in range(5))},
            [Problem("Telegram", "11 photos and videos, at most 10 in one post", "media")],
        ),
    ],
)
def test_validate(telegram, changes, expected):
    assert telegram.validate(content(**changes)) == expected


def test_capabilities():
    caps = Telegram.capabilities()
    assert (caps.max_text, caps.text_counting, caps.max_images, caps.max_videos) == (4096, "characters", 10, 10)
    assert not caps.alt_text_required and not caps.idempotent and not caps.title_required
    assert caps.media_types == {"image/jpeg", "image/png", "video/mp4"}


# --- find and check ----------------------------------------------------------------------------------


def test_find_cannot_tell(telegram, bot_api):
    with pytest.raises(OutcomeUnknown, match="cannot search a channel"):
        telegram.find(KEY)
    assert bot_api.requests == []


def test_check_asks_who_the_bot_is_and_whether_it_may_post(telegram, bot_api):
    health = telegram.check()

    assert (health.ok, health.message) == (True, "the bot @ministry_publisher_bot can post to Министарство")
    assert [(r.path, r.json) for r in bot_api.requests] == [
        (f"/bot{TOKEN}/getMe", None),
        (f"/bot{TOKEN}/getChat", {"chat_id": CHAT}),
        (f"/bot{TOKEN}/getChatMember", {"chat_id": CHAT, "user_id": BOT_ID}),
    ]


@pytest.mark.parametrize(
    ("script", "outcome", "message"),
    [
        (["ok", "ok", "member"], "refused", "the bot @ministry_publisher_bot may not post to Министарство (its status there: "
                                 "member); make it an administrator allowed to post"),
        (["401"], "refused", "Telegram refused the bot token (HTTP 401): Unauthorized; it was revoked or replaced in "
                  "@BotFather: enter the current token"),
        (["ok", "400-chat"], "refused", "Telegram refused the chat @ministarstvo (HTTP 400): Bad Request: chat not found; "
                             "check chat_id and that the bot is an administrator of the channel allowed to post"),
        (["500"], "unchecked", "Telegram failed (HTTP 500): Internal Server Error"),
        (["hang"], "unchecked", "Telegram did not answer getMe within 1 s (ReadTimeout)"),
    ],
)
def test_check_reports_problems(telegram, bot_api, script, outcome, message):
    bot_api.script(script)
    health = telegram.check()
    assert (health.ok, health.outcome, health.message) == (False, outcome, message)


# --- configuration -----------------------------------------------------------------------------------


def test_example_settings_construct_without_network():
    adapter = Telegram(*Telegram.split_settings(Telegram.example_settings))
    assert adapter._chat == "@ministarstvo"


@pytest.mark.parametrize(
    ("config", "token", "message"),
    [
        ({"chat_id": CHAT}, "not-a-token", "bot_token does not look like a token from @BotFather"),
        ({"chat_id": CHAT}, "123:short", "bot_token does not look like a token from @BotFather"),
        ({"chat_id": "ministarstvo"}, TOKEN, "chat_id must be the channel's @username"),
        ({"chat_id": "@abc"}, TOKEN, "chat_id must be the channel's @username"),
        ({"chat_id": True}, TOKEN, "chat_id must be the channel's @username"),
        ({"chat_id": CHAT, "api_base": "ftp://x"}, TOKEN, "api_base must be an http:// or https:// address"),
        ({"chat_id": CHAT, "api_base": "https://x/?a=1"}, TOKEN, "api_base must be an http:// or https:// address"),
        ({"chat_id": CHAT, "timeout": 0}, TOKEN, "timeout must be a number of seconds from 1 to 300"),
        ({"chat_id": CHAT, "timeout": "x"}, TOKEN, "timeout must be a number of seconds from 1 to 300"),
    ],
)
def test_bad_settings_are_refused_without_echoing_the_token(config, token, message):
    with pytest.raises(ChannelConfigError) as caught:
        Telegram(config, {"bot_token": token})
    assert message in caught.value.message
    assert token not in str(caught.value)


def test_a_token_given_as_plain_config_is_refused():
    with pytest.raises(ChannelConfigError, match="bot_token must be given as a credential"):
        Telegram({"chat_id": CHAT, "bot_token": TOKEN}, {})


def test_registered_under_its_kind():
    assert registry.kinds()["telegram"] is Telegram
    assert Telegram.label == "Telegram channel"
