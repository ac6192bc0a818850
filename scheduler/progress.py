"""The progress a command shows on stderr while it crawls: one set-up for every command.

``mediamon poll``, ``linkbacks`` and ``crawl`` each used to build their own rich progress bar;
they differ only in the label and in whether the total is known. Shown only when stderr is
a terminal (``App.interactive``); otherwise there is no bar and no callback, so runs in
scripts, tests and the scheduler pay nothing for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from scheduler.context import App

#: What a run calls once per item done: its name (a source, post or URL) and the outcome.
Advance = Callable[[str, str], None]
#: What a spinner counts beside its pages: the items' noun and how many there are.
Items = tuple[str, int | None] | None
_DESCRIPTION = 80


class _Bar:
    """The callback a run gets: called once per unit of work done; ``grow(n)`` when the run
    finds ``n`` more to do (a poll's article pages, known once their feeds are read), so
    the bar moves with pages read, not with feeds scheduled (#18). ``finished(name,
    outcome)``: one of the run's ``items`` (a harvest's posts) is done, counted beside the
    pages ("2/6 posts")."""

    def __init__(self, bar: Progress, task_id: TaskID, counted: bool, items: Items) -> None:
        self.bar, self.task_id, self.counted = bar, task_id, counted
        self.items, self.done = items, 0

    def __call__(self, name: str, outcome: str) -> None:
        self.bar.update(self.task_id, advance=1, description=f"{name}: {outcome}"[:_DESCRIPTION])

    def finished(self, name: str, outcome: str) -> None:
        self.done += 1
        noun, total = self.items or ("", None)
        counts = f"{self.done}/{total} {noun}" if total is not None else f"{self.done} {noun}"
        self.bar.update(
            self.task_id, items=f"{counts} · ", description=f"{name}: {outcome}"[:_DESCRIPTION]
        )

    def grow(self, more: int) -> None:
        task = self.bar.tasks[self.task_id]
        if not self.counted and task.total is not None:
            self.bar.update(self.task_id, total=task.total + more)


@contextmanager
def progress_bar(
    app: App, label: str, total: int | None, *, counted: str = "", items: Items = None
) -> Iterator[Advance | None]:
    """A transient bar labelled ``label`` out of ``total`` items, or, with ``counted`` (the
    unit, e.g. ``page(s)``), a spinner with a running count for runs whose size is unknown
    until they end, and with ``items`` (e.g. ``("posts", 6)``) the items finished so far.
    Yields the callback to hand to the run (``None`` when not shown); the bar is removed when
    the block ends, however it ends."""
    if not app.interactive:
        yield None
        return
    columns: list[ProgressColumn | str]
    if counted:
        columns = [
            SpinnerColumn(),
            TextColumn(f"{label}: {{task.fields[items]}}{{task.completed}} {counted}"),
        ]
    else:
        columns = [TextColumn(label), BarColumn(), MofNCompleteColumn()]
    columns += [TimeElapsedColumn(), TextColumn("{task.description}", markup=False)]
    bar = Progress(*columns, console=app.err_console, transient=True)
    first = f"0/{items[1]} {items[0]} · " if items and items[1] is not None else ""
    task_id = bar.add_task("", total=None if counted else total, items=first)
    bar.start()
    try:
        yield _Bar(bar, task_id, bool(counted), items)
    finally:
        bar.stop()
