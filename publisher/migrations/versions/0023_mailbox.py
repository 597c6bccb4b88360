"""mailbox: the IMAP reader's progress per folder, the messages it read, the bounces those reported and each
address's mail state (publisher.mailbox)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 13:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailbox_folders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.String(255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("folder", "uidvalidity", name="uq_mailbox_folders_folder_validity"),
    )
    op.create_table(
        "mailbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.String(255), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.String(998), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("folder", "uidvalidity", "uid", name="uq_mailbox_messages_uid"),
    )
    op.create_index("ix_mailbox_messages_message_id", "mailbox_messages", ["message_id"])
    op.create_table(
        "mail_bounces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report", sa.String(998), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("diagnostic", sa.Text(), nullable=False),
        sa.Column("original_message_id", sa.String(998), nullable=True),
        sa.Column("bounced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("report", "address", name="uq_mail_bounces_report_address"),
    )
    op.create_index("ix_mail_bounces_address_at", "mail_bounces", ["address", "bounced_at"])
    op.create_table(
        "mail_addresses",
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("bounces", sa.Integer(), nullable=False),
        sa.Column("last_bounce_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("diagnostic", sa.Text(), nullable=False),
        sa.Column("original_message_id", sa.String(998), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("address"),
    )


def downgrade() -> None:
    op.drop_table("mail_addresses")
    op.drop_index("ix_mail_bounces_address_at", table_name="mail_bounces")
    op.drop_table("mail_bounces")
    op.drop_index("ix_mailbox_messages_message_id", table_name="mailbox_messages")
    op.drop_table("mailbox_messages")
    op.drop_table("mailbox_folders")
