"""`mediamon web` as a user runs it (#20): it binds, prints where, serves, stops on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import upgrade
from crawler.storage.users import Role, add_user
from tests.receiver.test_serve import CONFIG, Lines, _env
from tests.web.conftest import PASSWORD, Client
from tests.web.factories import NOW

MEDIAMON = str(Path(sys.executable).with_name("mediamon"))


def test_web_serves_and_stops(tmp_path: Path) -> None:
    config = tmp_path / "mediamon.toml"
    config.write_text(CONFIG, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'mediamon.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as s:
        add_user(s, "ana", PASSWORD, Role.EDITOR, ["Orbis Union"], NOW)
    engine.dispose()
    proc = subprocess.Popen(
        [MEDIAMON, "--config", str(config), "web", "--port", "0", "--with-receiver"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        lines = Lines(proc).wait_for(r"mediamon web for Orbis Union on http://", timeout=60)
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", "\n".join(lines))
        assert match, lines
        client = Client(int(match.group(1)))
        assert client.login("ana").status == 303
        assert client.get("/").status == 200
        assert client.get("/healthz").text == "ok\n"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        assert proc.stderr is not None
        err = proc.stderr.read()
        proc.stderr.close()
        assert proc.stdout is not None
        proc.stdout.close()
    assert proc.returncode == 0, err


def test_web_on_a_busy_port_fails_with_one_line(tmp_path: Path) -> None:
    import socket

    config = tmp_path / "mediamon.toml"
    config.write_text(CONFIG, encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path / 'mediamon.db'}")
    upgrade(engine)
    engine.dispose()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [MEDIAMON, "--config", str(config), "web", "--port", str(port)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env=_env(),
        )
    assert done.returncode == 1
    assert done.stderr.strip().startswith(f"mediamon: cannot bind 127.0.0.1:{port}")
    assert "Traceback" not in done.stderr
