"""`mediamon sources`: sources from outside the config.

``import FILE.opml`` adds the feeds of an OPML subscription list (categories become kinds),
refusing outlines the address guard would refuse and listing every refusal in its report;
importing the same file again changes nothing. ``export --format opml`` writes the
organisation's sources as OPML 2.0 on stdout (or ``--out``). ``add URL`` adds one source and
polls it right away, so a site page is discovered the way the poller always does it (the
page's ``<link rel=alternate>``, then the common feed paths, then the sitemaps), through the
same downloader, limits and address guard; ``--dry-run`` does all of that against a throwaway
database and stores nothing.

Sources added here live in the database only; the config's ``[[sources]]`` stay the ones a
config sync manages (a source removed from the config is kept, as before).
"""

from __future__ import annotations

import ipaddress
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import click
from rich.table import Table

from crawler.config import Config
from crawler.domain import SourceType
from crawler.feeds.opml import Outline, parse_opml, to_opml
from crawler.fetching.guard import AllowList, check_address
from crawler.storage.db import make_engine, session_scope
from crawler.storage.migrate import upgrade
from crawler.storage.sources import (
    SourceSpec,
    add_sources,
    get_source_by_url,
    list_sources,
)
from scheduler.context import App, Failure
from scheduler.output import echo_json, format_option, wants_json

pass_app = click.make_pass_decorator(App)


def refusal(url: str, allowed: AllowList, resolve: Mapping[str, str]) -> str | None:
    """Why a URL from outside may not become a source, or None. Schemes other than http(s)
    are refused, and hosts whose address is known without DNS (an IP literal, ``localhost``,
    the config's static ``resolve`` map) go through the address guard now; other names are
    checked by the guard when they are fetched, after DNS resolution, like every fetch."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return "refused: not a URL"
    if parts.scheme not in ("http", "https"):
        return f"refused: {parts.scheme or 'no'} scheme (only http and https are fetched)"
    if not host:
        return "refused: no host"
    ip = resolve.get(host, "")
    if not ip and (host == "localhost" or host.endswith(".localhost")):
        ip = "127.0.0.1"
    if not ip:
        try:
            ip = str(ipaddress.ip_address(host.strip("[]")))
        except ValueError:
            return None
    reason = check_address(host, ip, allowed)
    return f"refused by the {reason}" if reason else None


def _guard(config: Config) -> tuple[AllowList, dict[str, str]]:
    resolve = {k.lower().rstrip("."): v for k, v in config.crawl.resolve.items()}
    return AllowList.of(config.crawl.allow_hosts), resolve


@click.group()
def sources() -> None:
    """Sources from outside the config: OPML import/export, add one by URL."""


@sources.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@format_option(json_help="Same as --format json: one JSON object on stdout.")
@pass_app
def import_(app: App, path: Path, fmt: str, as_json: bool) -> None:
    """Add the feeds of an OPML file (categories map to kinds; idempotent)."""
    doc = parse_opml(path.read_bytes())
    if doc.error:
        raise Failure(f"{path}: {doc.error}")
    allowed, resolve = _guard(app.config)
    specs: list[SourceSpec] = []
    refused: list[tuple[str, str]] = list(doc.skipped)
    for item in doc.outlines:
        reason = refusal(item.url, allowed, resolve)
        if reason:
            refused.append((item.url, reason))
            continue
        specs.append(
            SourceSpec(
                url=item.url,
                name=item.name,
                kind=item.kind,
                type=SourceType.FEED,
                language=item.language,
            )
        )
    with session_scope(app.engine()) as session:
        added = add_sources(session, app.config.organisation.name, specs, app.now())
    if wants_json(fmt, as_json):
        echo_json(
            {
                "file": str(path),
                "listed": len(doc.outlines),
                "added": added,
                "known": len(specs) - added,
                "refused": [{"url": url, "reason": reason} for url, reason in refused],
            }
        )
        return
    app.console.print(
        f"{path.name}: {len(doc.outlines)} feeds listed, {added} added, "
        f"{len(specs) - added} already known, {len(refused)} refused or skipped"
    )
    if refused:
        table = Table(title="Not imported")
        table.add_column("outline", overflow="fold")
        table.add_column("reason", overflow="fold")
        for url, reason in refused:
            table.add_row(url, reason)
        app.console.print(table)


@sources.command("export")
@click.option("--format", "fmt", type=click.Choice(["opml"]), default="opml", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
@pass_app
def export(app: App, fmt: str, out: Path | None) -> None:
    """Write the organisation's sources as OPML 2.0 (stdout unless --out)."""
    org = app.config.organisation.name
    with session_scope(app.engine()) as session:
        outlines = [
            Outline(url=row.url, name=row.name, kind=row.kind, language=row.language)
            for row in list_sources(session, org)
            if row.type != SourceType.OWN.value
        ]
    data = to_opml(outlines, title=f"{org}: mediamon sources", now=app.now())
    if out is not None:
        out.write_bytes(data)
        app.err_console.print(f"{len(outlines)} sources written to {out}")
    else:
        click.echo(data.decode("utf-8"), nl=False)


