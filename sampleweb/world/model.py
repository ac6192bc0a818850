"""The data model of the sample web: plain frozen dataclasses, no rendering, no I/O.

The world is generated once (``generate.py``) and then only read: the HTTP handlers render
pages from it and ``truth.py`` derives the ground truth from it. Keeping the model free of
markup means the truth is computed from the same facts the pages are rendered from, so the two
cannot drift apart. URLs are stored without the port (``Href``) because the port is only known
once the server has bound its socket.

Time is a small integer "world day": day 1 is the default snapshot, days 2 and 3 add posts,
comments, articles and linkbacks, and remove a link. Every item records the day it appears and,
where it goes away, the day it is removed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

#: Midnight (UTC) at the start of world day 1.
DAY1 = datetime(2026, 11, 10, tzinfo=UTC)
#: The last day on which anything changes; later days look like this one.
MAX_DAY = 3


def day_start(day: int) -> datetime:
    """Midnight UTC at the start of world ``day``."""
    return DAY1 + timedelta(days=day - 1)


def clamp_day(day: int) -> int:
    """The day whose state a request for ``day`` sees (days past MAX_DAY repeat it)."""
    return max(1, min(day, MAX_DAY))


@dataclass(frozen=True, slots=True)
class Href:
    """A URL without its port: ``url(port)`` makes it absolute for the running server."""

    host: str
    path: str  # path, query and fragment
    scheme: str = "http"

    def url(self, port: int) -> str:
        return f"{self.scheme}://{self.host}:{port}{self.path}"


class Theme(enum.StrEnum):
    """The comment-list markups of real WordPress themes (each org post uses one)."""

    HTML5_SHORT = "html5-short-ping"  # modern bundled themes: short_ping, html5 comment list
    LONG_PING = "long-ping"  # short_ping off: pings rendered like comments, "[…] excerpt […]"
    PING_LIST = "ping-list"  # comments first, then ol.ping-list under "Trackbacks/Pingbacks"
    OLD_CITE = "old-cite"  # Kubrick-era theme: <cite>Pingback by <a …>


class CommentType(enum.StrEnum):
    """``comment_type`` as WordPress stores it (reblogs are ordinary comments)."""

    COMMENT = "comment"
    PINGBACK = "pingback"
    TRACKBACK = "trackback"
    WEBMENTION = "webmention"


@dataclass(frozen=True, slots=True)
class Organisation:
    name: str
    aliases: tuple[str, ...]
    acronym: str
    timezone: str
    host: str  # the WordPress blog
    www_host: str  # redirects to host
    blog_name: str
    tagline: str
    author: str  # post author and the name on the organisation's replies
    author_login: str
    secretary_general: str
    wpcom_site_id: int
    same_initials: str  # another body whose name abbreviates to the acronym
    acronym_in_word: str  # a longer acronym that contains ours
    acronym_in_word_name: str
    email: str
    #: A blog hosted on WordPress.com has ``wp.me`` shortlinks (``wp.me/p<code>-<post id in
    #: base 62>``); a self-hosted one (no code) has WordPress's ``/?p=ID``.
    shortlink_code: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    """One of the organisation's blog posts."""

    wp_id: int
    slug: str
    title: str
    published: datetime
    day: int
    theme: Theme
    paragraphs: tuple[str, ...]
    category: str
    tags: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        p = self.published
        return f"/{p.year:04d}/{p.month:02d}/{p.day:02d}/{self.slug}/"


@dataclass(frozen=True, slots=True)
class WpComment:
    """A comment row on one of the organisation's posts (comments, pings, reblogs, replies)."""

    id: int
    post_id: int
    type: CommentType
    kind: str  # the linkback kind mediamon should report: comment|reblog|pingback|...
    author: str  # for pings: the source page <title>; for trackbacks: the blog name
    author_url: Href | None
    date: datetime
    day: int
    text: str = ""  # comment body (paragraphs separated by blank lines)
    source: Href | None = None  # the linking page, for pings, reblogs, webmentions
    title: str = ""  # source page title (pings) or post title (trackbacks)
    excerpt: str = ""  # the context WordPress cut around the link
    note: str = ""  # reblogger's note
    blog_name: str = ""  # reblogging / trackbacking blog
    parent: int = 0
    by_organisation: bool = False


