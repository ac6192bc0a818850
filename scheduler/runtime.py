"""What every scheduled job is given: the last good config, the database, the clock, a stop
flag. Its own module, so the job table (``jobs``) and the in-process jobs
(``job_functions``) both depend on it and not on each other."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from crawler.config import Config
from scheduler.clock import Clock
from scheduler.runner import Children


@dataclass
class Runtime:
    """What jobs need: the last good config, the database, the clock, and a stop flag."""

    config: Config
    db_url: str
    engine: Engine
    clock: Clock
    stop: threading.Event = field(default_factory=threading.Event)
    children: Children = field(default_factory=Children)
    """The crawl children this runtime's jobs started: stopped with it."""
