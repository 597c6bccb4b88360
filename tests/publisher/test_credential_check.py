"""A key that cannot decrypt the stored channel credentials stops publisher at start, naming the key and the
fix; a missing key file is never replaced by a new key while encrypted credentials exist. Both databases."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet

from publisher import cli
from publisher.cli import main
from publisher.publishing.worker import Worker
from tests.factories.office import PORTAL_SECRET

PORTAL = json.dumps({"url": "https://portal.example/hook", "secret": PORTAL_SECRET})
STARTING = [("run", "--port", "0"), ("serve", "--port", "0"), ("worker",), ("keys", "rotate"),
            ("channel", "add", "state_portal", "Drugi", "--config", PORTAL)]


@pytest.fixture
def started(monkeypatch, settings, session):
    """The processes' start, recorded instead of serving or dispatching; the instance's environment."""
    monkeypatch.setenv("PUBLISHER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PUBLISHER_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.delenv("PUBLISHER_CREDENTIALS_KEY", raising=False)
    seen: list[str] = []
    monkeypatch.setattr(cli, "_serve", lambda *a, **k: seen.append("serve"))
    monkeypatch.setattr(Worker, "start", lambda self: seen.append("worker"))
    monkeypatch.setattr(Worker, "stop", lambda self, *a, **k: None)
    monkeypatch.setattr(Worker, "run_forever", lambda self: seen.append("worker"))
    session.rollback()  # no read of the test's own may hold SQLite's lock while the command writes
    return seen


def key_file(settings):  # noqa: ANN001, ANN201
    return settings.instance_dir / "credentials.key"


@pytest.mark.parametrize("command", STARTING, ids=lambda c: c[0] if len(c) < 3 else " ".join(c[:2]))
def test_a_wrong_key_in_the_environment_refuses_to_start(office, started, monkeypatch, capsys, command):
    monkeypatch.setenv("PUBLISHER_CREDENTIALS_KEY", Fernet.generate_key().decode())
    assert main(list(command)) == 1
    err = capsys.readouterr().err
    assert "channel(s) 'portal', 'archive'" in err or "channel(s) 'portal'" in err
    assert "PUBLISHER_CREDENTIALS_KEY" in err and "Do not generate a new key" in err
    assert started == []


def test_a_wrong_key_file_is_named_and_kept(office, started, settings, capsys):
    key_file(settings).parent.mkdir(parents=True, exist_ok=True)
    wrong = Fernet.generate_key().decode()
    key_file(settings).write_text(wrong + "\n")
    assert main(["worker"]) == 1
    err = capsys.readouterr().err
    assert f"the key in {key_file(settings)}" in err and "keys/credentials.key" in err
    assert started == [] and key_file(settings).read_text().strip() == wrong  # the operator's file, untouched


@pytest.mark.parametrize("command", [("serve",), ("channel", "list")])
def test_a_missing_key_file_is_not_replaced_by_a_new_key(office, started, settings, capsys, command):
    assert not key_file(settings).exists()
    assert main(list(command)) == 1
    assert f"{key_file(settings)} was missing (it was not kept)" in capsys.readouterr().err
    assert not key_file(settings).exists() and started == []


def test_the_right_key_starts(office, started, settings, monkeypatch):
    monkeypatch.setenv("PUBLISHER_CREDENTIALS_KEY", ",".join((Fernet.generate_key().decode(),
                                                             *settings.credential_keys)))
    assert main(["worker"]) == 0 and main(["serve", "--port", "0"]) == 0
    assert started == ["worker", "serve"]
