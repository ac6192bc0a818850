"""Mentions and decoys for the truth: the queries evaluated over each document's main text.

Main text is the title plus the body paragraphs (for a reblog page, the reblogger's note and the
reblogged excerpt). The boxes around a news article — "Related stories", "Most read", partner
content, reader comments — are evaluated separately: a page where only they name the
organisation is a decoy ("boilerplate-only" / "comments-only"), as is one whose main text holds
a look-alike ("acronym-in-word", "foreign-word", "same-initials").
"""

from __future__ import annotations

from typing import Any

from sampleweb.pages.html import Ctx
from sampleweb.world import bulk
from sampleweb.world.model import (
    MAX_DAY,
    Article,
    BlogPage,
    World,
)
from sampleweb.world.org_posts import QUERIES
from sampleweb.world.query_eval import Text, evaluate, parse

Json = dict[str, Any]


def _main_text(title: str, paragraphs: tuple[str, ...]) -> tuple[str, str]:
    return title, "\n\n".join(paragraphs)


def _blog_main(page: BlogPage) -> tuple[str, str]:
    if page.reblog is not None:
        return page.title, "\n\n".join(p for p in (page.reblog.note, page.reblog.excerpt) if p)
    return _main_text(page.title, page.paragraphs)


def _regions(art: Article) -> dict[str, str]:
    return {
        "related": " \n ".join(h.title for h in art.related),
        "most-read": " \n ".join(h.title for h in art.most_read),
        "partner-content": art.promo,
        "comments": " \n ".join(f"{c.author}: {c.text}" for c in art.comments),
    }


def _lookalikes(world: World, text: Text, org_matched: bool) -> list[str]:
    acro = world.org.acronym
    reasons = []
    if any(f == acro.lower() and r != acro for r, f in zip(text.raw, text.folded, strict=True)):
        reasons.append("foreign-word")
    if any(r.startswith(acro) and len(r) > len(acro) and r.isupper() for r in text.raw):
        reasons.append("acronym-in-word")
    if not org_matched and acro in text.raw:
        reasons.append("same-initials")
    return reasons


def _targets(world: World, ctx: Ctx, post_ids: list[int]) -> list[str]:
    return [ctx.url(world.org.host, world.post(pid).path) for pid in dict.fromkeys(post_ids)]


def mentions_and_decoys(world: World, ctx: Ctx, truth: Json) -> None:
    parsed = [(name, parse(q)) for name, q in QUERIES]
    org_query = parsed[0][1]

    def judge(
        url: str,
        site: str,
        kind: str,
        title: str,
        body: str,
        lang: str,
        day: int,
        removed: int | None,
        published: str,
        post_ids: list[int],
        regions: dict[str, str],
        link_removed: int | None,
    ) -> None:
        text = Text(title, body, site, lang)
        names: list[str] = []
        terms: set[str] = set()
        surfaces: set[str] = set()
        for name, node in parsed:
            r = evaluate(node, text)
            if r.matched:
                names.append(name)
                terms |= r.terms
                surfaces |= r.surfaces
        targets = _targets(world, ctx, post_ids)
        if names:
            truth["mentions"].append(
                {
                    "url": url,
                    "site": site,
                    "kind": kind,
                    "title": title,
                    "published": published,
                    "language": lang,
                    "day": day,
                    "removed_on_day": removed,
                    "queries": names,
                    "terms": sorted(terms),
                    "matched_text": sorted(surfaces),
                    "target": targets[0] if targets else None,
                    "targets": targets,
                    "link_removed_on_day": link_removed,
                }
            )
        org_matched = "ora" in names
        reasons = [] if org_matched else _lookalikes(world, text, org_matched)
        where = [k for k, v in regions.items() if v and evaluate(org_query, Text("", v)).matched]
        if not org_matched and where:
            reasons.insert(0, "comments-only" if where == ["comments"] else "boilerplate-only")
        if reasons:
            truth["decoys"].append(
                {
                    "url": url,
                    "site": site,
                    "kind": kind,
                    "title": title,
                    "day": day,
                    "reason": reasons[0],
                    "reasons": reasons,
                    "regions": where,
                    "other_queries": names,
                }
            )

    for b in world.blogs:
        for p in b.pages:
            title, body = _blog_main(p)
            ids = [link.post_id for link in p.links if link.post_id is not None]
            if p.reblog is not None:
                ids.insert(0, p.reblog.post_id)
            judge(
                ctx.url(p.host, p.path),
                p.host,
                "blog",
                title,
                body,
                "en",
                p.day,
                p.gone_on_day,
                p.published.isoformat(),
                ids,
                {},
                p.link_removed_on_day,
            )
    for n in world.news:
        for a in n.articles:
            title, body = _main_text(a.title, a.paragraphs)
            ids = [link.post_id for link in a.links if link.post_id is not None]
            judge(
                ctx.url(a.host, a.path),
                a.host,
                "press",
                title,
                body,
                a.lang,
                a.day,
                None,
                a.published.isoformat(),
                ids,
                _regions(a),
                None,
            )
    if world.bulk_sites:
        for bs in bulk.bulk_sites(world.bulk_sites):
            s = bs.index
            for i in range(bulk.article_count(MAX_DAY)):
                if bulk.role(world.seed, s, i) == "plain":
                    continue
                a = bulk.article(world.seed, s, i)
                title, body = _main_text(a.title, a.paragraphs)
                judge(
                    ctx.url(a.host, a.path),
                    a.host,
                    "press",
                    title,
                    body,
                    "en",
                    a.day,
                    None,
                    a.published.isoformat(),
                    [],
                    _regions(a),
                    None,
                )
