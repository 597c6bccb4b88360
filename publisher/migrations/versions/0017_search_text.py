"""search: a normalised `search_text` on every table a list searches (posts, media, channels, users, alerts)

The key is publisher.text.search_key.normalise of the columns publisher.core.models names in each model's
SEARCHED; new and changed rows get it from publisher.core.search_index, the rows that exist get it here.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 08:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

from publisher.core.search_index import key_from

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The columns each key is made of, as the models say at this revision (a later change of the models or of
# the key's rules brings its own migration to recompute the keys).
SOURCES: dict[str, tuple[str, ...]] = {
    "posts": ("title", "body", "variants"),
    "media": ("original_name", "alt_text", "credit"),
    "channels": ("name", "kind"),
    "users": ("name", "display_name", "email"),
    "alerts": ("message", "resolution_comment", "resolved_by"),
}
JSON_COLUMNS = {"variants"}
BATCH = 1_000


def _table(name: str) -> sa.TableClause:
    columns = [sa.column("id", sa.Integer), sa.column("search_text", sa.Text)]
    columns += [sa.column(c, sa.JSON if c in JSON_COLUMNS else sa.Text) for c in SOURCES[name]]
    return sa.table(name, *columns)


def _fill(name: str) -> None:
    """Every row's key, read and written in batches by id: memory stays flat for any number of rows."""
    table, connection, last = _table(name), op.get_bind(), 0
    sources = [table.c[c] for c in SOURCES[name]]
    while True:
        rows = connection.execute(sa.select(table.c.id, *sources).where(table.c.id > last)
                                  .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        connection.execute(sa.update(table).where(table.c.id == sa.bindparam("row_id"))
                           .values(search_text=sa.bindparam("key")),
                           [{"row_id": row[0], "key": key_from(row[1:])} for row in rows])
        last = rows[-1][0]


def upgrade() -> None:
    for name in SOURCES:
        op.add_column(name, sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        _fill(name)


def downgrade() -> None:
    for name in reversed(SOURCES):
        with op.batch_alter_table(name) as batch:
            batch.drop_column("search_text")
