"""The match stage: pages in, mentions out (pure; ``persist`` writes them).

For each page that is not one of the organisation's own:

* every query is run over the title and the main text (one pass of the compiled matcher);
  if any matches, the page is a ``press`` or ``blog`` mention (the source's kind; ad-hoc
  crawls choose) with the queries, their terms, and a snippet cut around the first hit in the
  text. ``Mention.hits`` are the highlighted hits as offsets *into the snippet* (the digest
  bolds them there);
* its main-text links to our posts are looked up. The first post linked becomes the mention's
  ``target``; a page that matched no query but links to a post is a ``link`` mention of that
  post. A press or blog mention that links does **not** also get a ``link`` mention of the
  same post: it is one article, and the digest counts kinds, so it would be counted twice.
  Further posts linked by the same page are ``link`` mentions of those posts (the natural key
  allows one mention per page, kind and post), so each post lists who linked to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crawler.domain import Hit, Mention, MentionKind
from crawler.matching import Matcher, MatchInput, QueryMatch, compile_queries, make_snippet
from crawler.press.links import PostLinks
from crawler.press.model import Page, SourceInfo

COVERAGE_KINDS = (MentionKind.PRESS, MentionKind.BLOG)
SNIPPET_CHARS = 300


@dataclass(frozen=True, slots=True)
class Evidence:
    """What matching one page found: queries, terms and the snippet with its highlights."""

    queries: tuple[str, ...]
    terms: tuple[str, ...]
    snippet: str
    hits: tuple[Hit, ...]


def evidence(text: str, matches: Sequence[QueryMatch]) -> Evidence:
    """Queries, terms (in order of first appearance) and a snippet around the first text
    hit, with every hit inside the snippet re-based onto it."""
    terms: dict[str, None] = {}
    hits: list[Hit] = []
    for match in matches:
        terms.update(dict.fromkeys(match.terms))
        hits.extend(match.text_hits)
    snippet = make_snippet(text, hits, SNIPPET_CHARS)
    rebased = tuple(Hit(snippet.text[a:b], a, b) for a, b in snippet.highlights)
    return Evidence(tuple(m.name for m in matches), tuple(terms), snippet.text, rebased)


class PressStage:
    """The compiled queries and our posts, ready to turn pages into mentions."""

    def __init__(
        self,
        org: str,
        queries: dict[str, str],
        posts: PostLinks,
        *,
        kind: MentionKind | None = None,
    ) -> None:
        self.org = org
        self.matcher: Matcher | None = compile_queries(queries) if queries else None
        self.posts = posts
        self.kind = kind
        """Forces the kind of coverage (ad-hoc crawls); else the source's kind is used."""

    def with_posts(self, posts: PostLinks) -> None:
        """Swap in a fresh post index (new posts of ours were stored during the run)."""
        self.posts = posts

    def page_urls(self, page: Page) -> tuple[str, ...]:
        doc = page.document
        return tuple(dict.fromkeys((*page.fetched_as, doc.url, doc.canonical_url)))

    def evaluate(self, pages: Iterable[Page], source: SourceInfo) -> list[Mention]:
        """The mentions these pages amount to (see the module docstring)."""
        out: list[Mention] = []
        for page in pages:
            out += self.page_mentions(page, source)
        return out

    def page_mentions(self, page: Page, source: SourceInfo) -> list[Mention]:
        doc = page.document
        urls = self.page_urls(page)
        if self.posts.is_ours(urls):
            return []
        targets = self.posts.targets(page.links, urls)
        found: Evidence | None = None
        if self.matcher is not None and (doc.title or doc.text):
            matches = self.matcher.match(MatchInput(doc.title, doc.text, doc.url, doc.language))
            if matches:
                found = evidence(doc.text, matches)
        mentions: list[Mention] = []
        links = list(targets.items())
        if found is not None:
            kind = self.kind or source.kind
            if kind not in COVERAGE_KINDS:
                kind = MentionKind.PRESS
            mentions.append(
                Mention(
                    org=self.org,
                    document=doc,
                    kind=kind,
                    found_via=source.found_via,
                    target=links[0][0] if links else "",
                    queries=found.queries,
                    terms=found.terms,
                    snippet=found.snippet,
                    hits=found.hits,
                    source_name=source.source_name,
                )
            )
            links = links[1:]
        for target, anchor in links:
            context = link_context(doc.text, anchor)
            mentions.append(
                Mention(
                    org=self.org,
                    document=doc,
                    kind=MentionKind.LINK,
                    found_via=source.found_via,
                    target=target,
                    snippet=context.snippet,
                    hits=context.hits,
                    context=context.snippet,
                    source_name=source.source_name,
                )
            )
        return mentions


def link_context(text: str, anchor: str) -> Evidence:
    """The sentence around a link's anchor text (the lead of the text when the anchor is
    not found), with the anchor highlighted: what the digest shows under "Links"."""
    at = text.find(anchor) if anchor else -1
    hits = [Hit(anchor, at, at + len(anchor))] if at >= 0 else []
    snippet = make_snippet(text, hits, SNIPPET_CHARS) if text else None
    if snippet is None:
        return Evidence((), (), "", ())
    rebased = tuple(Hit(snippet.text[a:b], a, b) for a, b in snippet.highlights)
    return Evidence((), (), snippet.text, rebased)
