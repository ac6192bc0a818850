"""The years-old part of the organisation's blog (the ``archive`` scenario, #16).

An established blog is what a new mediamon user registers: hundreds of posts over years,
the old ones carrying pingbacks, trackbacks and reader comments. With ``archive=True`` the
world's WordPress blog gains ``ARCHIVE_POSTS`` older posts (one every 11 days from 2019,
cycling through the four comment markups), a blog that wrote about them years ago
(``oldorbit.test``, WordPress: every page links one old post and pinged or trackbacked it),
and reader comments (some answered by the organisation). None of it is in the feed's first
page, so only the whole post inventory (paged feed, REST API, WordPress.com API, sitemap)
finds these posts. Pure and deterministic; the default world is unchanged.

``ArchiveSpec`` names what differs between two such blogs: ``OLD_ORBIT`` is the one above
(the organisation's self-hosted blog), ``FIELD_NOTES`` the organisation's second blog, hosted
on WordPress.com (``sampleweb.world.wpcom_blog``), pinged by a blog on WordPress.com too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sampleweb.text.textgen import Writer, rng_for, slugify
from sampleweb.world.model import (
    BlogPage,
    BlogSite,
    CommentType,
    Href,
    InlineLink,
    Organisation,
    Post,
    Theme,
    WpComment,
    blog_html_title,
)
from sampleweb.world.weave import wp_ping_excerpt

__all__ = [
    "ARCHIVE_HOST",
    "ARCHIVE_POSTS",
    "FIELD_NOTES",
    "OLD_ORBIT",
    "ArchiveSpec",
    "archive_part",
]

ARCHIVE_POSTS = 200
ARCHIVE_HOST = "oldorbit.test"
PING_EVERY = 8  # every 8th old post was pinged...
TRACKBACK_EVERY = 20  # ...every 20th trackbacked...
COMMENT_EVERY = 6  # ...and every 6th commented on
_THEMES = (Theme.HTML5_SHORT, Theme.LONG_PING, Theme.PING_LIST, Theme.OLD_CITE)


@dataclass(frozen=True, slots=True)
class ArchiveSpec:
    """One years-old blog of the organisation and the blog that pinged it."""

    key: str  # varies the random draws ("" keeps the first blog's draws as they were)
    posts: int
    first_id: int  # WordPress post ids are first_id, first_id + 1, ...
    first_post: datetime
    every_days: int
    first_comment_id: int
    pinger_host: str
    pinger_name: str
    pinger_owner: str


OLD_ORBIT = ArchiveSpec(
    key="",
    posts=ARCHIVE_POSTS,
    first_id=2001,  # the hand-written posts are 101..124
    first_post=datetime(2019, 1, 7, 9, 0, tzinfo=UTC),
    every_days=11,
    first_comment_id=20001,  # the default world's comment ids start at 4801
    pinger_host=ARCHIVE_HOST,
    pinger_name="Old Orbit",
    pinger_owner="Piet Alderman",
)
FIELD_NOTES = ArchiveSpec(
    key="wpcom",
    posts=64,
    first_id=7,  # a young WordPress.com blog's ids: none shared with the other blog's posts
    first_post=datetime(2020, 3, 2, 10, 0, tzinfo=UTC),
    every_days=29,
    first_comment_id=40001,
    pinger_host="lunarledger.wordpress.test",  # stands for lunarledger.wordpress.com
    pinger_name="Lunar Ledger",
    pinger_owner="Ines Carvalho",
)


def _rng_name(spec: ArchiveSpec, name: str) -> str:
    return f"{name}-{spec.key}" if spec.key else name


def _posts(seed: str, spec: ArchiveSpec) -> list[Post]:
    rng = rng_for(seed, _rng_name(spec, "archive-posts"))
    writer = Writer(rng)
    out = []
    for n in range(spec.posts):
        ctx = writer.context()
        title = writer.title("space", ctx) or f"From the registry, part {n + 1}"
        paragraphs = tuple(writer.blog_paragraphs("space", ctx, rng.randint(120, 220)))
        wp_id = spec.first_id + n
        out.append(
            Post(
                wp_id=wp_id,
                slug=f"{slugify(title)}-{wp_id}",
                title=title,
                published=spec.first_post
                + timedelta(days=spec.every_days * n, hours=rng.randint(0, 8)),
                day=1,
                theme=_THEMES[n % len(_THEMES)],
                category="Archive",
                paragraphs=paragraphs,
            )
        )
    return out


def _site(pages: list[BlogPage], spec: ArchiveSpec) -> BlogSite:
    return BlogSite(
        host=spec.pinger_host,
        name=spec.pinger_name,
        tagline="Notes on the registry, since 2018",
        engine="wordpress",
        feed_path="/feed/",
        feed_format="rss",
        title_sep=" – ",
        owner=spec.pinger_owner,
        hentry=False,
        pages=tuple(sorted(pages, key=lambda p: p.published)),
    )


def archive_part(
    seed: str, org: Organisation, spec: ArchiveSpec = OLD_ORBIT
) -> tuple[tuple[Post, ...], BlogSite, tuple[WpComment, ...]]:
    """The old posts of ``org``'s blog (at ``org.host``), the blog that linked them, and the
    comment rows on them."""
    posts = _posts(seed, spec)
    rng = rng_for(seed, _rng_name(spec, "archive-linkbacks"))
    writer = Writer(rng)
    pages: list[BlogPage] = []
    notify: list[tuple[BlogPage, Post, str]] = []
    for n, post in enumerate(posts):
        kinds = []
        if n % PING_EVERY == 3:
            kinds.append("pingback")
        if n % TRACKBACK_EVERY == 11:
            kinds.append("trackback")
        for kind in kinds:
            ctx = writer.context()
            when = post.published + timedelta(days=rng.randint(1, 9), hours=rng.randint(1, 9))
            words = writer.blog_paragraphs("space", ctx, rng.randint(150, 260))
            lead = f"{words[0]} I went back to {post.title} this week, and it holds up."
            paragraphs = (lead, *words[1:])
            slug = f"{kind}-notes-{post.wp_id}"
            page = BlogPage(
                host=spec.pinger_host,
                path=f"/{when.year:04d}/{when.month:02d}/{when.day:02d}/{slug}/",
                title=f"Revisiting the registry: {post.title}",
                author=spec.pinger_owner,
                published=when,
                day=1,
                paragraphs=paragraphs,
                links=(InlineLink(0, post.title, Href(org.host, post.path), post.wp_id),),
                tags=("space",),
                summary=" ".join(lead.split()[:40]),
            )
            pages.append(page)
            notify.append((page, post, kind))
    site = _site(pages, spec)
    rows: list[WpComment] = []
    for page, post, kind in notify:
        source = Href(spec.pinger_host, page.path)
        if kind == "pingback":
            title = blog_html_title(site, page)
            rows.append(
                WpComment(
                    id=0, post_id=post.wp_id, type=CommentType.PINGBACK, kind="pingback",
                    author=title, author_url=source, date=page.published + timedelta(minutes=2),
                    day=1, source=source, title=title,
                    excerpt=wp_ping_excerpt(page.paragraphs[0], post.title),
                )
            )  # fmt: skip
        else:
            text = " ".join(page.paragraphs)
            cut = text[:252]
            excerpt = (cut[: cut.rfind(" ")] + "\u2026") if len(text) > 252 else text
            rows.append(
                WpComment(
                    id=0, post_id=post.wp_id, type=CommentType.TRACKBACK, kind="trackback",
                    author=site.name, author_url=source, date=page.published + timedelta(minutes=5),
                    day=1, source=source, title=page.title, excerpt=excerpt, blog_name=site.name,
                )
            )  # fmt: skip
    replies: list[tuple[int, WpComment]] = []  # (index of the parent in rows, reply)
    for n, post in enumerate(posts):
        if n % COMMENT_EVERY != 1:
            continue
        when = post.published + timedelta(days=rng.randint(0, 30), hours=rng.randint(1, 20))
        rows.append(
            WpComment(
                id=0, post_id=post.wp_id, type=CommentType.COMMENT, kind="comment",
                author=writer.person(), author_url=None, date=when, day=1,
                text=writer.reader_comment(),
            )
        )  # fmt: skip
        if n % (COMMENT_EVERY * 4) == 1:
            replies.append(
                (
                    len(rows) - 1,
                    WpComment(
                        id=0, post_id=post.wp_id, type=CommentType.COMMENT, kind="comment",
                        author=org.author, author_url=Href(org.host, "/"),
                        date=when + timedelta(hours=5), day=1,
                        text="Thank you: the register has been updated since, see our newer posts.",
                        by_organisation=True,
                    ),
                )
            )  # fmt: skip
    ordered = sorted(range(len(rows)), key=lambda i: rows[i].date)
    ids = {i: spec.first_comment_id + k * 2 for k, i in enumerate(ordered)}
    out = [replace(rows[i], id=ids[i]) for i in ordered]
    out += [replace(reply, id=ids[i] + 1, parent=ids[i]) for i, reply in replies]
    return tuple(posts), site, tuple(sorted(out, key=lambda c: c.id))
