"""What a post inventory sync did: one line per site with each route's outcome.

``as_stats()`` is what ``crawl_runs`` and the scheduler's child protocol carry; ``to_json`` /
``from_json`` carry the whole report from a child process back to the CLI.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Self

__all__ = ["SiteLine", "SyncReport"]


@dataclass
class SiteLine:
    """One site: posts listed (once each), how many were new, and the routes' outcomes."""

    site_url: str
    posts: int = 0
    new: int = 0
    routes: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def route_posts(self) -> dict[str, int]:
        return {str(r["route"]): int(r["posts"]) for r in self.routes}

    def unavailable(self) -> dict[str, str]:
        """Route -> why, for the routes that refused or failed."""
        return {
            str(r["route"]): f"{r['status']}: {r['detail']}" if r["detail"] else str(r["status"])
            for r in self.routes
            if r["status"] in ("unavailable", "failed")
        }


@dataclass
class SyncReport:
    """See the module docstring."""

    lines: list[SiteLine] = field(default_factory=list)
    exit_status: int = 0
    error: str = ""
    run_id: int | None = None

    @property
    def posts(self) -> int:
        return sum(line.posts for line in self.lines)

    @property
    def new(self) -> int:
        return sum(line.new for line in self.lines)

    def by_route(self) -> dict[str, int]:
        """Posts per route over every site."""
        out: dict[str, int] = {}
        for line in self.lines:
            for route, count in line.route_posts().items():
                out[route] = out.get(route, 0) + count
        return out

    def stats(self) -> dict[str, Any]:
        return {
            "sites": len(self.lines),
            "posts": self.posts,
            "new": self.new,
            **{f"route_{k}": v for k, v in self.by_route().items()},
        }

    def as_stats(self) -> dict[str, Any]:
        return {**self.stats(), "exit_status": self.exit_status, "error": self.error}

    def to_json(self) -> dict[str, Any]:
        return {
            "lines": [asdict(line) for line in self.lines],
            "exit_status": self.exit_status,
            "error": self.error,
            "run_id": self.run_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(
            lines=[SiteLine(**line) for line in data.get("lines", [])],
            exit_status=int(data.get("exit_status", 0)),
            error=str(data.get("error", "")),
            run_id=data.get("run_id"),
        )
