"""The command line as an office's admin uses it, on both databases."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from publisher.cli import main
from publisher.core.models import Channel, User
from publisher.people import accounts
from tests.factories.office import PORTAL_SECRET


@pytest.fixture
def cli(monkeypatch, settings, capsys, session):
    monkeypatch.setenv("PUBLISHER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PUBLISHER_CREDENTIALS_KEY", ",".join(settings.credential_keys))
    monkeypatch.setenv("PUBLISHER_INSTANCE_DIR", str(settings.instance_dir))

    def run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", __import__("io").StringIO(stdin))
        session.rollback()  # the test's own reads must not hold SQLite's write lock while the CLI writes
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_init_is_safe_to_repeat(cli):
    assert cli("init")[0] == 0
    code, out, _ = cli("init")
    assert code == 0
    assert "already at" in out


def test_user_token_and_channel(cli, session):
    code, out, _ = cli("user", "add", "ana", "--role", "officer", "--role", "approver", "--password-stdin",
                       stdin="dugacka-lozinka-42\n")
    assert code == 0 and out.strip().isdigit()
    user = session.scalar(select(User).where(User.name == "ana"))
    assert user.roles == {"officer", "approver"}
    assert accounts.check_password(user, "dugacka-lozinka-42")
    assert not accounts.check_password(user, "pogresna-lozinka")

    code, out, _ = cli("token", "create", "ana")
    assert code == 0
    [token] = out.splitlines()
    assert token.startswith("pub_")
    assert accounts.authenticate_token(session, token)[0].name == "ana"

    code, out, _ = cli("channel", "add", "state_portal", "Portal",
                       "--config", json.dumps({"url": "https://portal.example/hook", "secret": PORTAL_SECRET}))
    assert code == 0
    channel = session.get(Channel, int(out.strip()))
    assert (channel.name, channel.kind) == ("Portal", "state_portal")


def test_a_person_with_newer_roles_from_the_command_line_and_an_unknown_role_refused(cli, session, capsys):
    code, _, _ = cli("user", "add", "dragan", "--role", "head_of_office", "--role", "info_officer")
    assert code == 0
    assert session.scalar(select(User).where(User.name == "dragan")).roles == {"head_of_office", "info_officer"}
    with pytest.raises(SystemExit) as refused:
        cli("user", "add", "nina", "--role", "superuser")
    assert refused.value.code == 2
    assert "invalid choice: 'superuser'" in capsys.readouterr().err
    assert session.scalar(select(User).where(User.name == "nina")) is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("user", "add", "Ana Maria", "--role", "officer"), "user name 'Ana Maria'"),
        (("token", "create", "nobody"), "no user named 'nobody'"),
        (("channel", "add", "state_portal", "P", "--config", "{url: x}"), "--config is not valid JSON"),
        (("channel", "add", "fax", "P", "--config", "{}"), "unknown channel kind 'fax'"),
        (("channel", "add", "state_portal", "P", "--config", '{"url": "ftp://x", "secret": "' + PORTAL_SECRET + '"}'),
         "url"),
    ],
)
def test_bad_input_is_an_error_naming_the_problem(cli, argv, message):
    cli("init")
    code, out, err = cli(*argv)
    assert code == 1
    assert message in err
    assert out == ""


def test_a_short_password_is_refused(cli, session):
    code, _, err = cli("user", "add", "ana", "--role", "officer", "--password-stdin", stdin="kratka\n")
    assert code == 1
    assert "at least 10 characters" in err
    assert session.scalar(select(User).where(User.name == "ana")) is None


def test_duplicate_user_is_refused(cli):
    assert cli("user", "add", "ana", "--role", "officer")[0] == 0
    code, _, err = cli("user", "add", "ana", "--role", "officer")
    assert code == 1 and "already exists" in err


def test_keys_rotate(cli, monkeypatch, settings, session):
    cli("channel", "add", "state_portal", "Portal",
        "--config", json.dumps({"url": "https://portal.example/hook", "secret": PORTAL_SECRET}))
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("PUBLISHER_CREDENTIALS_KEY", f"{new_key},{settings.credential_keys[0]}")
    code, out, _ = cli("keys", "rotate")
    assert code == 0 and "1 channel" in out
    monkeypatch.setenv("PUBLISHER_CREDENTIALS_KEY", new_key)
    assert cli("channel", "list")[0] == 0


def test_hold_on_and_off(cli):
    cli("init")
    code, out, _ = cli("hold", "on", "--reason", "Dan žalosti")
    assert code == 0 and "on hold" in out
    code, _, err = cli("hold", "on", "--reason", "opet")
    assert code == 1 and "already on hold" in err
    code, _, err = cli("hold", "on")
    assert code == 1  # two holds at once, or no reason: both refused
    assert cli("hold", "off")[0] == 0
    code, _, err = cli("hold", "off")
    assert code == 1 and "not on hold" in err
    code, _, err = cli("hold", "on", "--channel", "nowhere", "--reason", "x")
    assert code == 1 and "no channel 'nowhere'" in err
