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

from crawler.config import Config, ConfigError, config_paths, database_url, load_configs
from crawler.storage.db import DatabaseError, make_engine
from crawler.storage.migrate import require_current


class Failure(click.ClickException):
    """A one-line reason and an exit status; never a traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]  # click declares it a class attribute

    def show(self, file: object = None) -> None:
        click.echo(f"mediamon: {self.format_message()}", err=True)


def choose_organisation(configs: tuple[Config, ...], org: str | None) -> Config:
    """The config of the organisation a command works for: the only one loaded, or the one
    ``--org`` names (#16); a missing or unknown name is an error listing the loaded ones."""
    names = ", ".join(repr(c.organisation.name) for c in configs)
    if org is None:
        if len(configs) == 1:
            return configs[0]
        raise Failure(
            f"several organisations are loaded ({names}): name one with --org NAME", exit_code=2
        )
    for config in configs:
        if config.organisation.name == org:
            return config
    raise Failure(f"--org {org!r}: no such organisation; loaded: {names}", exit_code=2)


@dataclass
class App:
    config_option: str | tuple[str, ...] | None
    db_option: str | None
    console: Console = field(default_factory=lambda: Console(stderr=False))
    err_console: Console = field(default_factory=lambda: Console(stderr=True))
    org_option: str | None = None
    """``--org NAME``: which loaded organisation a command works for (#16)."""
    _configs: tuple[Config, ...] | None = None
    _engine: Engine | None = None

    @property
    def config_files(self) -> list[Path]:
        """One config file per organisation (``--config`` repeated, or $MEDIAMON_CONFIG)."""
        option = self.config_option
        return config_paths((option,) if isinstance(option, str) else option or ())

    @property
    def config_file(self) -> Path:
        return self.config_files[0]

    @property
    def configs(self) -> tuple[Config, ...]:
        """Every loaded organisation's config (the daemon and the receiver serve them all)."""
        if self._configs is None:
            try:
                self._configs = load_configs(self.config_files)
            except ConfigError as exc:
                raise Failure(str(exc), exit_code=2) from None
        return self._configs

    @property
    def config(self) -> Config:
        """The config of the organisation this command works for (``choose_organisation``)."""
        return choose_organisation(self.configs, self.org_option)

    @property
    def database_url(self) -> str:
        return database_url(self.configs[0], self.db_option)

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
