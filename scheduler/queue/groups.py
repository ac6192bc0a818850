"""Due work, split into host groups: the unit of distributed work (#19).

One message is one run for one group: the due feeds of one registrable host, the feed-less
sites of one host, the due posts of one of our blogs, the queued receipts and the linkbacks
due for a re-check (one group each: those runs have no per-host filter yet). Grouping by
``crawler.matching.sites.site_of_url`` (blog platforms split per blog) is what lets the
per-host limiter and the dedupe key hold politeness across the whole fleet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from crawler.config import Config
from crawler.domain import SourceType
from crawler.matching.sites import site_of_url
from crawler.runs.linkbacks import select_posts
from crawler.runs.poll import due_now, fetch_url
from crawler.storage.db import session_scope
from crawler.storage.feeds import site_sources
from crawler.storage.linkbacks import harvest_posts
from crawler.storage.sources import sync_sources

#: The one group of the receipts flow (verification runs over every due receipt).
ALL_RECEIPTS = "all-receipts"

#: The one group of the recheck flow (the run picks every linkback whose re-check is due).
ALL_LINKBACKS = "all-linkbacks"


@dataclass(frozen=True)
class Group:
    """One message's worth of work: a flow, a host group and the run's options."""

    kind: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)
    first: bool = False
    """Run before the flow's other groups (the group of the organisation's own feeds)."""
    deduped: bool = True
    """Never queued twice while queued or running; an ad-hoc crawl is not deduplicated (a
    person asked for it now, and its host's limiter keeps it polite)."""


def _by_site(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """{site: [names]} from (url, name) pairs, names kept in order and unique."""
    out: dict[str, list[str]] = {}
    for url, name in pairs:
        names = out.setdefault(site_of_url(url) or "unknown-host", [])
        if name not in names:
            names.append(name)
    return out


def feed_groups(
    config: Config,
    engine: Engine,
    now: datetime,
    source_names: Iterable[str] = (),
    *,
    all_sources: bool = False,
) -> list[Group]:
    """The due feeds (or the named sources, or all) per registrable host."""
    due = due_now(
        config, engine, source_names=tuple(source_names), all_sources=all_sources, now=now
    )
    sites = _by_site((fetch_url(row), row.name) for row in due.rows)
    own = {row.name for row in due.rows if row.type == SourceType.OWN.value}
    return [
        Group("feeds", site, {"source_names": names}, first=bool(own & set(names)))
        for site, names in sorted(sites.items())
    ]


def site_groups(
    config: Config, engine: Engine, now: datetime, source_names: Iterable[str] = ()
) -> list[Group]:
    """The feed-less sites (or the named ones) per registrable host."""
    org = config.organisation.name
    with session_scope(engine) as session:
        sync_sources(session, config, now)
    with session_scope(engine) as session:
        rows = site_sources(session, org, tuple(source_names))
        pairs = [(row.url, row.name) for row in rows]
    sites = _by_site(pairs)
    return [Group("sites", site, {"source_names": names}) for site, names in sorted(sites.items())]


def linkback_groups(
    config: Config,
    engine: Engine,
    now: datetime,
    post_urls: Iterable[str] = (),
    *,
    all_posts: bool = False,
) -> list[Group]:
    """Our due posts (or those named, or every recent one) per blog (their own subdomain
    on a blog platform)."""
    named = list(post_urls)
    if named:
        return [
            Group("linkbacks", site, {"post_urls": urls})
            for site, urls in sorted(_by_site((url, url) for url in named).items())
        ]
    org = config.organisation.name
    with session_scope(engine) as session:
        posts = harvest_posts(session, org)
    due = select_posts(
        posts,
        now,
        config.linkbacks.recent_days,
        sweep_days=config.linkbacks.sweep_days,
        all_posts=all_posts,
    )
    sites = _by_site((post.url, post.url) for post in due)
    return [Group("linkbacks", site, {"post_urls": urls}) for site, urls in sorted(sites.items())]


def adhoc_groups(
    urls: Iterable[str], depth: int, queries: dict[str, str] | None, mention_kind: str
) -> list[Group]:
    """``mediamon crawl URL...`` in queue mode: one run per registrable host of the URLs (a
    crawl follows links within its site only, so each run stays on its host group)."""
    options: dict[str, Any] = {"depth": depth, "mention_kind": mention_kind}
    if queries:
        options["queries"] = dict(queries)
    return [
        Group("sites", site, {"urls": named, **options}, deduped=False)
        for site, named in sorted(_by_site((url, url) for url in urls).items())
    ]


def receipt_groups() -> list[Group]:
    """The receipts flow is one group; the run itself picks what is due."""
    return [Group("receipts", ALL_RECEIPTS)]


def recheck_groups() -> list[Group]:
    """The recheck flow is one group; the run itself picks the linkbacks that are due."""
    return [Group("recheck", ALL_LINKBACKS)]


def due_groups(config: Config, engine: Engine, now: datetime, flows: Iterable[str]) -> list[Group]:
    """Every due group of the given flows, in flow order (collect before verify)."""
    wanted = set(flows)
    out: list[Group] = []
    if "feeds" in wanted:
        out += feed_groups(config, engine, now)
    if "sites" in wanted:
        out += site_groups(config, engine, now)
    if "linkbacks" in wanted:
        out += linkback_groups(config, engine, now)
    if "receipts" in wanted:
        out += receipt_groups()
    if "recheck" in wanted:
        out += recheck_groups()
    return out
