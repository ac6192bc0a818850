"""Which linkbacks the receiver accepts: targets that are our posts, sources not blocked.

*Targets.* A linkback must point at one of the organisation's posts (learned from its own
feeds into the ``posts`` table). The target is canonicalised the way matching does
(``crawler.matching.urls``: scheme, ``www.``, trailing slash, tracking parameters, fragments,
AMP variants, WordPress ``?p=N`` shortlinks), so ``http://www.blog.example/post#comment-3``
is the post ``https://blog.example/post/``. The receipt stores that canonical post URL, so
variants of one link collapse into one receipt. A target that is not a post is refused with
the reason a sender can act on: not a URL at all, a page of another site, or a page of our
site that is not a post we know (a home page, a tag archive, a post not yet polled).

*Sources.* Spam control: a source is refused when its host is a blocked domain or a
subdomain of one, or its canonical URL is a blocked URL. The blocklists are the config's
(``receiver.block_domains``, ``receiver.block_urls``) merged with the database's
(``crawler.storage.receipts.blocked``), which grows when someone deletes spam.

Both lists from the database are cached in memory for ``refresh_seconds`` so a flood costs
no queries; a target that misses the cache reloads the posts at most every
``miss_refresh_seconds``, so a post published a moment ago is accepted without waiting for
the next full refresh.
"""

from __future__ import annotations

import enum
import ipaddress
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from crawler.config import Config
from crawler.fetching.guard import AllowList, check_address
from crawler.fetching.settings import allowed_hosts
from crawler.linkbacks.urls import is_http_url, split
from crawler.matching.urls import PostIndex, canonicalize_url
from crawler.storage.db import session_scope
from crawler.storage.posts import post_index_entries, post_shortlinks
from crawler.storage.receipts import blocked

__all__ = ["Policy", "TargetCheck", "TargetProblem", "domain_blocked", "host_of"]

MAX_URL_LENGTH = 2048
T = TypeVar("T")


class TargetProblem(enum.StrEnum):
    """Why a target cannot receive linkbacks (the value is the sender-facing reason)."""

    INVALID = "target is not an http(s) URL"
    FOREIGN = "target is not a resource of this site"
    NOT_A_POST = "target is not a post we know"


@dataclass(frozen=True, slots=True)
class TargetCheck:
    post: str | None
    """The canonical URL of the post the target is, when it is one."""
    problem: TargetProblem | None = None
    org: str = ""
    """The organisation whose post it is (#16: one receiver serves several)."""


def host_of(url: str) -> str:
    """The lower-case host of ``url`` without a trailing dot, or ``""``."""
    parts = split(url)
    return ((parts.hostname if parts is not None else None) or "").rstrip(".").lower()


def _domain(value: str) -> str:
    return value.strip().lower().removeprefix("*.").strip(".")


def domain_blocked(host: str, domains: Iterable[str]) -> bool:
    """``host`` is one of ``domains`` or a subdomain of one."""
    return any(host == d or host.endswith("." + d) for d in domains if d)


def _site_host(url: str) -> str:
    """The canonical host of one of our sites (``www.`` and friends dropped)."""
    return urlsplit(canonicalize_url(url)).hostname or ""


@dataclass(frozen=True, slots=True)
class _Snapshot(Generic[T]):
    loaded_at: float
    value: T


class _Cached(Generic[T]):
    """A value loaded from the database and reused for ``ttl`` seconds (thread-safe)."""

    def __init__(self, load: Callable[[], T], ttl: float, clock: Callable[[], float]) -> None:
        self._load = load
        self._ttl = ttl
        self._clock = clock
        self._snapshot: _Snapshot[T] | None = None
        self._lock = threading.Lock()

    def get(self, *, max_age: float | None = None) -> T:
        limit = self._ttl if max_age is None else max_age
        snap = self._snapshot
        if snap is not None and self._clock() - snap.loaded_at < limit:
            return snap.value
        with self._lock:
            snap = self._snapshot  # another thread may have reloaded meanwhile
            if snap is None or self._clock() - snap.loaded_at >= limit:
                snap = _Snapshot(self._clock(), self._load())
                self._snapshot = snap
        return snap.value

    def age(self) -> float:
        snap = self._snapshot
        return float("inf") if snap is None else self._clock() - snap.loaded_at


