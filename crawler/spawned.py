"""Run a function in a spawned child process with a time limit and read its one reply.

The ``*_in_child`` helpers of polling, site crawls and linkback runs all need the same thing:
a fresh interpreter (Scrapy's reactor cannot restart), a pipe for the JSON report, and a kill
when the time is up. Keeping it here means a fix to the kill or the reply handling applies to
all of them.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: Exit status recorded for a child killed at its time limit (as timeout(1) uses).
TIMEOUT_EXIT = 124


@dataclass(frozen=True, slots=True)
class Spawned:
    """The child's reply (None if it gave none), or why there is none."""

    payload: str | None
    exit_status: int = 0
    error: str = ""


def run_spawned(target: Callable[..., None], args: tuple[Any, ...], timeout: float) -> Spawned:
    """Call ``target(sender, *args)`` in a spawned child; wait ``timeout`` seconds for the one
    string it sends on ``sender``, then reap (or kill) the child."""
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=target, args=(sender, *args))
    process.start()
    sender.close()
    payload: str | None = None
    try:
        if receiver.poll(timeout):
            payload = receiver.recv()
    except EOFError:  # the child died without a word (killed, segfault)
        payload = None
    process.join(5 if payload is not None else 0.1)
    if process.is_alive():
        process.kill()
        process.join()
    if payload is not None:
        return Spawned(payload)
    if process.exitcode not in (None, -9):
        return Spawned(None, 1, f"child exited with status {process.exitcode} without a report")
    return Spawned(None, TIMEOUT_EXIT, "time limit exceeded")
