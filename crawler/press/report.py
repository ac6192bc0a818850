"""Run summaries of the match stage: a poll's counts plus mentions, and a page crawl's.

Both are plain data with a JSON form: what the CLI prints, what ``crawl_runs.stats`` keeps
(``stats()``), and what a child process sends back (``as_stats()`` / ``to_json()``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from crawler.feeds.report import PollReport


@dataclass
class PollMatchReport(PollReport):
    """A poll's report with what its match stage stored."""

    mentions: int = 0
    links_folded: int = 0
    """``link`` mentions folded into a stronger linkback of the same page and post."""


#: The job name of an ad-hoc crawl (``mediamon crawl URL...``): its report keeps details.
ADHOC_JOB = "adhoc"


@dataclass
class PageProblem:
    """A page that could not be used, and why (HTTP 404, address guard, robots.txt ...)."""

    url: str
    reason: str


@dataclass
class CrawlReport:
    """Counts for one site crawl or ad-hoc crawl."""

    job: str = "crawl"
    sources: int = 0
    listed: int = 0
    """URLs offered by sitemaps and section pages."""
    known: int = 0
    """Of those, already stored and unchanged: not fetched again."""
    pages: int = 0
    """Pages fetched and read (articles and section pages)."""
    articles: int = 0
    errors: int = 0
    mentions: int = 0
    """New mentions stored (or found, with --no-store)."""
    links: int = 0
    stories: int = 0
    bytes: int = 0
    seconds: float = 0.0
    """Wall time of the crawl itself (spider start to close, the final writes included)."""
    max_rss_mb: float = 0.0
    """Peak resident memory of the crawling process."""
    exit_status: int = 0
    error: str = ""
    run_id: int | None = None
    problems: list[PageProblem] = field(default_factory=list)
    found: list[dict[str, Any]] = field(default_factory=list)
    """The mentions found, as CLI JSON objects (ad-hoc crawls only)."""
    hosts: dict[str, dict[str, int]] = field(default_factory=dict)

    def stats(self) -> dict[str, Any]:
        """The counters alone, for ``crawl_runs.stats``."""
        data = asdict(self)
        for name in ("problems", "found", "hosts", "error", "run_id", "exit_status", "job"):
            data.pop(name)
        data["problems"] = len(self.problems)
        return data

    def as_stats(self) -> dict[str, Any]:
        """The counters plus exit status and error: what a child process reports."""
        return {**self.stats(), "exit_status": self.exit_status, "error": self.error}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def details(self) -> dict[str, Any] | None:
        """An ad-hoc crawl's finds and failed pages, kept with its run (``crawl_runs.details``)
        so a CLI that queued it prints them as if it had crawled itself (#19)."""
        if self.job != ADHOC_JOB:
            return None
        return {"found": self.found, "problems": [asdict(p) for p in self.problems]}

    def add_details(self, details: dict[str, Any] | None) -> None:
        """Take in one run's ``details`` (a queued ad-hoc crawl is one run per host group)."""
        if not details:
            return
        self.found.extend(item for item in details.get("found", []) if isinstance(item, dict))
        for problem in details.get("problems", []):
            if isinstance(problem, dict):
                url, reason = problem.get("url"), problem.get("reason")
                self.problems.append(PageProblem(str(url or ""), str(reason or "")))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrawlReport:
        problems = [PageProblem(**p) for p in data.get("problems", [])]
        values = {k: v for k, v in data.items() if k != "problems"}
        return cls(**values, problems=problems)
