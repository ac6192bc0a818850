"""What every page renderer needs: the request context (world, day, port) and HTML helpers.

Paragraph text in the world is plain; links are kept apart (``InlineLink``) and woven in here,
so the truth can reason about a paragraph's words while the page shows a real ``<a href>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from sampleweb.world.model import Href, InlineLink, World


@dataclass(frozen=True, slots=True)
class Ctx:
    """Everything a handler may depend on besides the request."""

    world: World
    day: int  # already clamped to 1..MAX_DAY
    port: int

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def href(self, href: Href) -> str:
        return href.url(self.port)


def esc(text: str) -> str:
    return escape(text, quote=True)


def linked(text: str, links: Sequence[InlineLink], ctx: Ctx, rel: str = "") -> str:
    """Escaped ``text`` with each link's first anchor occurrence turned into ``<a href>``."""
    out = esc(text)
    for link in links:
        anchor = esc(link.anchor)
        i = out.find(anchor)
        if i < 0:
            continue
        rel_attr = f' rel="{rel}"' if rel else ""
        tag = f'<a href="{esc(ctx.href(link.href))}"{rel_attr}>{anchor}</a>'
        out = out[:i] + tag + out[i + len(anchor) :]
    return out


def paragraphs_html(
    paragraphs: Sequence[str],
    links: Sequence[InlineLink],
    ctx: Ctx,
    *,
    rel: str = "",
    indent: str = "",
) -> str:
    parts = []
    for i, para in enumerate(paragraphs):
        mine = [link for link in links if link.paragraph == i]
        parts.append(f"{indent}<p>{linked(para, mine, ctx, rel)}</p>")
    return "\n".join(parts)


def wp_date(moment: datetime) -> str:
    """WordPress's default date format: "November 3, 2026"."""
    return f"{moment:%B} {moment.day}, {moment.year}"


def wp_time(moment: datetime) -> str:
    """WordPress's default time format: "9:14 am"."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment:%M} {'am' if moment.hour < 12 else 'pm'}"


def ordinal_date(moment: datetime) -> str:
    """The Kubrick-era format: "October 22nd, 2026"."""
    d = moment.day
    suffix = "th" if 11 <= d % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d % 10, "th")
    return f"{moment:%B} {d}{suffix}, {moment.year}"
