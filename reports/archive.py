"""The digest archive: every digest's HTML, text and complete message, one set of files a day.

Files are written to a temporary name and renamed into place, so a reader (or a crash) never
sees half a file.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from crawler.config import Config


@dataclass(frozen=True, slots=True)
class DigestFiles:
    html: Path
    text: Path
    eml: Path

    def all(self) -> tuple[Path, Path, Path]:
        return (self.html, self.text, self.eml)


def archive_dir(config: Config) -> Path:
    """``digest.archive_dir``, relative to the config file's directory."""
    path = Path(config.digest.archive_dir).expanduser()
    return path if path.is_absolute() else config.base_dir / path


def digest_paths(directory: Path, day: date) -> DigestFiles:
    stem = day.isoformat()
    return DigestFiles(
        html=directory / f"{stem}.html",
        text=directory / f"{stem}.txt",
        eml=directory / f"{stem}.eml",
    )


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def full_digest_path(directory: Path, day: date) -> Path:
    """The uncut digest of a day cut to fit the email (``<day>.full.html``): what the
    email's "and N more" links to when the newsroom has no address (``reports.links``)."""
    return directory / f"{day.isoformat()}.full.html"


def write_full_digest(directory: Path, day: date, html: str) -> Path:
    """Write the uncut digest beside the email's copy (see ``full_digest_path``)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = full_digest_path(directory, day)
    _write_atomic(path, html.encode("utf-8"))
    return path


def write_digest(directory: Path, day: date, html: str, text: str, eml: bytes) -> DigestFiles:
    """Write ``<day>.html``, ``<day>.txt`` and ``<day>.eml`` into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    files = digest_paths(directory, day)
    _write_atomic(files.html, html.encode("utf-8"))
    _write_atomic(files.text, text.encode("utf-8"))
    _write_atomic(files.eml, eml)
    return files
