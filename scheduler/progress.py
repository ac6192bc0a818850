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
    TextColumn,
    TimeElapsedColumn,
)

from scheduler.context import App

#: What a run calls once per item done: its name (a source, post or URL) and the outcome.
Advance = Callable[[str, str], None]
_DESCRIPTION = 80


@contextmanager
def progress_bar(
    app: App, label: str, total: int | None, *, counted: str = ""
) -> Iterator[Advance | None]:
    """A transient bar labelled ``label`` out of ``total`` items, or, with ``counted`` (the
    unit, e.g. ``page(s)``), a spinner with a running count for runs whose size is unknown
    until they end. Yields the callback to hand to the run (``None`` when not shown); the bar
    is removed when the block ends, however it ends."""
    if not app.interactive:
        yield None
        return
    columns: list[ProgressColumn | str]
    if counted:
        columns = [SpinnerColumn(), TextColumn(f"{label}: {{task.completed}} {counted}")]
    else:
        columns = [TextColumn(label), BarColumn(), MofNCompleteColumn()]
    columns += [TimeElapsedColumn(), TextColumn("{task.description}", markup=False)]
    bar = Progress(*columns, console=app.err_console, transient=True)
    task_id = bar.add_task("", total=None if counted else total)

    def advance(name: str, outcome: str) -> None:
        bar.update(task_id, advance=1, description=f"{name}: {outcome}"[:_DESCRIPTION])

    bar.start()
    try:
        yield advance
    finally:
        bar.stop()
