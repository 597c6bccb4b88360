"""posts.translations: a post's other language versions, language -> {"title", "body"} (the primary version stays
in title/body/language)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 12:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: a batch copy of posts on SQLite would cascade into its children.
    op.add_column("posts", sa.Column("translations", sa.JSON(), server_default="{}", nullable=False))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE posts DROP COLUMN translations")  # SQLite >= 3.35 drops a plain column in place
    else:
        op.drop_column("posts", "translations")
