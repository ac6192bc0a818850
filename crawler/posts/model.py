"""The inventory's plain values: a post as one route lists it, and one route's outcome."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

__all__ = [
    "ARCHIVE",
    "FEED",
    "ROUTES",
    "SITEMAP",
    "WPCOM_API",
    "WP_REST",
    "FoundPost",
    "RoutePage",
    "RouteStatus",
    "RouteTally",
]

WP_REST = "wp-rest"
WPCOM_API = "wpcom-api"
FEED = "feed"
SITEMAP = "sitemap"
ARCHIVE = "archive"
#: Report order; archive pages are the last resort (read only when the others found nothing).
ROUTES = (WP_REST, WPCOM_API, FEED, SITEMAP, ARCHIVE)


class RouteStatus(enum.StrEnum):
    OK = "ok"  # the route answered (possibly with no posts)
    UNAVAILABLE = "unavailable"  # refused or absent here (401/403/404): other routes are used
    FAILED = "failed"  # transient (timeout, 5xx): try again next sync
    SKIPPED = "skipped"  # not asked (wrong platform, or a better route already answered)


@dataclass(frozen=True, slots=True)
class FoundPost:
    """One of our posts as a route lists it. ``url`` is the URL as published; the others are
    filled by the routes that know them (and merged over routes by ``merge.merge_found``)."""

    url: str
    title: str = ""
    published_at: datetime | None = None
    wp_post_id: int | None = None
    shortlink: str = ""
    canonical_link: str = ""
    canonical_offsite: bool = False
    routes: tuple[str, ...] = ()

    def via(self, route: str) -> FoundPost:
        return replace(self, routes=(route,))


@dataclass(frozen=True, slots=True)
class RoutePage:
    """One page of one route: the posts it lists and where the next page is (``""``: last)."""

    posts: tuple[FoundPost, ...] = ()
    next_url: str = ""
    status: RouteStatus = RouteStatus.OK
    detail: str = ""


@dataclass(slots=True)
class RouteTally:
    """One route's outcome over a sync of one site: what the report prints per route."""

    route: str
    status: RouteStatus = RouteStatus.SKIPPED
    posts: int = 0
    pages: int = 0
    detail: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "route": self.route,
            "status": self.status.value,
            "posts": self.posts,
            "pages": self.pages,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class SiteTask:
    """One of our sites to take the inventory of (from the config's ``organisation.sites``)."""

    site_url: str
    platform: str = "wordpress"
    feed_url: str = ""


@dataclass(frozen=True, slots=True)
class RouteRead:
    """Item: one route of one site is done (drives the progress bar; stores nothing)."""

    site_url: str
    tally: RouteTally


@dataclass(frozen=True, slots=True)
class SiteInventory:
    """Item: every post of one site, once, and what each route gave."""

    task: SiteTask
    posts: tuple[FoundPost, ...]
    tallies: tuple[RouteTally, ...]
    notes: tuple[str, ...] = ()
