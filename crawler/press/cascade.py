"""trafilatura's extraction cascade, with its full path continuing from its fast path.

``crawler.extract`` runs trafilatura's fast path on every page and its full path (its
readability and jusText comparisons, ``fast=False``) on the pages where the fast one kept too
little (one in eight of the readability pages). Through ``bare_extraction`` the full path
starts again from the raw page: it copies and prunes the tree, cleans and converts it, and
runs the main extractor again. In trafilatura 2.3 the main extractor gives the same result in
both paths unless the page has a block whose class or id names a teaser (its last-resort
recovery keeps those in the fast path only), so on such pages (:func:`teaser_free`) the full
path here takes the fast path's prepared trees and main-extractor result and runs only what
comes after: ``compare_extraction``, the baseline rescue and the recall escalation.

These are trafilatura's private steps (``core.trafilatura_sequence`` and the tail of
``bare_extraction``, for the options mediamon uses: comments off, balanced focus, no
language, metadata, deduplication or tree-size limit), so ``pyproject.toml`` pins trafilatura
to 2.3.x and ``tests/press/test_cascade.py`` compares both paths with ``bare_extraction``'s
on real and built pages: a trafilatura that moves or changes them fails there, loudly.
"""

from __future__ import annotations

import logging
from copy import copy
from dataclasses import dataclass
from typing import Any

from lxml.etree import XPath
from trafilatura import core
from trafilatura.baseline import baseline, html2txt
from trafilatura.external import compare_extraction, justext_rescue
from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
from trafilatura.main_extractor import extract_content
from trafilatura.settings import Extractor
from trafilatura.xml import xmltotxt
from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

logger = logging.getLogger(__name__)

#: Any class or id naming a teaser (trafilatura's TEASER_DISCARD_XPATH tests these, on a few
#: tags, after conversions that keep attributes): without one the paths' main extractors agree.
_TEASER = XPath(
    "boolean(//@id[contains(translate(., 'T', 't'), 'teaser')]"
    " | //@class[contains(translate(., 'T', 't'), 'teaser')])"
)


@dataclass(frozen=True, slots=True)
class Extraction:
    """What ``bare_extraction`` returns that mediamon reads: the main text's tree and text."""

    body: Any
    text: str


@dataclass(frozen=True, slots=True)
class FastRun:
    """The fast path's result, and what the full path can continue from."""

    result: Extraction | None
    tree: Any
    """The page after trafilatura's raw-tree prunes (left as it was by the fast path)."""
    main: Any
    """A copy of the main extractor's result tree, and its text below."""
    main_text: str


def options(*, fast: bool, links: bool, url: str | None) -> Extractor:
    """The Extractor ``bare_extraction`` builds for mediamon's arguments (``_FAST``/``_FULL``
    in ``crawler.extract``)."""
    return Extractor(
        output_format="python", fast=fast, comments=False, tables=True, links=links, url=url
    )


def teaser_free(root: Any, markup: str | None = None) -> bool:
    """Whether the page has no teaser block, so the full path may continue the fast one.
    ``markup``, the text ``root`` was parsed from, answers at memchr speed for the pages
    that never say "teaser" (nor "Teaser"): the tree is searched only on the others."""
    if markup is not None and "easer" not in markup:
        return True
    return not _TEASER(root)


def _finish(body: Any, text: str, opts: Extractor) -> Extraction | None:
    """``bare_extraction`` after the cascade: too short is nothing; the text as it renders."""
    if len(text) < opts.min_output_size:  # no comments: their size test always passes
        return None
    return Extraction(body, xmltotxt(body, opts.formatting))


def _recall_retry(tree: Any, opts: Extractor, url: str | None) -> tuple[Any, str]:
    recall = copy(opts)
    recall.focus = "recall"
    try:
        body, text = core._recall_retry(tree, recall, url)
    except Exception:  # as trafilatura: a failed retry is no retry
        logger.debug("trafilatura's recall retry failed on %s", url, exc_info=True)
        return None, ""
    return body, text


def _justext(tree: Any, opts: Extractor, url: str | None) -> tuple[Any, str]:
    if opts.fast:
        return None, ""
    try:
        body, text = justext_rescue(copy(tree), opts)
    except Exception:  # as trafilatura: a failed candidate is no candidate
        logger.debug("trafilatura's jusText candidate failed on %s", url, exc_info=True)
        return None, ""
    return body, text


def _after_main(body: Any, text: str, tree: Any, opts: Extractor, url: str | None) -> Any:
    """``trafilatura_sequence`` stages 3 and 4 (baseline rescue, recall escalation), for
    comments off and the balanced focus: the tree is only read (copied where changed)."""
    if len(text) < opts.min_extracted_size:
        rescue_body, rescue_text, rescue_length = baseline(tree)
        if rescue_length > len(text):
            body, text = rescue_body, rescue_text
    if 0 < len(text) < core.ESCALATION_MAX_LENGTH and len(text) < core.ESCALATION_PAGE_SHARE * len(
        html2txt(tree)
    ):
        retry_body, retry_text = _recall_retry(tree, opts, url)
        justext_body, justext_text = _justext(tree, opts, url)
        length, retry_length, justext_length = len(text), len(retry_text), len(justext_text)
        if (
            justext_length > retry_length
            and justext_length > core.ESCALATION_JUSTEXT_RATIO * length
        ):
            body, text = justext_body, justext_text
        elif (
            retry_length >= opts.min_extracted_size
            and retry_length > core.ESCALATION_ACCEPT_RATIO * length
        ):
            body, text = retry_body, retry_text
    return body, text


def fast_path(root: Any, url: str | None, *, links: bool, consume: bool = False) -> FastRun:
    """``bare_extraction(root, fast=True, ...)``, keeping what the full path can reuse.
    With ``consume`` the raw-tree prunes work on ``root`` itself, not on a copy of it (the
    caller no longer needs the page as it was). Raises what trafilatura raises (the caller
    treats any error as no text)."""
    opts = options(fast=True, links=links, url=url)
    tree = root if consume else copy(root)
    is_forum = core._forum_thread_page(tree)
    tree = prune_unwanted_nodes(tree, RAW_TREE_PRUNE_XPATH)
    if not is_forum:
        tree = prune_unwanted_nodes(tree, REMOVE_COMMENTS_AND_LISTS_XPATH)
    # core._prepare_tree, without its copy of the cleaned tree: only the full path reads that
    # copy (one page in eight), and it cleans the fast path's tree again (``_cleaned``)
    cleaned = convert_tags(_cleaned(tree, opts), opts, url)
    main, main_text = extract_content(cleaned, opts)
    kept = copy(main)  # the caller may change the result's tree (it strips the links)
    body, text = _after_main(main, main_text, tree, opts, url)
    return FastRun(_finish(body, text, opts), tree, kept, main_text)


def _cleaned(tree: Any, opts: Extractor) -> Any:
    """A cleaned copy of ``tree`` (``tree_cleaning`` reads no option the two paths differ in:
    the full path's cleaning of the fast path's tree is the fast path's own)."""
    return tree_cleaning(copy(tree), opts)


def full_path(run: FastRun, url: str | None, *, links: bool) -> Extraction | None:
    """``bare_extraction(root, fast=False, ...)`` from the fast path's trees, on a page that
    is :func:`teaser_free` (on another, call ``bare_extraction`` itself)."""
    opts = options(fast=False, links=links, url=url)
    backup = _cleaned(run.tree, opts)
    body, text = compare_extraction(backup, copy(run.tree), copy(run.main), run.main_text, opts)
    body, text = _after_main(body, text, run.tree, opts, url)
    return _finish(body, text, opts)
