"""mention targets as published

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 19:10:00

A linkback's target is now the post's URL as the post publishes it (``posts.url``), not its
canonical spelling (#16): a post published at ``http://`` had its linkbacks stored against
``https://``, so joins on the post's own URL missed them and the digest linked to a URL the
site does not serve. Existing mentions of our posts (``post_id`` set) are rewritten, so the
next harvest adds to them instead of storing each one a second time; a row whose rewritten key
is already taken is left as it was (the fold after the next crawl or harvest settles it). No
schema change: data only, on both databases.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_REWRITE = """
UPDATE mentions SET target = (SELECT {column} FROM posts WHERE posts.id = mentions.post_id)
WHERE mentions.post_id IS NOT NULL
  AND EXISTS (
    SELECT 1 FROM posts
    WHERE posts.id = mentions.post_id AND posts.{column} <> mentions.target
  )
  AND NOT EXISTS (
    SELECT 1 FROM mentions AS taken, posts
    WHERE posts.id = mentions.post_id
      AND taken.org = mentions.org
      AND taken.document_id = mentions.document_id
      AND taken.kind = mentions.kind
      AND taken.target = posts.{column}
  )
"""


def upgrade() -> None:
    op.execute(_REWRITE.format(column="url"))


def downgrade() -> None:
    op.execute(_REWRITE.format(column="canonical_url"))
