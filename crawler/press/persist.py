"""Writing what the match stage found, inside the caller's transaction.

``StageHook`` is what crawl pipelines call with a batch of pages: it evaluates them
(``PressStage``), drops ``link`` mentions that a stronger linkback already covers (the page
pinged, tracked back, reblogged or sent a webmention for that post: the same (page, post) must
not be counted twice), records the mentions (documents and mentions are upserts on their
natural keys), and clusters the new press and blog documents into stories.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from crawler.config import Config
from crawler.domain import Mention, MentionKind
from crawler.press.clustering import cluster
from crawler.press.fingerprint import MIN_WORDS
from crawler.press.links import PostLinks
from crawler.press.model import Page, SourceInfo
from crawler.press.stage import COVERAGE_KINDS, PressStage
from crawler.storage.mentions import document_ids, record_mentions, stronger_linkbacks
from crawler.storage.posts import post_index_entries, post_shortlinks


@dataclass
class StageCounts:
    """What one call of the hook did."""

    mentions: list[Mention]
    new: int = 0
    seen: int = 0
    covered_links: int = 0
    clustered: int = 0


def without_covered_links(
    session: Session, org: str, mentions: Sequence[Mention]
) -> tuple[list[Mention], int]:
    """``mentions`` minus the links whose (page, post) already has a stronger linkback."""
    pairs = [(m.document.canonical_url, m.target) for m in mentions if m.kind is MentionKind.LINK]
    if not pairs:
        return list(mentions), 0
    covered = stronger_linkbacks(session, org, pairs)
    kept = [
        m
        for m in mentions
        if m.kind is not MentionKind.LINK or (m.document.canonical_url, m.target) not in covered
    ]
    return kept, len(mentions) - len(kept)


class StageHook:
    """The match stage as the crawl pipelines call it (see the module docstring)."""

    def __init__(self, stage: PressStage, own_sites: Sequence[str] = ()) -> None:
        self.stage = stage
        self.own_sites = tuple(own_sites)

    def __call__(
        self, session: Session, pages: Sequence[Page], source: SourceInfo, now: datetime
    ) -> StageCounts:
        return self.persist(session, pages, self.stage.evaluate(pages, source), now)

    def persist(
        self, session: Session, pages: Sequence[Page], found: Sequence[Mention], now: datetime
    ) -> StageCounts:
        """Store what ``evaluate`` found on ``pages`` (of any number of sources at once)."""
        mentions, covered = without_covered_links(session, self.stage.org, found)
        counts = StageCounts(mentions=mentions, covered_links=covered)
        if not mentions:
            return counts
        recorded = record_mentions(session, mentions, now)
        counts.new, counts.seen = recorded.new, recorded.seen
        coverage = {m.document.canonical_url for m in mentions if m.kind in COVERAGE_KINDS}
        texts = {
            p.document.canonical_url: p.document.text
            for p in pages
            if p.document.canonical_url in coverage and p.words >= MIN_WORDS
        }
        if texts:
            ids = document_ids(session, list(texts))
            counts.clustered = cluster(
                session, ((ids[url], text) for url, text in texts.items() if url in ids), now
            )
        return counts

    def link_hosts(self) -> frozenset[str]:
        """Hosts whose links matter (our posts' and our sites'): pages naming none of them
        need no link extraction."""
        return self.stage.posts.hosts | self.stage.posts.own_hosts

    def posts_changed(self, session: Session) -> None:
        """Reload our posts (the run stored new ones): later pages link to them too."""
        org = self.stage.org
        entries = post_index_entries(session, org)
        self.stage.with_posts(PostLinks(entries, self.own_sites, post_shortlinks(session, org)))


def own_site_urls(config: Config) -> list[str]:
    """The organisation's own sites and feeds: pages there are never coverage."""
    urls = [site.url for site in config.organisation.sites]
    return urls + [site.feed for site in config.organisation.sites if site.feed]


def config_queries(config: Config) -> dict[str, str]:
    return {q.name: q.query for q in config.queries}


def stage_hook(
    config: Config,
    session: Session,
    *,
    queries: Mapping[str, str] | None = None,
    kind: MentionKind | None = None,
) -> StageHook:
    """The match stage for a run under ``config``: its queries (or ``queries``), and our
    posts as stored now (``posts_changed`` reloads them)."""
    org = config.organisation.name
    own = own_site_urls(config)
    posts = PostLinks(post_index_entries(session, org), own, post_shortlinks(session, org))
    wanted = dict(queries) if queries is not None else config_queries(config)
    return StageHook(PressStage(org, wanted, posts, kind=kind), own)
