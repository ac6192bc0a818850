"""The reports of the harvest, re-check and verify runs.

Each is plain data: the CLI prints it, ``crawl_runs.stats`` keeps its counters
(``stats()``), a child process sends it whole over its pipe (``to_json``/``from_json``), and
the scheduler's child entry point prints ``as_stats()`` (counters plus ``exit_status`` and
``error``, ``""`` on success).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Self

__all__ = ["LINKBACK_COLUMNS", "CheckLine", "HarvestReport", "PostLine", "RecheckReport"]

#: The kinds counted per post, in table order.
LINKBACK_COLUMNS = ("pingback", "trackback", "reblog", "webmention", "comment")


@dataclass
class PostLine:
    """One harvested post: what each route said and what was found."""

    url: str
    title: str = ""
    found: dict[str, int] = field(default_factory=dict)
    new: dict[str, int] = field(default_factory=dict)
    routes_ok: list[str] = field(default_factory=list)
    routes_unavailable: dict[str, str] = field(default_factory=dict)
    routes_failed: dict[str, str] = field(default_factory=dict)
    sources_checked: int = 0
    source_errors: int = 0
    deleted: int = 0
    unresolved: int = 0
    blocked: int = 0
    sources_skipped: int = 0  # over the per-post cap: checked next run
    truncated: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def total(self) -> int:
        return sum(self.found.values())

    @property
    def total_new(self) -> int:
        return sum(self.new.values())


@dataclass
class CheckLine:
    """One source check: a re-checked mention or a verified receipt."""

    url: str
    target: str
    kind: str
    outcome: str
    reason: str = ""


class _Report:
    """JSON round-trip and stats for the report dataclasses below."""

    _LISTS: ClassVar[tuple[str, ...]] = ("lines",)
    exit_status: int
    error: str

    def stats(self) -> dict[str, Any]:
        """The counters alone, for ``crawl_runs.stats``."""
        data = asdict(self)  # type: ignore[call-overload]
        for name in (*self._LISTS, "error", "run_id", "exit_status"):
            data.pop(name, None)
        return dict(data)

    def as_stats(self) -> dict[str, Any]:
        """Counters plus ``exit_status`` and ``error`` (``""`` on success)."""
        return {**self.stats(), "exit_status": self.exit_status, "error": self.error}

    def to_json(self) -> dict[str, Any]:
        return dict(asdict(self))  # type: ignore[call-overload]

    @classmethod
    def _line_type(cls) -> type[Any]:
        return CheckLine

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        known = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        values = {k: v for k, v in data.items() if k in known and k != "lines"}
        report = cls(**values)
        line_type = cls._line_type()
        report.lines = [line_type(**line) for line in data.get("lines", [])]  # type: ignore[attr-defined]
        return report


@dataclass
class HarvestReport(_Report):
    """One harvest run."""

    posts: int = 0  # harvested (some route gave its linkbacks)
    posts_failed: int = 0  # no route did (all failed or unavailable)
    linkbacks: int = 0  # coverage items seen (comments included)
    new: int = 0
    pingbacks: int = 0
    trackbacks: int = 0
    reblogs: int = 0
    webmentions: int = 0
    comments: int = 0
    sources_checked: int = 0
    source_errors: int = 0
    deleted: int = 0  # linkbacks whose source was already gone when first checked
    unresolved: int = 0
    blocked: int = 0
    routes_unavailable: int = 0
    truncated_feeds: int = 0
    exit_status: int = 0
    error: str = ""
    run_id: int | None = None
    lines: list[PostLine] = field(default_factory=list)

    @classmethod
    def _line_type(cls) -> type[Any]:
        return PostLine

    def add(self, line: PostLine) -> None:
        """Count one post's line in the totals."""
        self.lines.append(line)
        if not line.routes_ok:
            self.posts_failed += 1
        else:
            self.posts += 1
        self.linkbacks += line.total
        self.new += line.total_new
        self.pingbacks += line.found.get("pingback", 0)
        self.trackbacks += line.found.get("trackback", 0)
        self.reblogs += line.found.get("reblog", 0)
        self.webmentions += line.found.get("webmention", 0)
        self.comments += line.found.get("comment", 0)
        self.sources_checked += line.sources_checked
        self.source_errors += line.source_errors
        self.deleted += line.deleted
        self.unresolved += line.unresolved
        self.blocked += line.blocked
        self.routes_unavailable += len(line.routes_unavailable)
        self.truncated_feeds += len(line.truncated)


@dataclass
class RecheckReport(_Report):
    """One re-check run: each due linkback's source fetched again."""

    checked: int = 0
    live: int = 0
    deleted: int = 0
    retry: int = 0  # transient problem: kept, tried again later
    kept: int = 0  # permanent problem that proves nothing: kept
    exit_status: int = 0
    error: str = ""
    run_id: int | None = None
    lines: list[CheckLine] = field(default_factory=list)

    def add(self, line: CheckLine) -> None:
        self.lines.append(line)
        self.checked += 1
        if line.outcome == "live":
            self.live += 1
        elif line.outcome == "deleted":
            self.deleted += 1
        elif line.outcome == "retry":
            self.retry += 1
        else:
            self.kept += 1


@dataclass
class VerifyReport(_Report):
    """One verify run: each due receipt's source fetched and judged."""

    receipts: int = 0
    verified: int = 0
    rejected: int = 0
    retried: int = 0
    new_mentions: int = 0
    deleted: int = 0  # stored mentions marked deleted (410 or link removed)
    exit_status: int = 0
    error: str = ""
    run_id: int | None = None
    lines: list[CheckLine] = field(default_factory=list)

    def add(self, line: CheckLine, *, new: int = 0, deleted: int = 0) -> None:
        self.lines.append(line)
        self.receipts += 1
        self.new_mentions += new
        self.deleted += deleted
        if line.outcome == "verified":
            self.verified += 1
        elif line.outcome == "queued":
            self.retried += 1
        else:
            self.rejected += 1
