"""One progress set-up for every command that crawls: a bar on a terminal, nothing otherwise,
and always taken down, even when the run fails."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from scheduler.context import App
from scheduler.progress import progress_bar


def _app(monkeypatch: pytest.MonkeyPatch, *, interactive: bool) -> App:
    monkeypatch.setattr(App, "interactive", property(lambda self: interactive))
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    return App(None, None, err_console=console)


def test_not_on_a_terminal_there_is_no_bar_and_no_callback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _app(monkeypatch, interactive=False)
    with progress_bar(app, "polling", 3) as advance:
        assert advance is None
    assert app.err_console.file.getvalue() == ""  # type: ignore[attr-defined]


@pytest.mark.parametrize(("total", "counted"), [(2, ""), (None, ""), (None, "page(s)")])
def test_on_a_terminal_the_bar_counts_and_is_taken_down_even_after_a_failure(
    monkeypatch: pytest.MonkeyPatch, total: int | None, counted: str
) -> None:
    app = _app(monkeypatch, interactive=True)

    def failing_run() -> None:
        with progress_bar(app, "polling", total, counted=counted) as advance:
            assert advance is not None
            advance("Daily [Planet]", "fetched")  # no markup is read from a source's name
            raise RuntimeError("crawl broke")

    with pytest.raises(RuntimeError, match="crawl broke"):
        failing_run()
    # A live display left running would make rich refuse a second one.
    with progress_bar(app, "harvesting", 1) as again:
        assert again is not None
        again("https://example.test/post", "3 linkbacks, 1 new")
    assert "harvesting" in app.err_console.file.getvalue()  # type: ignore[attr-defined]


def test_the_bar_grows_with_the_pages_a_run_finds_to_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """A poll knows its feeds up front and its article pages only once the feeds are read:
    the total grows, so the bar moves with pages read, not with feeds scheduled (#18)."""
    app = _app(monkeypatch, interactive=True)
    with progress_bar(app, "polling", 2) as advance:
        assert advance is not None
        advance("Daily Planet", "fetched")
        grow = advance.grow
        grow(3)  # three article pages to read
        advance("A story", "article read")
        task = advance.bar.tasks[0]  # type: ignore[attr-defined]
        assert (task.completed, task.total) == (2, 5)
    with progress_bar(app, "crawling", None, counted="page(s)") as spinner:
        assert spinner is not None
        spinner.grow(3)  # a spinner counts up; it has no total to grow
        spinner("https://example.test/", "read")
        task = spinner.bar.tasks[0]  # type: ignore[attr-defined]
        assert (task.completed, task.total) == (1, None)


def test_a_harvest_spinner_counts_pages_read_and_posts_finished(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`mediamon linkbacks`: the pages move the count, a finished post moves "n/6 posts"."""
    app = _app(monkeypatch, interactive=True)
    with progress_bar(app, "harvesting", 6, counted="page(s) read", items=("posts", 6)) as advance:
        assert advance is not None
        for n in range(5):
            advance(f"https://blog.example/p/{n}", "HTTP 200")
        advance.finished("A post", "3 linkbacks, 1 new")  # type: ignore[attr-defined]
        task = advance.bar.tasks[0]  # type: ignore[attr-defined]
        assert (task.completed, task.total) == (5, None)
        line = advance.bar.columns[1].render(task).plain  # type: ignore[attr-defined]
        assert line == "harvesting: 1/6 posts · 5 page(s) read"
