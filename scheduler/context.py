"""What every CLI command shares: the config file, the database, and the consoles.

The config and the engine are loaded lazily, once, when a command first asks for them, so
``mediamon --help`` and ``mediamon init`` work without either.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from sqlalchemy.engine import Engine

from crawler.config import Config, ConfigError, config_path, database_url, load_config
from crawler.storage.db import DatabaseError, make_engine
from crawler.storage.migrate import require_current


class Failure(click.ClickException):
    """A one-line reason and an exit status; never a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it a class attribute

    def show(self, file: object = None) -> None:
        click.echo(f"mediamon: {self.format_message()}", err=True)


@dataclass
class App:
    config_option: str | None
    db_option: str | None
    console: Console = field(default_factory=lambda: Console(stderr=False))
    err_console: Console = field(default_factory=lambda: Console(stderr=True))
    _config: Config | None = None
    _engine: Engine | None = None

    @property
    def config_file(self) -> Path:
        return config_path(self.config_option)

    @property
    def config(self) -> Config:
        if self._config is None:
            try:
                self._config = load_config(self.config_file)
            except ConfigError as exc:
                raise Failure(str(exc), exit_code=2) from None
        return self._config

    @property
    def database_url(self) -> str:
        return database_url(self.config, self.db_option)

    def engine(self, *, migrated: bool = True) -> Engine:
        """The engine; with ``migrated`` it first checks the schema is current."""
        if self._engine is None:
            try:
                # A command that needs the schema only reads an existing database: it never
                # creates an empty SQLite file (``db upgrade`` does).
                self._engine = make_engine(self.database_url, must_exist=migrated)
            except DatabaseError as exc:  # a URL, driver or file it cannot use: exit 2
                raise Failure(str(exc), exit_code=2) from None
        if migrated:
            try:
                require_current(self._engine)
            except DatabaseError as exc:  # unreachable, or not migrated: nothing can be done
                raise Failure(str(exc), exit_code=3) from None
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    @property
    def interactive(self) -> bool:
        return sys.stderr.isatty()
