"""`mediamon demo --dir DIR` is idempotent (#18): run twice in the same directory it resets
the previous demo and finds the same counts (the sample web's new port would otherwise make
every URL new); a directory holding anything else is refused with a one-line error; after
the demo, the commands it suggests, and the README's example commands with dates, return
results against the demo database (finding 11); and the newsroom serves the demo's database
with the login the demo prints (#20).

The two demos run once for the whole module (``demos``): a demo costs some 11 s of CPU, and
each test here reads the same demo database (#13)."""

from __future__ import annotations

import dataclasses
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.storage.db import make_engine
from tests.web.conftest import Newsroom, newsroom_factory

__all__ = ["newsroom_factory"]  # the newsroom fixture, for the test at the end
ROOT = Path(__file__).parents[2]
CLI = "import sys; from scheduler.cli import main; sys.argv[0] = 'mediamon'; main()"


def mediamon(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        cwd=cwd,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def found_table(stdout: str) -> list[tuple[str, ...]]:
    """The rows of the "found vs ground truth" table: (kind, found, expected)."""
    rows = []
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 3 and cells[1].isdigit():
            rows.append(tuple(cells))
    return rows


def test_a_directory_with_other_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    done = mediamon("demo", "--dir", str(tmp_path), cwd=tmp_path, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith("mediamon: ")
    assert "is not empty and not a previous demo (notes.txt)" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


@dataclasses.dataclass(frozen=True)
class Demos:
    """Two demos run in one directory, as the tests below read them."""

    work: Path  # stands for /tmp in the README's commands
    target: Path  # the demo's directory, ``/tmp/mediamon-demo`` in the README
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> Demos:
    """``mediamon demo --dir`` twice in one directory: the one demo database of this module."""
    work = tmp_path_factory.mktemp("demo")
    target = work / "mediamon-demo"
    first = mediamon("demo", "--dir", str(target), cwd=work)
    assert first.returncode == 0, first.stderr
    second = mediamon("demo", "--dir", str(target), cwd=work)
    assert second.returncode == 0, second.stderr
    return Demos(work, target, first, second)


@pytest.mark.slow
@pytest.mark.timeout(900)  # two whole demos and three commands on a loaded machine
def test_demo_twice_in_one_directory_gives_the_same_counts(demos: Demos) -> None:
    first, second, target, tmp_path = demos.first, demos.second, demos.target, demos.work
    assert "Resetting the previous demo" in second.stdout
    assert "Traceback" not in second.stderr
    assert found_table(first.stdout)
    assert found_table(second.stdout) == found_table(first.stdout)
    assert f"Digest: {target / 'digest'}" in second.stdout
    commands = [
        line.strip() for line in second.stdout.splitlines() if line.strip().startswith("mediamon ")
    ]
    assert len(commands) == 3
    for command in commands:
        done = mediamon(*shlex.split(command)[1:], cwd=tmp_path, timeout=120)
        assert done.returncode == 0, (command, done.stderr)
        assert done.stdout.strip(), command
        assert "No mentions in that range" not in done.stdout, command
        assert not re.search(r"Traceback", done.stderr)


def readme_dated_examples(readme: str) -> list[str]:
    """The README's example command lines (in its ``sh`` blocks) that run mediamon with a date
    computed by ``date``: the ones that must find something on the demo database (#18,
    finding 11). Read from the README, so the test follows the docs."""
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    lines = [line.strip() for block in blocks for line in block.splitlines()]
    return [
        line for line in lines if re.match(r"(\.venv/bin/)?mediamon ", line) and "$(date" in line
    ]


def _outputs(command: str, stdout: str, cwd: Path) -> list[str]:
    """What ``command`` produced: its stdout, the file it redirects into, and the text
    digest it writes with ``--out DIR``."""
    produced = [stdout]
    redirect = re.search(r">\s*(\S+)", command)
    if redirect:
        produced.append((cwd / redirect.group(1)).read_text(encoding="utf-8"))
    out_dir = re.search(r"--out\s+(\S+)", command)
    if out_dir:
        texts = sorted(Path(out_dir.group(1)).glob("*.txt"))
        assert texts, f"{command}: no text digest written"
        produced += [t.read_text(encoding="utf-8") for t in texts]
    return produced


@pytest.mark.slow
@pytest.mark.timeout(900)  # the demos (shared with the test above) and the README's commands
def test_the_readme_examples_with_dates_return_results_on_the_demo_database(
    demos: Demos,
) -> None:
    examples = readme_dated_examples((ROOT / "README.md").read_text(encoding="utf-8"))
    assert {shlex.split(line, comments=True)[1] for line in examples} >= {"mentions", "digest"}, (
        examples
    )
    # `mediamon` on PATH is this checkout's CLI; the README's /tmp is this test's directory
    bin_dir = demos.work / "bin"
    bin_dir.mkdir(exist_ok=True)
    wrapper = bin_dir / "mediamon"
    wrapper.write_text(
        f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -c {shlex.quote(CLI)} "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    config = tomllib.loads((demos.target / "mediamon.toml").read_text(encoding="utf-8"))
    env = {
        "COLUMNS": "80",
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(demos.work),
        # dates are days in the organisation's zone (README, `mentions`): a shell in that zone
        "TZ": config["organisation"]["timezone"],
    }
    for example in examples:
        command = example.removeprefix(".venv/bin/").replace("/tmp/", f"{demos.work}/")
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=demos.target,  # the demo's mediamon.toml is the default config there
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, (example, done.stderr)
        assert "Traceback" not in done.stderr, example
        produced = _outputs(command, done.stdout, demos.target)
        text = "\n".join(produced)
        assert text.strip(), example
        assert "No mentions in that range" not in text, (example, text[:2000])
        assert "No new coverage" not in text, (example, text[:2000])
        if "--format csv" in command:
            assert len(produced[-1].strip().splitlines()) > 1, (example, "only a header")


@pytest.mark.slow
def test_demo_database_is_served_with_the_printed_login(
    demos: Demos, newsroom_factory: Callable[..., Newsroom]
) -> None:
    done = demos.second
    login = re.search(r"sign in as (\S+) / (\S+)", done.stdout)
    assert login, done.stdout
    assert "web`" in done.stdout
    engine = make_engine(f"sqlite:///{demos.target / 'mediamon.db'}")
    room = newsroom_factory(engine)
    client = room.client()
    assert client.login(login.group(1), login.group(2)).status == 303
    inbox = client.get("/")
    assert inbox.status == 200
    assert inbox.text.count('class="find ') >= 5
    assert client.get("/sources").status == 200
    engine.dispose()
