"""Handing a run's context to the crawler's components through its settings.

Scrapy deep-copies the settings for every crawler, and a run's context holds live objects (a
database engine, the compiled queries, the report being filled). ``Shared`` copies as itself,
so the components built by ``from_crawler`` receive the very context their run created, each
crawler its own: no module-level registry, and several crawlers can share one process.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Shared(Generic[T]):
    """A settings value passed by reference (see the module docstring)."""

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __copy__(self) -> Shared[T]:
        return self

    def __deepcopy__(self, _memo: dict[int, Any]) -> Shared[T]:
        return self


def shared_setting(settings: Any, name: str, kind: type[T]) -> T:
    """The ``kind`` object the run put in setting ``name``; a clear error when it is missing
    (the component was enabled without a run to serve)."""
    holder = settings.get(name)
    if not isinstance(holder, Shared) or not isinstance(holder.value, kind):
        raise RuntimeError(
            f"setting {name} carries no {kind.__name__}: start this crawl through "
            "crawler.runs (mediamon, or scheduler.child), which creates the run's context"
        )
    return holder.value