@sources.command("add")
@click.argument("url")
@click.option("--name", help="Source name (default: the host name).")
@click.option("--kind", type=click.Choice(["press", "blog"]), default="press", show_default=True)
@click.option("--dry-run", is_flag=True, help="Discover and show; store nothing.")
@pass_app
def add(app: App, url: str, name: str | None, kind: str, dry_run: bool) -> None:
    """Add one source by URL: a feed, or a site page whose feed is discovered."""
    from crawler.runs.poll import run_poll  # Scrapy is imported only by the commands that crawl

    allowed, resolve = _guard(app.config)
    reason = refusal(url, allowed, resolve)
    if reason:
        raise Failure(f"{url}: {reason}")
    name = name or urlsplit(url).hostname or url
    spec = SourceSpec(url=url, name=name, kind=kind, type=SourceType.FEED)
    with tempfile.TemporaryDirectory(prefix="mediamon-dry-run-") as scratch:
        if dry_run:
            db_url = f"sqlite:///{Path(scratch) / 'dry-run.db'}"
            engine = make_engine(db_url)
            upgrade(engine)
        else:
            engine = app.engine()
        with session_scope(engine) as session:
            new = add_sources(session, app.config.organisation.name, [spec], app.now())
            row = get_source_by_url(session, url)
            polled_name = row.name if row is not None else name
        if not new and not dry_run:
            app.console.print(f"{url} is already a source ({polled_name}); polling it now.")
        run_poll(
            app.config,
            engine,
            source_names=[polled_name],
            fetch_articles=not dry_run,
            match=not dry_run,
        )
        with session_scope(engine) as session:
            row = get_source_by_url(session, url)
            lines = _describe(row) if row is not None else ["not stored"]
        if dry_run:
            engine.dispose()
    prefix = "dry run, nothing stored: " if dry_run else ""
    app.console.print(prefix + lines[0])
    for line in lines[1:]:
        app.console.print("  " + line)


def _describe(row: object) -> list[str]:
    from crawler.storage.models import SourceRow

    assert isinstance(row, SourceRow)
    found = [d for d in row.discovered or [] if isinstance(d, dict)]
    events = list(row.events or [])
    last = events[-1] if events else {}
    if row.last_error and not row.entries_total:
        return [f"{row.url}: no feed found ({row.last_error})"]
    if found:
        first = found[0]
        head = f"{row.url}: discovered {first.get('type', 'feed')} {first.get('url', '')}"
    else:
        head = f"{row.url}: a {last.get('format') or row.type} feed"
    lines = [head, f"{row.entries_total} entries; kind {row.kind}; name {row.name!r}"]
    lines += [f"also advertised: {d.get('url')} ({d.get('type')})" for d in found[1:]]
    return lines
