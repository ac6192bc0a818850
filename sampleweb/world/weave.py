"""Turning coverage specs into world pieces: URL variants, inline links, filler placement, and
WordPress's rule for the excerpt it stores with a pingback.

Shared by the blog, news and comment generators, so that a link written in a spec becomes the
same ``Href`` on the page, in the truth and in the notification comment.
"""

from __future__ import annotations

from sampleweb.world.coverage_specs import LinkSpec
from sampleweb.world.model import (
    Href,
    InlineLink,
    Post,
)
from sampleweb.world.org_posts import ORG

FILLER = "@filler"
UTM = "?utm_source=newsletter&utm_medium=email&utm_campaign=wosc27"


def post_variant(post: Post, variant: str) -> Href:
    """The URL of ``post`` as someone wrote it (``variant`` names the difference)."""
    path = post.path
    if variant == "https":
        return Href(ORG.host, path, "https")
    if variant == "www-noslash":
        return Href(ORG.www_host, path.rstrip("/"))
    if variant == "utm":
        return Href(ORG.host, path + UTM)
    if variant == "fragment":
        return Href(ORG.host, f"{path}#more-{post.wp_id}")
    if variant == "amp":
        return Href(ORG.host, path + "amp/")
    return Href(ORG.host, path)


def wp_ping_excerpt(paragraph: str, anchor: str) -> str:
    """WordPress's pingback context: up to 100 characters either side of the link text, cut at
    whitespace (class-wp-xmlrpc-server.php ``pingback_ping``)."""
    i = paragraph.find(anchor)
    if i < 0:
        return paragraph[:200]
    before = paragraph[:i]
    after = paragraph[i + len(anchor) :]
    if len(before) > 100:
        before = before[-100:]
        before = before[before.find(" ") + 1 :] if " " in before else before
    if len(after) > 100:
        after = after[:100]
        after = after[: after.rfind(" ")] if " " in after else after
    return f"{before}{anchor}{after}".strip()


def links_for(specs: tuple[LinkSpec, ...], posts: dict[int, Post]) -> tuple[InlineLink, ...]:
    return tuple(
        InlineLink(
            s.paragraph, s.anchor, post_variant(posts[s.post_id], s.variant), s.post_id, s.variant
        )
        for s in specs
    )


def with_filler(paras: tuple[str, ...], filler: list[str]) -> tuple[str, ...]:
    if FILLER in paras:
        i = paras.index(FILLER)
        return (*paras[:i], *filler, *paras[i + 1 :])
    return (*paras, *filler)
