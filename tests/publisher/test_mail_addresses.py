"""An address's mail state: what marks it, what senders are told, and who may clear it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from publisher.core.errors import Forbidden
from publisher.mailbox import addresses
from publisher.mailbox.addresses import BouncePolicy

AT = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
POLICY = BouncePolicy(soft_limit=2, soft_window=timedelta(days=3))


def bounce(session, address, *, report, permanent=False, at=AT):
    return addresses.record_bounce(session, report=report, address=address, permanent=permanent,
                                   status="5.1.1" if permanent else "4.2.2", diagnostic="mailbox full",
                                   original_message_id=None, at=at, policy=POLICY)


@pytest.mark.parametrize(("given", "stored"), [
    ("  <Ana.Markovic@Ministarstvo.GOV.rs> ", "ana.markovic@ministarstvo.gov.rs"),
    ("press+objave@rts.rs", "press+objave@rts.rs"),
    ("no-at-sign", None), ("two@@signs.rs", None), ("space in@side.rs", None), ("nodot@localhost", None),
    ("", None), ("a" * 65 + "@long.rs", None), ("x@" + "d" * 320 + ".rs", None),
])
def test_addresses_are_compared_trimmed_and_lowercase_and_non_addresses_refused(given, stored):
    assert addresses.normalise(given) == stored


def test_senders_learn_which_of_their_addresses_to_skip_in_their_own_spelling(session):
    bounce(session, "gone@rts.rs", report="<r1@mx>", permanent=True)
    bounce(session, "full@rts.rs", report="<r2@mx>")
    session.commit()
    asked = ["Gone@RTS.rs", "gone@rts.rs", "full@rts.rs", "fine@rts.rs", "not an address", ""]
    assert addresses.undeliverable(session, asked) == {"Gone@RTS.rs", "gone@rts.rs"}
    assert addresses.undeliverable(session, []) == set()
    many = [f"osoba{n}@rts.rs" for n in range(1200)] + ["gone@rts.rs"]  # more than one query's parameters
    assert addresses.undeliverable(session, many) == {"gone@rts.rs"}


def test_transient_bounces_count_within_the_window_and_after_the_last_clear(session, office):
    assert bounce(session, "full@rts.rs", report="<r1@mx>")
    assert not bounce(session, "full@rts.rs", report="<r1@mx>")  # the same report again
    assert addresses.state_of(session, "full@rts.rs").state == "ok"
    bounce(session, "full@rts.rs", report="<r2@mx>", at=AT + timedelta(days=1))
    assert addresses.state_of(session, "FULL@rts.rs").state == "bounced"
    session.info["clock"] = lambda: AT + timedelta(days=1, hours=1)
    assert addresses.clear(session, office.actor("admin"), "full@rts.rs").state == "ok"
    bounce(session, "full@rts.rs", report="<r3@mx>", at=AT + timedelta(days=2))
    state = addresses.state_of(session, "full@rts.rs")
    assert (state.state, state.bounces) == ("ok", 3)  # the two before the clear no longer count
    bounce(session, "full@rts.rs", report="<r4@mx>", at=AT + timedelta(days=2, hours=1))
    assert state.state == "bounced"


def test_only_people_managers_clear_a_mark_and_a_clear_mark_is_none(session, office):
    bounce(session, "gone@rts.rs", report="<r1@mx>", permanent=True)
    with pytest.raises(Forbidden):
        addresses.clear(session, office.actor("ana"), "gone@rts.rs")
    assert addresses.state_of(session, "gone@rts.rs").state == "bounced"
    assert addresses.clear(session, office.actor("admin"), "fine@rts.rs") is None
