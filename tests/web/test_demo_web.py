"""`mediamon demo` leaves a database that the newsroom serves, and says how to sign in (#20)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.storage.db import make_engine
from tests.web.conftest import Newsroom

pytestmark = pytest.mark.slow

CLI = "import sys; from scheduler.cli import main; sys.argv[0] = 'mediamon'; main()"


def test_demo_database_is_served_with_the_printed_login(
    tmp_path: Path, newsroom_factory: Callable[..., Newsroom]
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CLI, "demo", "--dir", str(tmp_path / "demo")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    login = re.search(r"sign in as (\S+) / (\S+)", done.stdout)
    assert login, done.stdout
    assert "web`" in done.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'demo' / 'mediamon.db'}")
    room = newsroom_factory(engine)
    client = room.client()
    assert client.login(login.group(1), login.group(2)).status == 303
    inbox = client.get("/")
    assert inbox.status == 200
    assert inbox.text.count('class="find ') >= 5
    assert client.get("/sources").status == 200
    engine.dispose()
