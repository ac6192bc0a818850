"""Every page the newsroom serves passes axe-core in Chromium (#20, item 8): labels,
headings, contrast and the rest of WCAG 2 A/AA, on pages with something in them.

The pages checked are tied to the app's routes: a new GET route must be listed here as a
page (and so checked) or as machine-readable, or the first test fails. The error pages
(403, 404) are checked too, since a user meets them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from starlette.routing import Route

from crawler.domain import MentionKind, Post, SourceType
from crawler.storage.db import session_scope
from crawler.storage.digests import ensure_digest
from crawler.storage.models import DocumentRow, PostRow
from crawler.storage.posts import upsert_posts
from crawler.storage.runs import finish_run, start_run
from crawler.storage.sources import SourceSpec, add_sources, get_source_by_url
from crawler.storage.stories import join_story
from reports.gather import load_digest_input
from reports.send import fit_digest
from reports.web.app import build_web_app
from tests.web.browser import CHROMIUM, axe_check
from tests.web.conftest import PASSWORD, Newsroom
from tests.web.factories import NOW, find, store

POST = "https://orbis.example/2026/11/river-prize/"
FEED = "https://news.example/feed/"


@dataclass(frozen=True)
class Page:
    """One page to check: the path (``{post}`` and ``{digest}`` filled in from the seeded
    data), who looks at it (None: not signed in) and the status it answers with.
    ``scripted``: False for the archived digest, served with CSP ``sandbox`` (no script
    runs in it, axe included), so that page's check ignores the CSP."""

    path: str
    user: str | None = "ed"
    status: int = 200
    scripted: bool = True


#: Every GET route that renders HTML, by its route path.
PAGES = {
    "/login": Page("/login", user=None),
    "/": Page("/?q=river"),
    "/posts": Page("/posts"),
    "/posts/{id}": Page("/posts/{post}"),
    "/stories": Page("/stories"),
    "/sources": Page("/sources"),
    "/runs": Page("/runs"),
    "/digests": Page("/digests"),
    "/digests/{id}": Page("/digests/{digest}", scripted=False),
    "/admin": Page("/admin", user="root"),
}
#: Pages that are not routes of their own.
ERROR_PAGES = {
    "403": Page("/admin", user="viv", status=403),
    "404": Page("/posts/999999", status=404),
}
#: GET routes for programs, not people (JSON and Atom): nothing for axe to read.
MACHINE_ROUTES = {
    "/api/v1/mentions",
    "/api/v1/posts",
    "/api/v1/posts/{id}/linkbacks",
    "/api/v1/openapi.json",
    "/feeds/mentions.atom",
}


def test_every_get_route_is_checked_or_machine_readable(sqlite_engine: Engine) -> None:
    app = build_web_app(sqlite_engine)
    get_routes = {
        r.path for r in app.routes if isinstance(r, Route) and "GET" in (r.methods or set())
    }
    assert get_routes == set(PAGES) | MACHINE_ROUTES
    assert not set(PAGES) & MACHINE_ROUTES


def _seed(room: Newsroom, tmp_path: Path) -> dict[str, int]:
    """Something on every page: a post with a pingback, finds (one triaged), a story, a
    failing source, a run with a host scorecard and a real rendered digest."""
    with session_scope(room.engine) as s:
        upsert_posts(s, [Post("Orbis", POST, POST, "We won the river prize")], NOW)
        add_sources(s, "Orbis", [SourceSpec(FEED, "News", "press", SourceType.FEED)], NOW)
        source = get_source_by_url(s, FEED, "Orbis")
        assert source is not None
        source.failures, source.health, source.last_error = 2.0, "failing", "HTTP 503"
    store(
        room.engine,
        [
            find(1, title="Orbis wins the river prize", text="The river prize went to Orbis."),
            find(2, title="River prize shortlist", site="wire.example", text="Orbis river."),
            find(3, title="Nice post!", kind=MentionKind.PINGBACK, target=POST,
                 site="blog.example", text="Linking to the river prize post."),
        ],
    )  # fmt: skip
    with session_scope(room.engine) as s:
        join_story(s, list(s.scalars(select(DocumentRow.id).limit(2))), NOW)
        run = start_run(s, "poll", NOW, org="Orbis")
        stats = {"new": 3, "hosts": {"news.example": {"requests": 4, "304": 2, "errors": 1}}}
        finish_run(s, run, NOW, stats=stats)
        data = load_digest_input(s, "Orbis", "UTC", NOW.date(), NOW + timedelta(days=1))
        digest = tmp_path / "digest.html"
        digest.write_text(fit_digest(data).html, encoding="utf-8")
        record = ensure_digest(s, "Orbis", date(2026, 11, 2), NOW, str(digest))
        post_id = s.scalar(select(PostRow.id))
        assert post_id is not None
        return {"post": post_id, "digest": record.id}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium for the module's pages (each test has its own context and cookies)."""
    playwright = pytest.importorskip("playwright.sync_api")
    assert Path(CHROMIUM).exists(), "chromium is not installed (make browser)"
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.mark.browser
@pytest.mark.parametrize("name", [*PAGES, *ERROR_PAGES])
def test_page_passes_axe(name: str, newsroom: Newsroom, browser: Any, tmp_path: Path) -> None:
    page = PAGES.get(name) or ERROR_PAGES[name]
    ids = _seed(newsroom, tmp_path)
    base = f"http://127.0.0.1:{newsroom.port}"
    context = browser.new_context(
        viewport={"width": 1200, "height": 900}, bypass_csp=not page.scripted
    )
    try:
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        if page.user is not None:
            tab.goto(base + "/login")
            tab.get_by_label("User name").fill(page.user)
            tab.get_by_label("Password").fill(PASSWORD)
            tab.get_by_role("button", name="Sign in").click()
            tab.wait_for_url(base + "/")
        response = tab.goto(base + page.path.format(**ids))
        assert response is not None
        assert response.status == page.status
        axe_check(tab)
    finally:
        context.close()
