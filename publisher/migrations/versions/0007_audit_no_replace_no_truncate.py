"""audit log: also refuse SQLite's INSERT OR REPLACE over an event and PostgreSQL's TRUNCATE

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 03:30:00.000000

0001 refused UPDATE and DELETE. Two ways around that remained: on SQLite, INSERT OR REPLACE with an
existing id deletes the old row without firing delete triggers (SQLite fires them for REPLACE only with
recursive triggers on); on PostgreSQL, TRUNCATE fires no row trigger. Now an insert whose id is taken is
refused before REPLACE can delete anything, and TRUNCATE has a statement trigger of its own.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The function from 0001 raises 'audit events are append-only'; it serves a statement trigger too.
        op.execute("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()")
    else:
        op.execute("CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events "
                   "WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id) "
                   "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_replace")
