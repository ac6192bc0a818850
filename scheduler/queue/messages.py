"""The message format of a queued run: one run of one flow for one host group.

A message is a JSON object with a format ``version``; a worker that meets an unknown kind or
another version dead-letters it with the reason instead of guessing (a fleet is upgraded one
machine at a time, so old and new messages meet). ``schema`` is the database revision the
enqueuer ran against and ``config`` the digest of its config (``config_version``): a worker
on another revision or config refuses the run, says why, and it is retried, so a worker of
the right version takes it.

``org`` names the organisation the run is for (#16): one fleet serves every organisation of
a database, and a worker runs each message with that organisation's config. Format 1 (before
organisations) had no ``org``; such a message is read as the worker's only organisation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from crawler.config import Config
from crawler.press.report import ADHOC_JOB

#: Bumped whenever a field changes meaning; workers refuse every version not in READ_VERSIONS.
FORMAT_VERSION = 2
#: The formats this worker reads: 1 is 2 without ``org``.
READ_VERSIONS = (1, 2)

#: Flow (the queue's name) -> the child job that runs it.
FLOWS: dict[str, str] = {
    "feeds": "poll",
    "sites": "crawl",
    "linkbacks": "harvest",
    "receipts": "verify",
    "recheck": "recheck",
}

#: The options of an ad-hoc crawl (``mediamon crawl URL...``), queued on the sites flow: a
#: message with ``urls`` runs the child job ``adhoc`` instead of the configured sites.
ADHOC_OPTIONS = frozenset({"urls", "depth", "queries", "mention_kind"})

#: The Scrapy-free options each flow accepts from a message (the child's keyword arguments).
_OPTIONS: dict[str, frozenset[str]] = {
    "feeds": frozenset({"source_names"}),
    "sites": frozenset({"source_names"}) | ADHOC_OPTIONS,
    "linkbacks": frozenset({"post_urls"}),
    "receipts": frozenset(),
    "recheck": frozenset(),
}

#: The deepest ad-hoc crawl a message may ask for (as ``mediamon crawl --depth``).
MAX_DEPTH = 5
_MENTION_KINDS = ("press", "blog")


def job_of(kind: str, options: dict[str, Any]) -> str:
    """The child job that runs a message of ``kind`` with ``options`` (and names its row)."""
    return ADHOC_JOB if "urls" in options else FLOWS[kind]


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _check_option(name: str, value: Any) -> None:
    """``BadMessage`` naming the option whose value is not of its type."""
    if name == "depth":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_DEPTH:
            raise BadMessage(f"options.depth: expected 0 to {MAX_DEPTH}, got {value!r}")
    elif name == "queries":
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise BadMessage("options.queries: expected an object of query names and texts")
    elif name == "mention_kind":
        if value not in _MENTION_KINDS:
            raise BadMessage(f"options.mention_kind: expected one of {', '.join(_MENTION_KINDS)}")
    elif not _strings(value):
        raise BadMessage(f"options.{name}: expected a list of strings")


def config_version(config: Config) -> str:
    """A short digest of what the config says (not where its file lives)."""
    text = json.dumps(config.model_dump(mode="json"), sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class BadMessage(Exception):
    """A message no worker of this version can run; dead-lettered with ``str()`` as reason."""


@dataclass(frozen=True)
class RunMessage:
    kind: str
    group: str
    run_id: int
    schema: str
    config: str
    options: dict[str, Any] = field(default_factory=dict)
    then: list[dict[str, Any]] = field(default_factory=list)
    """Messages to send once this run is finished: the organisation's own feeds are polled
    before the others, because a link to our post is only recognised once the post is
    known (as the embedded poll does by reading our feed first)."""
    version: int = FORMAT_VERSION
    org: str = ""
    """The organisation the run is for ("" in a format-1 message: the worker's only one)."""

    @property
    def adhoc(self) -> bool:
        """An ad-hoc crawl: never deduplicated (a person asked for it now), its own job."""
        return self.job == ADHOC_JOB

    @property
    def job(self) -> str:
        return job_of(self.kind, self.options)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_message(data: Any) -> RunMessage:
    """The message, or ``BadMessage`` saying what is wrong with it."""
    if not isinstance(data, dict):
        raise BadMessage(f"not a JSON object: {type(data).__name__}")
    version = data.get("version")
    if version not in READ_VERSIONS or isinstance(version, bool):
        known = ", ".join(str(v) for v in READ_VERSIONS)
        raise BadMessage(f"message format {version!r}; this worker reads {known} only")
    kind = data.get("kind")
    if kind not in FLOWS:
        raise BadMessage(f"unknown kind {kind!r}; known: {', '.join(FLOWS)}")
    group, run_id, schema = data.get("group"), data.get("run_id"), data.get("schema")
    if not isinstance(group, str) or not group:
        raise BadMessage("group: expected a host group name")
    if not isinstance(run_id, int) or isinstance(run_id, bool) or run_id < 1:
        raise BadMessage(f"run_id: expected a positive integer, got {run_id!r}")
    if not isinstance(schema, str) or not schema:
        raise BadMessage("schema: expected the database revision")
    config = data.get("config")
    if not isinstance(config, str) or not config:
        raise BadMessage("config: expected the config version")
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise BadMessage("options: expected a JSON object")
    unknown = sorted(set(options) - _OPTIONS[kind])
    if unknown:
        raise BadMessage(f"options: not accepted for {kind}: {', '.join(unknown)}")
    for name, value in options.items():
        _check_option(name, value)
    adhoc = ADHOC_OPTIONS & set(options)
    if adhoc and not options.get("urls"):
        raise BadMessage("options.urls: an ad-hoc crawl needs at least one URL")
    if adhoc and "source_names" in options:
        raise BadMessage("options: source_names and urls exclude each other")
    then = data.get("then") or []
    if not isinstance(then, list) or not all(isinstance(m, dict) for m in then):
        raise BadMessage("then: expected a list of messages")
    fields = {"kind", "group", "run_id", "schema", "config", "options", "then", "version"}
    extra = sorted(set(data) - fields - ({"org"} if version >= 2 else set()))
    if extra:
        raise BadMessage(f"unknown fields: {', '.join(extra)}")
    org = data.get("org", "")
    if not isinstance(org, str):
        raise BadMessage("org: expected the organisation's name")
    return RunMessage(kind, group, run_id, schema, config, dict(options), list(then), version, org)
