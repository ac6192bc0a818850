"""The one error a query can raise, built to be shown to the person who wrote the query.

A bad query is rejected when the config is loaded, long before any crawl, so the message has
to lead the user to the mistake: it carries the 0-based position and renders the query with a
caret under it. ``query_name`` is filled in by :func:`~crawler.matching.compile_queries` so a
config with many queries says which one is wrong.
"""

from __future__ import annotations


class QuerySyntaxError(ValueError):
    """A query that cannot be parsed: ``message`` at ``position`` (0-based) in ``query``."""

    def __init__(
        self, message: str, position: int, query: str = "", query_name: str | None = None
    ) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position
        self.query = query
        self.query_name = query_name

    def __str__(self) -> str:
        prefix = f"query {self.query_name!r}: " if self.query_name else ""
        head = f"{prefix}{self.message} at {self.position}"
        if not self.query:
            return head
        # Tabs and newlines would break the caret's alignment; show them as spaces.
        shown = "".join(" " if c.isspace() else c for c in self.query)
        return f"{head}:\n  {shown}\n  {' ' * self.position}^"
