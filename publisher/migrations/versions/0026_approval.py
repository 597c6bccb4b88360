"""approval of anything: approval_requests (one per approvable record and its state), approval_versions (the
frozen versions approved) and approval_send_backs (publisher.approval)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 13:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subject_type", "subject_id", name="uq_approval_requests_subject"),
    )
    op.create_index("ix_approval_requests_state", "approval_requests", ["state", "subject_type"])
    op.create_table(
        "approval_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("approval_requests.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("frozen", sa.JSON(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_approval_versions_request_id", "approval_versions", ["request_id", "id"])
    op.create_table(
        "approval_send_backs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), sa.ForeignKey("approval_requests.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("sent_back_by_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("sent_back_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_approval_send_backs_request_id", "approval_send_backs", ["request_id", "id"])


def downgrade() -> None:
    op.drop_table("approval_send_backs")
    op.drop_table("approval_versions")
    op.drop_table("approval_requests")
