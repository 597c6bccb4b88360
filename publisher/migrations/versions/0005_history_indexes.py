"""history: deliveries indexed by their moment (sent_at, else updated_at) for keyset pages

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 11:30:00.000000

The history page orders by coalesce(sent_at, updated_at), id and filters by status or channel; each index
below serves one of those with a seek and an ordered scan (publisher/history.py). The expression must stay
written exactly as publisher.publishing.history.moment() renders it, or SQLite will not use the index.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MOMENT = sa.text("coalesce(sent_at, updated_at)")


def upgrade() -> None:
    op.create_index("ix_deliveries_moment", "deliveries", [MOMENT, "id"])
    op.create_index("ix_deliveries_status_moment", "deliveries", ["status", MOMENT, "id"])
    op.create_index("ix_deliveries_channel_moment", "deliveries", ["channel_id", MOMENT, "id"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_channel_moment", table_name="deliveries")
    op.drop_index("ix_deliveries_status_moment", table_name="deliveries")
    op.drop_index("ix_deliveries_moment", table_name="deliveries")
