"""users.locale may be empty: a person who never chose a language gets the sign-in page's at first sign-in

Existing rows keep the language they have.

SQLite: a batch copy of users would drop the table, and with foreign keys on that deletes every role row
(ON DELETE CASCADE) and fails for posts. Dropping a NOT NULL is one of the changes SQLite documents as safe
to make by rewriting the table's stored definition (sqlite.org/lang_altertable.html, "making other kinds
of table schema changes"), which leaves the rows and the other tables alone.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 08:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

NOT_NULL = "locale VARCHAR(16) NOT NULL"
NULLABLE = "locale VARCHAR(16)"


def _sqlite_rewrite(old: str, new: str) -> None:
    bind = op.get_bind()
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'").scalar_one()
    if old not in sql:
        raise RuntimeError(f"users.locale is not declared as expected ({old!r}): {sql}")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'users'",
                         (sql.replace(old, new, 1),))
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rewrite(NOT_NULL, NULLABLE)
    else:
        op.alter_column("users", "locale", existing_type=sa.String(length=16), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE users SET locale = 'sr-Latn' WHERE locale IS NULL")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rewrite(NULLABLE, NOT_NULL)
    else:
        op.alter_column("users", "locale", existing_type=sa.String(length=16), nullable=False)
