"""The benchmark part of the large world: 50 news sites, 20,000 articles, 5,000 feeds.

Nothing is stored. An article is a pure function of (seed, site, index): its text comes from a
generator seeded with those values, its date from its index, its feeds from arithmetic. A
feed's members are computed, not searched: article ``i`` belongs to topic feed ``t`` when
``(37·i + 11·t) mod 100 < c_t``, so each feed lists 4·c_t (20–48) articles and each article
sits in several feeds; the members of one feed are found directly by inverting 37 mod 100.

Changes over time are controlled so a benchmark can poll all feeds twice and find 90% of them
unchanged: on each day from 2 to MAX_DAY every site publishes ten new articles, one into each
of exactly ten of its hundred feeds (those with ``(t + 7·s + 3·d) mod 10 == 0``); the other
90 feeds keep their bytes, ETag and Last-Modified.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sampleweb.text import banks_en
from sampleweb.text.textgen import Writer, rng_for, slugify
from sampleweb.world.model import (
    DAY1,
    MAX_DAY,
    Article,
    Headline,
    NewsSite,
    ReaderComment,
    day_start,
)

SITES = 50
ARTICLES = 400  # per site on day 1
FEEDS = 100  # per site
NEW_PER_DAY = 10  # per site on each day after the first
_INV37 = 73  # 37 * 73 = 2701 ≡ 1 (mod 100)
TOPICS = tuple(banks_en.TOPICS)
QUALIFIERS = (
    "local",
    "regional",
    "national",
    "world",
    "analysis",
    "opinion",
    "briefing",
    "data",
    "people",
    "live",
)
_PREFIX = ("north", "south", "east", "west", "river", "valley", "coast", "harbour", "hill", "lake")
_SUFFIX = (
    "courier",
    "ledger",
    "post",
    "chronicle",
    "observer",
    "tribune",
    "dispatch",
    "record",
    "sentinel",
    "journal",
)
FORMATS = ("rss", "atom", "jsonfeed")
_ARTICLE = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/([a-z0-9-]+)-(\d+)\.html$")
_FEED = re.compile(r"^/feeds/([a-z]+-[a-z]+)\.(xml|json)$")

#: Mention paragraphs for the few bulk articles that cover the organisation (and look-alikes).
MENTIONS = (
    "The Orbital Registry Agency said on {weekday} that it would look again at how operators "
    "report close approaches between satellites.",
    "Officials at the International Orbital Registry confirmed that the number of filings had "
    "risen again this year.",
    "According to the ORA, more operators than ever now notify their satellites before launch "
    "rather than after.",
)
LOOKALIKES = (
    "The Orbital Research Advisory Council (ORAC) said it would publish its own recommendations "
    "in {month}.",
    "The Otterburn Rowing Association (ORA) has asked the council for help repairing its "
    "boathouse.",
)


def _mix(*values: int) -> int:
    """A small deterministic integer hash (splitmix-style), independent of PYTHONHASHSEED."""
    x = 0x9E3779B97F4A7C15
    for v in values:
        x ^= v + 0x9E3779B97F4A7C15 + (x << 6) + (x >> 2)
        x = (x * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 31
    return x


@functools.cache
def seed_number(seed: str) -> int:
    return sum((i + 1) * ord(c) for i, c in enumerate(seed))


@dataclass(frozen=True, slots=True)
class BulkSite:
    index: int
    site: NewsSite  # articles=() — they are generated on demand


def site_host(index: int) -> str:
    suffix = _SUFFIX[(index // 10 + index) % 10]
    return f"www.{_PREFIX[index % 10]}{suffix}{'' if index < 50 else index}.test"


@functools.cache
def bulk_sites(count: int = SITES) -> tuple[BulkSite, ...]:
    out = []
    for s in range(count):
        host = site_host(s)
        name = host.removeprefix("www.").removesuffix(".test")
        fmt = FORMATS[s % 3]
        out.append(
            BulkSite(
                s,
                NewsSite(
                    host=host,
                    name=f"The {name.title()}",
                    lang="en",
                    feed_format=fmt,
                    feed_path="",
                    full_content=s % 5 == 0,
                    layout="bulk",
                    sections=TOPICS[:6],
                    articles=(),
                ),
            )
        )
    return tuple(out)


def feed_tag(t: int) -> str:
    return f"{TOPICS[t % 10]}-{QUALIFIERS[t // 10]}"


def feed_path(site: NewsSite, t: int) -> str:
    return f"/feeds/{feed_tag(t)}.{'json' if site.feed_format == 'jsonfeed' else 'xml'}"


def _width(s: int, t: int) -> int:
    return 5 + (t * 7 + s * 3) % 8  # residues per feed: 20..48 base items


def touched(s: int, t: int, day: int) -> bool:
    """Whether feed t of site s gains an article on ``day`` (exactly 10% of feeds per day)."""
    return 2 <= day <= MAX_DAY and (t + 7 * s + 3 * day) % 10 == 0


def feed_members(s: int, t: int, day: int) -> list[int]:
    """Article indexes in feed t of site s on ``day``, newest first."""
    base: list[int] = []
    for r in range(_width(s, t)):
        i0 = ((r - 11 * t) * _INV37) % 100
        base.extend(i0 + 100 * k for k in range(ARTICLES // 100))
    extra = [
        ARTICLES + (d - 2) * NEW_PER_DAY + t // 10
        for d in range(2, min(day, MAX_DAY) + 1)
        if touched(s, t, d)
    ]
    return sorted(base + extra, reverse=True)


def article_feeds(s: int, i: int) -> list[int]:
    if i < ARTICLES:
        return [t for t in range(FEEDS) if (37 * i + 11 * t) % 100 < _width(s, t)]
    d = 2 + (i - ARTICLES) // NEW_PER_DAY
    j = (i - ARTICLES) % NEW_PER_DAY
    r0 = (-(7 * s + 3 * d)) % 10
    return [r0 + 10 * j]


def article_count(day: int) -> int:
    return ARTICLES + NEW_PER_DAY * max(0, min(day, MAX_DAY) - 1)


def article_day(i: int) -> int:
    return 1 if i < ARTICLES else 2 + (i - ARTICLES) // NEW_PER_DAY


def published(seed: str, s: int, i: int) -> datetime:
    jitter = _mix(seed_number(seed), s, i) % 50
    if i < ARTICLES:
        return DAY1 - timedelta(minutes=(ARTICLES - i) * 90 + jitter)
    d = article_day(i)
    return day_start(d) + timedelta(hours=6, minutes=((i - ARTICLES) % NEW_PER_DAY) * 70 + jitter)


def role(seed: str, s: int, i: int) -> str:
    """``mention``, ``lookalike`` or ``plain``: decided by a hash, before any text exists."""
    h = _mix(seed_number(seed), s, i, 7) % 1000
    return "mention" if h < 30 else "lookalike" if h < 45 else "plain"


@dataclass(frozen=True, slots=True)
class Teaser:
    """The cheap part of an article: enough for feeds, sitemaps and link boxes."""

    title: str
    path: str
    summary: str
    author: str
    published: datetime


def _start(seed: str, s: int, i: int) -> tuple[Writer, str, dict[str, str], Teaser]:
    """The first draws of an article's generator: its head. ``article`` continues from here."""
    writer = Writer(rng_for(seed, "bulk", s, i))
    topic = TOPICS[(i * 7 + s) % len(TOPICS)]
    ctx = writer.context()
    title = writer.title(topic, ctx)
    summary = writer.sentence(writer.rng.choice(banks_en.TOPICS[topic]["sentences"]), ctx)
    author = writer.person()
    when = published(seed, s, i)
    path = f"/{when.year:04d}/{when.month:02d}/{when.day:02d}/{slugify(title)}-{i}.html"
    return writer, topic, ctx, Teaser(title, path, summary, author, when)


