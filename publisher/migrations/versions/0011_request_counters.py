"""request counters: refusals counted per (scope, address, window) in one row each, not one row per request

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 05:30:00.000000

Every request with a bad API token used to write an audit row: 300 anonymous requests, 300 permanent rows.
Now a refusal increments the row of its address and minute (INSERT ... ON CONFLICT DO UPDATE on SQLite and
PostgreSQL alike), so several web processes share the count that the rate limit reads; the worker's
housekeeping removes old windows.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_counters",
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", "window_start"),
    )
    op.create_index("ix_request_counters_window_start", "request_counters", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_request_counters_window_start", table_name="request_counters")
    op.drop_table("request_counters")
