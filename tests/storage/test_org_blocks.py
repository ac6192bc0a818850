"""The blocklist carries its organisation (#16): a block of one organisation does not block
another's pings; a block of ``''`` (older rows, and the config-less default) blocks for all."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from crawler.storage.db import session_scope
from crawler.storage.receipts import block_source, blocked

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def test_blocks_are_per_organisation_and_empty_means_all(engine: Engine) -> None:
    with session_scope(engine) as s:
        block_source(s, "domain", "Spam.example", "spam", NOW, org="A")
        block_source(s, "domain", "spam.example", "spam again", NOW, org="A")  # one row
        block_source(s, "url", "https://bad.example/p", "spam", NOW, org="B")
        block_source(s, "domain", "everyone.example", "spam", NOW)
    with session_scope(engine) as s:
        assert blocked(s, "A") == ({"spam.example", "everyone.example"}, set())
        assert blocked(s, "B") == ({"everyone.example"}, {"https://bad.example/p"})
        assert blocked(s) == (
            {"spam.example", "everyone.example"},
            {"https://bad.example/p"},
        )