@dataclass(frozen=True, slots=True)
class InlineLink:
    """A link inside a paragraph: the first occurrence of ``anchor`` becomes ``<a href>``."""

    paragraph: int
    anchor: str
    href: Href
    post_id: int | None = None  # the organisation's post it points to, if any
    variant: str = "canonical"  # how the URL differs from the canonical post URL


@dataclass(frozen=True, slots=True)
class ReblogSnapshot:
    """The WordPress.com reblog block on the reblogger's page."""

    post_id: int
    note: str
    excerpt: str


@dataclass(frozen=True, slots=True)
class BlogPage:
    host: str
    path: str
    title: str
    author: str
    published: datetime
    day: int
    paragraphs: tuple[str, ...]
    links: tuple[InlineLink, ...] = ()
    gone_on_day: int | None = None  # answers 410 from this day
    link_removed_on_day: int | None = None  # still 200 but without its links from this day
    reblog: ReblogSnapshot | None = None
    tags: tuple[str, ...] = ()
    summary: str = ""


@dataclass(frozen=True, slots=True)
class BlogSite:
    host: str
    name: str
    tagline: str
    engine: str  # wordpress | wordpress.com | hugo | indieweb
    feed_path: str
    feed_format: str  # rss | atom
    title_sep: str  # how <title> joins post title and blog name
    owner: str
    hentry: bool  # pages carry h-entry microformats
    pages: tuple[BlogPage, ...]


@dataclass(frozen=True, slots=True)
class ReaderComment:
    author: str
    text: str
    date: datetime


@dataclass(frozen=True, slots=True)
class Headline:
    title: str
    path: str


@dataclass(frozen=True, slots=True)
class Article:
    host: str
    path: str
    title: str
    author: str
    published: datetime
    day: int
    section: str
    lang: str
    summary: str
    paragraphs: tuple[str, ...]
    links: tuple[InlineLink, ...] = ()
    comments: tuple[ReaderComment, ...] = ()
    related: tuple[Headline, ...] = ()
    most_read: tuple[Headline, ...] = ()
    promo: str = ""  # a sidebar "partner content" teaser
    story: str = ""  # the story cluster key, if syndicated
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NewsSite:
    host: str
    name: str
    lang: str
    feed_format: str  # rss | atom | jsonfeed | sitemap
    feed_path: str  # "" when the site has no feed (sitemap only)
    full_content: bool  # the feed carries the whole article, not just a summary
    layout: str  # which page template family the site uses
    sections: tuple[str, ...]
    articles: tuple[Article, ...]
    weight: int = 2


@dataclass(frozen=True, slots=True)
class Story:
    key: str
    original: tuple[str, str]  # (host, path)
    pickups: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class World:
    seed: str
    scale: str
    org: Organisation
    posts: tuple[Post, ...]
    comments: tuple[WpComment, ...]
    blogs: tuple[BlogSite, ...]
    news: tuple[NewsSite, ...]
    stories: tuple[Story, ...]
    bulk_sites: int = 0  # number of benchmark news sites (large scale only)
    #: The organisation's second blog, hosted on WordPress.com (the ``archive`` scenario): a
    #: world of its own (its ``org`` names that blog; its posts, comment rows and the blog that
    #: pinged them), so the same WordPress pages, feeds and API render it.
    wpcom_blog: World | None = None

    def post(self, wp_id: int) -> Post:
        for p in self.posts:
            if p.wp_id == wp_id:
                return p
        raise KeyError(wp_id)

    def post_href(self, wp_id: int) -> Href:
        return Href(self.org.host, self.post(wp_id).path)

    def comments_on(self, wp_id: int, day: int) -> list[WpComment]:
        """Approved comments of a post visible on ``day``, oldest first."""
        return sorted(
            (c for c in self.comments if c.post_id == wp_id and c.day <= day),
            key=lambda c: (c.date, c.id),
        )


def blog_html_title(site: BlogSite, page: BlogPage) -> str:
    """The ``<title>`` of a blog page (WordPress stores it as a pingback's author name)."""
    return f"{page.title}{site.title_sep}{site.name}"


def news_html_title(site: NewsSite, article: Article) -> str:
    return f"{article.title} | {site.name}"
