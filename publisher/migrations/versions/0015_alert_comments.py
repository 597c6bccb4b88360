"""alerts: the comment of the person who resolved one (the alerts page shows it to the next reader)

Revision ID: 0015
Revises: 0011
Create Date: 2026-12-04 07:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("alerts", sa.Column("resolution_comment", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("resolution_comment")
