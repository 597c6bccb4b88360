"""Create or upgrade the schema with Alembic; safe to repeat."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    _migrate(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    _migrate(engine, lambda config: command.downgrade(config, revision))


def _migrate(engine: Engine, run: Callable[[Config], None]) -> None:
    config = alembic_config()
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            run(config)
        return
    # SQLite alters some tables by copying them (a batch), and dropping the old table would, with foreign keys
    # on, delete the rows that reference it (ON DELETE CASCADE). SQLite's documented way: foreign keys off,
    # set before the transaction begins (inside one the pragma does nothing), and checked before committing.
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                run(config)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise RuntimeError(f"the migration left rows that reference missing rows: {broken[:10]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        # Quietly: /healthz asks on every probe, and MigrationContext logs two INFO lines each time.
        logger = logging.getLogger("alembic.runtime.migration")
        level = logger.level
        logger.setLevel(logging.WARNING)
        try:
            return MigrationContext.configure(connection).get_current_revision()
        finally:
            logger.setLevel(level)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_known(revision_id: str) -> bool:
    """Whether a revision is one of this code's migrations (a backup from a newer version holds one that is not)."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision_id) is not None
    except CommandError:
        return False


def revision(engine: Engine, message: str) -> None:
    """Developer helper: autogenerate a migration from the models against an up-to-date database."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
