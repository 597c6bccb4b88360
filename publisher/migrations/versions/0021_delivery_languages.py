"""deliveries.language: one delivery per language version of a post ("" for the post as a whole), unique per
(post, channel, language) instead of per (post, channel)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 13:00:00.000000

SQLite cannot drop a table constraint in place: the unique constraint is written inside CREATE TABLE
deliveries, so the table is copied (a batch). Dropping the old table would, with foreign keys on, delete every
delivery_attempts row (ON DELETE CASCADE); publisher.core.schema.upgrade therefore runs migrations on SQLite
with foreign keys off (set before the transaction, the only place SQLite honours it) and runs
PRAGMA foreign_key_check before it commits. The copy does not carry the expression indexes of migration 0005
(coalesce(sent_at, updated_at)): they are dropped first and made again after.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

MOMENT = sa.text("coalesce(sent_at, updated_at)")
MOMENT_INDEXES = {
    "ix_deliveries_moment": [MOMENT, "id"],
    "ix_deliveries_status_moment": ["status", MOMENT, "id"],
    "ix_deliveries_channel_moment": ["channel_id", MOMENT, "id"],
}


def _foreign_keys_are_off() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite" and bind.exec_driver_sql("PRAGMA foreign_keys").scalar() != 0:
        raise RuntimeError("migration 0021 copies the deliveries table: run it through publisher.core.schema.upgrade, "
                           "which turns SQLite's foreign keys off first (else the copy deletes delivery attempts)")


def _swap_unique(old: str, new: str, columns: list[str]) -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(old, "deliveries", type_="unique")
        op.create_unique_constraint(new, "deliveries", columns)
        return
    _foreign_keys_are_off()
    for name in MOMENT_INDEXES:
        op.drop_index(name, table_name="deliveries")
    with op.batch_alter_table("deliveries", recreate="always") as batch:
        batch.drop_constraint(old, type_="unique")
        batch.create_unique_constraint(new, columns)
    for name, columns_of in MOMENT_INDEXES.items():
        op.create_index(name, "deliveries", columns_of)


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("language", sa.String(length=16), server_default="", nullable=False))
    _swap_unique("uq_deliveries_post_channel", "uq_deliveries_post_channel_language",
                 ["post_id", "channel_id", "language"])


def downgrade() -> None:
    # Only the post-as-a-whole deliveries fit the old rule (one per post and channel): the others go, with
    # their attempts, which the old code could not read.
    op.execute("DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE language <> '')")
    op.execute("DELETE FROM deliveries WHERE language <> ''")
    _swap_unique("uq_deliveries_post_channel_language", "uq_deliveries_post_channel", ["post_id", "channel_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE deliveries DROP COLUMN language")
    else:
        op.drop_column("deliveries", "language")
