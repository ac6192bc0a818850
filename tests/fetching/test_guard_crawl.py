"""The address guard at the connection, in real crawls against real loopback servers
(issue 17, findings 4, 5 and 6): redirects into private space, IPv6 literals, DNS rebinding,
configured hosts pointing inward, proxies from the environment and from the config, and a
gzip bomb. Every server counts the requests it gets, so "never connected" is checked, not
assumed.

127.0.0.1 plays the allowed world (only on the ports a test allows), 127.0.0.2 the intranet.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fetching.loopback import Server

ROOT = Path(__file__).parents[2]


@pytest.fixture
def world() -> Iterator[tuple[Server, Server]]:
    """An allowed server on 127.0.0.1 and an "intranet" one on 127.0.0.2, same port."""
    for _ in range(20):  # another process may hold the port on 127.0.0.2: take another one
        public = Server("127.0.0.1")
        try:
            intranet = Server("127.0.0.2", public.port)
        except OSError:
            public.close()
            continue
        break
    else:
        raise RuntimeError("no port free on both 127.0.0.1 and 127.0.0.2")
    yield public, intranet
    public.close()
    intranet.close()


def crawl(
    tmp_path: Path,
    urls: list[str],
    *,
    crawl_config: dict[str, Any] | None = None,
    sources: list[str] = (),  # type: ignore[assignment]
    env: dict[str, str] | None = None,
    settings: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    config = {
        "organisation": {"name": "Orbis"},
        "sources": [{"name": f"s{i}", "url": url} for i, url in enumerate(sources)],
        "crawl": {"download_delay": 0, "timeout": 20, "obey_robots": False, **(crawl_config or {})},
    }
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "config": config,
                "urls": urls,
                "settings": {
                    "MEDIAMON_UPSTREAM_RESOLVER": "tests.fetching.guard_crawl.FlipResolver",
                    **(settings or {}),
                },
            }
        ),
        encoding="utf-8",
    )
    child_env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    child_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "tests.fetching.guard_crawl", str(spec)],
        cwd=ROOT,
        env=child_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert len(results) == len(urls), done.stderr[-3000:]
    return {r["url"]: r for r in results}


def test_redirect_chain_ending_on_a_private_address(
    tmp_path: Path, world: tuple[Server, Server]
) -> None:
    public, intranet = world
    port = public.port
    last = f"http~//127.0.0.2~{port}/secret"
    middle = f"http~//127.0.0.1~{port}/redirect/{last}"
    start = f"http://127.0.0.1:{port}/redirect/{middle}"
    fine = f"http://127.0.0.1:{port}/fine"
    got = crawl(tmp_path, [start, fine], crawl_config={"allow_hosts": [f"127.0.0.1:{port}"]})
    assert got[start]["error"] == "address guard: 127.0.0.2 is a loopback address"
    assert got[fine]["status"] == 200
    assert intranet.paths == []
    assert len(public.paths) == 3


def test_ipv6_literal_and_wrapped_sources(tmp_path: Path, world: tuple[Server, Server]) -> None:
    public, intranet = world
    port = public.port
    mapped = f"http://[::ffff:127.0.0.2]:{port}/mapped"
    loopback6 = f"http://[::1]:{port}/v6"
    sixtofour = f"http://[2002:7f00:2::]:{port}/6to4"
    got = crawl(
        tmp_path,
        [mapped, loopback6, sixtofour],
        crawl_config={"allow_hosts": [f"127.0.0.1:{port}"]},
    )
    assert got[mapped]["error"] == "address guard: 127.0.0.2 is a loopback address"
    assert got[loopback6]["error"] == "address guard: ::1 is a loopback address"
    assert "6to4 address wrapping 127.0.0.2" in got[sixtofour]["error"]
    assert intranet.paths == []
    assert public.paths == []


def test_dns_rebinding_connects_only_to_the_checked_address(
    tmp_path: Path, world: tuple[Server, Server]
) -> None:
    public, intranet = world
    port = public.port
    first, second = f"http://rebind.test:{port}/first", f"http://rebind.test:{port}/second"
    got = crawl(tmp_path, [first, second], crawl_config={"allow_hosts": [f"127.0.0.1:{port}"]})
    assert got[first]["status"] == 200
    assert got[second]["error"] == "address guard: 127.0.0.2 is a loopback address"
    assert public.paths == ["/first"]
    assert intranet.paths == []


def test_configured_hosts_only_on_their_configured_address_and_port(
    tmp_path: Path, world: tuple[Server, Server]
) -> None:
    public, intranet = world
    port = public.port
    other = Server("127.0.0.1")
    try:
        inward = f"http://inward.test:{port}/feed"  # configured, but DNS points inward
        mapped = f"http://mapped.test:{port}/feed"  # configured with its address
        mapped_elsewhere = f"http://mapped.test:{other.port}/admin"
        got = crawl(
            tmp_path,
            [inward, mapped, mapped_elsewhere],
            sources=[inward, mapped],
            crawl_config={"resolve": {"mapped.test": "127.0.0.1"}},
        )
    finally:
        other.close()
    assert got[inward]["error"] == "address guard: 127.0.0.1 is a loopback address"
    assert got[mapped]["status"] == 200
    assert got[mapped_elsewhere]["error"] == "address guard: 127.0.0.1 is a loopback address"
    assert public.paths == ["/feed"]
    assert other.paths == []
    assert intranet.paths == []


def test_proxies_from_the_environment_are_ignored(
    tmp_path: Path, world: tuple[Server, Server]
) -> None:
    public, intranet = world
    port = public.port
    proxy = Server("127.0.0.1")
    try:
        secret, metadata = "http://10.0.0.1:9/x", "http://169.254.169.254/latest/meta-data/"
        fine = f"http://127.0.0.1:{port}/direct"
        env = {"http_proxy": f"http://127.0.0.1:{proxy.port}", "HTTP_PROXY": ""}
        env["HTTP_PROXY"] = env["http_proxy"]
        got = crawl(
            tmp_path,
            [secret, metadata, fine],
            crawl_config={"allow_hosts": [f"127.0.0.1:{port}"]},
            env=env,
        )
    finally:
        proxy.close()
    assert got[secret]["error"] == "address guard: 10.0.0.1 is a private address"
    assert got[metadata]["error"] == "address guard: 169.254.169.254 is a link-local address"
    assert got[fine]["status"] == 200
    assert public.paths == ["/direct"]
    assert proxy.paths == []
    assert intranet.paths == []


def test_a_configured_proxy_gets_only_targets_the_guard_allows(
    tmp_path: Path, world: tuple[Server, Server]
) -> None:
    public, intranet = world
    port = public.port
    proxy = Server("127.0.0.1")
    try:
        secret, metadata = "http://10.0.0.1:9/x", "http://169.254.169.254/latest/meta-data/"
        rebound = f"http://127.0.0.2:{port}/intranet"
        fine = f"http://127.0.0.1:{port}/proxied"
        got = crawl(
            tmp_path,
            [secret, metadata, rebound, fine],
            crawl_config={
                "allow_hosts": [f"127.0.0.1:{port}"],
                "proxy": f"http://127.0.0.1:{proxy.port}",
            },
        )
    finally:
        proxy.close()
    assert got[secret]["error"] == "address guard: 10.0.0.1 is a private address"
    assert got[metadata]["error"] == "address guard: 169.254.169.254 is a link-local address"
    assert got[rebound]["error"] == "address guard: 127.0.0.2 is a loopback address"
    assert got[fine]["status"] == 200
    assert proxy.paths == [fine]  # the absolute URI: it went through the proxy
    assert public.paths == []
    assert intranet.paths == []


def test_a_gzip_bomb_is_cut_at_the_limit_and_labelled_final(
    tmp_path: Path, world: tuple[Server, Server]
) -> None:
    public, _ = world
    port = public.port
    bomb = f"http://127.0.0.1:{port}/bomb"
    got = crawl(
        tmp_path,
        [bomb],
        crawl_config={"allow_hosts": [f"127.0.0.1:{port}"], "max_body_bytes": 65536},
    )
    assert got[bomb]["error"] == "body too large (decompressed)"
    assert public.paths == ["/bomb"]
