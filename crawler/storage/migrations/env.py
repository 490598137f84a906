"""Alembic environment: migrations run on the connection the crawler hands over (no URL)."""

from __future__ import annotations

from alembic import context

from crawler.storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through crawler.storage.schema (scrapy db upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them; Alembic's batch mode does it
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
