"""The migrations are the schema: they build exactly what the models say, and every one of them can be
undone and done again, on both databases."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from publisher.core import schema
from publisher.core.db import make_engine
from publisher.core.models import Base
from publisher.documents import models as _documents  # noqa: F401 - its tables are part of Base
from publisher.notifications import models as _notifications  # noqa: F401 - its tables are part of Base
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
        config = schema.alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "base")
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
