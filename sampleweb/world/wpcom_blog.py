"""The organisation's blog hosted on WordPress.com (the ``archive`` scenario, #16).

Many organisations keep a blog on WordPress.com beside (or instead of) their own site: no
``/wp-json/wp/v2`` of their own to rely on, posts listed by the WordPress.com public API
(``public-api.wordpress.com/rest/v1.1/sites/<site>/posts``), pings and comments by its
``/replies`` and ``/comments`` listings, and ``wp.me`` shortlinks that redirect to the posts.
``ORA Field Notes`` at ``orafieldnotes.wordpress.test`` (the sample web's names end in
``.test``: ``wordpress.test`` stands for ``wordpress.com``, ``wp.test`` for ``wp.me``) has
years of posts on the four comment markups, pinged and trackbacked by ``Lunar Ledger`` (a
blog on WordPress.com too) and commented on. Pure and deterministic.
"""

from __future__ import annotations

from dataclasses import replace

from sampleweb.world.archive import FIELD_NOTES, archive_part
from sampleweb.world.model import Organisation, World

__all__ = ["WPCOM_BLOG_HOST", "WPCOM_SHORTLINK_CODE", "WPCOM_SITE_ID", "wpcom_blog"]

WPCOM_BLOG_HOST = "orafieldnotes.wordpress.test"
WPCOM_SITE_ID = 211450733
WPCOM_SHORTLINK_CODE = "eLq9Z"  # wp.me/p<code>-<id>: the code names the blog


def wpcom_blog(seed: str, scale: str, org: Organisation) -> World:
    """The WordPress.com blog of ``org``, as a world of its own (see ``World.wpcom_blog``)."""
    blog_org = replace(
        org,
        host=WPCOM_BLOG_HOST,
        www_host=WPCOM_BLOG_HOST,  # WordPress.com blogs have no www. name
        blog_name="ORA Field Notes",
        tagline="Field notes from the Orbital Registry Agency's staff",
        wpcom_site_id=WPCOM_SITE_ID,
        shortlink_code=WPCOM_SHORTLINK_CODE,
    )
    posts, pinger, rows = archive_part(seed, blog_org, FIELD_NOTES)
    return World(
        seed=seed,
        scale=scale,
        org=blog_org,
        posts=posts,
        comments=rows,
        blogs=(pinger,),
        news=(),
        stories=(),
    )
