"""Generate the news sites of the small world: designed articles, filler, syndicated pickups.

Designed articles come from ``coverage.py``; filler articles are generated from the seed. A
story pickup copies its original's paragraphs after they are generated, replaces the intro
sentence and drops the last paragraph (optionally losing diacritics on the way), which is how
wire copy is edited in practice. Boxes ("Related stories", "Most read") hold headlines of
unrelated filler articles, except where a spec plants the organisation's name in them.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta

from sampleweb.text import banks_en, banks_it
from sampleweb.text.textgen import Writer, rng_for, slugify, word_count
from sampleweb.world.coverage_specs import PageSpec
from sampleweb.world.model import (
    DAY1,
    Article,
    Headline,
    NewsSite,
    Post,
    ReaderComment,
    Story,
)
from sampleweb.world.press_articles import NEWS, NEWS_PAGES
from sampleweb.world.weave import FILLER, links_for, with_filler

#: Sites that publish an unrelated article on day 2 / day 3 (the Italian site stays
#: unchanged on day 2, so a conditional GET there must keep answering 304).
_LATER_FILLERS = {
    2: (
        "www.continentalwire.test",
        "www.harbourgazette.test",
        "meridiantimes.test",
        "www.northwindherald.test",
    ),
    3: ("www.harbourgazette.test", "www.gazzettalaguna.test"),
}


def _news_path(layout: str, section: str, slug: str, d: datetime, serial: int) -> str:
    if layout == "wire":
        return f"/story/{d.year:04d}{d.month:02d}{d.day:02d}-{slug}"
    if layout == "gazette":
        return f"/{section}/{d.year:04d}/{d.month:02d}/{d.day:02d}/{slug}/"
    if layout == "times":
        return f"/{section}/{slug}-{20400 + serial}.html"
    if layout == "herald":
        return f"/articles/{d.year:04d}/{d.month:02d}/{slug}"
    return f"/notizie/{section}/{d.year:04d}/{d.month:02d}/{d.day:02d}/{slug}/"


def _strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def news_sites(seed: str, posts: dict[int, Post]) -> tuple[tuple[NewsSite, ...], tuple[Story, ...]]:
    originals: dict[str, Article] = {}
    drafts: dict[str, list[tuple[PageSpec | None, Article]]] = {}
    serial = 0
    # originals and designed pages first (pickups need their original's text)
    pending_pickups: list[tuple[int, PageSpec]] = []
    for si, spec in enumerate(NEWS):
        rng = rng_for(seed, "news", spec.host)
        writer = Writer(rng, spec.lang)
        items: list[tuple[PageSpec | None, Article]] = []
        for ps in (p for p in NEWS_PAGES if p.host == spec.host):
            if ps.story and ps.pickup_intro:
                pending_pickups.append((si, ps))
                continue
            serial += 1
            ctx = writer.context()
            own = tuple(p for p in ps.paras if p != FILLER)
            filler = (
                writer.paragraphs(ps.topic, ctx, max(ps.words - word_count(own), 0))
                if ps.words
                else []
            )
            paras = with_filler(ps.paras, filler)
            art = _article(spec.host, spec.layout, spec.lang, ps, paras, serial, writer, posts)
            items.append((ps, art))
            if ps.story:
                originals[ps.story] = art
        for n in range(spec.fillers):
            serial += 1
            items.append(
                (
                    None,
                    _filler(
                        writer,
                        spec.host,
                        spec.layout,
                        spec.lang,
                        spec.topics,
                        spec.sections,
                        n,
                        1,
                        serial,
                    ),
                )
            )
        for day, hosts in _LATER_FILLERS.items():
            if spec.host in hosts:
                serial += 1
                items.append(
                    (
                        None,
                        _filler(
                            writer,
                            spec.host,
                            spec.layout,
                            spec.lang,
                            spec.topics,
                            spec.sections,
                            100 + day,
                            day,
                            serial,
                        ),
                    )
                )
        drafts[spec.host] = items
    stories: dict[str, list[str]] = {}
    for si, ps in pending_pickups:
        spec = NEWS[si]
        original = originals[ps.story]
        first = original.paragraphs[0]
        rest = first.split(". ", 1)[1] if ". " in first else ""
        picked = [f"{ps.pickup_intro} {rest}".strip(), *original.paragraphs[1:-1]]
        if ps.pickup_strip_diacritics:
            picked = [_strip_diacritics(p) for p in picked]
        serial += 1
        writer = Writer(rng_for(seed, "pickup", spec.host, ps.slug), spec.lang)
        art = _article(spec.host, spec.layout, spec.lang, ps, tuple(picked), serial, writer, posts)
        drafts[spec.host].append((ps, art))
        stories.setdefault(ps.story, []).append(spec.host + art.path)
    sites: list[NewsSite] = []
    for spec in NEWS:
        items = _unique_paths(drafts[spec.host])
        arts = _with_boxes(seed, spec.host, items)
        arts.sort(key=lambda a: a.published)
        sites.append(
            NewsSite(
                host=spec.host,
                name=spec.name,
                lang=spec.lang,
                feed_format=spec.feed_format,
                feed_path=spec.feed_path,
                full_content=spec.full_content,
                layout=spec.layout,
                sections=spec.sections,
                articles=tuple(arts),
                weight=spec.weight,
            )
        )
    story_list = []
    for key, art in originals.items():
        pickups = []
        for hostpath in stories.get(key, []):
            host, _, path = hostpath.partition("/")
            pickups.append((host, "/" + path))
        story_list.append(Story(key, (art.host, art.path), tuple(pickups)))
    return tuple(sites), tuple(story_list)


def _unique_paths(
    items: list[tuple[PageSpec | None, Article]],
) -> list[tuple[PageSpec | None, Article]]:
    """Two generated headlines can coincide; real CMSs then suffix the slug."""
    seen: set[str] = set()
    out = []
    for ps, art in items:
        path = art.path
        n = 2
        while path in seen:
            stem, slash, _ = art.path.rstrip("/").rpartition("/")
            tail = art.path.rstrip("/").rsplit("/", 1)[-1]
            path = f"{stem}{slash}{tail}-{n}" + ("/" if art.path.endswith("/") else "")
            n += 1
        seen.add(path)
        out.append((ps, art if path == art.path else replace(art, path=path)))
    return out


def _article(
    host: str,
    layout: str,
    lang: str,
    ps: PageSpec,
    paras: tuple[str, ...],
    serial: int,
    writer: Writer,
    posts: dict[int, Post],
) -> Article:
    section = ps.section or "news"
    comments = ps.reader_comments or tuple(
        (writer.person(), writer.reader_comment()) for _ in range(writer.rng.randint(0, 3))
    )
    return Article(
        host=host,
        path=_news_path(layout, section, ps.slug, ps.published, serial),
        title=ps.title,
        author=ps.author or writer.person(),
        published=ps.published,
        day=ps.day,
        section=section,
        lang=lang,
        summary=_first_sentences(paras),
        paragraphs=paras,
        links=links_for(ps.links, posts),
        comments=tuple(
            ReaderComment(a, t, ps.published + timedelta(hours=2 + 3 * i))
            for i, (a, t) in enumerate(comments)
        ),
        promo=ps.promo,
        story=ps.story,
        tags=(section,),
    )


def _filler(
    writer: Writer,
    host: str,
    layout: str,
    lang: str,
    topics: tuple[str, ...],
    sections: tuple[str, ...],
    n: int,
    day: int,
    serial: int,
) -> Article:
    rng = writer.rng
    topic = topics[n % len(topics)]
    section = sections[n % len(sections)]
    ctx = writer.context()
    title = writer.title(topic, ctx)
    if day == 1:
        when = DAY1 - timedelta(
            days=rng.randint(1, 16), hours=rng.randint(0, 14), minutes=rng.randint(0, 59)
        )
    else:
        when = DAY1 + timedelta(days=day - 1, hours=rng.randint(6, 18), minutes=rng.randint(0, 59))
    paras = tuple(writer.paragraphs(topic, ctx, rng.randint(320, 700)))
    bank = banks_it if lang == "it" else banks_en
    comments = tuple(
        ReaderComment(
            writer.person(), str(rng.choice(bank.READER)), when + timedelta(hours=1 + 2 * i)
        )
        for i in range(rng.randint(0, 3))
    )
    return Article(
        host=host,
        path=_news_path(layout, section, f"{slugify(title)}", when, serial),
        title=title,
        author=writer.person(),
        published=when,
        day=day,
        section=section,
        lang=lang,
        summary=_first_sentences(paras),
        paragraphs=paras,
        comments=comments,
        tags=(topic,),
    )


def _first_sentences(paras: tuple[str, ...]) -> str:
    text = paras[0] if paras else ""
    parts = text.split(". ")
    return parts[0].rstrip(".") + "." if parts else ""


def _with_boxes(
    seed: str, host: str, items: list[tuple[PageSpec | None, Article]]
) -> list[Article]:
    """Fill the "Related stories" and "Most read" boxes: headlines of unrelated day-1 filler
    articles, except where a spec asks for a headline naming the organisation (a decoy)."""
    from sampleweb.world.query_eval import org_query_matches

    rng = rng_for(seed, "boxes", host)
    plain = [a for ps, a in items if ps is None and a.day == 1]
    org_heads = [a for ps, a in items if ps is not None and org_query_matches(a.title)]
    out: list[Article] = []
    for ps, art in items:
        others = [a for a in plain if a.path != art.path]
        related = [Headline(a.title, a.path) for a in rng.sample(others, min(3, len(others)))]
        most_read = [Headline(a.title, a.path) for a in rng.sample(others, min(5, len(others)))]
        if ps is not None and ps.related_org and org_heads:
            related[0] = Headline(org_heads[0].title, org_heads[0].path)
        if ps is not None and ps.most_read_org and org_heads:
            most_read[1] = Headline(org_heads[0].title, org_heads[0].path)
        out.append(replace(art, related=tuple(related), most_read=tuple(most_read)))
    return out
