"""weekly_plans: one row per week of the weekly plan mailed to the government's communication office
(publisher.activities.plan_models)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "weekly_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prepared_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("message_ids", sa.JSON(), nullable=False),
        sa.Column("pdf_sha256", sa.String(64), nullable=True),
        sa.Column("pdf_size", sa.Integer(), nullable=True),
        sa.Column("ics_sha256", sa.String(64), nullable=True),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("week"),
    )


def downgrade() -> None:
    op.drop_table("weekly_plans")
