"""The audit chain shows a changed, removed, slipped-in or cut-off row, on both databases.

Tampering goes round the append-only triggers as an intruder with the owner's rights would: on SQLite the
triggers are dropped in the test's own database, on PostgreSQL the session acts as a replica."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from publisher.audit import chain, trail
from publisher.audit.chain import Head
from publisher.audit.verify import verify
from publisher.cli import main
from publisher.core.models import AuditEvent, AuditLink
from tests.factories.people import SYSTEM

AT = datetime(2026, 12, 4, 9, 30, 15, 123456, tzinfo=UTC)


def _events(session, count: int, **fields) -> list[int]:
    for n in range(count):
        trail.record(session, SYSTEM, "test.event", subject=f"thing:{n}", detail={"n": n, "b": [1, 2.5, None]},
                     **fields)
    session.commit()
    ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    session.rollback()  # a read must not keep SQLite's write lock from the writers the tests start
    return ids


def _tamper(session, rt, statement: str, **params) -> None:
    if rt.engine.dialect.name == "sqlite":
        for name in ("audit_events_no_update", "audit_events_no_delete", "audit_events_no_replace"):
            session.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    else:
        session.execute(text("SET LOCAL session_replication_role = replica"))
    session.execute(text(statement), params)
    session.commit()


def _sealed(session, rt) -> Head:
    chain.seal(session, rt.clock())
    session.commit()
    found = chain.head(session)
    assert found is not None
    return found


def test_an_untouched_log_verifies_and_sealing_twice_adds_nothing(session, rt):
    ids = _events(session, 5)
    head = _sealed(session, rt)
    assert head.event_id == ids[-1]
    assert chain.seal(session, rt.clock()) == 0
    report = verify(session)
    assert report.ok, report.summary()
    assert (report.checked, report.head, report.unsealed) == (5, head, 0)
    _events(session, 2)
    assert verify(session).unsealed == 2


def test_the_canonical_form_reads_the_same_back_from_the_database(session, rt):
    event = trail.record(session, SYSTEM, "test.event", detail={"b": 1, "a": {"z": None, "y": "ш"}})
    event.at = AT
    session.commit()
    written = chain.row_hash(event)
    session.expire_all()
    read = session.execute(chain.events_query(0)).one()
    assert chain.row_hash(read) == written
    assert b'"2026-12-04T09:30:15.123456+00:00"' in chain.canonical(read)


def test_a_changed_row_is_named(session, rt):
    ids = _events(session, 5)
    _sealed(session, rt)
    _tamper(session, rt, "UPDATE audit_events SET subject = 'forged' WHERE id = :id", id=ids[2])
    report = verify(session)
    assert not report.ok
    assert (report.problem.event_id, report.problem.kind) == (ids[2], "changed")
    assert report.checked == 2


def test_a_removed_middle_row_is_named(session, rt):
    ids = _events(session, 5)
    _sealed(session, rt)
    _tamper(session, rt, "DELETE FROM audit_events WHERE id = :id", id=ids[1])
    problem = verify(session).problem
    assert (problem.event_id, problem.kind) == (ids[1], "removed")


def test_a_row_inserted_out_of_order_is_named(session, rt):
    ids = _events(session, 3)
    # A gap, as rolled-back transactions leave on PostgreSQL.
    session.execute(text("INSERT INTO audit_events (id, at, actor_name, via, action, subject) "
                         "VALUES (:id, :at, '', 'system', 'test.event', '')"), {"id": ids[-1] + 10, "at": AT})
    if rt.engine.dialect.name == "postgresql":
        session.execute(text("SELECT setval('audit_events_id_seq', :id)"), {"id": ids[-1] + 10})
    session.commit()
    _sealed(session, rt)
    assert verify(session).ok
    _tamper(session, rt, "INSERT INTO audit_events (id, at, actor_name, via, action, subject) "
                         "VALUES (:id, :at, '', 'system', 'test.forged', '')", id=ids[-1] + 5, at=AT)
    problem = verify(session).problem
    assert (problem.event_id, problem.kind) == (ids[-1] + 5, "inserted")


def test_a_cut_tail_is_seen_against_a_head_recorded_earlier(session, rt):
    ids = _events(session, 5)
    recorded = _sealed(session, rt)
    if rt.engine.dialect.name == "sqlite":
        session.execute(text("DROP TRIGGER IF EXISTS audit_chain_no_delete"))
    _tamper(session, rt, "DELETE FROM audit_chain WHERE event_id >= :id", id=ids[3])
    _tamper(session, rt, "DELETE FROM audit_events WHERE id >= :id", id=ids[3])
    assert verify(session).ok  # what is left is a consistent, shorter chain...
    problem = verify(session, expect=recorded).problem  # ...that lacks the head the backup recorded
    assert (problem.event_id, problem.kind) == (ids[4], "cut")
    assert f"ends at row {ids[2]}" in problem.message


def test_a_rewritten_chain_is_seen_against_a_head_recorded_earlier(session, rt):
    _events(session, 3)
    recorded = _sealed(session, rt)
    forged = Head(recorded.event_id, "f" * 64)
    assert verify(session, expect=recorded).ok
    assert verify(session, expect=forged).problem.kind == "changed"


def test_incremental_verification_starts_from_a_verified_head(session, rt):
    ids = _events(session, 4)
    first = _sealed(session, rt)
    _events(session, 2)
    _sealed(session, rt)
    report = verify(session, start=first)
    assert report.ok and report.checked == 2
    _tamper(session, rt, "UPDATE audit_events SET action = 'forged' WHERE id = :id", id=ids[-1] + 2)
    assert verify(session, start=first).problem.event_id == ids[-1] + 2


def test_the_chain_itself_is_append_only(session, rt):
    _events(session, 2)
    _sealed(session, rt)
    with pytest.raises(Exception, match="append-only"):
        session.execute(text("UPDATE audit_chain SET chain_hash = 'x'"))
    session.rollback()
    with pytest.raises(Exception, match="append-only"):
        session.execute(text("DELETE FROM audit_chain"))
    session.rollback()


def test_concurrent_writers_never_fork_the_chain(session, rt):
    """Writers insert while sealers seal: every event is linked once, in id order, and the chain verifies."""
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(15):
                with rt.sessions() as s:
                    trail.record(s, SYSTEM, "test.event", subject=f"w{n}:{i}")
                    if i % 3 == 0:
                        trail.record_batch(s.connection(), SYSTEM, AT, [{"action": "test.batch"}] * 5)
                    s.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def sealer() -> None:
        try:
            for _ in range(10):
                with rt.sessions() as s:
                    chain.seal(s, rt.clock())
                    s.commit()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)] + \
        [threading.Thread(target=sealer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    _sealed(session, rt)
    report = verify(session)
    assert report.ok, report.summary()
    total = session.scalar(select(func.count()).select_from(AuditEvent))
    assert report.checked == total == session.scalar(select(func.count()).select_from(AuditLink)) == 3 * (15 + 5 * 5)


@pytest.fixture
def cli(monkeypatch, settings, capsys, session):
    monkeypatch.setenv("PUBLISHER_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PUBLISHER_CREDENTIALS_KEY", ",".join(settings.credential_keys))
    monkeypatch.setenv("PUBLISHER_INSTANCE_DIR", str(settings.instance_dir))

    def run(*argv: str) -> tuple[int, str, str]:
        session.rollback()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_the_command_line_verifies_and_names_the_first_broken_row(cli, session, rt):
    ids = _events(session, 4)
    code, out, _ = cli("audit", "head")
    assert code == 0
    recorded = out.strip()
    assert recorded.startswith(f"{ids[-1]}:")
    code, out, _ = cli("audit", "verify", "--expect", recorded)
    assert code == 0 and "intact: 4 row(s)" in out
    _tamper(session, rt, "UPDATE audit_events SET detail = NULL WHERE id = :id", id=ids[1])
    code, _, err = cli("audit", "verify")
    assert code == 1
    assert f"BROKEN at row {ids[1]}" in err


def test_the_command_line_refuses_a_malformed_head(cli):
    code, _, err = cli("audit", "verify", "--expect", "12:nothex")
    assert code == 1 and "--expect" in err and "ROW_ID:SHA256_HEX" in err


def test_the_worker_seals_verifies_from_where_it_left_and_alerts_on_a_break(session, rt):
    from datetime import timedelta

    from publisher.core.models import Alert
    from publisher.publishing.worker import Worker, WorkerOptions

    now = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    rt.clock = lambda: now
    ids = _events(session, 3)
    worker = Worker(rt, WorkerOptions(audit_full_check=timedelta(hours=1)), worker_id="auditor")
    try:
        worker.audit_check()
        newer = _events(session, 2)[-1]
        worker.audit_check()  # from the head it verified: only the two new rows
        assert worker._audit_verified.event_id == newer
        _tamper(session, rt, "UPDATE audit_events SET subject = 'forged' WHERE id = :id", id=ids[0])
        worker.audit_check()
        assert session.scalar(select(func.count()).select_from(Alert)) == 0  # an old row waits for the full walk
        session.rollback()
        now += timedelta(hours=1)
        worker.audit_check()
    finally:
        worker.close()
    alert = session.scalar(select(Alert))
    assert alert.kind == "audit_chain"
    assert f"broken at row {ids[0]}" in alert.message
    assert f"Last intact head: {newer}:" in alert.message


def test_postgresql_never_seals_past_a_writer_still_in_flight(session, rt):
    """A transaction that took a lower id commits after a higher one: the sealer waits for it, or seals
    nothing this round, and never leaves it behind as a row 'inserted out of order'."""
    if rt.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the sealer holds the write lock")
    with rt.sessions() as slow, rt.sessions() as fast:
        trail.record(slow, SYSTEM, "test.slow")
        slow.flush()  # has its id and the table's lock, not committed
        trail.record(fast, SYSTEM, "test.fast")
        fast.commit()
        with rt.sessions() as sealer:
            assert chain.seal(sealer, rt.clock(), wait_seconds=0.2) == 0
            sealer.commit()
        slow.commit()
    assert _sealed(session, rt).event_id == 2
    assert verify(session).ok


def test_the_head_reads_from_a_plain_connection_as_a_backup_does(session, rt):
    _events(session, 2)
    recorded = _sealed(session, rt)
    session.rollback()
    with rt.engine.connect() as conn:
        assert chain.head(conn) == recorded


def test_sealing_in_bounded_batches_makes_the_same_chain(session, rt, monkeypatch):
    monkeypatch.setattr(chain, "SEAL_BATCH", 3)
    _events(session, 7)
    assert [chain.seal(session, rt.clock(), max_rows=3) for _ in range(4)] == [3, 3, 1, 0]
    session.commit()
    assert verify(session).checked == 7


def test_the_worker_seals_after_a_burst_not_during_it(session, rt):
    from datetime import timedelta

    from publisher.publishing.worker import Worker, WorkerOptions

    now = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    rt.clock = lambda: now
    worker = Worker(rt, WorkerOptions(audit_max_lag=timedelta(minutes=10)), worker_id="busy")
    _events(session, 1)
    try:
        worker.audit_check()  # the first check always runs
        ids = _events(session, 2)
        worker._unrecorded = 5  # sends in flight
        now += timedelta(minutes=1)
        worker.audit_check()
        assert chain.head(session).event_id < ids[-1]  # waited
        session.rollback()
        now += timedelta(minutes=10)
        worker.audit_check()  # but never longer than the lag
        assert chain.head(session).event_id == ids[-1]
        session.rollback()
        worker._unrecorded = 0
    finally:
        worker.close()
