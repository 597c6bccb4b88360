"""claim fencing: each claim's token on its delivery, and a worker declared dead

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 05:40:00.000000

A worker whose heartbeats stopped for longer than its channel's longest request plus a grace loses its
claims to reconciliation (publisher.publishing.dispatch.reap_dead_workers) long before their lease runs
out. `deliveries.lease_token` is the claim's fencing token: recording an outcome is conditional on it,
so a worker that was declared dead (or only stalled) and comes back records nothing over whoever holds
the delivery now. `workers.declared_dead_at` tells such a worker, at its next heartbeat, that it lost
its claims: it re-registers under a new id and never touches them. Both columns are nullable: a claim
made before the upgrade has no token and is left to its lease.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE on both databases: batch mode would copy `deliveries` on SQLite and lose its
    # expression indexes (0005).
    op.add_column("deliveries", sa.Column("lease_token", sa.String(length=32), nullable=True))
    op.add_column("workers", sa.Column("declared_dead_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("ALTER TABLE workers DROP COLUMN declared_dead_at")  # SQLite 3.35+ and PostgreSQL
    op.execute("ALTER TABLE deliveries DROP COLUMN lease_token")
