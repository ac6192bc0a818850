"""The typed, validated, immutable configuration of one organisation.

One TOML file is loaded into frozen pydantic models and passed down; nothing else in the
project reads the environment. Errors are turned into one line per problem naming the file,
the key path and what is wrong, because the person fixing a config is reading a terminal, not
a traceback.
"""

from __future__ import annotations

import difflib
import ipaddress
import logging
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from crawler.alert_config import (
    Alerting,
    AlertRule,
    WebSub,
    check_alert_rules,
    prepare_alerts,
)
from crawler.domain import Platform, SourceKind
from crawler.matching import QuerySyntaxError, parse_query, query_warnings
from crawler.matching.urls import canonicalize_url

log = logging.getLogger(__name__)

CONFIG_ENV = "MEDIAMON_CONFIG"
DATABASE_ENV = "MEDIAMON_DATABASE_URL"
CACHE_ENV = "MEDIAMON_CACHE_DIR"
DEFAULT_CONFIG = "mediamon.toml"
MASK = "********"

_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ConfigError(Exception):
    """A config that cannot be used; ``str()`` is the user-facing message (one line a problem)."""


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


HttpUrl = Annotated[str, Field(min_length=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Site(_Frozen):
    """One of the organisation's own blogs or newsrooms."""

    url: HttpUrl
    feed: str = ""
    platform: Platform = Platform.WORDPRESS

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        return _http_url(v)

    @field_validator("feed")
    @classmethod
    def _feed(cls, v: str) -> str:
        return _http_url(v) if v else v


class Organisation(_Frozen):
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    timezone: str = "UTC"
    sites: tuple[Site, ...] = ()
    authors: tuple[str, ...] = ()
    """Names the organisation comments under on its own blog (its replies are marked)."""

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("must not be empty")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone: {v!r}") from None
        return v

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Query(_Frozen):
    """A named query; its syntax is checked here so a bad query never reaches a crawl."""

    name: str = Field(min_length=1)
    query: str

    @field_validator("query")
    @classmethod
    def _syntax(cls, v: str) -> str:
        try:
            parse_query(v)
        except QuerySyntaxError as exc:
            raise ValueError(str(exc)) from None
        return v

    def warnings(self) -> list[str]:
        """Why this query may match almost everything (shown at load, not an error)."""
        return query_warnings(parse_query(self.query))


class Source(_Frozen):
    name: str = Field(min_length=1)
    url: HttpUrl
    kind: SourceKind = SourceKind.PRESS
    weight: int = Field(default=1, ge=0, le=100)
    language: str = ""
    crawl_depth: int = Field(default=1, ge=0, le=5)
    max_pages: int = Field(default=200, ge=1, le=100_000)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        return _http_url(v)


class Digest(_Frozen):
    recipients: tuple[str, ...] = ()
    sender: str = "mediamon@localhost"
    send_at: str = "08:00"
    archive_dir: str = "digests"
    unsubscribe: str = ""
    """List-Unsubscribe target (mailto: or https:); defaults to a mailto to the sender."""

    @field_validator("recipients")
    @classmethod
    def _recipients(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for address in v:
            if not _EMAIL.match(address):
                raise ValueError(f"not an email address: {address!r}")
        return v

    @field_validator("sender")
    @classmethod
    def _sender(cls, v: str) -> str:
        if not _EMAIL.match(v) and not re.match(r"^[^@\s]+@[^@\s]+$", v):
            raise ValueError(f"not an email address: {v!r}")
        return v

    @field_validator("send_at")
    @classmethod
    def _send_at(cls, v: str) -> str:
        if not _HHMM.match(v):
            raise ValueError(f"not a time of day HH:MM: {v!r}")
        return v


class Smtp(_Frozen):
    host: str = "localhost"
    port: int = Field(default=25, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "none"
    username: str = ""
    password_env: str = "MEDIAMON_SMTP_PASSWORD"  # noqa: S105 (a variable name, not a secret)
    timeout: float = Field(default=30.0, gt=0, le=600)
    password: str = Field(default="", exclude=True, repr=False)
    """Filled from the environment variable named by ``password_env``; never from the file."""


class Crawl(_Frozen):
    user_agent: str = "mediamon (+https://example.org/bot)"
    obey_robots: bool = True
    robots_cache_seconds: float = Field(default=86400, gt=0, le=7 * 86400)
    """How long a robots.txt copy is used (RFC 9309: at most a day). In queue mode the copy
    is shared by the fleet in Redis, so each host's robots.txt is fetched once (#19)."""
    allow_hosts: tuple[str, ...] = ()
    resolve: Mapping[str, str] = Field(default_factory=dict)
    """Static host name -> IP address map (like curl --resolve), for staging and the sample web."""
    proxy: str = ""
    """An http(s) proxy for every fetch; proxies from the environment are never used."""
    concurrent_per_host: int = Field(default=2, ge=1, le=32)
    platform_concurrency: int = Field(default=8, ge=1, le=256)
    """At most this many requests at once to one multi-tenant blog platform as a whole
    (``wordpress.com``, ``blogspot.com`` ...), however many of its blogs are fetched (#16);
    in queue mode across every worker together (#19)."""
    platform_rate: float = Field(default=5.0, ge=0, le=1000)
    """At most this many requests started per second to one multi-tenant blog platform as a
    whole; 0 turns the pace off (so does ``download_delay = 0``, a local test web). In queue
    mode the pace is shared by every worker through Redis (#19)."""
    blog_platforms: tuple[str, ...] = ()
    """More multi-tenant platforms (host suffixes) besides ``sites.BLOG_PLATFORMS``."""
    download_delay: float = Field(default=1.0, ge=0, le=120)
    timeout: float = Field(default=30.0, gt=0, le=600)
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_redirects: int = Field(default=5, ge=0, le=20)
    max_feed_items: int = Field(default=1000, ge=1)
    shared_fetch_seconds: int = Field(default=300, ge=0, le=86400)
    """Several organisations in one database (#16): a feed another organisation fetched at
    most this long ago is taken from that fetch instead of being fetched again; 0: this
    organisation neither uses nor keeps shared fetches (``crawler.feeds.shared``)."""
    min_interval_minutes: int = Field(default=15, ge=1)
    max_interval_minutes: int = Field(default=24 * 60, ge=1)

    @field_validator("resolve")
    @classmethod
    def _resolve(cls, v: Mapping[str, str]) -> Mapping[str, str]:
        for host, address in v.items():
            try:
                ipaddress.ip_address(address)
            except ValueError:
                raise ValueError(f"{host}: not an IP address: {address!r}") from None
        return {host.lower(): address for host, address in v.items()}

    @field_validator("proxy")
    @classmethod
    def _proxy(cls, v: str) -> str:
        return _http_url(v) if v.strip() else ""

    @model_validator(mode="after")
    def _intervals(self) -> Crawl:
        if self.min_interval_minutes > self.max_interval_minutes:
            raise ValueError("min_interval_minutes is larger than max_interval_minutes")
        return self


class Linkbacks(_Frozen):
    wpcom_api_base: str = "https://public-api.wordpress.com"
    recent_days: int = Field(default=60, ge=1)
    #: Posts older than ``recent_days`` are harvested once per this many days, spread over
    #: the cycle (#16); every post is harvested once when first known, whatever its age.
    sweep_days: int = Field(default=30, ge=1)
    recheck_after_days: tuple[int, ...] = (1, 7)

    @field_validator("wpcom_api_base")
    @classmethod
    def _base(cls, v: str) -> str:
        return _http_url(v).rstrip("/")


class Receiver(_Frozen):
    host: str = "127.0.0.1"
    port: int = Field(default=8750, ge=0, le=65535)
    public_url: str = ""
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    per_ip_per_minute: int = Field(default=30, ge=1)
    per_domain_per_minute: int = Field(default=10, ge=1)
    """Per sending site: the registrable domain (``crawler.matching.sites``)."""
    max_queued: int = Field(default=20_000, ge=1)
    max_queued_per_target: int = Field(default=500, ge=1)
    max_queued_per_sender: int = Field(default=1_000, ge=1)
    queue_expire_hours: float = Field(default=48, gt=0)
    final_recheck_after_hours: float = Field(default=24, ge=0)
    header_timeout_seconds: float = Field(default=10, gt=0, le=300)
    body_timeout_seconds: float = Field(default=10, gt=0, le=300)
    keep_alive_seconds: int = Field(default=5, ge=1, le=300)
    limit_concurrency: int = Field(default=200, ge=1)
    block_domains: tuple[str, ...] = ()
    block_urls: tuple[str, ...] = ()


class Web(_Frozen):
    """The newsroom (``mediamon web``) as its readers reach it."""

    base_url: str = ""
    """Its public address (behind your reverse proxy): the digest links "and N more" to the
    day in its inbox. Empty: the digest links to the full digest in its archive (#18)."""

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, v: str) -> str:
        return _http_url(v).rstrip("/") if v.strip() else ""


class Scheduler(_Frozen):
    """How often the daemon looks for due work. Due-ness itself is a database query against
    the clock (next_check_at, post age, send_at), so these are only how often to ask."""

    poll_every_seconds: float = Field(default=60, gt=0)
    crawl_every_seconds: float = Field(default=900, gt=0)
    harvest_every_seconds: float = Field(default=600, gt=0)
    verify_every_seconds: float = Field(default=60, gt=0)
    recheck_every_seconds: float = Field(default=3600, gt=0)
    digest_every_seconds: float = Field(default=60, gt=0)
    cleanup_every_seconds: float = Field(default=86400, gt=0)
    crawl_time_limit_seconds: float = Field(default=1800, gt=0)
    stop_grace_seconds: float = Field(default=30, ge=0)
    lease_seconds: float = Field(default=30, gt=0)
    misfire_grace_seconds: int = Field(default=300, ge=1)


class Database(_Frozen):
    url: str = "sqlite:///mediamon.db"


class Retention(_Frozen):
    fetch_events: int = Field(default=30, ge=1, le=1000)
    crawl_runs_days: int = Field(default=90, ge=1)
    receipts_days: int = Field(default=90, ge=1)


class Queue(_Frozen):
    """Scale-out mode (#19): where the Dramatiq workers take their messages from.

    An empty ``url`` (the default, or no ``[queue]`` table) is today's embedded mode: every
    run goes to a child of the process that wants it. ``prefix`` is the Dramatiq namespace,
    so several deployments can share one Redis.
    """

    url: str = ""
    prefix: str = Field(default="mediamon", min_length=1, pattern=r"^[A-Za-z0-9_.:-]+$")
    per_host_concurrency: int = Field(default=1, ge=1, le=64)
    """Runs of one host group at once across all workers (a ``ConcurrentRateLimiter``)."""
    dedupe_seconds: float = Field(default=3600, gt=0)
    """How long a queued or running group's key lives when nobody clears it (a dead worker)."""
    heartbeat_timeout_seconds: float = Field(default=60, ge=1)
    """A worker silent this long is dead: Redis gives its messages to another worker."""
    maintenance_per_million: int = Field(default=1000, ge=1, le=1_000_000)
    """How many of a million broker commands also look for dead workers (Dramatiq's
    ``maintenance_chance``); the tests raise it so a dead worker's message comes back soon."""
    metrics: bool = False
    """Workers export Dramatiq's Prometheus metrics (its ``Prometheus`` middleware): every
    process of a ``mediamon worker`` writes them to one multiprocess directory, and the
    worker's first process serves their sum on ``metrics_host:metrics_port`` at
    ``/metrics``."""
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=9191, ge=1, le=65535)

    @field_validator("url")
    @classmethod
    def _redis_url(cls, v: str) -> str:
        if not v:
            return v
        try:
            parts = urlsplit(v)
            port = parts.port
            db = parts.path.strip("/")
        except ValueError as exc:
            raise ValueError(f"not a Redis URL: {v!r} ({exc})") from None
        if parts.scheme not in ("redis", "rediss") or not parts.hostname:
            raise ValueError(f"not a Redis URL (redis://host:6379/0): {v!r}")
        if db and not db.isdigit():
            raise ValueError(f"the database of a Redis URL is a number: {v!r}")
        del port
        return v

    @property
    def enabled(self) -> bool:
        return bool(self.url)


class Config(_Frozen):
    """The whole file. ``path`` is where it was read from (relative paths resolve beside it)."""

    organisation: Organisation
    queries: tuple[Query, ...] = ()
    sources: tuple[Source, ...] = ()
    digest: Digest = Digest()
    smtp: Smtp = Smtp()
    crawl: Crawl = Crawl()
    linkbacks: Linkbacks = Linkbacks()
    receiver: Receiver = Receiver()
    web: Web = Web()
    database: Database = Database()
    retention: Retention = Retention()
    scheduler: Scheduler = Scheduler()
    alerts: tuple[AlertRule, ...] = ()
    alerting: Alerting = Alerting()
    queue: Queue = Queue()
    websub: WebSub = WebSub()
    path: str = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        for label, names in (
            ("sources", [s.name for s in self.sources]),
            ("queries", [q.name for q in self.queries]),
        ):
            seen: set[str] = set()
            for index, name in enumerate(names):
                if name in seen:
                    raise ValueError(f"{label}[{index}].name: duplicate name {name!r}")
                seen.add(name)
        if self.websub.enabled and not self.websub.callback_url:
            raise ValueError("websub.callback_url: required when websub.enabled is true")
        check_alert_rules(
            self.alerts,
            tuple(q.name for q in self.queries),
            has_email=bool(self.digest.recipients),
        )
        return self

    @property
    def base_dir(self) -> Path:
        return Path(self.path).resolve().parent if self.path else Path.cwd()

    def masked(self) -> dict[str, Any]:
        """The config as a dict for display: secrets replaced by a mask."""
        data = self.model_dump(mode="json")
        data["smtp"]["password"] = MASK if self.smtp.password else ""
        data["database"]["url"] = mask_url(self.database.url)
        for rule in data["alerts"]:
            rule["urls"] = [MASK for _ in rule["urls"]]
        data["queue"]["url"] = mask_url(self.queue.url)
        return data


def mask_url(url: str) -> str:
    """Hide the password of a database or SMTP URL (``user:***@host``)."""
    return re.sub(r"(?<=://)([^:/@]+):[^@/]*@", rf"\1:{MASK}@", url)


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    model: type[BaseModel] | None = Config
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        inner = getattr(annotation, "__args__", None)
        candidate = inner[0] if inner else annotation
        model = (
            candidate if isinstance(candidate, type) and issubclass(candidate, BaseModel) else None
        )
    return [n for n, f in (model.model_fields.items() if model else []) if not f.exclude]


def _describe(error: Any) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    where = _loc(loc) if loc else "(top level)"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(str(loc[-1]), _fields_at(loc), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{where}: unknown key{hint}"
    if kind == "missing":
        return f"{where}: required key is missing"
    message = str(error["msg"])
    message = message.removeprefix("Value error, ")
    if message.startswith(("sources[", "queries[", "alerts[")):
        return message
    return f"{where}: {message}"


def parse_config(
    data: Mapping[str, Any], *, path: str = DEFAULT_CONFIG, env: Mapping[str, str] | None = None
) -> Config:
    """Validate a decoded TOML document, fill secrets from ``env``, and return the Config."""
    env = os.environ if env is None else env
    smtp = data.get("smtp")
    if isinstance(smtp, Mapping) and "password" in smtp:
        raise ConfigError(
            f"{Path(path).name}: smtp.password: secrets are not read from the file; put the "
            "password in the environment variable named by smtp.password_env"
        )
    try:
        data = {**data, "alerts": prepare_alerts(data.get("alerts", []), env)}
    except ValueError as exc:
        raise ConfigError(f"{Path(path).name}: {exc}") from None
    try:
        config = Config.model_validate({**data, "path": path})
    except ValidationError as exc:
        lines = [f"{Path(path).name}: {_describe(e)}" for e in exc.errors()]
        raise ConfigError("\n".join(lines)) from None
    for query in config.queries:
        for warning in query.warnings():
            log.warning("%s: query %r: %s", Path(path).name, query.name, warning)
    password = env.get(config.smtp.password_env, "")
    if password:
        config = config.model_copy(
            update={"smtp": config.smtp.model_copy(update={"password": password})}
        )
    return config


def load_config(path: str | os.PathLike[str], *, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate one config file.

    :raises ConfigError: with a message naming the file, the key path and the problem.
    """
    file = Path(path)
    if not file.exists():
        raise ConfigError(f"{file}: config file not found; create one with `mediamon init {file}`")
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file.name}: TOML syntax error: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None
    return parse_config(data, path=str(file), env=env)


def config_path(option: str | None, env: Mapping[str, str] | None = None) -> Path:
    """The config file to use: the option, else $MEDIAMON_CONFIG, else ./mediamon.toml."""
    return config_paths((option,) if option else (), env)[0]


def config_paths(options: Sequence[str], env: Mapping[str, str] | None = None) -> list[Path]:
    """The config files to use, one per organisation (#16): every ``--config``, else the
    ``os.pathsep``-separated list in $MEDIAMON_CONFIG, else ./mediamon.toml."""
    env = os.environ if env is None else env
    if options:
        return [Path(o) for o in options]
    listed = [p for p in env.get(CONFIG_ENV, "").split(os.pathsep) if p.strip()]
    return [Path(p) for p in listed] or [Path(DEFAULT_CONFIG)]


def load_configs(
    paths: Sequence[str | os.PathLike[str]], *, env: Mapping[str, str] | None = None
) -> tuple[Config, ...]:
    """Read one config file per organisation and check they can share one database.

    :raises ConfigError: a file that does not load, or organisations that clash
        (``check_organisations``).
    """
    configs = tuple(load_config(p, env=env) for p in paths)
    check_organisations(configs)
    return configs


def check_organisations(configs: Sequence[Config]) -> None:
    """Several organisations in one database (#16): one database URL for all, distinct
    names, and no site claimed by two of them (its posts, linkbacks and receipts must have
    one owner). Watched sources may be shared: each organisation has its own row.

    :raises ConfigError: naming both files and both organisations.
    """
    if len(configs) < 2:
        return
    problems: list[str] = []
    first = configs[0]
    first_db = database_url(first, None, env={})
    for config in configs[1:]:
        if database_url(config, None, env={}) != first_db:
            problems.append(
                f"{_file(config)}: database.url differs from {_file(first)}'s; several "
                "organisations must share one database"
            )
    names: dict[str, Config] = {}
    claimed: dict[str, tuple[Config, str]] = {}
    for config in configs:
        name = config.organisation.name
        if name in names:
            problems.append(
                f"{_file(config)}: organisation {name!r} is also in {_file(names[name])}; "
                "organisation names must differ"
            )
        names.setdefault(name, config)
        for site in config.organisation.sites:
            for url in {site.url, site.feed} - {""}:
                key = canonicalize_url(url)
                owner = claimed.get(key)
                if owner is not None and owner[0].organisation.name != name:
                    problems.append(
                        f"{_file(config)}: site {url} is claimed by both organisation "
                        f"{owner[0].organisation.name!r} ({_file(owner[0])}) and {name!r}"
                    )
                claimed.setdefault(key, (config, url))
    if problems:
        raise ConfigError("\n".join(dict.fromkeys(problems)))


def _file(config: Config) -> str:
    return Path(config.path).name if config.path else DEFAULT_CONFIG


def database_url(
    config: Config | None,
    option: str | None,
    *,
    config_file: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """The database to use: --db, else $MEDIAMON_DATABASE_URL, else the config's, with a
    relative SQLite path resolved beside the config file (so cron and systemd find it)."""
    env = os.environ if env is None else env
    url = option or env.get(DATABASE_ENV) or (config.database.url if config else "")
    if not url:
        url = "sqlite:///mediamon.db"
    base = config.base_dir if config else (config_file.resolve().parent if config_file else None)
    prefix = "sqlite:///"
    if url.startswith(prefix) and base is not None:
        rest = url[len(prefix) :]
        if rest and rest != ":memory:" and not rest.startswith(("/", "file:")):
            url = prefix + str(base / rest)
    return url


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where mediamon keeps files it can always rebuild (py3langid's decompressed model,
    ``crawler.press.langmodel``): $MEDIAMON_CACHE_DIR, else $XDG_CACHE_HOME/mediamon, else
    ~/.cache/mediamon. A relative $XDG_CACHE_HOME is ignored, as the XDG spec says; the
    folder is not created here."""
    env = os.environ if env is None else env
    if env.get(CACHE_ENV):
        return Path(env[CACHE_ENV]).expanduser()
    xdg = env.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "mediamon"
