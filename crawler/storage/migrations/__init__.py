"""Alembic migrations of the crawler's schema (shipped with the package)."""
