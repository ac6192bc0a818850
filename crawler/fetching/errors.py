"""Fetch failures as a status string and a severity, in Media Cloud's taxonomy (``DNS
error``, ``HTTP 404``, ``timeout``, ``too many redirects`` ...): what `status` shows and what
the backoff weighs. Scrapy and Twisted exceptions stop here; nothing above sees them.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from twisted.internet import error as tx_error
from twisted.python.failure import Failure

from crawler.feeds.policy import Severity, http_severity


@dataclass(frozen=True, slots=True)
class FetchError:
    """A failed fetch: ``label`` is the status string kept on the source."""

    label: str
    severity: Severity


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def describe_exception(exc: BaseException, url: str) -> FetchError:
    """Classify one download exception for the request to ``url``."""
    message = str(exc)
    if isinstance(exc, CannotResolveHostError | tx_error.DNSLookupError):
        # A name the address guard refused arrives as AddressRefused (an IgnoreRequest).
        return FetchError("DNS error", Severity.TEMPORARY)
    if isinstance(exc, DownloadTimeoutError | tx_error.TimeoutError | TimeoutError):
        return FetchError("timeout", Severity.TEMPORARY)
    if isinstance(exc, DownloadConnectionRefusedError | tx_error.ConnectionRefusedError):
        return FetchError("connection refused", Severity.TEMPORARY)
    if isinstance(exc, DownloadCancelledError):
        return FetchError("body too large (aborted)", Severity.HARD)
    if isinstance(exc, IgnoreRequest):
        if message.startswith("address guard"):
            return FetchError(message[:300], Severity.HARD)
        if "during decompression" in message or "DOWNLOAD_MAXSIZE" in message:
            # Scrapy's HttpCompressionMiddleware stopped inflating at the size limit: a
            # decompression bomb, or a page too large to want. Retrying gets the same bytes.
            return FetchError("body too large (decompressed)", Severity.HARD)
        if "redirect" in message:
            return FetchError("too many redirects", Severity.HARD)
        if "robots.txt" in message:
            return FetchError("disallowed by robots.txt", Severity.HARD)
        return FetchError(f"ignored: {message}"[:300], Severity.SOFT)
    if "SSL" in type(exc).__name__ or "SSL" in message[:200]:
        return FetchError("SSL error", Severity.SOFT)
    if isinstance(
        exc,
        ResponseDataLossError
        | DownloadFailedError
        | tx_error.ConnectionLost
        | tx_error.ConnectionDone
        | tx_error.ConnectError,
    ):
        return FetchError(f"connection error: {message}"[:300], Severity.TEMPORARY)
    return FetchError(f"error: {type(exc).__name__}: {message}"[:300], Severity.TEMPORARY)


def describe_failure(failure: Failure, url: str) -> FetchError:
    """Classify the Twisted failure Scrapy hands an errback."""
    value = failure.value
    if value is None:
        return FetchError("error: unknown failure", Severity.TEMPORARY)
    return describe_exception(value, url)


def describe_status(status: int) -> FetchError:
    """An HTTP error status as a fetch error (``HTTP 404``)."""
    return FetchError(f"HTTP {status}", http_severity(status))
