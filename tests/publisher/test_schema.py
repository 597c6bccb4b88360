"""The migrations are the schema: they build exactly what the models say, and every one of them can be
undone and done again, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from publisher.activities import checklist as _checklist  # noqa: F401 - its tables are part of Base
from publisher.activities import feed_tokens as _feed_tokens  # noqa: F401 - its table is part of Base
from publisher.activities import followup as _followup  # noqa: F401 - its tables are part of Base
from publisher.activities import links as _links  # noqa: F401 - its tables are part of Base
from publisher.activities import models as _activities  # noqa: F401 - its tables are part of Base
from publisher.activities import plan_models as _weekly_plans  # noqa: F401 - its table is part of Base
from publisher.approval import models as _approval  # noqa: F401 - its tables are part of Base
from publisher.core import schema
from publisher.core.db import make_engine
from publisher.core.models import Base
from publisher.documents import models as _documents  # noqa: F401 - its tables are part of Base
from publisher.mailbox import models as _mailbox  # noqa: F401 - its tables are part of Base
from publisher.notifications import models as _notifications  # noqa: F401 - its tables are part of Base
from publisher.outbox import models as _outbox  # noqa: F401 - its tables are part of Base
from tests.conftest import new_postgres_database


def test_the_migrations_build_exactly_what_the_models_describe(rt):
    with rt.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert schema.current_revision(rt.engine) == schema.head_revision()


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request, tmp_path):
    """An empty database of its own: this test takes the schema down to nothing."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    with new_postgres_database("publisher_schema") as url:
        yield url


def test_every_migration_can_be_undone_and_done_again(scratch_url):
    engine = make_engine(scratch_url)
    try:
        schema.upgrade(engine)
        schema.downgrade(engine, "base")
        assert schema.current_revision(engine) is None
        schema.upgrade(engine)
        assert schema.current_revision(engine) == schema.head_revision()
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()


def test_people_keep_their_language_and_roles_when_the_language_becomes_optional(scratch_url):
    """Migration 0019: existing rows keep theirs (SQLite: no table copy that would cascade to the roles)."""
    engine = make_engine(scratch_url)
    try:
        schema.upgrade(engine, "0015")
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO users (id, name, display_name, locale, active, created_at) "
                                       "VALUES (7, 'ana', 'Ana', 'sq', TRUE, CURRENT_TIMESTAMP)")
            connection.exec_driver_sql("INSERT INTO user_roles (user_id, role) VALUES (7, 'officer')")
        schema.upgrade(engine)
        with engine.begin() as connection:
            assert connection.exec_driver_sql("SELECT locale FROM users").all() == [("sq",)]
            assert connection.exec_driver_sql("SELECT role FROM user_roles").all() == [("officer",)]
            connection.exec_driver_sql("INSERT INTO users (id, name, display_name, active, created_at) "
                                       "VALUES (8, 'nova', 'Nova', TRUE, CURRENT_TIMESTAMP)")
            assert connection.exec_driver_sql("SELECT locale FROM users WHERE id = 8").scalar_one() is None
    finally:
        engine.dispose()


def test_attempts_and_alerts_survive_when_deliveries_become_one_per_language(scratch_url):
    """Migration 0021 copies the deliveries table on SQLite: nothing that references it may go with the copy,
    and the history's expression indexes come back."""
    engine = make_engine(scratch_url)
    try:
        schema.upgrade(engine, "0020")
        with engine.begin() as connection:
            run = connection.exec_driver_sql
            run("INSERT INTO users (id, name, display_name, active, created_at) "
                "VALUES (1, 'ana', 'Ana', TRUE, CURRENT_TIMESTAMP)")
            run("INSERT INTO channels (id, name, kind, config, credentials, enabled, max_concurrency, created_at, "
                "updated_at) "
                "VALUES (3, 'sajt', 'feed', '{}', '', TRUE, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
            run("INSERT INTO posts (id, title, body, language, variants, status, timezone, author_id, created_at, "
                "updated_at, content_hash, translations, version) VALUES (5, 't', 'b', 'sr-Latn', '{}', 'published', "
                "'Europe/Belgrade', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'h', '{}', 1)")
            run("INSERT INTO deliveries (id, post_id, channel_id, status, idempotency_key, due_at, attempts, "
                "created_at, updated_at) VALUES (9, 5, 3, 'sent', 'p5-c3-abc', CURRENT_TIMESTAMP, 1, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
            run("INSERT INTO delivery_attempts (id, delivery_id, number, worker_id, started_at) "
                "VALUES (11, 9, 1, 'w1', CURRENT_TIMESTAMP)")
            run("INSERT INTO alerts (id, key, kind, message, post_id, delivery_id, channel_id, created_at) "
                "VALUES (13, 'k', 'failed', 'm', 5, 9, 3, CURRENT_TIMESTAMP)")
        schema.upgrade(engine)
        with engine.begin() as connection:
            run = connection.exec_driver_sql
            assert run("SELECT id, language FROM deliveries").all() == [(9, "")]
            assert run("SELECT id, delivery_id FROM delivery_attempts").all() == [(11, 9)]
            assert run("SELECT id, delivery_id FROM alerts").all() == [(13, 9)]
            run("INSERT INTO deliveries (id, post_id, channel_id, language, status, idempotency_key, due_at, "
                "attempts, created_at, updated_at) VALUES (10, 5, 3, 'sq', 'pending', 'p5-c3-sq-abc', "
                "CURRENT_TIMESTAMP, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            if engine.dialect.name == "sqlite":
                indexes = {row[0] for row in connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries'")}
                assert {"ix_deliveries_moment", "ix_deliveries_status_moment", "ix_deliveries_channel_moment"} <= indexes
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # on again after
    finally:
        engine.dispose()
