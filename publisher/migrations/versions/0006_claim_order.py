"""claim order: deliveries indexed by (status, due_at, id), the order the worker claims them in

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 02:00:00.000000

The claim takes the oldest due deliveries first, ties broken by id. With (status, due_at) alone,
PostgreSQL sorted every due delivery on each claim to break the ties (a burst is thousands due at the
same instant): about 9 ms of server time per claim with 5,000 due. With id in the index the claim
reads the first rows in order and stops. It replaces the old index, which it covers.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_deliveries_status_due_id", "deliveries", ["status", "due_at", "id"])
    op.drop_index("ix_deliveries_status_due", table_name="deliveries")


def downgrade() -> None:
    op.create_index("ix_deliveries_status_due", "deliveries", ["status", "due_at"])
    op.drop_index("ix_deliveries_status_due_id", table_name="deliveries")
