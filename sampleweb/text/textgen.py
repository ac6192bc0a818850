"""Deterministic text generation from the phrase banks.

Everything is driven by a ``random.Random`` seeded with a string (Python seeds from strings via
SHA-512, so the output does not depend on ``PYTHONHASHSEED`` or the platform). The same seed
always gives the same titles, paragraphs and names — which is what lets the benchmark world
render any of its 20,000 articles on demand instead of storing them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from random import Random
from types import ModuleType

from sampleweb.text import banks_en, banks_it

_SLOT = re.compile(r"\{([a-z_0-9]+)\}")
_SYNONYM = re.compile(
    r"\b("
    + "|".join(sorted(map(re.escape, banks_en.SYNONYMS), key=len, reverse=True))
    + r")\b(?!')",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=4096)
def _pieces(template: str) -> tuple[tuple[str, str], ...]:
    """``template`` split around words that have synonyms: (literal, word) pairs."""
    out = []
    pos = 0
    for m in _SYNONYM.finditer(template):
        out.append((template[pos : m.start()], m.group(0)))
        pos = m.end()
    out.append((template[pos:], ""))
    return tuple(out)


def rng_for(*parts: object) -> Random:
    """A generator seeded from the parts (joined with ':')."""
    return Random(":".join(str(p) for p in parts))


def slugify(title: str) -> str:
    """A WordPress-like slug: ASCII, lower case, hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words[:9]) or "untitled"


def word_count(paragraphs: Sequence[str]) -> int:
    return sum(len(p.split()) for p in paragraphs)


@dataclass(slots=True)
class Writer:
    """Writes titles, paragraphs and names about one topic in one language."""

    rng: Random
    lang: str = "en"
    used: set[str] = field(default_factory=set)

    @property
    def bank(self) -> ModuleType:
        return banks_it if self.lang == "it" else banks_en

    def person(self) -> str:
        return f"{self.rng.choice(self.bank.FIRST_NAMES)} {self.rng.choice(self.bank.LAST_NAMES)}"

    def context(self) -> dict[str, str]:
        """Per-article slots: one place and three people, used consistently in the text."""
        cities = self.rng.sample(self.bank.CITIES, 2)
        people = [self.person() for _ in range(3)]
        if self.lang == "it":
            return {
                "citta": cities[0],
                "persona_a": people[0],
                "persona_b": people[1],
                "persona_c": people[2],
            }
        return {
            "city": cities[0],
            "city2": cities[1],
            "person_a": people[0],
            "person_b": people[1],
            "person_c": people[2],
        }

    def _number(self, slot: str) -> str | None:
        r = self.rng
        if slot == "num":
            return str(r.randint(3, 40))
        if slot == "num2":
            return str(r.randint(2, 19))
        if slot == "num3":
            return str(r.randint(5, 48) * 10)
        if slot == "big":
            return f"{r.randint(12, 950) * 100:,}"
        if slot == "pct":
            return f"{r.randint(11, 389) / 10:.1f}"
        if slot == "money":
            return f"{r.randint(12, 480) / 10:.1f} million euros"
        if slot == "year":
            return str(r.randint(2027, 2032))
        return None

    def fill(self, template: str, ctx: dict[str, str]) -> str:
        slots = self.bank.SLOTS

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name in ctx:
                return ctx[name]
            number = self._number(name)
            if number is not None:
                return number
            choices = slots.get(name)
            if choices:
                return str(self.rng.choice(choices))
            return name

        text = _SLOT.sub(sub, template)
        return text[0].upper() + text[1:] if text else text

    def sentence(self, template: str, ctx: dict[str, str]) -> str:
        """``fill`` plus, in English, random synonyms and an occasional opener."""
        if self.lang != "en":
            return self.fill(template, ctx)
        rng = self.rng
        parts = []
        for literal, word in _pieces(template):
            parts.append(literal)
            if word:
                if rng.random() < 0.45:
                    parts.append(word)
                else:
                    alt = rng.choice(banks_en.SYNONYMS[word.lower()])
                    parts.append(alt[0].upper() + alt[1:] if word[0].isupper() else alt)
        text = self.fill("".join(parts), ctx)
        first = text.split(" ", 1)[0]
        if first in banks_en.LOWERABLE and rng.random() < 0.3:
            text = rng.choice(banks_en.OPENERS) + text[0].lower() + text[1:]
        return text

    def title(self, topic: str, ctx: dict[str, str]) -> str:
        """A headline this writer has not used yet (while the bank lasts)."""
        choices = list(self.bank.TOPICS[topic]["titles"])
        self.rng.shuffle(choices)
        title = ""
        for template in choices:
            title = self.fill(template, ctx)
            key = _SLOT.sub("", template)
            if key not in self.used:
                self.used.add(key)
                break
        return title

    def paragraphs(
        self,
        topic: str,
        ctx: dict[str, str],
        words: int,
        *,
        extra: Sequence[str] = (),
        generic_share: float = 0.4,
    ) -> list[str]:
        """About ``words`` words of news prose about ``topic`` in paragraphs of 1–4 sentences.

        Sentences are sampled without replacement from the topic bank (plus ``extra`` and a
        share of the generic bank), so no sentence repeats within an article.
        """
        bank = self.bank
        topical = list(bank.TOPICS[topic]["sentences"]) + list(extra)
        generic = list(bank.GENERIC)
        self.rng.shuffle(topical)
        self.rng.shuffle(generic)
        n_generic = int(len(generic) * generic_share)
        pool = topical[:1] + self._mix(topical[1:], generic[:n_generic])
        out: list[str] = []
        total = 0
        i = 0
        while total < words and i < len(pool):
            size = 1 if not out else self.rng.choice((2, 3, 3, 4))
            sentences = [self.sentence(t, ctx) for t in pool[i : i + size]]
            i += size
            para = " ".join(sentences)
            out.append(para)
            total += len(para.split())
        return out

    def _mix(self, a: list[str], b: list[str]) -> list[str]:
        merged = a + b
        self.rng.shuffle(merged)
        return merged

    def blog_paragraphs(self, topic: str, ctx: dict[str, str], words: int) -> list[str]:
        """First-person commentary mixed with a few topical sentences."""
        personal = list(banks_en.BLOG)
        self.rng.shuffle(personal)
        topical = list(banks_en.TOPICS[topic]["sentences"])
        self.rng.shuffle(topical)
        out: list[str] = []
        total = 0
        pi = ti = 0
        while total < words and pi < len(personal) - 1 and ti < len(topical) - 1:
            parts = [personal[pi], topical[ti]]
            if self.rng.random() < 0.5:
                parts.append(topical[ti + 1])
                ti += 1
            pi += 1
            ti += 1
            para = " ".join(self.sentence(t, ctx) for t in parts)
            out.append(para)
            total += len(para.split())
        return out

    def reader_comment(self) -> str:
        return str(self.rng.choice(self.bank.READER))