_Blocks = tuple[frozenset[str], frozenset[str]]


class Policy:
    """The receiver's acceptance rules for its organisations, over their one database.

    ``config`` is the first organisation's (its crawl settings judge source addresses);
    ``others`` are the other organisations the same receiver serves (#16): a target is
    given to the organisation whose post it is, and each has its own blocklists.
    """

    def __init__(
        self,
        config: Config,
        engine: Engine,
        *,
        others: Sequence[Config] = (),
        refresh_seconds: float = 60.0,
        miss_refresh_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        configs = (config, *others)
        self._orgs = tuple(c.organisation.name for c in configs)
        self._engine = engine
        self._site_hosts = frozenset(
            h for c in configs for h in (_site_host(s.url) for s in c.organisation.sites) if h
        )
        self._config_blocks: dict[str, _Blocks] = {
            c.organisation.name: (
                frozenset(_domain(d) for d in c.receiver.block_domains),
                frozenset(canonicalize_url(u) for u in c.receiver.block_urls),
            )
            for c in configs
        }
        crawl = config.crawl
        self._allowed = AllowList.of(allowed_hosts(config), (), crawl.resolve)
        self._miss_refresh = miss_refresh_seconds
        self._posts = _Cached(self._load_posts, refresh_seconds, clock)
        self._blocks = _Cached(self._load_blocks, refresh_seconds, clock)

    # -------------------------------------------------------------------------- loading

    def _load_posts(self) -> dict[str, PostIndex]:
        with session_scope(self._engine) as session:
            return {
                org: PostIndex(post_index_entries(session, org), post_shortlinks(session, org))
                for org in self._orgs
            }

    def _load_blocks(self) -> dict[str, _Blocks]:
        out: dict[str, _Blocks] = {}
        with session_scope(self._engine) as session:
            for org in self._orgs:
                domains, urls = blocked(session, org)
                config_domains, config_urls = self._config_blocks[org]
                out[org] = (
                    config_domains | {_domain(d) for d in domains},
                    config_urls | {canonicalize_url(u) for u in urls},
                )
        return out

    def _lookup(self, url: str, *, max_age: float | None = None) -> TargetCheck | None:
        for org, index in self._posts.get(max_age=max_age).items():
            post = index.lookup(url)
            if post is not None:
                return TargetCheck(post, org=org)
        return None

    # -------------------------------------------------------------------------- rules

    @property
    def site_hosts(self) -> frozenset[str]:
        return self._site_hosts

    def check_target(self, url: str) -> TargetCheck:
        """Is ``url`` one of our posts? If not, the reason to give the sender."""
        url = url.strip()
        if len(url) > MAX_URL_LENGTH or not is_http_url(url) or any(c.isspace() for c in url):
            return TargetCheck(None, TargetProblem.INVALID)
        found = self._lookup(url)
        if found is None and self._posts.age() >= self._miss_refresh:
            found = self._lookup(url, max_age=self._miss_refresh)
        if found is not None:
            return found
        canonical_host = urlsplit(canonicalize_url(url)).hostname or ""
        if canonical_host in self._site_hosts:
            return TargetCheck(None, TargetProblem.NOT_A_POST)
        return TargetCheck(None, TargetProblem.FOREIGN)

    def address_refusal(self, source: str) -> str | None:
        """Why the address guard would refuse ``source`` without a DNS lookup, or None.

        A source whose host is an IP literal (``http://[::ffff:127.0.0.1]/``, ``http://10.0.0.1/``)
        is judged here, by the verify run's own rule and allow-list, so the sender gets the
        final answer at once and nothing is queued. Names are judged at connection time.
        """
        parts = split(source)
        if parts is None or not parts.hostname:
            return None
        host = parts.hostname.strip("[]")
        try:
            ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return None
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        return check_address(host, host, self._allowed, port)

    def is_blocked(self, source: str, org: str = "") -> bool:
        """``source`` is on a blocklist of ``org`` (default: the first organisation): its
        domain, a parent domain, or the URL itself."""
        domains, urls = self._blocks.get()[org or self._orgs[0]]
        if domain_blocked(host_of(source), domains):
            return True
        return canonicalize_url(source) in urls
