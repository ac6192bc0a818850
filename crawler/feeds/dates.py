"""Entry dates feedparser could not read, and dates no entry can really have.

feedparser reads RFC 822, ISO 8601/W3C-DTF and a few national formats. Feeds from
non-English CMSs also send RFC 822 with local month and day names (``Mo, 05 Feb 2024``,
``mar., 5 févr. 2024 10:00:00 +0100``); those are translated to English names and read again,
a local fallback rather than a handler registered in feedparser (which would be process-wide
state). A date before ``EARLIEST`` is a CMS placeholder (the Unix epoch, year 1, "0000"),
not a publication time: it is treated as unknown so the entry is neither sorted last nor
mistaken for an old one.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

#: Anything earlier is a placeholder, not a publication date (web feeds began in 1997).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)

_MONTHS = {
    # German, Dutch, French, Spanish, Italian, Portuguese, Swedish/Danish/Norwegian (folded).
    "jan": ("januar", "januari", "janvier", "janv", "enero", "ene", "gennaio", "gen", "janeiro"),
    "feb": ("februar", "februari", "fevrier", "fevr", "fev", "febrero", "febbraio", "fevereiro"),
    "mar": ("marz", "maart", "mars", "marzo", "marco", "mrt", "mrz"),
    "apr": ("april", "avril", "avr", "abril", "abr", "aprile"),
    "may": ("mai", "mei", "mayo", "maggio", "mag", "maio", "maj"),
    "jun": ("juni", "juin", "junio", "giugno", "giu", "junho"),
    "jul": ("juli", "juillet", "juil", "julio", "luglio", "lug", "julho"),
    "aug": ("august", "augustus", "aout", "agosto", "ago"),
    "sep": ("september", "septembre", "sept", "septiembre", "settembre", "set", "setembro"),
    "oct": ("oktober", "octobre", "octubre", "ottobre", "ott", "outubro", "out", "okt"),
    "nov": ("november", "novembre", "noviembre", "novembro"),
    "dec": ("dezember", "december", "decembre", "diciembre", "dicembre", "dic", "dezembro", "dez"),
}
_NAMES = {local: english for english, names in _MONTHS.items() for local in names}
_WORD = re.compile(r"[^\W\d_]+\.?")


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower().rstrip("."))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _word(match: re.Match[str]) -> str:
    folded = _fold(match.group(0))
    if folded in _NAMES:
        return _NAMES[folded].title()
    if folded[:3] in _MONTHS and folded.isascii():
        return folded[:3].title()
    if folded in ("gmt", "ut", "utc", "z", "est", "edt", "cst", "cdt", "pst", "pdt"):
        return match.group(0)
    return ""  # a day name, in any language: RFC 822 makes it optional


def _english(value: str) -> str:
    """Month names translated to English, day names dropped."""
    return _WORD.sub(_word, value).strip(" ,")


def local_date(value: str) -> datetime | None:
    """An RFC 822-like date with local month/day names, or None."""
    if not value or not any(c.isalpha() for c in value):
        return None
    try:
        parsed = parsedate_to_datetime(_english(value))
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def plausible(value: datetime | None) -> datetime | None:
    """``value``, or None when it is a placeholder (see ``EARLIEST``)."""
    if value is None or value < EARLIEST:
        return None
    return value
