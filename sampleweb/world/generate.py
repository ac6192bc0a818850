"""Build the small world from a seed: hand-written coverage plus generated filler.

Pure and deterministic: ``build_world(seed)`` called twice gives equal worlds. The hand-written
parts (``posts.py``, ``coverage.py``) fix what is tested; the seed only varies the filler
(unrelated articles and blog posts, their length, names and dates, reader comments) and the
comment ids. The blogs are built here; the news sites in ``newsgen.py`` and the comment rows on
the organisation's posts in ``notify.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sampleweb.text.textgen import Writer, rng_for, slugify, word_count
from sampleweb.world import comment_rows as notify
from sampleweb.world.archive import archive_part
from sampleweb.world.coverage_specs import BLOG_PAGES, BLOGS
from sampleweb.world.model import (
    DAY1,
    BlogPage,
    BlogSite,
    Post,
    ReblogSnapshot,
    World,
)
from sampleweb.world.news_world import news_sites
from sampleweb.world.org_posts import ORG, POSTS
from sampleweb.world.weave import FILLER, links_for, with_filler
from sampleweb.world.wpcom_blog import wpcom_blog


def build_world(seed: str = "mediamon", scale: str = "small", *, archive: bool = False) -> World:
    """The whole small world (the large scale adds lazily generated bulk sites on top; with
    ``archive`` the blog has years of older posts too, ``sampleweb.world.archive``, and the
    organisation has a second blog, on WordPress.com: ``sampleweb.world.wpcom_blog``)."""
    posts = {p.wp_id: p for p in POSTS}
    blogs = tuple(_blog_site(seed, i, posts) for i in range(len(BLOGS)))
    news, stories = news_sites(seed, posts)
    rows = notify.comments(seed, blogs, news)
    all_posts = POSTS
    hosted = wpcom_blog(seed, scale, ORG) if archive else None
    if archive:
        old_posts, old_blog, old_rows = archive_part(seed, ORG)
        all_posts, blogs, rows = old_posts + POSTS, (*blogs, old_blog), old_rows + rows
    return World(
        seed=seed,
        scale=scale,
        org=ORG,
        posts=all_posts,
        comments=rows,
        blogs=blogs,
        news=news,
        stories=stories,
        bulk_sites=50 if scale == "large" else 0,
        wpcom_blog=hosted,
    )


# --------------------------------------------------------------------------- blogs


def _blog_path(engine: str, slug: str, d: datetime) -> str:
    if engine == "hugo":
        return f"/posts/{slug}/"
    if engine == "indieweb":
        return f"/notes/{d.year:04d}/{d.month:02d}/{d.day:02d}/{slug}"
    return f"/{d.year:04d}/{d.month:02d}/{d.day:02d}/{slug}/"


def _blog_site(seed: str, index: int, posts: dict[int, Post]) -> BlogSite:
    spec = BLOGS[index]
    rng = rng_for(seed, "blog", spec.host)
    writer = Writer(rng)
    pages: list[BlogPage] = []
    for ps in (p for p in BLOG_PAGES if p.host == spec.host):
        paras = tuple(p for p in ps.paras if p != FILLER)
        if ps.words:
            filler = writer.blog_paragraphs(
                ps.topic, writer.context(), ps.words - word_count(paras)
            )
            paras = with_filler(ps.paras, filler)
        reblog = None
        if ps.reblog_of is not None:
            original = posts[ps.reblog_of]
            words = original.paragraphs[0].split()
            excerpt = " ".join(words[:40]) + (" \u2026" if len(words) > 40 else "")
            reblog = ReblogSnapshot(ps.reblog_of, ps.reblog_note, excerpt)
        pages.append(
            BlogPage(
                host=spec.host,
                path=_blog_path(spec.engine, ps.slug, ps.published),
                title=ps.title,
                author=spec.owner,
                published=ps.published,
                day=ps.day,
                paragraphs=paras,
                links=links_for(ps.links, posts),
                gone_on_day=ps.gone_on_day,
                link_removed_on_day=ps.link_removed_on_day,
                reblog=reblog,
                tags=(ps.topic,),
                summary=_summary(paras or (reblog.excerpt if reblog else "",)),
            )
        )
    for n in range(spec.fillers):
        ctx = writer.context()
        title = writer.title(spec.topic, ctx)
        when = DAY1 - timedelta(days=rng.randint(2, 24), hours=rng.randint(0, 12))
        paras = tuple(writer.blog_paragraphs(spec.topic, ctx, rng.randint(180, 420)))
        pages.append(
            BlogPage(
                host=spec.host,
                path=_blog_path(spec.engine, f"{slugify(title)}-{n + 2}", when),
                title=title,
                author=spec.owner,
                published=when,
                day=1,
                paragraphs=paras,
                tags=(spec.topic,),
                summary=_summary(paras),
            )
        )
    pages.sort(key=lambda p: p.published)
    return BlogSite(
        host=spec.host,
        name=spec.name,
        tagline=spec.tagline,
        engine=spec.engine,
        feed_path=spec.feed_path,
        feed_format=spec.feed_format,
        title_sep=spec.title_sep,
        owner=spec.owner,
        hentry=spec.hentry,
        pages=tuple(pages),
    )


def _summary(paras: tuple[str, ...]) -> str:
    words = " ".join(paras[:2]).split()
    return " ".join(words[:45]) + (" [\u2026]" if len(words) > 45 else "")
