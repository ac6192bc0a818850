"""Render the view model with Jinja2: an HTML version (CSS inlined for mail clients) and a
plain-text version.

The Environment is built by a function, never at import time, with autoescaping on for the
HTML templates and ``StrictUndefined`` everywhere (a misspelt field fails the render and the
test, instead of silently printing nothing). Plain-text templates are not HTML-escaped: their
output is never interpreted as HTML, and ``&lt;`` in a text mail would only confuse readers.
"""

from __future__ import annotations

import functools
import textwrap

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from reports.highlight import mark_html, mark_text
from reports.model import DigestView

HTML_TEMPLATE = "digest.html.j2"
TEXT_TEMPLATE = "digest.txt.j2"
TEXT_WIDTH = 76


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "", first: str | None = None) -> str:
    """Word-wrap for the text version; long URLs stay whole so they remain clickable."""
    return textwrap.fill(
        text,
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def plural(n: int, singular: str, many: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (many or singular + 's')}"


def make_environment() -> Environment:
    """A fresh Environment over ``reports/templates``."""
    env = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html.j2",),
            disabled_extensions=("txt.j2",),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["mark_html"] = mark_html
    env.filters["mark_text"] = mark_text
    env.filters["wrap"] = wrap
    env.globals["plural"] = plural
    return env


@functools.cache
def environment() -> Environment:
    """The shared Environment, built on first use (template parsing is the slow part)."""
    return make_environment()


@functools.cache
def _inliner() -> css_inline.CSSInliner:
    # Remote stylesheets are never fetched; @media rules stay in a <style> for phones.
    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_at_rules=True, minify_css=True)


def inline_css(html: str) -> str:
    """Move the ``<style>`` rules into ``style`` attributes: many mail clients (Gmail's apps,
    Outlook) drop or ignore style sheets."""
    return str(_inliner().inline(html))


def render_html(view: DigestView, env: Environment | None = None) -> str:
    """The HTML digest with its CSS inlined into ``style`` attributes."""
    return inline_css((env or environment()).get_template(HTML_TEMPLATE).render(view=view))


def render_text(view: DigestView, env: Environment | None = None) -> str:
    text = (env or environment()).get_template(TEXT_TEMPLATE).render(view=view)
    return text.rstrip() + "\n"
