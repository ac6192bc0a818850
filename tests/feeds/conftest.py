"""The sample web for the feed tests: one server per session, started in a thread on port 0,
and config files that point mediamon at it.

Timeouts are short and pacing is off (``download_delay = 0``): every host is local, and the
``slow`` / ``hang_after_headers`` endpoints must time out quickly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from sampleweb.server.router import SampleWeb

SLOW_SECONDS = 9.0
HANG_SECONDS = 12.0
TIMEOUT_SECONDS = 4.0  # generous: a busy machine must not turn a good page into a timeout


@pytest.fixture(scope="session")
def web() -> Iterator[SampleWeb]:
    sample = SampleWeb(scale="small", day=1, slow_seconds=SLOW_SECONDS, hang_seconds=HANG_SECONDS)
    sample.start(0)
    yield sample
    sample.stop()


def toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def crawl_section(web: SampleWeb, *, max_items: int = 1000, max_body: int = 1024 * 1024) -> str:
    resolve = ", ".join(f'{toml_string(h)} = "127.0.0.1"' for h in web.hosts())
    return f"""
[crawl]
user_agent = "mediamon-tests (+https://orbitalregistry.test/bot)"
allow_hosts = ["127.0.0.1"]
resolve = {{ {resolve} }}
download_delay = 0
concurrent_per_host = 16
timeout = {TIMEOUT_SECONDS}
max_body_bytes = {max_body}
max_feed_items = {max_items}
"""


def world_sources(web: SampleWeb) -> list[tuple[str, str, str]]:
    """(name, url, kind) of every blog and news source of the world, as a user would list
    them: the feed URL where the site has one, the home page otherwise (discovered)."""
    out = []
    for blog in web.world.blogs:
        out.append((blog.name, web.url(blog.host, blog.feed_path), "blog"))
    for site in web.world.news:
        url = web.url(site.host, site.feed_path or "/")
        out.append((site.name, url, "press"))
    return out


def write_config(
    path: Path,
    web: SampleWeb,
    sources: Sequence[tuple[str, str, str]],
    *,
    own: bool = True,
    **crawl: int,
) -> Path:
    org = web.world.org
    lines = [
        f"[organisation]\nname = {toml_string(org.name)}\ntimezone = {toml_string(org.timezone)}"
    ]
    if own:
        lines.append(
            f"[[organisation.sites]]\nurl = {toml_string(web.url(org.host))}\n"
            f'feed = {toml_string(web.url(org.host, "/feed/"))}\nplatform = "wordpress"'
        )
    for name, url, kind in sources:
        lines.append(
            f'[[sources]]\nname = {toml_string(name)}\nurl = {toml_string(url)}\nkind = "{kind}"'
        )
    lines.append(crawl_section(web, **crawl))
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path
