"""The one value every linkback route produces, so the caller can merge routes.

The same pingback can be seen in the post's HTML, in its comment feed, in the WordPress.com
API and through XML-RPC. Each parser returns ``ParsedLinkback`` records with the same meaning
for every field, tagged with the ``route`` that produced them, so the harvester can combine
the routes (each a fallback for the others) and dedupe by source URL and target.

``RouteUnavailable`` is how a parser says "this route cannot answer" (an API that refuses
anonymous clients, XML-RPC switched off). It must never be read as "there are no linkbacks".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from crawler.domain import MentionKind


class Route(enum.StrEnum):
    """Where a linkback record was read from."""

    HTML = "html"  # the comment list of the post page
    FEED = "feed"  # a per-post or site-wide comment feed
    WPCOM_API = "wpcom-api"  # public-api.wordpress.com replies
    WP_REST = "wp-rest"  # self-hosted /wp-json/wp/v2/comments
    XMLRPC = "xmlrpc"  # pingback.extensions.getPingbacks


@dataclass(frozen=True, slots=True)
class ParsedLinkback:
    """One linkback or comment found on one of the organisation's posts.

    ``source_url`` is the linking page for pingbacks, trackbacks, webmentions and reblogs; for
    ordinary comments it is the comment permalink ``post_url#comment-N``. It is ``""`` only
    when the route cannot tell (a probable pingback in a comment feed): the caller then needs
    another route to learn it.

    ``title`` is the source page title as WordPress printed it (pings store it as the comment
    author). ``author``/``author_url`` are the commenter (comments, reblogs, webmentions).
    ``excerpt`` is the excerpt of a ping (without the ``[…]`` wrapping) or the text of a comment.
    ``note`` is a reblogger's own words. ``site_name`` is the reblogging blog's name.
    ``target_url``/``post_id``/``post_title`` identify the organisation's post when known.
    ``inferred`` is true when the kind was guessed from the text (feeds carry no type).
    """

    kind: MentionKind
    source_url: str
    route: Route
    target_url: str = ""
    comment_id: int | None = None
    post_id: int | None = None
    post_title: str = ""
    title: str = ""
    author: str = ""
    author_url: str = ""
    site_name: str = ""
    excerpt: str = ""
    note: str = ""
    published: datetime | None = None
    by_organisation: bool = False
    inferred: bool = False

    @property
    def text(self) -> str:
        """The comment text (same field as the ping excerpt)."""
        return self.excerpt


class RouteUnavailable(Exception):
    """A route refused to answer (auth required, disabled, unknown post): try another route."""

    def __init__(self, route: Route, reason: str, *, code: str = "", status: int | None = None):
        super().__init__(f"{route}: {reason}")
        self.route = route
        self.reason = reason
        self.code = code
        self.status = status


def normalise_names(names: Iterable[str]) -> frozenset[str]:
    """Casefolded, space-normalised author names, for ``by_organisation`` checks."""
    if isinstance(names, str):
        names = (names,)
    return frozenset(normalise_name(n) for n in names if n.strip())


def normalise_name(name: str) -> str:
    """The form of an author name used for comparisons."""
    return " ".join(name.split()).casefold()
