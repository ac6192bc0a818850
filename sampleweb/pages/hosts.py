"""The host names the world answers to (what a config's ``[crawl.resolve]`` must map)."""

from __future__ import annotations

from sampleweb.pages import trouble as misbehaving
from sampleweb.pages.wp_day import WPME_HOST
from sampleweb.world import bulk
from sampleweb.world.model import World

WPCOM_API_HOST = "public-api.wordpress.test"


def world_hosts(world: World) -> list[str]:
    """Every hostname the world serves."""
    hosts = [world.org.host, world.org.www_host, WPCOM_API_HOST, misbehaving.HOST]
    hosts += [b.host for b in world.blogs] + [n.host for n in world.news]
    hosts += [b.site.host for b in bulk.bulk_sites(world.bulk_sites)] if world.bulk_sites else []
    hosted = world.wpcom_blog
    if hosted is not None:
        hosts += [hosted.org.host, *(b.host for b in hosted.blogs), WPME_HOST]
    return hosts