@functools.lru_cache(maxsize=65536)
def teaser(seed: str, s: int, i: int) -> Teaser:
    return _start(seed, s, i)[3]


def brief(seed: str, s: int, i: int) -> Article:
    """An Article with no body, for summary-only feeds."""
    t = teaser(seed, s, i)
    topic = TOPICS[(i * 7 + s) % len(TOPICS)]
    return Article(
        site_host(s),
        t.path,
        t.title,
        t.author,
        t.published,
        article_day(i),
        topic,
        "en",
        t.summary,
        (),
    )


@functools.lru_cache(maxsize=8192)
def article(seed: str, s: int, i: int) -> Article:
    writer, topic, ctx, head = _start(seed, s, i)
    rng = writer.rng
    paras = writer.paragraphs(topic, ctx, rng.randint(300, 620))
    kind = role(seed, s, i)
    if kind != "plain":
        bank = MENTIONS if kind == "mention" else LOOKALIKES
        inserted = writer.fill(bank[_mix(s, i) % len(bank)], ctx)
        paras.insert(min(1, len(paras)), inserted)
    when = head.published
    related = tuple(
        Headline(teaser(seed, s, j).title, teaser(seed, s, j).path)
        for j in (i - 1, i - 2, i - 3)
        if j >= 0
    )
    popular = tuple(
        Headline(teaser(seed, s, j).title, teaser(seed, s, j).path)
        for j in (5, 50, 150, 250, 350)
        if j != i
    )
    comments = tuple(
        ReaderComment(writer.person(), writer.reader_comment(), when + timedelta(hours=1 + k))
        for k in range(rng.randint(0, 2))
    )
    return Article(
        host=site_host(s),
        path=head.path,
        title=head.title,
        author=head.author,
        published=when,
        day=article_day(i),
        section=topic,
        lang="en",
        summary=head.summary,
        paragraphs=tuple(paras),
        comments=comments,
        related=related,
        most_read=popular,
        tags=tuple(feed_tag(t) for t in article_feeds(s, i)[:4]),
    )


def parse_article_path(path: str) -> int | None:
    m = _ARTICLE.match(path)
    return int(m.group(5)) if m else None


def parse_feed_path(site: NewsSite, path: str) -> int | None:
    m = _FEED.match(path)
    if not m:
        return None
    ext = "json" if site.feed_format == "jsonfeed" else "xml"
    if m.group(2) != ext:
        return None
    topic, _, qual = m.group(1).partition("-")
    if topic not in TOPICS or qual not in QUALIFIERS:
        return None
    return TOPICS.index(topic) + 10 * QUALIFIERS.index(qual)
