"""The rate limiter and the client key, with a hand-driven clock."""

from __future__ import annotations

import pytest

from crawler.receiver.limits import RateLimiter, client_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_allows_limit_then_waits_for_the_oldest() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60, clock=clock)
    for _ in range(3):
        assert limiter.hit("a") == 0
        clock.now += 10
    assert limiter.hit("a") == 30  # events at 0, 10, 20; now 30
    clock.now += 29.5
    assert limiter.hit("a") == 1  # rounded up, never 0 while refused
    clock.now += 0.5
    assert limiter.hit("a") == 0  # the first event aged out at 60
    assert limiter.hit("a") == 10  # the next one ages out at 70


def test_refusals_do_not_extend_the_ban() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 10, clock=clock)
    assert limiter.hit("a") == 0
    for _ in range(100):
        clock.now += 0.05
        assert limiter.hit("a") > 0
    clock.now += 5.01
    assert limiter.hit("a") == 0


def test_keys_are_independent() -> None:
    limiter = RateLimiter(1, 60, clock=Clock())
    assert limiter.hit("flood") == 0
    assert limiter.hit("flood") > 0
    assert limiter.hit("friend") == 0


def test_memory_is_bounded() -> None:
    clock = Clock()
    limiter = RateLimiter(2, 60, clock=clock, max_keys=100)
    for i in range(1000):
        clock.now += 0.001
        assert limiter.hit(f"k{i}") == 0
    assert len(limiter) <= 100
    assert limiter.hit("k999") == 0  # the newest keys are kept
    assert limiter.hit("k999") > 0


def test_invalid_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="limit"):
        RateLimiter(0)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("", ""),
        ("unix-socket", "unix-socket"),
    ],
)
def test_client_key(address: str, key: str) -> None:
    assert client_key(address) == key
