"""audit log: the chain of sealed events (audit_chain), append-only like the events

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 05:40:00.000000

Each row links one audit event into a hash chain (publisher/audit/chain.py). The table refuses UPDATE,
DELETE, SQLite's INSERT OR REPLACE over a link and PostgreSQL's TRUNCATE, as audit_events does.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_chain",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        # audit_events_append_only() (0001) raises 'audit events are append-only'.
        op.execute("CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON audit_chain "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()")
        op.execute("CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_chain "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_chain_no_{verb.lower()} BEFORE {verb} ON audit_chain "
                       "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END")
        op.execute("CREATE TRIGGER audit_chain_no_replace BEFORE INSERT ON audit_chain "
                   "WHEN EXISTS (SELECT 1 FROM audit_chain WHERE event_id = NEW.event_id) "
                   "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END")


def downgrade() -> None:
    # Dropping the table drops its triggers on both databases.
    op.drop_table("audit_chain")
