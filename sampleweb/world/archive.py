"""The years-old part of the organisation's blog (the ``archive`` scenario, #16).

An established blog is what a new mediamon user registers: hundreds of posts over years,
the old ones carrying pingbacks, trackbacks and reader comments. With ``archive=True`` the
world's WordPress blog gains ``ARCHIVE_POSTS`` older posts (one every 11 days from 2019,
cycling through the four comment markups), a blog that wrote about them years ago
(``oldorbit.test``, WordPress: every page links one old post and pinged or trackbacked it),
and reader comments (some answered by the organisation). None of it is in the feed's first
page, so only the whole post inventory (paged feed, REST API, WordPress.com API, sitemap)
finds these posts. Pure and deterministic; the default world is unchanged.
"""

from __future__ import annotations

from dataclasses import replace
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

__all__ = ["ARCHIVE_HOST", "ARCHIVE_POSTS", "archive_part"]

ARCHIVE_POSTS = 200
ARCHIVE_HOST = "oldorbit.test"
FIRST_POST = datetime(2019, 1, 7, 9, 0, tzinfo=UTC)
FIRST_ID = 2001  # the hand-written posts are 101..124
FIRST_COMMENT_ID = 20001  # the default world's comment ids start at 4801
PING_EVERY = 8  # every 8th old post was pinged...
TRACKBACK_EVERY = 20  # ...every 20th trackbacked...
COMMENT_EVERY = 6  # ...and every 6th commented on
_THEMES = (Theme.HTML5_SHORT, Theme.LONG_PING, Theme.PING_LIST, Theme.OLD_CITE)


def _posts(seed: str) -> list[Post]:
    rng = rng_for(seed, "archive-posts")
    writer = Writer(rng)
    out = []
    for n in range(ARCHIVE_POSTS):
        ctx = writer.context()
        title = writer.title("space", ctx) or f"From the registry, part {n + 1}"
        paragraphs = tuple(writer.blog_paragraphs("space", ctx, rng.randint(120, 220)))
        out.append(
            Post(
                wp_id=FIRST_ID + n,
                slug=f"{slugify(title)}-{FIRST_ID + n}",
                title=title,
                published=FIRST_POST + timedelta(days=11 * n, hours=rng.randint(0, 8)),
                day=1,
                theme=_THEMES[n % len(_THEMES)],
                category="Archive",
                paragraphs=paragraphs,
            )
        )
    return out


def _site(pages: list[BlogPage]) -> BlogSite:
    return BlogSite(
        host=ARCHIVE_HOST,
        name="Old Orbit",
        tagline="Notes on the registry, since 2018",
        engine="wordpress",
        feed_path="/feed/",
        feed_format="rss",
        title_sep=" – ",
        owner="Piet Alderman",
        hentry=False,
        pages=tuple(sorted(pages, key=lambda p: p.published)),
    )


def archive_part(
    seed: str, org: Organisation
) -> tuple[tuple[Post, ...], BlogSite, tuple[WpComment, ...]]:
    """The old posts, the blog that linked them, and the comment rows on them."""
    posts = _posts(seed)
    rng = rng_for(seed, "archive-linkbacks")
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
                host=ARCHIVE_HOST,
                path=f"/{when.year:04d}/{when.month:02d}/{when.day:02d}/{slug}/",
                title=f"Revisiting the registry: {post.title}",
                author="Piet Alderman",
                published=when,
                day=1,
                paragraphs=paragraphs,
                links=(InlineLink(0, post.title, Href(org.host, post.path), post.wp_id),),
                tags=("space",),
                summary=" ".join(lead.split()[:40]),
            )
            pages.append(page)
            notify.append((page, post, kind))
    site = _site(pages)
    rows: list[WpComment] = []
    for page, post, kind in notify:
        source = Href(ARCHIVE_HOST, page.path)
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
    ids = {i: FIRST_COMMENT_ID + k * 2 for k, i in enumerate(ordered)}
    out = [replace(rows[i], id=ids[i]) for i in ordered]
    out += [replace(reply, id=ids[i] + 1, parent=ids[i]) for i, reply in replies]
    return tuple(posts), site, tuple(sorted(out, key=lambda c: c.id))
