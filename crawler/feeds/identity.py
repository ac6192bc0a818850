"""Entry identity within one feed: guid, else link, else title + date + text.

A feed's guids are trusted only while they behave: when one document repeats a guid for
different links (a CMS that stamps every item with the same id), the whole document switches to
link keys (FreshRSS PR #4487). Keys are bounded to fit ``feed_entries.entry_key``; a key that
would be longer is replaced by its hash. A guid *scheme change* (new guids, same links) is
caught later, in storage, by the canonical link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

MAX_KEY_LENGTH = 512


@dataclass(frozen=True, slots=True)
class EntryIdentity:
    """What identifies one entry: its guid, canonical link, title and date (any may be empty)."""

    guid: str
    canonical_url: str
    title: str
    published_at: datetime | None
    text: str = ""
    """The entry's own text: with neither guid nor link, two entries may share title and date
    (a changelog feed's "Updated" items), and only their text tells them apart."""


def _bounded(prefix: str, value: str) -> str:
    key = f"{prefix}:{value}"
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return f"{prefix}#" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def guids_trustworthy(items: Sequence[EntryIdentity]) -> bool:
    """False when one guid stands for two different links in the same document."""
    seen: dict[str, str] = {}
    for item in items:
        if not item.guid:
            continue
        other = seen.setdefault(item.guid, item.canonical_url)
        if other != item.canonical_url:
            return False
    return True


def entry_key(item: EntryIdentity, *, use_guid: bool = True) -> str:
    """The per-feed key of one entry; "" when nothing identifies it."""
    if use_guid and item.guid:
        return _bounded("guid", item.guid)
    if item.canonical_url:
        return _bounded("link", item.canonical_url)
    if item.title or item.text:
        when = item.published_at.isoformat() if item.published_at else ""
        digest = hashlib.sha256(
            f"{item.title}\n{when}\n{item.text}".encode("utf-8", "surrogatepass")
        ).hexdigest()
        return f"title#{digest}"
    return ""


def assign_keys(items: Sequence[EntryIdentity]) -> list[str]:
    """Keys for a whole document, switching to links when its guids repeat."""
    use_guid = guids_trustworthy(items)
    return [entry_key(item, use_guid=use_guid) for item in items]
