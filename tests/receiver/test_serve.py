"""``mediamon serve`` as a real process: endpoints printed, real pingback and webmention stored."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import xmlrpc.client
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy.engine import Engine

from crawler.storage.db import make_engine
from crawler.storage.migrate import upgrade
from scheduler.cli import cli
from tests.receiver.conftest import POSTS, add_posts, receipts

CONFIG = """
[organisation]
name = "Orbis Union"
timezone = "Europe/Zurich"

[[organisation.sites]]
url = "https://blog.example.org/"

[receiver]
public_url = "https://mentions.example.org"
"""

# Until `serve` is registered in scheduler/cli.py, run the group with it added.
_ADD_SERVE = (
    "from scheduler.cli import cli; from scheduler.cmd_serve import serve; "
    "cli.add_command(serve); cli(prog_name='mediamon')"
)


def command() -> list[str]:
    if "serve" in cli.commands:
        return [str(Path(sys.executable).with_name("mediamon"))]
    return [sys.executable, "-c", _ADD_SERVE]


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, str, Engine]:
    config = tmp_path / "mediamon.toml"
    config.write_text(CONFIG, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'mediamon.db'}"
    engine = make_engine(url)
    upgrade(engine)
    add_posts(engine)
    return config, url, engine


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIAMON_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Lines:
    """The process's stdout lines, collected by a thread (select on a buffered pipe lies)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 20) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(re.search(pattern, line) for line in self.lines):
                return list(self.lines)
            if self.proc.poll() is not None and not self._thread.is_alive():
                break
            time.sleep(0.05)
        raise AssertionError(f"no {pattern!r} in output: {self.lines}")


def test_serve_accepts_real_pingback_and_webmention(
    setup: tuple[Path, str, Engine], tmp_path: Path
) -> None:
    config, url, engine = setup
    proc = subprocess.Popen(
        [*command(), "--config", str(config), "--db", url, "serve", "--port", "0"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        output = Lines(proc)
        lines = output.wait_for(r"webmention\s+https://mentions\.example\.org/webmention")
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", lines[0])
        assert match, lines
        port = int(match.group(1))
        base = f"http://127.0.0.1:{port}"
        printed = "\n".join(lines)
        assert f"pingback    {base}/xmlrpc" in printed
        assert f"webmention  {base}/webmention" in printed
        assert f"trackback   {base}/trackback?target=<post URL>" in printed

        with xmlrpc.client.ServerProxy(f"{base}/xmlrpc") as proxy:
            assert "queued" in str(proxy.pingback.ping("https://a.example/p", POSTS[0]))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            body = urlencode({"source": "https://b.example/p", "target": POSTS[1]})
            conn.request(
                "POST",
                "/webmention",
                body,
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            response = conn.getresponse()
            assert response.status == 202
            response.read()
        finally:
            conn.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        assert proc.stderr is not None
        err = proc.stderr.read()
        proc.stderr.close()
        assert proc.stdout is not None
        proc.stdout.close()
    assert proc.returncode == 0, err
    assert "queued pingback receipt" in err  # logs go to stderr
    assert "receiver stopped" in err
    rows = receipts(engine)
    assert [(r.protocol, r.source, r.target) for r in rows] == [
        ("pingback", "https://a.example/p", POSTS[0]),
        ("webmention", "https://b.example/p", POSTS[1]),
    ]
    engine.dispose()


def test_serve_on_a_busy_port_fails_with_one_line(
    setup: tuple[Path, str, Engine], tmp_path: Path
) -> None:
    config, url, engine = setup
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*command(), "--config", str(config), "--db", url, "serve", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=_env(),
            timeout=60,
        )
    assert result.returncode == 1
    assert f"mediamon: cannot bind 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr
    engine.dispose()
