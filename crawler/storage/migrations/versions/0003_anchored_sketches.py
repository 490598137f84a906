"""Sketches are taken of the anchored shingles (``crawler.storage.dedupe.ANCHOR_BYTES``): every
stored article's fingerprint rows are computed again from its text, so near duplicates of the
articles stored before are found as before."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from crawler.storage.dedupe import SKETCH_SIZE, Fingerprint, fingerprint

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CHUNK = 500
"""Articles read, fingerprinted and rewritten at a time."""

articles = sa.table(
    "articles", sa.column("id"), sa.column("title"), sa.column("lead"), sa.column("body")
)
fingerprints = sa.table("fingerprints", sa.column("article_id"), sa.column("value"))


def upgrade() -> None:
    _sketch_again(lambda fp: fp.sketch)


def downgrade() -> None:
    # revision 0002's sketch: the smallest hashes of all the text's shingles
    _sketch_again(lambda fp: tuple(sorted(fp.shingles)[:SKETCH_SIZE]))


def _sketch_again(sketch: Callable[[Fingerprint], tuple[int, ...]]) -> None:
    """Replace every article's fingerprint rows by ``sketch`` of its text, CHUNK articles at a
    time in the order of their ids."""
    bind = op.get_bind()
    query = sa.select(articles.c.id, articles.c.title, articles.c.lead, articles.c.body)
    last = ""
    while rows := bind.execute(
        query.where(articles.c.id > last).order_by(articles.c.id).limit(CHUNK)
    ).all():
        ids = [row.id for row in rows]
        bind.execute(fingerprints.delete().where(fingerprints.c.article_id.in_(ids)))
        values = [
            {"article_id": row.id, "value": value}
            for row in rows
            for value in sketch(fingerprint(row.title or "", row.lead, row.body or ""))
        ]
        if values:
            bind.execute(fingerprints.insert(), values)
        last = ids[-1]
