"""Host-based dispatch and the in-process API (``SampleWeb``) for tests, benchmarks and the demo.

Every site of the world answers on one port; the ``Host`` header (port stripped) picks the
site, as a real shared web server would. mediamon reaches the names through its
``[crawl.resolve]`` table. A request for ``127.0.0.1`` (or any unknown name) gets an index of
the sites plus the control endpoints: ``POST /__control/day?n=N`` advances the world and
``GET /__control/truth`` returns the ground truth.

Rendered responses are kept in a bounded LRU keyed by (host, target, day): the world is
immutable for a given day, so a cached page is always right, and a benchmark that fetches a
page twice measures the crawler, not the renderer.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sampleweb.pages import blog_pages as blogs
from sampleweb.pages import news_sites as news
from sampleweb.pages import trouble as misbehaving
from sampleweb.pages import wp_pages as wordpress
from sampleweb.pages import wpcom_api as wpcom
from sampleweb.pages.hosts import WPCOM_API_HOST, world_hosts
from sampleweb.pages.html import Ctx, esc
from sampleweb.pages.messages import Request, Response, html, json_response, not_found, redirect
from sampleweb.pages.wp_day import WPME_HOST
from sampleweb.server.http import HttpServer
from sampleweb.world import bulk
from sampleweb.world.generate import build_world
from sampleweb.world.model import MAX_DAY, Article, World, clamp_day

INDEX_HOSTS = ("127.0.0.1", "localhost", "")
CACHE_SIZE = 4096


class Router:
    """``Request -> Response`` for the whole world on one day."""

    def __init__(
        self,
        world: World,
        day: int,
        timing: misbehaving.Timing,
        truth: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.world = world
        self.day = day
        self.port = 0
        self.timing = timing
        self.truth = truth
        self.blogs = {b.host: b for b in world.blogs}
        self.news = {n.host: n for n in world.news}
        self.news_index: dict[str, dict[str, Article]] = {
            n.host: {a.path: a for a in n.articles} for n in world.news
        }
        hosted = world.wpcom_blog
        self.hosted = hosted
        self.hosted_blogs = {b.host: b for b in hosted.blogs} if hosted else {}
        self.bulk = (
            {b.site.host: b for b in bulk.bulk_sites(world.bulk_sites)} if world.bulk_sites else {}
        )
        self._cache: OrderedDict[tuple[str, str, int, int], Response] = OrderedDict()
        self._lock = threading.Lock()

    def ctx(self) -> Ctx:
        return Ctx(self.world, clamp_day(self.day), self.port)

    def __call__(self, req: Request) -> Response:
        if req.method not in ("GET", "HEAD", "POST"):
            return Response(
                405,
                b"Method Not Allowed",
                "text/plain; charset=utf-8",
                [("Allow", "GET, HEAD, POST")],
            )
        ctx = self.ctx()
        key = (req.host, req.target.partition("#")[0], ctx.day, ctx.port)
        if req.method in ("GET", "HEAD"):
            with self._lock:
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    return hit
        resp = self.dispatch(req, ctx)
        if (
            req.method in ("GET", "HEAD")
            and resp.cacheable
            and resp.status == 200
            and not resp.dynamic
        ):
            with self._lock:
                self._cache[key] = resp
                if len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return resp

    def dispatch(self, req: Request, ctx: Ctx) -> Response:
        host = req.host
        org = self.world.org
        if host == org.host:
            return wordpress.handle(req, ctx)
        if host == org.www_host:
            return redirect(
                ctx.url(org.host, req.target if req.target.startswith("/") else req.path)
            )
        if self.hosted is not None:
            answer = self._hosted(req, Ctx(self.hosted, ctx.day, ctx.port))
            if answer is not None:
                return answer
        if host == WPCOM_API_HOST:
            return wpcom.handle_wpcom(req, ctx)
        if host == misbehaving.HOST:
            return misbehaving.handle(req, ctx, self.timing)
        site = self.blogs.get(host)
        if site is not None:
            return blogs.handle(site, req, ctx)
        nsite = self.news.get(host)
        if nsite is not None:
            return news.handle(nsite, self.news_index[host], req, ctx)
        bsite = self.bulk.get(host)
        if bsite is not None:
            return news.handle_bulk(bsite, req, ctx)
        return self._index(req, ctx)

    def _hosted(self, req: Request, hosted: Ctx) -> Response | None:
        """The organisation's blog on WordPress.com, the blog that pinged it, its API answers
        and its wp.me shortlinks; None for any other request."""
        if req.host == hosted.world.org.host:
            return wordpress.handle(req, hosted)
        site = self.hosted_blogs.get(req.host)
        if site is not None:
            return blogs.handle(site, req, hosted)
        if req.host == WPCOM_API_HOST and wpcom.serves(wpcom.api_site(req.path), hosted):
            return wpcom.handle_wpcom(req, hosted)
        if req.host == WPME_HOST:
            return wordpress.wpme_redirect(req, hosted)
        return None

    def _index(self, req: Request, ctx: Ctx) -> Response:
        control = req.host in INDEX_HOSTS
        if control and req.path == "/__control/day":
            if req.method == "POST":
                raw = req.param("n") or req.body.decode("latin-1").partition("n=")[2].strip()
                if not raw.isdigit() or int(raw) < 1:
                    return json_response({"error": "n must be a positive integer"}, 400)
                self.day = int(raw)
            return json_response(
                {"day": self.day, "effective_day": clamp_day(self.day), "max_day": MAX_DAY}
            )
        if control and req.path == "/__control/truth" and self.truth is not None:
            return json_response(self.truth())
        if req.path != "/":
            return not_found(req.target)
        rows = "".join(
            f'<li><a href="{esc(ctx.url(h))}">{esc(h)}</a></li>' for h in world_hosts(self.world)
        )
        body = (
            "<!doctype html><html><head><title>mediamon sample web</title></head><body>"
            f"<h1>mediamon sample web</h1><p>Day {ctx.day} of {MAX_DAY}. "
            "Sites (send the name as the Host header):</p>"
            f"<ul>{rows}</ul></body></html>"
        )
        return html(body, cacheable=False)


class SampleWeb:
    """The sample web in this process: ``start()`` serves it from a background thread.

    >>> web = SampleWeb(scale="small", day=1)
    >>> port = web.start()          # doctest: +SKIP
    >>> web.url("orbitalregistry.test", "/feed/")  # doctest: +SKIP
    """

    def __init__(
        self,
        scale: str = "small",
        day: int = 1,
        seed: str = "mediamon",
        *,
        slow_seconds: float = 2.0,
        hang_seconds: float = 30.0,
        pace_seconds: float = 0.0,
        archive: bool = False,
    ) -> None:
        if scale not in ("small", "large"):
            raise ValueError("scale must be 'small' or 'large'")
        self.world = build_world(seed, scale, archive=archive)
        self.router = Router(
            self.world, day, misbehaving.Timing(slow_seconds, hang_seconds), self.truth
        )
        self.server = HttpServer(self.router)
        self.server.pace_seconds = pace_seconds

    @property
    def port(self) -> int:
        return self.router.port

    @property
    def day(self) -> int:
        return self.router.day

    def start(self, port: int = 0) -> int:
        self.router.port = port
        self.router.port = self.server.start(port)
        return self.router.port

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> SampleWeb:
        if not self.port:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def peak_concurrency(self) -> dict[str, int]:
        """The most requests ever answered at once, per host (since start or the last reset)."""
        return dict(self.server.peak)

    def reset_peaks(self) -> None:
        self.server.peak.clear()

    def set_day(self, n: int) -> None:
        if n < 1:
            raise ValueError("day must be >= 1")
        self.router.day = n

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def hosts(self) -> list[str]:
        return world_hosts(self.world)

    def truth(self, day: int | None = None) -> dict[str, Any]:
        from sampleweb.truth.build import build_truth

        return build_truth(self.world, self.port, self.day if day is None else day)

    def write_truth(self, path: str | Path) -> None:
        Path(path).write_text(
            json.dumps(self.truth(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )

    def write_config(self, path: str | Path, *, include_trouble: bool = False) -> None:
        from sampleweb.truth.config_file import config_toml

        Path(path).write_text(
            config_toml(self.world, self.port, include_trouble=include_trouble), encoding="utf-8"
        )
