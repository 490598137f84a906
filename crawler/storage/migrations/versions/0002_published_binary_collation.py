"""articles.published compares as plain characters on PostgreSQL (collation "C")."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # SQLite compares text as bytes already
        op.alter_column(
            "articles",
            "published",
            type_=sa.String(length=32, collation="C"),
            existing_type=sa.String(length=32),
            existing_nullable=True,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "articles",
            "published",
            type_=sa.String(length=32),
            existing_type=sa.String(length=32, collation="C"),
            existing_nullable=True,
        )
