"""Story clustering: each new coverage document joins the story of its near-duplicates.

The decision is here, the state is in the database (``crawler.storage.stories``): a document
with enough text is fingerprinted, its band keys are stored, the stored documents sharing a
key are fetched with their texts, and those that really are near-duplicates
(``crawler.press.fingerprint.near_duplicates``) are put into one story with it. Nothing is
kept in memory between pages, so a crawl of any length, a re-run, or several workers give the
same clusters. A document whose text has not changed since it was clustered is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session

from crawler.press.fingerprint import fingerprint, near_duplicates, shingles
from crawler.storage.stories import join_story, save_fingerprint, story_candidates


def cluster(session: Session, documents: Iterable[tuple[int, str]], now: datetime) -> int:
    """Cluster ``(document id, main text)`` pairs; returns how many joined a story."""
    joined = 0
    # a candidate's shingles, once per call: the copies of one story in a batch meet the
    # same stored documents again and again
    known: dict[int, frozenset[int]] = {}
    for document_id, text in documents:
        found = fingerprint(text)
        if found is None:
            continue
        before = save_fingerprint(session, document_id, found.simhash, found.bands)
        if before == found.simhash:
            continue  # this very text was clustered before: its pairs are already made
        same = []
        for candidate in story_candidates(session, document_id, found.bands):
            # a verbatim copy (a wire story as its pickups print it) needs no shingles
            if candidate.text == text:
                same.append(candidate.document_id)
                continue
            theirs = known.get(candidate.document_id)
            if theirs is None:
                theirs = known[candidate.document_id] = shingles(candidate.text)
            if near_duplicates(found.shingles, theirs):
                same.append(candidate.document_id)
        if same:
            join_story(session, [document_id, *same], now)
            joined += 1
    return joined
