"""The newsroom in a real browser (#20): Playwright driving Debian's Chromium (never a
downloaded one) against the app on a real port.

One editor's morning: log in, search, filter, triage a find, open a post, block a spammer,
and the next digest leaves the triaged finds out. Every page passes axe-core (vendored from
npm, tests only) for labels, headings, contrast and the rest of WCAG 2 A/AA, and the strict
CSP holds: no violation is reported while the pages are used. With UPDATE_GOLDEN=1 the
screenshots in docs/ are refreshed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from crawler.domain import MentionKind, Post
from crawler.storage.db import session_scope
from crawler.storage.models import MentionRow
from crawler.storage.posts import upsert_posts
from crawler.storage.receipts import blocked
from reports.gather import load_digest_input
from tests.web.browser import CHROMIUM
from tests.web.browser import axe_check as _axe
from tests.web.conftest import PASSWORD, Newsroom
from tests.web.factories import NOW, find, store

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

DOCS = Path(__file__).parents[2] / "docs"
POST = "https://orbis.example/2026/11/river-prize/"


@pytest.fixture
def page(newsroom: Newsroom) -> Iterator[Any]:
    assert Path(CHROMIUM).exists(), "chromium is not installed (make browser)"
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        tab = context.new_page()
        tab.csp_errors = []  # type: ignore[attr-defined]
        tab.on(
            "console",
            lambda m: "Content Security Policy" in m.text and tab.csp_errors.append(m.text),
        )
        tab.set_default_timeout(30_000)
        yield tab
        browser.close()


def _seed(room: Newsroom) -> None:
    with session_scope(room.engine) as s:
        upsert_posts(s, [Post("Orbis", POST, POST, "We won the river prize")], NOW)
    store(
        room.engine,
        [
            find(1, title="Orbis wins the river prize", text="The river prize went to Orbis."),
            find(2, title="Harbour bridge opens", text="Orbis Union comments on the bridge."),
            find(3, title="Cheap pills", site="spam.example", text="Orbis pills cheap cheap."),
            find(4, title="Nice post!", kind=MentionKind.PINGBACK, target=POST,
                 site="blog.example", text="Linking to the river prize post."),
        ],
    )  # fmt: skip


def _shot(tab: Any, name: str) -> None:
    if os.environ.get("UPDATE_GOLDEN") == "1":
        tab.screenshot(path=str(DOCS / name), full_page=False)


def _mention_id(engine: Engine, title_part: str) -> int:
    from crawler.storage.models import DocumentRow

    with session_scope(engine) as s:
        return int(
            s.scalar(
                select(MentionRow.id)
                .join(DocumentRow, DocumentRow.id == MentionRow.document_id)
                .where(DocumentRow.title.contains(title_part))
            )
            or 0
        )


def test_an_editors_morning(newsroom: Newsroom, page: Any) -> None:
    _seed(newsroom)
    base = f"http://127.0.0.1:{newsroom.port}"
    page.goto(base + "/")
    assert page.url.startswith(base + "/login")
    _axe(page)
    page.get_by_label("User name").fill("ed")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    assert page.locator("ol.finds > li").count() == 4
    _axe(page)
    _shot(page, "web-inbox.png")

    page.get_by_label("Search titles and texts").fill('"river prize"')
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**q=*")
    titles = page.locator("ol.finds h2").all_inner_texts()
    assert sorted(t.strip() for t in titles) == ["Nice post!", "Orbis wins the river prize"]
    assert page.locator("mark").first.inner_text().lower() in ("river", "river prize")

    page.goto(base + "/")
    page.get_by_role("checkbox", name="pingback").check()
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**kind=pingback*")
    assert page.locator("ol.finds > li").count() == 1

    page.goto(base + "/")
    harbour = _mention_id(newsroom.engine, "Harbour")
    page.locator(f"button[value='irrelevant:{harbour}']").click()
    page.wait_for_load_state()
    assert "Marked 1 find(s) irrelevant" in page.inner_text("main")
    _axe(page)

    page.get_by_role("link", name="Posts").click()
    page.get_by_role("link", name="We won the river prize").click()
    assert page.get_by_role("heading", name="pingback (1)").is_visible()
    _axe(page)
    _shot(page, "web-post.png")

    page.goto(base + "/")
    spam = _mention_id(newsroom.engine, "Cheap pills")
    page.locator(f"button[value='block:{spam}']").click()
    page.wait_for_load_state()
    assert "blocked spam.example" in page.inner_text("main")
    with session_scope(newsroom.engine) as s:
        assert "spam.example" in blocked(s)[0]
        day_input = load_digest_input(s, "Orbis", "UTC", NOW.date(), NOW + timedelta(days=1))
    shown = {m.title for m in day_input.mentions}
    assert shown == {"Orbis wins the river prize", "Nice post!"}

    page.get_by_role("link", name="Sources").click()
    _axe(page)
    _shot(page, "web-sources.png")
    for path in ("/runs", "/digests", "/stories"):
        page.goto(base + path)
        _axe(page)
    assert page.csp_errors == []


def test_the_accessibility_check_can_fail(page: Any) -> None:
    page.set_content(
        "<html lang='en'><head><title>x</title></head><body><main><h1>x</h1>"
        "<input name='q'><p style='color:#eee;background:#fff'>faint</p></main></body></html>"
    )
    with pytest.raises(AssertionError, match="label") as failed:
        _axe(page)
    assert "color-contrast" in str(failed.value)


def test_keyboard_shortcuts_when_javascript_is_on(newsroom: Newsroom, page: Any) -> None:
    store(newsroom.engine, [find(1, title="First find"), find(2, title="Second find")])
    base = f"http://127.0.0.1:{newsroom.port}"
    page.goto(base + "/login")
    page.get_by_label("User name").fill("ed")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/")
    assert page.locator("#keys").is_visible()  # the shortcuts are shown
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.locator("ol.finds > li").nth(0).locator("input[type=checkbox]").is_checked()
    page.keyboard.press("j")
    with page.expect_navigation():
        page.keyboard.press("i")
    assert "Marked 1 find(s) irrelevant" in page.inner_text("main")
    with session_scope(newsroom.engine) as s:
        states = dict(s.execute(select(MentionRow.id, MentionRow.triage)).all())
    assert sorted(states.values(), key=str) == [None, "irrelevant"]
    assert page.csp_errors == []
