"""frozen approved versions: what each approval froze, which version each delivery publishes, and why an
approved post was sent back without an edit

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 05:40:00.000000

Approval now stores everything every channel receives (post_approvals.frozen) and each delivery points at
the approval it publishes (deliveries.approval_id); the worker reads only that. Approvals and deliveries made
before this revision have NULLs and are read from the live rows as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("post_approvals", sa.Column("frozen", sa.JSON(), nullable=True))
    op.add_column("posts", sa.Column("sent_back", sa.JSON(), nullable=True))
    # A plain ADD COLUMN with its reference: a batch copy of deliveries on SQLite would have to carry its
    # expression indexes across.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE deliveries ADD COLUMN approval_id INTEGER REFERENCES post_approvals (id)")
    else:
        op.add_column("deliveries", sa.Column("approval_id", sa.Integer(), nullable=True))
        op.create_foreign_key("deliveries_approval_id_fkey", "deliveries", "post_approvals",
                              ["approval_id"], ["id"])


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops no column that references a table: a batch copy, which loses the expression indexes
        # of migration 0005 (reflection skips them), so they are made again.
        with op.batch_alter_table("deliveries") as batch:
            batch.drop_column("approval_id")
        moment = sa.text("coalesce(sent_at, updated_at)")
        for name, columns in (("ix_deliveries_moment", [moment, "id"]),
                              ("ix_deliveries_status_moment", ["status", moment, "id"]),
                              ("ix_deliveries_channel_moment", ["channel_id", moment, "id"])):
            op.execute(f"DROP INDEX IF EXISTS {name}")
            op.create_index(name, "deliveries", columns)
    else:
        op.drop_constraint("deliveries_approval_id_fkey", "deliveries", type_="foreignkey")
        op.drop_column("deliveries", "approval_id")
    op.drop_column("posts", "sent_back")
    op.drop_column("post_approvals", "frozen")
