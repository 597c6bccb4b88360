"""The press-list adapter against real SMTP servers on 127.0.0.1 (tests/support/smtp_server.py)."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from PIL import Image

from channels import registry
from channels.base import Content, MediaItem, Problem, Published
from channels.email import Email
from channels.errors import (
    AuthExpired,
    ChannelConfigError,
    ChannelError,
    OutcomeUnknown,
    Rejected,
    Retryable,
)
from tests.support.smtp_server import (
    ScriptedSmtp,
    SmtpServer,
    free_port,
    self_signed_certificate,
    server_context,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
]

PASSWORD = "tajna-lozinka-42"
KEY = "p7-c5-0123456789abcdef"
SENDER = "Министарство привреде <press@ministarstvo.gov.rs>"
RECIPIENTS = ["desk@novine.rs", "vesti@radio.rs", "urednik@tv.rs"]
TITLE = "Саопштење: нови програм подршке & <најава>"
TEXT = ("Министарство привреде објављује нови програм подршке.\n"
        "Пријаве <script>alert(1)</script> трају до 1. марта & дуже.\n\n"
        "Ćirilica i latinica: čšžđ.")
MESSAGE_ID = f"<{KEY}@ministarstvo.gov.rs>"


@pytest.fixture
def smtp():
    with SmtpServer(users={"press": PASSWORD}) as server:
        yield server


def settings(at: int, **changes) -> dict:
    base = {
        "host": "127.0.0.1",
        "port": at,
        "starttls": False,  # plain SMTP: allowed with a login only because the server is on this machine
        "username": "press",
        "sender": SENDER,
        "recipients": RECIPIENTS,
        "reply_to": "kabinet@ministarstvo.gov.rs",
        "timeout": 1,
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


def make(at: int, password: str | None = PASSWORD, **changes) -> Email:
    config, credentials = Email.split_settings({**settings(at, **changes), "password": password})
    return Email(config, credentials, name="Press")


@pytest.fixture
def mailer(smtp):
    return make(smtp.port)


def media_file(tmp_path: Path, name: str, content_type: str, *, alt_text: str = "") -> MediaItem:
    path = tmp_path / name
    if content_type == "image/png":
        Image.new("RGB", (4, 3), (200, 30, 40)).save(path, "PNG")
    elif content_type == "video/mp4":
        path.write_bytes(b"\x00\x00\x00\x18ftypmp42 a tiny stand-in video\r\n.\r\n")
    else:
        path.write_bytes(b"%PDF-1.4\n.\n% a tiny stand-in document\n%%EOF\n")
    data = path.read_bytes()
    return MediaItem(path, content_type, hashlib.sha256(data).hexdigest(), len(data), alt_text, name)


def fake_media(name: str, content_type: str, *, size: int = 100) -> MediaItem:
    return MediaItem(Path("/nonexistent") / name, content_type, "ab" * 32, size, "", name)


def content(**changes) -> Content:
    return Content(**{"post_id": 7, "title": TITLE, "text": TEXT, "language": "sr-Cyrl", **changes})


def outcome(adapter: Email, post: Content | None = None) -> Published | ChannelError:
    try:
        return adapter.publish(post or content(), key=KEY)
    except ChannelError as exc:
        return exc


def lines(text: str) -> str:
    return text.replace("\r\n", "\n")


# --- the message -------------------------------------------------------------------------------------


def test_the_message_the_server_receives(mailer, smtp, tmp_path):
    photo = media_file(tmp_path, "foto.png", "image/png", alt_text="Министар")
    video = media_file(tmp_path, "snimak.mp4", "video/mp4")
    report = media_file(tmp_path, "извештај 2025.pdf", "application/pdf")
    before = datetime.now(UTC).replace(microsecond=0)

    published = mailer.publish(content(media=(photo, video, report)), key=KEY)

    assert published == Published(MESSAGE_ID, None)
    (received,) = smtp.received
    # The envelope: our sender, the whole press list, the size announced; logged in, as configured.
    assert received.mail_from == "press@ministarstvo.gov.rs"
    assert received.rcpt_tos == RECIPIENTS
    assert received.mail_options == [f"SIZE={int(received.mail_options[0][5:])}"]
    assert abs(int(received.mail_options[0][5:]) - len(received.data)) <= 2
    assert (received.login, received.tls) == ("press", False)

    # 7-bit clean: every header and part is encoded, so any server passes it on unchanged.
    assert received.data.isascii()
    msg = received.message
    assert msg["Subject"] == TITLE
    assert b"Subject: =?utf-8?b?" in received.data
    sender = msg["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Министарство привреде", "press@ministarstvo.gov.rs")
    assert str(msg["To"]) == "undisclosed-recipients:;"
    assert msg["Bcc"] is None and msg["Cc"] is None
    for address in RECIPIENTS:  # the list is in the envelope only: no journalist sees the others
        assert address.encode() not in received.data
    assert msg["Reply-To"].addresses[0].addr_spec == "kabinet@ministarstvo.gov.rs"
    assert msg["Message-ID"] == MESSAGE_ID
    assert msg["Content-Language"] == "sr-Cyrl"
    assert before <= parsedate_to_datetime(msg["Date"]) <= datetime.now(UTC)

    assert msg.get_content_type() == "multipart/mixed"
    alternative, *attachments = msg.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    plain, rich = alternative.iter_parts()
    assert plain.get_content_type() == "text/plain" and plain.get_content_charset() == "utf-8"
    assert lines(plain.get_content()) == TEXT + "\n"
    assert rich.get_content_type() == "text/html"
    assert lines(rich.get_content()) == (
        '<!DOCTYPE html>\n<html lang="sr-Cyrl">\n<head>\n<meta charset="utf-8">\n'
        "<title>Саопштење: нови програм подршке &amp; &lt;најава&gt;</title>\n</head>\n<body>\n"
        "<p>Министарство привреде објављује нови програм подршке.<br>\n"
        "Пријаве &lt;script&gt;alert(1)&lt;/script&gt; трају до 1. марта &amp; дуже.</p>\n"
        "<p>Ćirilica i latinica: čšžđ.</p>\n</body>\n</html>\n"
    )
    assert [(a.get_content_type(), a.get_filename(), a.get_content()) for a in attachments] == [
        ("image/png", "foto.png", photo.read()),
        ("video/mp4", "snimak.mp4", video.read()),
        ("application/pdf", "извештај 2025.pdf", report.read()),
    ]
    assert all(a.get_content_disposition() == "attachment" for a in attachments)


def test_a_text_only_post_is_just_the_two_alternatives(mailer, smtp):
    mailer.publish(content(), key=KEY)

    msg = smtp.received[0].message
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Content-Language"] == "sr-Cyrl"


def test_lines_of_dots_arrive_unchanged(mailer, smtp):
    text = "Plain ASCII, sent as 7bit.\n.\n.. two dots\n.starts with a dot\nend"

    mailer.publish(content(text=text, title="Dots"), key=KEY)

    plain = smtp.received[0].message.get_body(("plain",))
    assert plain["Content-Transfer-Encoding"] == "7bit"
    assert lines(plain.get_content()) == text + "\n"


def test_a_resend_carries_the_same_message_id(mailer, smtp):
    mailer.publish(content(), key=KEY)
    mailer.publish(content(), key=KEY)
    mailer.publish(content(), key=KEY + "-2")

    assert [r.message["Message-ID"] for r in smtp.received] == [
        MESSAGE_ID, MESSAGE_ID, f"<{KEY}-2@ministarstvo.gov.rs>"]


def test_a_line_break_in_the_title_does_not_break_the_headers(mailer, smtp):
    mailer.publish(content(title="Наслов\r\nBcc: someone@evil.example"), key=KEY)

    msg = smtp.received[0].message
    assert msg["Subject"] == "Наслов Bcc: someone@evil.example"
    assert msg["Bcc"] is None


# --- recipients --------------------------------------------------------------------------------------


def test_some_recipients_refused_is_still_published_and_logged(mailer, smtp, caplog):
    smtp.refuse["vesti@radio.rs"] = "550 5.1.1 <vesti@radio.rs>: Recipient address rejected"

    with caplog.at_level(logging.WARNING, logger="channels.email"):
        published = mailer.publish(content(), key=KEY)

    assert published == Published(MESSAGE_ID, None)
    assert smtp.received[0].rcpt_tos == ["desk@novine.rs", "urednik@tv.rs"]
    assert [r.getMessage() for r in caplog.records if r.name == "channels.email"] == [
        f"Press: {MESSAGE_ID} sent, but the server refused 1 of 3 recipients: "
        "vesti@radio.rs (550 5.1.1 <vesti@radio.rs>: Recipient address rejected)"
    ]
    assert PASSWORD not in caplog.text


def test_every_recipient_refused_for_good_is_rejected(mailer, smtp):
    for address in RECIPIENTS:
        smtp.refuse[address] = "550 5.1.1 no such user"

    error = outcome(mailer)

    assert type(error) is Rejected
    assert error.message == ("the mail server refused every recipient: desk@novine.rs (550 5.1.1 no such user); "
                             "vesti@radio.rs (550 5.1.1 no such user); urednik@tv.rs (550 5.1.1 no such user)")
    assert smtp.received == []


def test_every_recipient_refused_some_only_for_now_is_retryable(mailer, smtp):
    smtp.refuse.update({RECIPIENTS[0]: "550 5.1.1 no such user", RECIPIENTS[1]: "452 4.5.3 Too many recipients",
                        RECIPIENTS[2]: "450 4.2.1 mailbox busy"})

    error = outcome(mailer)

    assert type(error) is Retryable
    assert error.message.startswith("the mail server refused every recipient, some only for now: desk@novine.rs")


# --- the failure table -------------------------------------------------------------------------------

UNKNOWN = ("the connection to 127.0.0.1:{port} broke while waiting for its answer to the whole message "
           "(SMTPServerDisconnected); it may have gone to the press list: check the sent mail or a recipient "
           "before sending again")


@pytest.mark.parametrize(
    ("behaviour", "expected", "message"),
    [
        ("451", Retryable, "the mail server could not take the message now (451 4.3.0 Temporary local problem, "
                           "try again later)"),
        ("452", Retryable, "the mail server could not take the message now (452 4.3.1 Insufficient system storage)"),
        ("552", Rejected, "the mail server refused the message (552 5.3.4 Message size exceeds fixed limit)"),
        ("554", Rejected, "the mail server refused the message (554 5.7.1 Message rejected as spam)"),
        ("hang", OutcomeUnknown, UNKNOWN),
        ("drop", OutcomeUnknown, UNKNOWN),
    ],
)
def test_answers_to_the_whole_message(mailer, smtp, behaviour, expected, message):
    smtp.script([behaviour])

    error = outcome(mailer)

    assert type(error) is expected
    assert error.message == message.format(port=smtp.port)
    assert len(smtp.received) == 1  # the server had it each time: only its answer tells what it did with it


def test_a_wrong_password_pauses_the_channel(smtp):
    error = outcome(make(smtp.port, password="stara-lozinka"))

    assert type(error) is AuthExpired
    assert error.message == (f"127.0.0.1:{smtp.port} refused the login of press (535 5.7.8 Authentication "
                             "credentials invalid); check username and password")
    assert error.status == 535
    assert smtp.received == []


def test_no_login_where_the_server_wants_one(smtp):
    error = outcome(make(smtp.port, password=None, username=None))

    assert type(error) is AuthExpired  # 530 at MAIL FROM: the settings, not the post
    assert error.message == (f"127.0.0.1:{smtp.port} refuses the sender press@ministarstvo.gov.rs "
                             "(530 5.7.0 Authentication required); check sender")


@pytest.mark.parametrize(
    ("reply", "expected", "message"),
    [
        ("553 5.7.1 Sender address rejected: not owned by user", AuthExpired,
         "127.0.0.1:{port} refuses the sender press@ministarstvo.gov.rs (553 5.7.1 Sender address rejected: "
         "not owned by user); check sender"),
        ("451 4.7.1 Try again later", Retryable,
         "the mail server answered a temporary failure at MAIL (451 4.7.1 Try again later)"),
        ("421 4.3.2 Service shutting down", Retryable,
         "the mail server answered a temporary failure at MAIL (421 4.3.2 Service shutting down)"),
        (f"553 sender rejected, password {PASSWORD} is wrong", AuthExpired,
         "127.0.0.1:{port} refuses the sender press@ministarstvo.gov.rs (553 sender rejected, password "
         "<password> is wrong); check sender"),
    ],
)
def test_a_refused_sender(mailer, smtp, reply, expected, message):
    smtp.mail_reply = reply

    error = outcome(mailer)

    assert type(error) is expected
    assert error.message == message.format(port=smtp.port)
    assert PASSWORD not in str(error)


def test_a_message_too_large_for_the_server_is_rejected_before_data(tmp_path):
    with SmtpServer(size_limit=1000) as small:
        error = outcome(make(small.port, password=None, username=None),
                        content(media=(media_file(tmp_path, "foto.png", "image/png"),)))

    assert type(error) is Rejected
    assert error.message == ("the mail server refused the message at MAIL (552 Error: message size exceeds fixed "
                             "maximum message size)")
    assert small.received == []


def test_nobody_listening_is_retryable():
    port = free_port()

    error = outcome(make(port))

    assert type(error) is Retryable
    assert error.message == (f"127.0.0.1:{port} refused the connection at CONNECT (ConnectionRefusedError); "
                             "nothing was sent")


@pytest.mark.parametrize(
    ("greeting", "expected", "message"),
    [
        ("421 4.3.2 too busy, come back later", Retryable,
         "the mail server answered a temporary failure at CONNECT (421 4.3.2 too busy, come back later)"),
        ("554 5.7.1 no SMTP service for you", AuthExpired, "127.0.0.1:{port} refuses this publisher (554 5.7.1 "
                                                           "no SMTP service for you)"),
        (None, Retryable, "127.0.0.1:{port} did not answer in time at CONNECT (SMTPServerDisconnected); "
                          "nothing was sent"),
    ],
)
def test_greetings(greeting, expected, message):
    with ScriptedSmtp(greeting) as server:
        error = outcome(make(server.port))

    assert type(error) is expected
    assert error.message == message.format(port=server.port)


# --- TLS ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def test_starttls_then_login(certificate):
    cert, key = certificate
    with SmtpServer(users={"press": PASSWORD}, starttls=server_context(cert, key)) as server:
        adapter = make(server.port, starttls=True, ca_file=str(cert))  # the server insists on STARTTLS

        assert adapter.publish(content(), key=KEY) == Published(MESSAGE_ID, None)
        assert adapter.check().message == f"127.0.0.1:{server.port} answers (STARTTLS, logged in as press)"

    (received,) = server.received
    assert (received.tls, received.login) == (True, "press")


def test_an_unknown_certificate_is_refused_before_the_password_goes(certificate):
    cert, key = certificate
    with SmtpServer(users={"press": PASSWORD}, starttls=server_context(cert, key)) as server:
        error = outcome(make(server.port, starttls=True))  # no ca_file: the system's CAs do not know it

    assert type(error) is AuthExpired
    assert error.message == (f"the certificate of 127.0.0.1:{server.port} could not be verified "
                             "(self-signed certificate); check host and ca_file")
    assert server.received == []


def test_starttls_wanted_but_not_offered(smtp):
    error = outcome(make(smtp.port, starttls=True))

    assert type(error) is AuthExpired
    assert error.message == f"127.0.0.1:{smtp.port} does not offer STARTTLS; turn on ssl or use another port"


def test_tls_from_the_first_byte(certificate):
    cert, key = certificate
    with SmtpServer(users={"press": PASSWORD}, implicit_tls=server_context(cert, key)) as server:
        adapter = make(server.port, starttls=None, ssl=True, ca_file=str(cert))

        assert adapter.publish(content(), key=KEY).remote_id == MESSAGE_ID
        assert adapter.check().message == f"127.0.0.1:{server.port} answers (SSL, logged in as press)"

    assert server.received[0].tls


# --- find and check ----------------------------------------------------------------------------------


def test_find_cannot_tell(mailer):
    with pytest.raises(OutcomeUnknown) as caught:
        mailer.find(KEY)
    assert MESSAGE_ID in caught.value.message


def test_check(mailer, smtp):
    health = mailer.check()

    assert (health.ok, health.message) == (True, f"127.0.0.1:{smtp.port} answers (no encryption, logged in as press)")
    assert smtp.received == []


def test_check_reports_a_wrong_password_and_a_dead_server(smtp):
    health = make(smtp.port, password="kriva").check()
    assert health.outcome == "refused" and "refused the login of press (535" in health.message

    port = free_port()
    health = make(port).check()
    assert health.outcome == "unchecked" and health.message == (f"127.0.0.1:{port} refused the connection at CONNECT "
                                                "(ConnectionRefusedError); nothing was sent")


def test_a_relay_without_login(smtp):
    with SmtpServer() as relay:
        adapter = make(relay.port, password=None, username=None)
        adapter.publish(content(), key=KEY)
        assert adapter.check().message == f"127.0.0.1:{relay.port} answers (no encryption, no login)"
    assert relay.received[0].login is None


# --- before sending ----------------------------------------------------------------------------------


def test_checks_before_connecting(tmp_path):
    port = free_port()  # nobody listens: any attempt to connect would be Retryable, not Rejected
    adapter = make(port)
    changed = media_file(tmp_path, "foto.png", "image/png")
    changed.path.write_bytes(b"tampered")

    with pytest.raises(Rejected, match="foto.png: the media file changed since it was approved"):
        adapter.publish(content(media=(changed,)), key=KEY)
    with pytest.raises(Rejected, match="Message-ID"):
        adapter.publish(content(), key="bad key")
    with pytest.raises(Rejected, match="attachments 24.0 MB in total, at most 20 MB"):
        adapter.publish(content(media=tuple(fake_media(f"{n}.pdf", "application/pdf", size=8 * 1024 * 1024)
                                            for n in range(3))), key=KEY)
    with pytest.raises(Rejected, match="a title is required"):
        adapter.publish(content(title=" "), key=KEY)


# --- validate ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"title": ""}, [Problem("Press", "a title is required", "title")]),
        ({"media": (fake_media("a.png", "image/png"),)}, []),  # no alt text needed on an attachment
        ({"media": (fake_media("a.tiff", "image/tiff"),)},
         [Problem("Press", "a.tiff: image/tiff files are not accepted", "media")]),
        ({"media": tuple(fake_media(f"{n}.pdf", "application/pdf", size=7 * 1024 * 1024) for n in range(3))},
         [Problem("Press", "attachments 21.0 MB in total, at most 20 MB", "media")]),
        ({"media": tuple(fake_media(f"{n}.pdf", "application/pdf") for n in range(21))},
         [Problem("Press", "21 attachments, at most 20 allowed", "media")]),
        ({"text": "ж" * 100_001}, [Problem("Press", "100001 of 100000 characters", "body")]),
    ],
)
def test_validate(mailer, changes, expected):
    assert mailer.validate(content(**changes)) == expected


def test_the_attachment_limit_is_a_setting():
    adapter = make(25, max_attachments_mb=30)
    post = content(media=tuple(fake_media(f"{n}.pdf", "application/pdf", size=7 * 1024 * 1024) for n in range(3)))
    assert adapter.validate(post) == []


def test_capabilities():
    caps = Email.capabilities()
    assert caps.title_required and not caps.alt_text_required and not caps.idempotent
    assert "application/pdf" in caps.media_types


# --- configuration -----------------------------------------------------------------------------------


def test_example_settings_construct_without_network():
    adapter = Email(*Email.split_settings(Email.example_settings))
    assert repr(adapter) == "<Email 'Press list (e-mail)' server=smtp.ministarstvo.gov.rs:587>"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"host": "smtp.example.org", "starttls": False}, "a login needs starttls or ssl"),
        ({"ssl": True, "starttls": True}, "choose ssl (usually port 465) or starttls"),
        ({"starttls": "maybe"}, "starttls must be true or false"),
        ({"port": 0}, "port must be a whole number from 1 to 65535"),
        ({"port": "25.5"}, "port must be a whole number from 1 to 65535"),
        ({"timeout": 0}, "timeout must be a number from 1 to 300"),
        ({"max_attachments_mb": 500}, "max_attachments_mb must be a whole number from 1 to 100"),
        ({"recipients": ["desk@novine.rs", "not an address", "x@"]}, "not an e-mail address: not an address, x@"),
        ({"recipients": []}, "recipients must hold at least one address"),
        ({"recipients": " , "}, "recipients must hold at least one address"),
        ({"recipients": 5}, "recipients must be a list of addresses"),
        ({"recipients": [f"u{n}@novine.rs" for n in range(501)]}, "501 recipients, at most 500"),
        ({"sender": "press"}, "sender must be one address"),
        ({"sender": "a@b.rs, c@d.rs"}, "sender must be one address"),
        ({"reply_to": "x\nBcc: y@z.rs"}, "reply_to must be one address"),
        ({"username": None}, "give both username and password, or neither"),
        ({"host": "bad host"}, "host must be a server name or address"),
    ],
)
def test_bad_settings_are_refused_without_echoing_the_password(changes, message):
    with pytest.raises(ChannelConfigError) as caught:
        make(25, **changes)
    assert message in caught.value.message
    assert PASSWORD not in str(caught.value)


def test_recipients_from_a_form_field_are_split_and_deduplicated():
    adapter = make(25, recipients="desk@novine.rs, Vesti <vesti@radio.rs>;\nDESK@novine.rs\n")
    assert adapter._recipients == ["desk@novine.rs", "vesti@radio.rs"]


def test_flags_from_a_form_and_defaults():
    assert (make(25, starttls="false")._starttls, make(25, starttls=None, host="localhost")._starttls) == (False, True)
    secure = make(25, starttls=None, ssl="true", port=None)
    assert (secure._ssl, secure._starttls, secure._port) == (True, False, 465)
    assert make(25, starttls=None, port=None)._port == 587


def test_a_password_given_as_plain_config_is_refused():
    with pytest.raises(ChannelConfigError, match="password must be given as a credential"):
        Email({**settings(25), "password": PASSWORD}, {})


def test_the_password_stays_out_of_errors_and_repr(smtp):
    adapter = make(smtp.port, password="kriva-" + PASSWORD)
    assert PASSWORD not in repr(adapter)
    for error in (outcome(adapter), outcome(make(free_port()))):
        for text in (str(error), repr(error), error.message):
            assert PASSWORD not in text
        assert error.__cause__ is None and (error.__context__ is None or error.__suppress_context__)


def test_registered_under_its_kind():
    assert registry.kinds()["email"] is Email
    assert Email.label == "Press list (e-mail)"
