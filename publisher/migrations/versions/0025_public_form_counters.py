"""public form counters: submissions of each public form per (address, outcome, minute)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 13:20:00.000000

The rate limits of public forms (publisher/public/form_guard.py) read these rows, so that every public web
process shares one count. Their own table, not request_counters: the public site's database role may write
here and nowhere else.
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_form_counters",
        sa.Column("form", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("form", "address", "outcome", "window_start"),
    )
    op.create_index("ix_public_form_counters_window_start", "public_form_counters", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_public_form_counters_window_start", table_name="public_form_counters")
    op.drop_table("public_form_counters")
