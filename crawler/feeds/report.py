"""The summary of one poll run: what the CLI prints, what ``crawl_runs.stats`` keeps and what
a crawl child sends back on stdout (so it is plain data with a JSON form)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SourceReport:
    """One source's line in the closing table."""

    name: str
    outcome: str
    status: str
    new: int = 0
    error: str = ""


@dataclass
class PollReport:
    """Counts for one run, plus a line per polled source."""

    sources: int = 0
    fetched: int = 0
    not_modified: int = 0
    unchanged: int = 0
    errors: int = 0
    deferred: int = 0
    new_entries: int = 0
    articles: int = 0
    article_errors: int = 0
    posts: int = 0
    shared: int = 0
    """Feeds answered from another organisation's fetch of a moment ago (#16)."""
    bytes: int = 0
    exit_status: int = 0
    error: str = ""
    run_id: int | None = None
    lines: list[SourceReport] = field(default_factory=list)
    hosts: dict[str, dict[str, int]] = field(default_factory=dict)

    def stats(self) -> dict[str, Any]:
        """The counters alone, for ``crawl_runs.stats``."""
        data = asdict(self)
        for name in ("lines", "hosts", "error", "run_id", "exit_status"):
            data.pop(name)
        return data

    def as_stats(self) -> dict[str, Any]:
        """The counters plus exit status and error: what a child process reports."""
        return {**self.stats(), "exit_status": self.exit_status, "error": self.error}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PollReport:
        lines = [SourceReport(**line) for line in data.get("lines", [])]
        values = {k: v for k, v in data.items() if k != "lines"}
        return cls(**values, lines=lines)
