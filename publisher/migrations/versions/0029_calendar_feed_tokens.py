"""calendar_feed_tokens: a person's private calendar feeds, their token stored as SHA-256 (publisher.activities
.feed_tokens)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 16:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
# The plan is "0028" (the event preparation's migration, on another branch of issue 13); chained to 0027 here
# so that this branch's database tests run. The merge sets it to "0028".
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("detail", sa.String(16), nullable=False),
        sa.Column("all_events", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_calendar_feed_tokens_user_id", "calendar_feed_tokens", ["user_id"])


def downgrade() -> None:
    op.drop_table("calendar_feed_tokens")
