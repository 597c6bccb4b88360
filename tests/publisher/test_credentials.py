"""Channel credentials: encrypted at rest, rotatable, and a wrong key says so."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from publisher.core.credentials import CredentialBox
from publisher.core.errors import CredentialKeyError
from publisher.destinations import channel_store
from tests.factories.office import PORTAL_SECRET
from tests.factories.people import SYSTEM


def add_portal(session, rt):
    channel = channel_store.add_channel(session, rt.box, "state_portal", "portal",
                                        {"url": "https://portal.example.gov.rs/hook", "secret": PORTAL_SECRET},
                                        actor=SYSTEM)
    session.commit()
    return channel


def test_the_secret_is_not_in_the_database(rt, session):
    add_portal(session, rt)
    dump = json.dumps([list(map(str, row)) for row in session.execute(text("SELECT * FROM channels"))])
    assert PORTAL_SECRET not in dump
    assert PORTAL_SECRET[6:] not in dump
    events = json.dumps([list(map(str, row)) for row in session.execute(text("SELECT * FROM audit_events"))])
    assert PORTAL_SECRET not in events


def test_the_adapter_gets_the_decrypted_secret(rt, session):
    channel = add_portal(session, rt)
    adapter = channel_store.build_adapter(channel, rt.box)
    assert adapter.credentials == {"secret": PORTAL_SECRET}


def test_rotation_keeps_credentials_readable_with_the_new_key_alone(rt, session):
    channel = add_portal(session, rt)
    new_key = Fernet.generate_key().decode()
    both = CredentialBox([new_key, *rt.settings.credential_keys])
    assert channel_store.rotate_credentials(session, both, actor=SYSTEM) == 1
    session.commit()
    assert CredentialBox([new_key]).decrypt(channel.credentials) == {"secret": PORTAL_SECRET}
    with pytest.raises(CredentialKeyError, match="cannot be decrypted"):
        CredentialBox(rt.settings.credential_keys).decrypt(channel.credentials)


def test_a_malformed_key_is_named():
    with pytest.raises(CredentialKeyError, match="Fernet keys"):
        CredentialBox(["not-a-key"])


@pytest.mark.parametrize(
    ("kind", "given", "message"),
    [
        ("state_portal", {"url": "https://p.example/hook"}, "missing required setting(s): secret"),
        ("state_portal", {"url": "https://p.example/hook", "secret": PORTAL_SECRET, "tok": 1}, "unknown setting"),
        ("carrier_pigeon", {}, "unknown channel kind 'carrier_pigeon'"),
    ],
)
def test_bad_channel_settings_are_refused(rt, session, kind, given, message):
    with pytest.raises(channel_store.Invalid) as info:
        channel_store.add_channel(session, rt.box, kind, "x", given, actor=SYSTEM)
    assert message in info.value.message
