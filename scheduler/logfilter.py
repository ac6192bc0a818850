"""Quiet stderr (issue #15): Scrapy warns about events the run itself handles and records —
a body over the size limit, a cancelled download, the Referer notice of the redirect
middleware (mediamon sends no Referer on purpose) — and a user running ``mediamon poll``
without ``-v`` should see the closing table, not those lines. This filter drops such warnings
at the default verbosity; with ``-v`` everything passes, next to the run's own INFO line for
the source and its reason."""

from __future__ import annotations

import logging

#: Loggers whose warnings are about a fetch the run turns into a recorded failure.
HANDLED_BY_THE_RUN = (
    "scrapy.downloadermiddlewares.httpcompression",
    "scrapy.core.downloader.handlers.http11",
    "scrapy.downloadermiddlewares.redirect",
)


class HandledWarnings(logging.Filter):
    """Drops WARNING records of ``HANDLED_BY_THE_RUN`` (errors and above always pass)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True
        return not record.name.startswith(HANDLED_BY_THE_RUN)


def quiet_handled_warnings(handlers: list[logging.Handler]) -> None:
    """Install the filter on ``handlers`` once."""
    for handler in handlers:
        if not any(isinstance(f, HandledWarnings) for f in handler.filters):
            handler.addFilter(HandledWarnings())
