"""outbox: every e-mail the product sends, with a record per recipient, and a lock row per SMTP server

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 13:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("record", sa.String(200), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_outbox_messages_kind", "outbox_messages", ["kind"])
    op.create_table(
        "outbox_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_token", sa.String(64), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("step", sa.String(16), nullable=True),
        sa.Column("server", sa.String(300), nullable=True),
        sa.Column("attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settled_by", sa.String(64), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["message_id"], ["outbox_messages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outbox_recipients_message_id", "outbox_recipients", ["message_id"])
    op.create_index("ix_outbox_recipients_due", "outbox_recipients", ["state", "next_attempt_at"])
    op.create_index("ix_outbox_recipients_server", "outbox_recipients", ["server", "attempt_at"])
    op.create_table(
        "outbox_servers",
        sa.Column("server", sa.String(300), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("server"),
    )


def downgrade() -> None:
    op.drop_table("outbox_servers")
    op.drop_index("ix_outbox_recipients_server", table_name="outbox_recipients")
    op.drop_index("ix_outbox_recipients_due", table_name="outbox_recipients")
    op.drop_index("ix_outbox_recipients_message_id", table_name="outbox_recipients")
    op.drop_table("outbox_recipients")
    op.drop_index("ix_outbox_messages_kind", table_name="outbox_messages")
    op.drop_table("outbox_messages")
