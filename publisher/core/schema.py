"""Create or upgrade the schema with Alembic; safe to repeat."""

from __future__ import annotations

import logging
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
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


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
