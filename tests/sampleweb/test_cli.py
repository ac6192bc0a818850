"""``python -m sampleweb`` as a real process: port line, truth, config, clean exit."""

from __future__ import annotations

import json
import re
import selectors
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sampleweb.server.client import fetch


def start(args: list[str]) -> tuple[subprocess.Popen[str], int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sampleweb", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    if not sel.select(timeout=15):
        proc.kill()
        pytest.fail("no 'serving on' line within 15 s")
    line = proc.stdout.readline()
    m = re.fullmatch(r"serving on http://127\.0\.0\.1:(\d+)\n", line)
    assert m, line
    return proc, int(m.group(1))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_writes_files_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    truth_file, config_file = tmp_path / "truth.json", tmp_path / "mediamon.toml"
    proc, port = start(
        ["--port", "0", "--day", "2", "--truth", str(truth_file), "--config-out", str(config_file)]
    )
    try:
        truth = json.loads(truth_file.read_text())
        assert truth["day"] == 2
        assert truth["port"] == port
        config = tomllib.loads(config_file.read_text())
        assert config["linkbacks"]["wpcom_api_base"].endswith(f":{port}")
        status, _, _ = fetch(truth["organisation"]["feed"], port=port)
        assert status == 200
        assert fetch(f"http://127.0.0.1:{port}/", port=port)[0] == 200
    finally:
        proc.send_signal(sig)
        try:
            code = proc.wait(10)
        finally:
            proc.kill()
            proc.communicate()
    assert code == 0
