"""approvals and calendar: what each approval approved (for the diff); posts by state and time

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 10:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "post_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("post_approvals", schema=None) as batch_op:
        batch_op.create_index("ix_post_approvals_post_id_id", ["post_id", "id"], unique=False)

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_status_scheduled_at", ["status", "scheduled_at"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_status_scheduled_at")

    with op.batch_alter_table("post_approvals", schema=None) as batch_op:
        batch_op.drop_index("ix_post_approvals_post_id_id")

    op.drop_table("post_approvals")
