"""All queries compiled into one automaton: one pass over a text serves every query.

Monitoring configs grow to thousands of queries (names, brands, campaigns), and a regex per
query — or one giant alternation — costs in proportion to their number. Here the terms of all
queries go into one pyahocorasick automaton over the folded text (a second one holds the
case-sensitive ``{ACRONYM}`` terms over the exact text), the text is scanned once, raw hits
that cut a word are dropped, and only the queries whose terms were hit are evaluated (plus the
few that can match without any term, such as ``-foo`` or ``site:example.com``). The cost per
document is then the scan plus the hits, almost independent of the number of queries.

One refinement keeps common words from costing on every document: each query is filed under
its *trigger*, the rarest set of its terms one of which must occur (``"Anna Kim" AND (data OR
network)`` is filed under "Anna Kim"). Only trigger terms go into the automata; the other
terms of a candidate query are looked up with ``str.find`` when it is evaluated. Which terms
are rare is first guessed, then measured on a sample of the documents matched ("census"), and
the queries are re-filed a few times as the counts firm up. Likewise a case-sensitive
``{ITU}`` is scanned for as ``itu`` in the folded text, and the exact form of a text is built
only when such a hit needs checking — unless the folded form is common (``{WHO}``), in which
case the exact text is scanned for every document. Results never depend on these choices.

Hits are reported separately for the title and the text (``title_hits``, ``text_hits``), as
offsets into the *original* strings of :class:`MatchInput`, so a snippet can be cut from the
text without re-deriving a joined string.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from crawler.domain import Hit
from crawler.matching.checks import is_weak_term, query_warnings
from crawler.matching.context import Context, ZoneText, doc_host, doc_lang
from crawler.matching.errors import QuerySyntaxError
from crawler.matching.nodes import Node, Term
from crawler.matching.normalize import normalize_term
from crawler.matching.plan import Pattern, QueryPlan, plan_query, trigger
from crawler.matching.query import parse_query
from crawler.matching.scanner import KeyScanner


@dataclass(frozen=True, slots=True)
class MatchInput:
    """What the matcher looks at: the main text and title (never navigation or comments),
    the site host (or URL) for ``site:``, and the language code for ``lang:``."""

    title: str
    text: str
    site: str = ""
    lang: str = ""


@dataclass(frozen=True, slots=True)
class QueryMatch:
    """One query that matched a document.

    ``terms`` are the query's positive terms that contributed, as written (``"Orbis Union"``,
    ``{OTU}``, ``title:ITU``); negated terms never appear. ``title_hits`` are offsets into
    ``MatchInput.title`` and ``text_hits`` into ``MatchInput.text``, sorted by position.
    """

    name: str
    terms: tuple[str, ...]
    title_hits: tuple[Hit, ...]
    text_hits: tuple[Hit, ...]


#: Every this many documents one is scanned for all patterns to count how often each occurs
#: (every 4th among the first 64, so a short crawl is tuned early too).
CENSUS_EVERY = 32
#: After this many census documents the queries are re-filed under their rarest terms.
RETUNE_AT = (4, 16, 64, 256)
_PRIOR_WEIGHT = 8.0
#: Case-sensitive trigger terms are found through their folded form (``{ITU}`` via "itu"),
#: each folded hit being checked in place. When the folded forms are common (``{WHO}``:
#: "who") and more than this many of them are expected per document, building and scanning
#: the exact text of every document is cheaper (a check costs about a third of that).
_EXACT_SCAN_WORTH = 3.0


def _prior(key: str, exact: bool) -> float:
    """A guess at how often a pattern occurs in a document, before any are counted: common or
    tiny words almost always, multi-word phrases and acronyms rarely."""
    if is_weak_term(Term(key, exact=exact)):
        return 0.9
    if " " in key:
        return 0.02
    if exact:
        return 0.05
    return 0.3 if len(key) <= 4 else 0.15


class Matcher:
    """Compiled queries; build with :func:`compile_queries`, then call :meth:`match`.

    Not safe to share between threads while matching (it keeps term counts); each crawl
    process compiles its own from the config.
    """

    def __init__(
        self,
        queries: Mapping[str, Node],
        census_every: int = CENSUS_EVERY,
        retune_at: Sequence[int] = RETUNE_AT,
    ) -> None:
        self.nodes: dict[str, Node] = dict(queries)
        self.warnings: dict[str, list[str]] = {}
        registry: dict[tuple[bool, str], Pattern] = {}
        self._plans: list[QueryPlan] = []
        for name, node in self.nodes.items():
            self._plans.append(plan_query(name, node, registry))
            if warnings := query_warnings(node):
                self.warnings[name] = warnings
        patterns = list(registry.values())
        self._patterns = {p.pid: p for p in patterns}
        # The folded key each pattern can be scanned by; a case-sensitive {ITU} by "itu"
        # (None: an exact term that folds to nothing, such as a lone accent).
        self._key: dict[int, str | None] = {
            p.pid: (normalize_term(p.key) or None) if p.exact else p.key for p in patterns
        }
        self._exact_keys = sorted({p.key for p in patterns if p.exact})
        folded_keys = sorted({k for k in self._key.values() if k is not None})
        # Document frequencies from the census: of folded keys, and of exact keys.
        self._df = dict.fromkeys(folded_keys, 0)
        self._exact_df = dict.fromkeys(self._exact_keys, 0)
        self._census = 0
        self._seen = 0
        self._census_every = max(1, census_every)
        self._retune_at = frozenset(retune_at)
        self._census_until = max(retune_at, default=0)
        self._all: KeyScanner | None = None
        self._by_key: dict[str, list[int]] = {}
        self._by_exact: dict[str, list[int]] = {}
        self._always: list[int] = []
        self._scanner = KeyScanner()
        self._index()

    def __len__(self) -> int:
        return len(self._plans)

    def _estimate(self, count: int, prior: float) -> float:
        return (count + prior * _PRIOR_WEIGHT) / (self._census + _PRIOR_WEIGHT)

    def _key_rate(self, key: str) -> float:
        return self._estimate(self._df[key], _prior(key, exact=False))

    def _cost(self, pid: int) -> float:
        pattern = self._patterns[pid]
        if pattern.exact:
            return self._estimate(self._exact_df[pattern.key], _prior(pattern.key, exact=True))
        return self._key_rate(pattern.key)

    def _index(self) -> None:
        """File every query under its current cheapest trigger and rebuild the automata if
        the set of trigger keys changed."""
        triggers: list[frozenset[int] | None] = []
        for plan in self._plans:
            found = trigger(plan.root, self._cost)
            triggers.append(found[0] if found else None)
        exact_pids = {pid for t in triggers if t for pid in t if self._patterns[pid].exact}
        # Find case-sensitive triggers by their folded form and check the hits, unless that
        # is dearer than scanning the exact text (or a trigger has no folded form at all).
        keys = [self._key[pid] for pid in exact_pids]
        scan_exact = None in keys or (
            sum(self._key_rate(key) for key in keys if key is not None) > _EXACT_SCAN_WORTH
        )
        by_key: dict[str, list[int]] = {}
        by_exact: dict[str, list[int]] = {}
        always: list[int] = []
        for index, pids in enumerate(triggers):
            if pids is None:
                always.append(index)
                continue
            for pid in pids:
                pattern = self._patterns[pid]
                if pattern.exact and scan_exact:
                    by_exact.setdefault(pattern.key, []).append(index)
                else:
                    key = self._key[pid]
                    assert key is not None  # scan_exact is set for key-less exact terms
                    by_key.setdefault(key, []).append(index)
        if by_key.keys() != self._scanner.keys or by_exact.keys() != self._scanner.exact_keys:
            self._scanner = KeyScanner(by_key, by_exact)
        self._by_key, self._by_exact, self._always = by_key, by_exact, always

    def _take_census(self, zones: Iterable[ZoneText]) -> None:
        """Count, for every key, whether it occurs in this document."""
        if self._all is None:
            self._all = KeyScanner(self._df, self._exact_keys)
        folded: set[str] = set()
        exact: set[str] = set()
        for zone in zones:
            found, found_exact = self._all.scan(zone)
            folded.update(found)
            exact.update(found_exact)
        for key in folded:
            self._df[key] += 1
        for key in exact:
            self._exact_df[key] += 1
        self._census += 1
        if self._census in self._retune_at:
            self._index()
        if self._census >= self._census_until:
            self._all = None  # tuning is done: free the big automata

    def match(self, doc: MatchInput) -> list[QueryMatch]:
        """Every query that matches ``doc``, in the order the queries were given."""
        title, text = ZoneText(doc.title), ZoneText(doc.text)
        self._seen += 1
        every = min(4, self._census_every) if self._seen <= 64 else self._census_every
        if self._census < self._census_until and self._seen % every == 0:
            self._take_census((title, text))
        title_found, title_exact = self._scanner.scan(title)
        text_found, text_exact = self._scanner.scan(text)
        candidates: set[int] = set(self._always)
        for found, filed in (
            (title_found, self._by_key),
            (text_found, self._by_key),
            (title_exact, self._by_exact),
            (text_exact, self._by_exact),
        ):
            for key in found:
                candidates.update(filed[key])
        if not candidates:
            return []
        ctx = Context(
            patterns=self._patterns,
            fold_keys=self._key,
            zones={"title": title, "text": text},
            found={"title": (title_found, title_exact), "text": (text_found, text_exact)},
            scanned=(self._scanner.keys, self._scanner.exact_keys),
            host=doc_host(doc.site),
            lang=doc_lang(doc.lang),
        )
        results: list[QueryMatch] = []
        for index in sorted(candidates):
            plan = self._plans[index]
            if plan.root.test(ctx):
                terms, title_hits, text_hits = ctx.collect(plan.root)
                results.append(QueryMatch(plan.name, terms, title_hits, text_hits))
        return results


def compile_queries(queries: Mapping[str, str | Node]) -> Matcher:
    """Parse and compile named queries (text or already-parsed ASTs) into one :class:`Matcher`.

    A query that does not parse raises :class:`QuerySyntaxError` with ``query_name`` set, so a
    config with many queries points at the bad one.
    """
    nodes: dict[str, Node] = {}
    for name, query in queries.items():
        if isinstance(query, str):
            try:
                nodes[name] = parse_query(query)
            except QuerySyntaxError as exc:
                exc.query_name = name
                raise
        else:
            nodes[name] = query
    return Matcher(nodes)
