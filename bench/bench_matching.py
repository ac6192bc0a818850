"""Benchmark: the compiled matcher against a Python ``re`` alternation, 10 to 10,000 queries.

Run: ``.venv/bin/python bench/bench_matching.py [--docs N] [--rounds R] [--seconds S]``.
Prints figures, asserts nothing. Everything is generated from a fixed seed, so two runs on the
same machine measure the same work; compare the ratios within one run, not across machines.
Times are CPU time of this process (other work on the machine disturbs them less than wall
time); each figure is the median [min–max] of the rounds.

The claim under test (DESIGN.md "Matching", performance-ceilings.md §5): one pass over a text
serves every query, so the cost should barely grow with the number of queries. Texts are
~4.7K-character news-like articles (200 by default) naming people and organisations. Query
sets of 10, 100, 1,000 and 10,000 are prefixes of one list of 10,000 queries of the usual
shapes: person names as phrases, organisation phrases OR their {ACRONYM}, boolean combinations
with topic words and an exclusion, surname NEAR/5 topic word, invented brand names, and
title:/site: restrictions. Two mixes:

* *text mix*: about people and organisations drawn from the same pools as the texts, so the
  number of hits and matches per document grows with the number of queries (as it does when
  a service monitors thousands of names in the news);
* *rare mix*: the same shapes about people and organisations the texts never name (brand
  monitoring on unrelated news): the cost of the number of queries alone.

The ``re`` column is one compiled alternation of the same distinct terms with ``\\b``
boundaries and IGNORECASE — what a naive implementation would do; its rounds are capped in
time, because it slows down linearly with the number of terms.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from collections.abc import Callable, Sequence
from random import Random

from crawler.matching import MatchInput, compile_queries, normalize, parse_query
from crawler.matching.nodes import iter_terms

SEED = "mediamon-bench-matching-1"
SIZES = (10, 100, 1_000, 10_000)

_COMMON = """the of and to in a is that for on it with as was at by be this from have are not
has but they which said were been their its more after who will about also would year new
people than first other over into government two last some could time when there what up
out years only such minister state told between week most against under percent where many
while may since during before country countries world report support plan public national
officials policy market company economic president meeting security talks agreement member
members international news programme development however including statement added because
local city region percent million billion month earlier later officials spokesperson
network digital data access online services standards technology rules climate energy health
"""
COMMON = _COMMON.split()
_FIRST = """Anna Marco Fatima Chen Olga Pierre Amara Jonas Priya Diego Hamadoun Ingrid Kofi Lucía
Mehmet Nadia Omar Sofia Tomás Yuki Zanele Élodie Björn Chloé Dmitri Emeka Giulia Hana Ivan
Jana Kwame Leila Mateo Noor Paulo Rania Sven Tanvir Ugo Vera Wen Xavier Yara Zoltán Aiko
Bruno Carmen Dario Esther Felix Greta Hugo Irene Jamal Kira Luca Mira Nils Oona"""
FIRST = _FIRST.split()
_LAST = """Touré Müller García Chen Okafor Dubois Kowalski Nakamura Haddad Silva Jensen Rossi
Novak Petrov Mensah Ibrahim Larsen Moreau Fischer Costa Yilmaz Sato Kumar Nguyen Osei
Lindqvist Ferreira Horvath Wójcik Rahman Schmidt Bianchi Dupont Andersen Kim Park Ivanova
Mbeki Alvarez Romero Santos Weber Keller Hoffmann Bauer Richter Klein Wolf Neumann Schwarz
Zimmermann Braun Hofmann Hartmann Lange Werner Krause Lehmann Köhler Maier Mayer Huber Kaiser
Fuchs Peters Lang Scholz Möller Vogel Jäger Roth Beck Lorenz Baumann Franke Albrecht Schuster
Simon Ludwig Böhm Winter Kraus Martin Schumacher Krüger Pohl Frank Berger Ahmed Bakshi"""
LAST = _LAST.split()
_ORG_A = """Orbis Nordic Pacific Global Atlantic Central Digital Open Civic Federal Northern
Alpine Coastal Urban Rural Western Eastern Southern United Allied Royal Public"""
ORG_A = _ORG_A.split()
_ORG_B = """Union Council Institute Alliance Forum Agency Network Foundation Commission Group
Partnership Authority Society Trust Observatory Bureau Consortium Assembly"""
ORG_B = _ORG_B.split()
SITES = [f"news{i}.example.com" for i in range(20)]
TEXT_PEOPLE = 3000  # the texts mention people from the first 3,000 of the shuffled pool
TEXT_ORGS = 600
WARM_UP = 4096


_ONSETS = "b br c ch d f g h j k kr l m n p r s sch st t v w z"
_VOWELS = "a e i o u a e i o u á é ö ü"
_CODAS = "_ n r s k l m nd rt tz sson ski ova ez ani ides"


def surnames(rng: Random, count: int = 1500) -> list[str]:
    """The real surnames plus invented ones: news mentions thousands of different people, so
    a surname must not recur in every other article."""
    onsets = _ONSETS.split()
    vowels = _VOWELS.split()
    codas = _CODAS.split()
    found = set(LAST)
    while len(found) < len(LAST) + count:
        parts = [rng.choice(onsets), rng.choice(vowels), rng.choice(onsets), rng.choice(vowels)]
        found.add(("".join(parts) + rng.choice(codas).strip("_")).capitalize())
    return sorted(found)


def people(rng: Random) -> list[str]:
    pool = [f"{first} {last}" for first in FIRST for last in surnames(rng)]
    rng.shuffle(pool)
    return pool


def organisations(rng: Random) -> list[tuple[str, str]]:
    pool = []
    for a in ORG_A:
        for b in ORG_B:
            for c in ("", "for Telecommunications", "of Cities", "for Water", "of Media"):
                name = f"{a} {b} {c}".strip()
                acronym = "".join(w[0] for w in name.split() if w[0].isupper())
                pool.append((name, acronym + ("" if len(acronym) > 2 else "X")))
    rng.shuffle(pool)
    return pool


def make_docs(
    n: int, rng: Random, names: list[str], orgs: list[tuple[str, str]]
) -> list[MatchInput]:
    docs = []
    for _ in range(n):
        paragraphs = []
        length = 0
        target = rng.randint(3800, 5200)
        while length < target:
            sentences = []
            for _ in range(rng.randint(2, 5)):
                words = [rng.choice(COMMON) for _ in range(rng.randint(8, 22))]
                if rng.random() < 0.35:
                    words.insert(rng.randrange(len(words)), rng.choice(names[:TEXT_PEOPLE]))
                if rng.random() < 0.15:
                    name, acronym = rng.choice(orgs[:TEXT_ORGS])
                    words.insert(rng.randrange(len(words)), rng.choice([name, f"({acronym})"]))
                sentence = " ".join(words)
                sentences.append(sentence[0].upper() + sentence[1:] + rng.choice(".....?!"))
            paragraph = " ".join(sentences)
            paragraphs.append(paragraph)
            length += len(paragraph) + 2
        title_words = [rng.choice(COMMON) for _ in range(rng.randint(5, 10))]
        title_words.insert(2, rng.choice(names[:TEXT_PEOPLE]).split()[1])
        docs.append(
            MatchInput(
                title=" ".join(title_words).capitalize(),
                text="\n\n".join(paragraphs),
                site=rng.choice(SITES),
                lang="en",
            )
        )
    return docs


def make_queries(n: int, rng: Random, names: list[str], orgs: list[tuple[str, str]]) -> list[str]:
    """``n`` queries of the usual shapes about the people and organisations given."""
    queries: list[str] = []
    people_iter = iter(names)
    org_iter = iter(orgs * 10)
    while len(queries) < n:
        kind = rng.random()
        person = next(people_iter)
        if kind < 0.40:
            queries.append(f'"{person}"')
        elif kind < 0.55:
            name, acronym = next(org_iter)
            queries.append(f'"{name}" OR {{{acronym}}}')
        elif kind < 0.70:
            other = rng.choice(names)
            topic = " OR ".join(rng.sample(COMMON[-40:], 2))
            queries.append(f'"{person}" AND ({topic}) -"{other}"')
        elif kind < 0.80:
            queries.append(f"{person.split()[1]} NEAR/5 {rng.choice(COMMON[-40:])}")
        elif kind < 0.90:
            brand = "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(4))
            queries.append(brand.capitalize())
        else:
            queries.append(f'title:"{person}" OR (site:{rng.choice(SITES)} "{person}")')
    return queries


def positive_terms(queries: Sequence[str]) -> list[str]:
    terms = {t.text for q in queries for t, positive in iter_terms(parse_query(q)) if positive}
    return sorted(terms)


def measure(
    fn: Callable[[MatchInput], object], docs: Sequence[MatchInput], seconds: float, rounds: int
) -> list[float]:
    """Docs per CPU second, per round; each round runs whole passes until ``seconds`` of
    CPU time have passed (or, for a slow function, stops mid-pass at twice that). CPU time
    rather than wall time, so other processes on the machine disturb the figures less."""
    results = []
    for _ in range(rounds):
        done = 0
        elapsed = 0.0
        start = time.process_time()
        while True:
            for doc in docs:
                fn(doc)
                done += 1
                if done % 8 == 0 and time.process_time() - start > seconds * 2:
                    break
            elapsed = time.process_time() - start
            if elapsed >= seconds:
                break
        results.append(done / elapsed)
    return results


def fmt(values: list[float]) -> str:
    med = statistics.median(values)
    return f"{med:>9,.0f} [{min(values):,.0f}–{max(values):,.0f}]"


def run_mix(
    label: str, docs: Sequence[MatchInput], all_queries: Sequence[str], args: argparse.Namespace
) -> None:
    print(f"\n{label}")
    header = (
        f"{'queries':>7} {'terms':>6} {'build s':>7} | {'matcher docs/s median [min–max]':>32}"
        f" {'ratio':>5} {'hits/doc':>8} {'matches/doc':>11} | {'re docs/s median [min–max]':>28}"
        f" {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    base_aho = base_re = 0.0
    for size in SIZES:
        queries = all_queries[:size]
        started = time.perf_counter()
        matcher = compile_queries({f"q{i}": q for i, q in enumerate(queries)})
        build = time.perf_counter() - started
        results = [matcher.match(d) for d in docs]
        hits = sum(len(m.title_hits) + len(m.text_hits) for r in results for m in r) / len(docs)
        per_doc = sum(len(r) for r in results) / len(docs)
        # Warm up past the matcher's self-tuning points (it re-files queries under their
        # rarest terms as it learns term frequencies), so the rounds measure steady state.
        for _ in range(WARM_UP // len(docs)):
            for doc in docs:
                matcher.match(doc)
        aho = measure(matcher.match, docs, args.seconds, args.rounds)

        terms = positive_terms(queries)
        alternation = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
        pattern = re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)

        def run_re(doc: MatchInput, pattern: re.Pattern[str] = pattern) -> object:
            return pattern.findall(doc.title + "\n\n" + doc.text)

        # Time-capped rounds: at 10,000 terms one pass over the docs would take minutes.
        slow = measure(run_re, docs, args.seconds, args.rounds)
        aho_med, re_med = statistics.median(aho), statistics.median(slow)
        base_aho = base_aho or aho_med
        base_re = base_re or re_med
        print(
            f"{size:>7,} {len(terms):>6,} {build:>7.2f} | {fmt(aho):>32} {base_aho / aho_med:>5.2f}"
            f" {hits:>8.1f} {per_doc:>11.2f} | {fmt(slow):>28} {base_re / re_med:>6.1f}"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=0.6, help="minimum time per round")
    args = parser.parse_args(argv)

    rng = Random(SEED)
    names = people(rng)
    orgs = organisations(rng)
    docs = make_docs(args.docs, rng, names, orgs)
    mixed = make_queries(max(SIZES), rng, names, orgs)
    named = {acronym for _, acronym in orgs[:TEXT_ORGS]}
    unnamed = [(name, acronym) for name, acronym in orgs[TEXT_ORGS:] if acronym not in named]
    rare = make_queries(max(SIZES), rng, names[TEXT_PEOPLE:], unnamed * 20)
    mean_len = statistics.mean(len(d.text) for d in docs)
    print(f"{len(docs)} docs, mean {mean_len:,.0f} chars; {args.rounds} rounds of ≥{args.seconds}s")
    floor = measure(
        lambda d: (normalize(d.title), normalize(d.text)), docs, args.seconds, args.rounds
    )
    print(f"normalisation alone (the fixed cost per document): {fmt(floor)} docs/s")

    run_mix("text mix: queries about people/organisations the texts mention", docs, mixed, args)
    run_mix(
        "rare mix: the same shapes about people/organisations the texts never name",
        docs,
        rare,
        args,
    )
    print(
        "\nratio = docs/s at 10 queries / docs/s at this size: the cost relative to 10 queries"
        " (goal for the matcher at 10,000: < 2)."
    )


if __name__ == "__main__":
    main()
