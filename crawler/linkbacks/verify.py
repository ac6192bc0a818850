"""Does a source page really link to our post, and what is that page?

Received pingbacks and webmentions, and every harvested linkback, are only worth recording if
the source page links to the target; re-checking later tells deletions apart (410 Gone, a
``<meta http-equiv="Status" content="410 Gone">`` tombstone, or the link removed). Following
Webmention §3.2.3 and its implementation-report checklist, a link counts only as an element
attribute (``<a href>``, ``<img src>``, ``<video src>``, ``<audio src>``, ``<source src>``),
never as plain text or inside an HTML comment; JSON sources count a value equal to the target,
plain text a substring.

The same pass records what the digest shows about the source: title, author and date from
the page's h-entry (mf2py, which also reads WordPress's hAtom), else ``<title>`` and OpenGraph
meta; the language; about 100 characters either side of the link text (WordPress's pingback
excerpt rule); and, on a WordPress.com reblogger's page, the reblogged original and the note.

Whether a failed check deletes a stored mention is the caller's policy: ``problem`` is set
when the page could not be judged (a 5xx, a timeout page, an unsupported type), so a
transient error never looks like a removed link.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import mf2py

from crawler.linkbacks.headers import Headers, first_header, media_type
from crawler.linkbacks.markup import (
    Element,
    attr,
    decode_html,
    normalise_space,
    parse_datetime,
    parse_html,
    text_of,
    xpath,
)
from crawler.linkbacks.reblogs import parse_reblog_snapshot
from crawler.linkbacks.urls import defrag, join, split

__all__ = ["Verification", "strip_fragment", "verify_source"]

CONTEXT_CHARS = 100
LINK_TEXT_CHARS = 100
_LINK_ATTRS = {"a": "href", "img": "src", "video": "src", "audio": "src", "source": "src"}
_BLOCKS = frozenset(
    [
        "p",
        "li",
        "td",
        "th",
        "dd",
        "dt",
        "pre",
        "blockquote",
        "caption",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "div",
        "article",
        "section",
        "main",
        "aside",
        "header",
        "footer",
        "body",
    ]
)
_START, _END = "\ue000", "\ue001"
_MAX_NAME = 300


def strip_fragment(url: str) -> str:
    """The default canonicaliser: the URL without its ``#fragment``."""
    return defrag(url)


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of checking one source page against one target."""

    linked: bool
    deleted: bool
    title: str = ""
    author: str = ""
    author_url: str = ""
    site_name: str = ""
    published: datetime | None = None
    language: str = ""
    context: str = ""
    reblog_of: str | None = None
    reblog_note: str = ""
    problem: str = ""  # why the page could not be judged ("HTTP 503", ...), else ""
    response: str = ""  # "like", "repost", "reply", "bookmark" of the target, else ""


def _canon(canon: Callable[[str], str], url: str) -> str | None:
    try:
        return canon(url)
    except Exception:  # a caller's canonicaliser refusing a weird URL is "no match"
        return None


# ----------------------------------------------------------------------------- links


def _base(doc: Element, url: str) -> str:
    for base in xpath(doc, "//base[@href]"):
        return join(url, (attr(base, "href") or "").strip())
    return url


def _find_link(doc: Element, base: str, target: str, canon: Callable[[str], str]) -> Element | None:
    """The first ``<a>`` linking to the target, else the first media element that does."""
    media: Element | None = None
    for el in doc.iter(*_LINK_ATTRS):
        value = attr(el, _LINK_ATTRS[el.tag])
        if value is None or not value.strip():
            continue
        if _canon(canon, join(base, value.strip())) != target:
            continue
        if el.tag == "a":
            return el
        if media is None:
            media = el
    return media


def _cut_before(text: str, limit: int) -> str:
    """The last ``limit`` characters of ``text``, without a partial first word."""
    if len(text) <= limit:
        return text
    cut = text[-limit:]
    if not text[-limit - 1].isspace():
        cut = cut.split(" ", 1)[1] if " " in cut else ""
    return cut


def _cut_after(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, without a partial last word."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if not text[limit].isspace():
        cut = cut.rsplit(" ", 1)[0] if " " in cut else ""
    return cut


def _context(link: Element) -> str:
    """Up to 100 characters before and after the link text, cut at whitespace."""
    block = next((a for a in link.iterancestors() if a.tag in _BLOCKS), link.getparent())
    if block is None:
        return ""
    previous = link.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + _START
    else:
        parent = link.getparent()
        parent.text = (parent.text or "") + _START
    link.tail = _END + (link.tail or "")
    before, _, rest = text_of(block).partition(_START)
    link_text, _, after = rest.partition(_END)
    link_text = link_text.strip()
    if link.tag != "a":  # media: no text of its own, its alt text stands in
        link_text = f" {normalise_space(attr(link, 'alt') or '')} "
    elif len(link_text) > LINK_TEXT_CHARS:
        link_text = link_text[:LINK_TEXT_CHARS].rstrip() + "…"
    text = _cut_before(before, CONTEXT_CHARS) + link_text + _cut_after(after, CONTEXT_CHARS)
    return normalise_space(text.replace(_START, "").replace(_END, ""))


# ----------------------------------------------------------------------------- metadata


def _first_str(props: Mapping[str, Any], name: str) -> str:
    values = props.get(name)
    if isinstance(values, list) and values:
        value = values[0]
        if isinstance(value, str):
            return normalise_space(value)
        if isinstance(value, Mapping) and isinstance(value.get("value"), str):
            return normalise_space(value["value"])
    return ""


def _entries(items: Any) -> Iterator[Mapping[str, Any]]:
    if not isinstance(items, list):
        return
    for item in items:
        if not isinstance(item, Mapping):
            continue
        types = item.get("type") or []
        if "h-entry" in types:
            yield item
        elif "h-feed" in types:
            yield from _entries(item.get("children"))


@dataclass(frozen=True, slots=True)
class _Entry:
    title: str = ""
    author: str = ""
    author_url: str = ""
    published: datetime | None = None
    responses: tuple[tuple[str, str], ...] = ()  # (response, URL it responds to)


#: Social responses a webmention can carry (brid.gy sends them for likes, reposts and
#: replies on social networks): h-entry property -> what the mention is.
RESPONSES = {
    "like-of": "like",
    "repost-of": "repost",
    "in-reply-to": "reply",
    "bookmark-of": "bookmark",
}
#: How a response is recorded (the mention's note) and shown.
RESPONSE_NOTES = {
    "like": "Liked this post",
    "repost": "Reposted this post",
    "reply": "Replied to this post",
    "bookmark": "Bookmarked this post",
}


def _response_urls(values: Any) -> Iterator[str]:
    """The URLs of a ``like-of`` (etc.) property: plain URLs or embedded h-cites."""
    if not isinstance(values, list):
        return
    for value in values:
        if isinstance(value, str):
            yield value.strip()
        elif isinstance(value, Mapping):
            props = value.get("properties")
            if isinstance(props, Mapping):
                yield from (u for u in props.get("url") or () if isinstance(u, str))
            if isinstance(value.get("value"), str):
                yield value["value"].strip()


def _h_entry(text: str, url: str) -> _Entry:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = mf2py.parse(doc=text, url=url, html_parser="lxml")
    except Exception:  # mf2py on hostile markup: fall back to plain meta
        return _Entry()
    entry = next(_entries(parsed.get("items") if isinstance(parsed, Mapping) else None), None)
    if entry is None:
        return _Entry()
    props = entry.get("properties")
    if not isinstance(props, Mapping):
        return _Entry()
    name = _first_str(props, "name")
    content = _first_str(props, "content")
    if len(name) > _MAX_NAME or (content and name == content):
        name = ""  # an implied name that is really the whole post text
    author, author_url = "", ""
    authors = props.get("author")
    if isinstance(authors, list) and authors:
        first_author = authors[0]
        if isinstance(first_author, str):
            author = normalise_space(first_author)
        elif isinstance(first_author, Mapping):
            card = first_author.get("properties")
            if isinstance(card, Mapping):
                author = _first_str(card, "name")
                author_url = _first_str(card, "url")
            author = author or normalise_space(str(first_author.get("value") or ""))
    responses = tuple(
        (response, url)
        for prop, response in RESPONSES.items()
        for url in _response_urls(props.get(prop))
        if url
    )
    return _Entry(
        title=name,
        author=author,
        author_url=author_url,
        published=parse_datetime(_first_str(props, "published")),
        responses=responses,
    )


def _meta(doc: Element, key: str) -> str:
    lowered = "translate(@{0}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    for attr_name in ("property", "name", "itemprop"):
        expr = f"//meta[{lowered.format(attr_name)}='{key}'][@content]"
        for el in xpath(doc, expr):
            value = normalise_space(attr(el, "content") or "")
            if value:
                return value
    return ""


def _is_tombstone(doc: Element) -> bool:
    for el in xpath(doc, "//meta[@http-equiv][@content]"):
        is_status = (attr(el, "http-equiv") or "").strip().lower() == "status"
        if is_status and (attr(el, "content") or "").strip().startswith("410"):
            return True
    return False


def _language(doc: Element, headers: Headers | None) -> str:
    lang = (attr(doc, "lang") or attr(doc, "xml:lang") or "").strip()
    if not lang:
        lang = (first_header(headers, "content-language") or "").split(",")[0].strip()
    if not lang:
        lang = _meta(doc, "og:locale").replace("_", "-")
    return lang


def _site_name(doc: Element, url: str) -> str:
    name = _meta(doc, "og:site_name") or _meta(doc, "application-name")
    if name:
        return name
    parts = split(url)
    host = ((parts.hostname if parts is not None else "") or "").lower()
    return host.removeprefix("www.")


# ----------------------------------------------------------------------------- entry point


def _json_values(data: Any) -> Iterator[str]:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _verify_other(
    mtype: str, body: bytes | str, target: str, wanted: str, canon: Callable[[str], str]
) -> Verification:
    text = decode_html(body) if isinstance(body, bytes) else body
    if mtype == "application/json" or mtype.endswith("+json"):
        try:
            data = json.loads(text)
        except ValueError:
            return Verification(linked=False, deleted=False, problem="invalid JSON")
        linked = any(_canon(canon, v) == wanted for v in _json_values(data) if v.strip())
        return Verification(linked=linked, deleted=False)
    if mtype.startswith("text/"):
        return Verification(linked=target in text or wanted in text, deleted=False)
    return Verification(linked=False, deleted=False, problem=f"unsupported type {mtype}")


def verify_source(
    source_url: str,
    status: int,
    headers: Headers | None,
    body: bytes | str,
    target: str,
    *,
    canon: Callable[[str], str] = strip_fragment,
) -> Verification:
    """Check that the source (final URL ``source_url``) links to ``target``; describe it.

    ``canon`` canonicalises both sides before comparison (pass the project's URL
    canonicaliser; the default only drops the fragment). A 410, or a 200 with a "410 Gone"
    meta tombstone, gives ``deleted=True``. Any other non-2xx gives ``problem`` and neither
    ``linked`` nor ``deleted``: the caller keeps what it has and tries again later.
    """
    if status == 410:
        return Verification(linked=False, deleted=True)
    if not 200 <= status < 300:
        return Verification(linked=False, deleted=False, problem=f"HTTP {status}")
    wanted = _canon(canon, target)
    if wanted is None:
        return Verification(linked=False, deleted=False, problem="target not canonicalisable")
    mtype = media_type(headers)
    if mtype not in ("", "text/html", "application/xhtml+xml"):
        return _verify_other(mtype, body, target.strip(), wanted, canon)
    text = decode_html(body, first_header(headers, "content-type"))
    doc = parse_html(text)
    if _is_tombstone(doc):
        return Verification(linked=False, deleted=True)
    entry = _h_entry(text, source_url)
    reblog = parse_reblog_snapshot(doc, source_url)
    title_el = next(iter(xpath(doc, "//title")), None)
    described = Verification(
        linked=False,
        deleted=False,
        title=entry.title or _meta(doc, "og:title") or text_of(title_el),
        author=entry.author or _meta(doc, "author") or _author_meta(doc),
        author_url=entry.author_url,
        site_name=_site_name(doc, source_url),
        published=entry.published
        or parse_datetime(_meta(doc, "article:published_time"))
        or parse_datetime(_meta(doc, "datepublished")),
        language=_language(doc, headers),
        reblog_of=(reblog.original_url or None) if reblog is not None else None,
        reblog_note=reblog.note if reblog is not None else "",
        response=next((r for r, url in entry.responses if _canon(canon, url) == wanted), ""),
    )
    link = _find_link(doc, _base(doc, source_url), wanted, canon)
    if link is None:
        return described
    # Last: building the context marks the link's position in the tree.
    return dataclasses.replace(described, linked=True, context=_context(link))


def _author_meta(doc: Element) -> str:
    value = _meta(doc, "article:author")
    return "" if value.lower().startswith(("http://", "https://")) else value
