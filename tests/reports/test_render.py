"""Rendering: HTML (inlined, escaped, email-safe) and text, with hostile and odd input."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from jinja2 import UndefinedError

from crawler.domain import MentionKind
from crawler.storage.reporting import ReceiptRecord, RunRecord, SourceStatus
from reports.model import DigestView
from reports.render import make_environment, render_html, render_text
from reports.view import build_digest
from tests.reports.factories import digest_input, mention_view

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "div", "table", "tr", "td", "th", "h1",
    "h2", "h3", "h4", "p", "a", "span", "strong", "em", "mark", "ul", "li", "br", "code", "tbody",
}  # fmt: skip
XSS = '<script>alert("x")</script><img src=x onerror="alert(1)"><b>broken <i>html</p'


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(html)
    return collector


def hostile_view() -> DigestView:
    """Every field that comes from the web carries markup, script and event handlers."""
    kw = {
        "title": f"Title {XSS}",
        "site": f"site{XSS}",
        "author": f"Author {XSS}",
        "snippet": f"Orbis Union {XSS} end",
        "hits": ((0, 11),),
        "context": f"Context {XSS}",
        "note": f"Note {XSS}",
        "target_title": f"Post {XSS}",
        "source_name": f"Source {XSS}",
        "queries": (f"q{XSS}",),
    }
    items = [mention_view(kind, **kw) for kind in MentionKind]
    items.append(mention_view(url="javascript:alert(1)", title="js link"))
    sources = [
        SourceStatus(
            name=f"Src {XSS}",
            url="https://s.example/",
            kind="press",
            type="feed",
            health="failing",
            checked_at=None,
            last_status=500,
            last_error=XSS,
            disabled_reason="",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            last_new_at=None,
        )
    ]
    runs = [RunRecord(f"job{XSS}", datetime(2026, 11, 2, 12, tzinfo=UTC), 1, XSS)]
    receipts = [
        ReceiptRecord("webmention", f"https://x.example/{XSS}", XSS, XSS, datetime.now(UTC))
    ]
    return build_digest(digest_input(items, sources=sources, runs=runs, receipts=receipts))


def test_web_text_is_escaped_never_executed() -> None:
    html = render_html(hostile_view())
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "javascript:" not in lowered
    assert "&lt;script&gt;" in html  # the text survives, escaped
    doc = parse(html)
    for tag, attrs in doc.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name == "href":
                assert value is not None
                assert value.startswith("https://"), value
    text = "".join(doc.text)
    assert 'Title <script>alert("x")</script>' in text  # what a reader sees: the raw text
    assert "js link" in text


def test_text_version_is_plain_text() -> None:
    text = render_text(hostile_view())
    assert "&lt;" not in text  # no HTML escaping in a text/plain part
    assert '<script>alert("x")</script>' in text


def test_highlight_marks_survive_escaping() -> None:
    html = render_html(hostile_view())
    assert ">Orbis Union</mark>" in html


def test_very_long_titles_are_clipped_and_wrapped() -> None:
    long_words = "Orbis " * 2000
    unbroken = "x" * 5000
    view = build_digest(
        digest_input(
            [
                mention_view(title=long_words, snippet=long_words, hits=((0, 5),)),
                mention_view(MentionKind.PINGBACK, title=unbroken, context=unbroken),
            ]
        )
    )
    titles = [view.press[0].title, view.linkbacks[0].groups[0].items[0].title]
    assert all(len(t) <= 200 and t.endswith("…") for t in titles)
    assert len(view.linkbacks[0].groups[0].items[0].context) <= 300
    assert sum(len(s.text) for s in view.press[0].snippet) <= 402
    html = render_html(view)
    assert "overflow-wrap:anywhere" in html  # long unbroken strings wrap in the cells
    text = render_text(view)
    long_lines = [line for line in text.splitlines() if len(line) > 80 and "x" * 100 not in line]
    assert long_lines == []


def test_missing_dates_say_so() -> None:
    view = build_digest(
        digest_input(
            [
                mention_view(published_at=None),
                mention_view(MentionKind.TRACKBACK, published_at=None, title="", site=""),
            ]
        )
    )
    assert view.press[0].date == ""
    assert view.late == ()
    html, text = render_html(view), render_text(view)
    assert html.count("date unknown") == 2
    assert text.count("date unknown") == 2


def test_non_latin_and_right_to_left_text() -> None:
    arabic = "اتحاد أوربيس يدعم المعايير المفتوحة"
    hebrew = "איגוד אורביס והתקנים הפתוחים"
    chinese = "奥比斯联盟支持开放标准"
    kw = {"site": "موقع.example", "author": "כותב", "context": hebrew, "note": arabic}
    items = [
        mention_view(title=arabic, snippet=f"{arabic} Orbis Union", hits=(), **kw),
        mention_view(MentionKind.REBLOG, title=hebrew, target_title=chinese, **kw),
        mention_view(MentionKind.COMMENT, title=chinese, by_organisation=True, **kw),
    ]
    view = build_digest(digest_input(items))
    html, text = render_html(view), render_text(view)
    for word in (arabic, hebrew, chinese, "موقع.example", "כותב"):
        assert word in html
        assert word in text
    doc = parse(html)
    auto = [attrs for _, attrs in doc.tags if ("dir", "auto") in attrs]
    assert len(auto) >= 10
    assert ">Orbis Union</mark>" in html


def test_bidi_overrides_and_control_characters_are_removed() -> None:
    view = build_digest(digest_input([mention_view(title="evil\u202egnp.exe\x00\x1b title")]))
    assert view.press[0].title == "evilgnp.exe title"


def test_empty_day_renders_short_digest() -> None:
    view = build_digest(digest_input([]))
    html, text = render_html(view), render_text(view)
    assert "No new coverage; no source was checked on this day, 0 errors" in text
    assert "No new coverage; no source was checked on this day, 0 errors" in html
    assert "Press coverage" not in html
    assert "Linkbacks to our posts" not in html
    assert "Monitoring health" in html
    assert "Last 14 days" in html


def test_templates_are_strict_and_autoescaped() -> None:
    env = make_environment()
    assert env.get_template("digest.html.j2").environment.autoescape
    with pytest.raises(UndefinedError):
        env.from_string("{{ view.no_such_field }}").render(view=build_digest(digest_input([])))
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    source = (env.loader.get_source(env, "_press.html.j2")[0]) if env.loader else ""
    assert "|safe" not in source.replace(" ", "")


def test_html_is_email_ready() -> None:
    html = render_html(build_digest(digest_input([mention_view(), mention_view(MentionKind.LINK)])))
    assert 'style="' in html  # CSS inlined
    assert "<link" not in html
    assert "<script" not in html
    assert "http://" not in html.replace("https://", "")  # no external resources
    assert 'name="viewport"' in html
    assert "max-width:600px" in html


def test_no_environment_is_built_at_import() -> None:
    code = (
        "import reports.send, reports.render as r, scheduler.cmd_digest;"
        "print(r.environment.cache_info().currsize)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "0"
