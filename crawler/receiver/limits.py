"""What one client may make the receiver do: how much it may send, and how often.

The receiver is an open door on the internet, and pingback traffic is mostly spam (webmention.io
switched pingbacks off by default for that reason). Two cheap defences run before anything
touches the database:

* ``read_body`` reads a request body incrementally and stops as soon as it passes the limit
  (or a declared ``Content-Length`` already does), so an oversized or endless body is never
  buffered; a body that trickles in slower than the deadline is cut off too (slow-loris).
* ``RateLimiter`` is a sliding-window log per key (client address, source host): at most
  ``limit`` accepted events in any ``window`` seconds. Limits are per key, never global, so one
  flooding address cannot lock out a legitimate sender. Refused attempts are not recorded, so a
  flood does not extend its own ban: the client gets back in as its old events age out.

State is in memory and per process; behind several receiver processes each enforces its own
share, which is the usual trade-off for a limiter that costs nothing per request.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable

from starlette.requests import ClientDisconnect, Request

__all__ = [
    "BodyIncomplete",
    "BodyTimeout",
    "BodyTooLarge",
    "RateLimiter",
    "client_key",
    "read_body",
]

MAX_KEYS = 50_000


class BodyTooLarge(Exception):
    """The request body is (or declares to be) over the limit: answer 413."""


class BodyTimeout(Exception):
    """The request body did not arrive within the deadline: answer 408."""


class BodyIncomplete(Exception):
    """The client went away before sending its whole body: there is nobody to answer."""


#: How much of a refused body is still read (and thrown away) before the 413 goes out: a
#: server that closes with unread bytes resets the connection, and the client may lose the
#: answer (nginx's "lingering close" exists for the same reason). Bigger bodies are cut off.
DRAIN_BYTES = 4 * 1024 * 1024


async def read_body(request: Request, limit: int, *, timeout: float) -> bytes:
    """The whole body of ``request``, at most ``limit`` bytes, within ``timeout`` seconds.

    A ``Content-Length`` over the limit is refused without keeping a byte; a chunked or lying
    body is refused as soon as the running total passes the limit. Up to ``DRAIN_BYTES`` of a
    refused body are read and discarded first, so the client reliably receives the 413.
    """
    declared = request.headers.get("content-length", "").strip()
    body = bytearray()
    try:
        async with asyncio.timeout(timeout):
            if declared.isdigit() and int(declared) > limit:
                if int(declared) <= DRAIN_BYTES:
                    await _drain(request.stream())
                raise BodyTooLarge(f"request body of {int(declared)} bytes is over {limit} bytes")
            chunks = request.stream()
            async for chunk in chunks:
                body += chunk
                if len(body) > limit:
                    await _drain(chunks)
                    raise BodyTooLarge(f"request body is over {limit} bytes")
    except TimeoutError:
        raise BodyTimeout(f"request body not received within {timeout:g} s") from None
    except ClientDisconnect:
        raise BodyIncomplete("client disconnected while sending the body") from None
    return bytes(body)


async def _drain(chunks: AsyncIterator[bytes]) -> None:
    """Read and drop what is left of a refused body, at most ``DRAIN_BYTES``."""
    drained = 0
    async for chunk in chunks:
        drained += len(chunk)
        if drained > DRAIN_BYTES:
            return


def client_key(address: str) -> str:
    """The rate-limit key of a client address.

    An IPv6 host usually owns a whole /64, so counting single IPv6 addresses would let one
    sender rotate through billions of them; IPv4 addresses count one by one.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip().lower()
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class RateLimiter:
    """At most ``limit`` events per key in any ``window`` seconds (a sliding-window log).

    Thread-safe: the receiver calls it from the event loop and from worker threads. Memory is
    bounded: at most ``limit`` timestamps per key and ``max_keys`` keys (the least recently
    active keys are forgotten first, after expired ones).
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_KEYS,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._max_keys = max_keys
        self._events: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> int:
        """Record one event for ``key`` if allowed and return 0; else the whole seconds to
        wait before the next event would be allowed (at least 1), recording nothing."""
        now = self._clock()
        with self._lock:
            events = self._events.get(key)
            if events is None:
                if len(self._events) >= self._max_keys:
                    self._evict(now)
                events = deque()
                self._events[key] = events
            else:
                self._events.move_to_end(key)
            horizon = now - self.window
            while events and events[0] <= horizon:
                events.popleft()
            if len(events) >= self.limit:
                return max(1, math.ceil(events[0] + self.window - now))
            events.append(now)
            return 0

    def _evict(self, now: float) -> None:
        horizon = now - self.window
        for key in [k for k, ev in self._events.items() if not ev or ev[-1] <= horizon]:
            del self._events[key]
        while len(self._events) >= self._max_keys:
            self._events.popitem(last=False)

    def __len__(self) -> int:
        return len(self._events)
