"""`mediamon user ...` and `mediamon token ...` as a user runs them (#20)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from crawler.storage.db import make_engine, session_scope
from crawler.storage.tokens import token_org
from crawler.storage.users import authenticate
from tests.cli.test_foundation_cli import run
from tests.web.factories import NOW


def _mm(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("mediamon")
    return subprocess.run(
        [str(exe), "--config", "x.toml", *args],
        cwd=tmp_path,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _setup(tmp_path: Path) -> str:
    assert run(["init", "x.toml"], tmp_path).returncode == 0
    assert run(["--config", "x.toml", "db", "upgrade"], tmp_path).returncode == 0
    return f"sqlite:///{tmp_path / 'mediamon.db'}"


def test_user_lifecycle(tmp_path: Path) -> None:
    url = _setup(tmp_path)
    added = _mm(tmp_path, "user", "add", "ana", "--role", "editor", "--password-stdin",
                stdin="a long password\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout == ""
    again = _mm(tmp_path, "user", "add", "ana", "--password-stdin", stdin="a long password\n")
    assert again.returncode == 1
    assert again.stderr.strip() == "mediamon: user 'ana' already exists"
    short = _mm(tmp_path, "user", "add", "bo", "--password-stdin", stdin="short\n")
    assert "password too short" in short.stderr
    empty = _mm(tmp_path, "user", "add", "bo", "--password-stdin", stdin="")
    assert empty.returncode == 2
    assert "no password on stdin" in empty.stderr
    listed = _mm(tmp_path, "user", "list")
    assert "ana" in listed.stdout
    assert "editor" in listed.stdout
    changed = _mm(tmp_path, "user", "passwd", "ana", "--password-stdin", stdin="new password!\n")
    assert changed.returncode == 0, changed.stderr
    engine = make_engine(url)
    with session_scope(engine) as s:
        assert authenticate(s, "ana", "new password!", NOW).user is not None
    assert _mm(tmp_path, "user", "remove", "ana").returncode == 0
    gone = _mm(tmp_path, "user", "remove", "ana")
    assert gone.returncode == 1
    assert "no user named 'ana'" in gone.stderr
    engine.dispose()


def test_token_printed_once_alone_and_revocable(tmp_path: Path) -> None:
    url = _setup(tmp_path)
    made = _mm(tmp_path, "token", "add", "feeds", "--org", "Orbis")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert made.stdout == token + "\n"
    assert token.startswith("mm_")
    engine = make_engine(url)
    with session_scope(engine) as s:
        assert token_org(s, token) == "Orbis"
    listed = _mm(tmp_path, "token", "list")
    assert "feeds" in listed.stdout
    assert token not in listed.stdout
    assert _mm(tmp_path, "token", "revoke", "feeds").returncode == 0
    with session_scope(engine) as s:
        assert token_org(s, token) is None
    again = _mm(tmp_path, "token", "revoke", "feeds")
    assert again.returncode == 1
    assert "no active token named 'feeds'" in again.stderr
    engine.dispose()
