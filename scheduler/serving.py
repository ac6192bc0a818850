"""The receiver's uvicorn server and its limits against slow and greedy clients.

uvicorn times out an idle keep-alive connection, but not a connection that never finishes its
request headers: one that sends nothing, or trickles a header byte at a time, holds a socket
and a slot for as long as it likes (slow-loris). ``HeaderDeadlineProtocol`` is uvicorn's h11
protocol with one more timer: a request's headers must be complete ``header_timeout``
seconds after the connection opened, or after the previous response on a kept-alive
connection; otherwise the connection is closed. The body then has the receiver's own
``receiver.body_timeout_seconds`` (``crawler.receiver.limits.read_body``).

The other limits are uvicorn's own: ``limit_concurrency`` (connections and tasks at once;
past it new requests get 503 at once), ``timeout_keep_alive`` and the largest request head
h11 buffers (``h11_max_incomplete_event_size``). docs/receiver.md lists the defaults and an
nginx snippet with the same limits.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["HeaderDeadlineProtocol", "ServerLimits", "server_config"]

MAX_HEAD_BYTES = 16 * 1024


@dataclass(frozen=True, slots=True)
class ServerLimits:
    header_timeout: float = 10.0
    keep_alive: int = 5
    limit_concurrency: int = 200


class HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers (see above)."""

    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_deadline: asyncio.TimerHandle | None = None
        self._awaiting: Any = None
        super().connection_made(transport)
        self._arm()

    def _arm(self) -> None:
        self._disarm()
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a pipelined request is already being answered
        self._awaiting = self.cycle
        self._head_deadline = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _expired(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._head_deadline is not None and self.cycle is not self._awaiting:
            self._disarm()  # the headers are in: a new request cycle has started

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def server_config(
    app: Any,
    limits: ServerLimits,
    *,
    proxy_headers: bool = False,
    forwarded_allow_ips: str = "127.0.0.1",
    access_log: bool = False,
    backlog: int = 2048,
) -> uvicorn.Config:
    """The uvicorn config ``mediamon serve`` runs the receiver with (tests use it too)."""
    protocol = type(
        "ReceiverProtocol", (HeaderDeadlineProtocol,), {"header_timeout": limits.header_timeout}
    )
    return uvicorn.Config(
        app,
        http=protocol,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        log_config=None,
        access_log=access_log,
        lifespan="off",
        ws="none",
        server_header=False,
        timeout_keep_alive=limits.keep_alive,
        limit_concurrency=limits.limit_concurrency,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        backlog=backlog,
    )
