"""Title, byline, date and site name of a page: trafilatura's metadata steps we use, no more.

``trafilatura.bare_extraction(with_metadata=True)`` runs ``extract_metadata``, which also
gathers categories, tags and the licence (XPath passes over the whole tree) and looks the
URL's domain up in the public-suffix list: on the readability pages that metadata cost 10 ms
a page, 40 % of the extraction itself, most of it for fields mediamon never stores. Here the
same steps run in the same order for the fields a document has — meta tags, then JSON-LD
(which overrides them), then the title, author (``crawler.press.byline``) and site-name
fallbacks, and the publication date through htmldate — on the tree the page was parsed into
once. The results are the same as trafilatura's for these fields (bench/bench_quality.py
compares titles, bylines and dates). Pure.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from htmldate import find_date
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
)

from crawler.press.byline import find_byline

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PageMeta:
    title: str = ""
    author: str = ""
    date: str = ""
    site_name: str = ""


def page_metadata(root: Any, url: str, date_params: dict[str, Any]) -> PageMeta:
    """The metadata of the page ``root`` (never raises: a field that fails is empty); ``root``
    is only read."""
    try:
        meta = examine_meta(root)
        if meta.author and " " not in meta.author:
            meta.author = None  # a login name, not a byline (as trafilatura does)
        try:
            meta = extract_meta_json(root, meta)
        except Exception:  # trafilatura's JSON-LD reader has its bugs; meta tags remain
            logger.debug("JSON-LD metadata of %s unreadable", url, exc_info=True)
        title = meta.title or extract_title(root) or ""
        date = find_date(root, **{**date_params, "url": url or None}) or ""
        site = meta.sitename or extract_sitename(root) or ""
        author = meta.author or find_byline(root)
    except Exception:  # malformed markup: no metadata rather than no page
        logger.debug("metadata of %s unreadable", url, exc_info=True)
        return PageMeta()
    site = site.lstrip("@")
    if site and "." not in site and not site[0].isupper():
        site = site.title()
    return PageMeta(str(title), str(author), str(date), str(site))
