"""Matching: the query language, the compiled matcher, snippets and URL canonicalisation.

Pure: text in, hits out. Nothing here touches the network, the database or Scrapy, so the
spiders, the pipelines, the ad-hoc ``crawl --query`` command and the config loader can all use
it (import-linter keeps it that way). Query syntax for users: ``QUERIES.md`` in this package.
"""

from __future__ import annotations

from crawler.matching.checks import query_warnings
from crawler.matching.errors import QuerySyntaxError
from crawler.matching.matcher import Matcher, MatchInput, QueryMatch, compile_queries
from crawler.matching.nodes import And, Lang, Near, Node, Not, Or, Site, Term, format_query
from crawler.matching.normalize import normalize, normalize_term
from crawler.matching.query import parse_query
from crawler.matching.snippet import Snippet, make_snippet
from crawler.matching.urls import PostIndex, canonicalize_url

__all__ = [
    "And",
    "Lang",
    "MatchInput",
    "Matcher",
    "Near",
    "Node",
    "Not",
    "Or",
    "PostIndex",
    "QueryMatch",
    "QuerySyntaxError",
    "Site",
    "Snippet",
    "Term",
    "canonicalize_url",
    "compile_queries",
    "format_query",
    "make_snippet",
    "normalize",
    "normalize_term",
    "parse_query",
    "query_warnings",
]
