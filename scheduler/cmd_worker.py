"""``mediamon worker``: a Dramatiq worker on our config, logging and signals (#19).

The worker is Dramatiq's own (``dramatiq.Worker``: consumer threads, prefetch, heartbeats,
requeue of what a dead worker held); this module only builds it from ``[queue]``, declares
the actors of the flows it takes, registers it for ``status`` and owns shutdown. Several
``--processes`` are separate OS processes of this same command under one supervisor, the way
Dramatiq's CLI forks its workers, so one crashing process never takes the others down.

When the config has ``[[alerts]]`` rules, each worker process also runs the alert sender
every ``alerting.send_every_seconds`` (scheduler.queue.alert_loop): the finds its runs stored
are delivered without waiting for a ``mediamon run`` scheduler.

SIGTERM (or Ctrl-C): stop taking messages (prefetched ones go back to the queue), let running
runs finish within ``scheduler.stop_grace_seconds``, then stop them through the child runner
(their messages are retried later, by this or another worker), and exit 0.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
from types import FrameType

import click
import dramatiq

from crawler import clock
from crawler.config import DATABASE_ENV, Config
from crawler.storage.db import DatabaseError, check_connection, make_engine
from crawler.storage.migrate import require_current
from scheduler.context import App, Failure
from scheduler.queue.actors import Executor, declare_actors
from scheduler.queue.alert_loop import AlertLoop
from scheduler.queue.broker import build_broker, limiter_backend, redis_client, wait_for_redis
from scheduler.queue.enqueue import send
from scheduler.queue.fleet import Heartbeat
from scheduler.queue.messages import FLOWS
from scheduler.queue.metrics import (
    CHILD_ENV,
    Exposition,
    add_metrics,
    is_worker_child,
    metrics_environment,
)

log = logging.getLogger(__name__)

pass_app = click.make_pass_decorator(App)

#: The longest an idle worker's consumer sleeps between two looks at its queue (ms).
#: Dramatiq's default (1,000) backs off to a second, so a message sent to an idle worker
#: waited up to a second before its run started: most of the queue's overhead per run
#: (BENCHMARKS.md). Ten looks a second per idle consumer cost Redis next to nothing.
IDLE_POLL_MS = 100


def parse_flows(text: str) -> list[str]:
    """``feeds,sites`` -> the flows, or a one-line error naming the unknown one."""
    flows = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [f for f in flows if f not in FLOWS]
    if unknown or not flows:
        raise Failure(
            f"--flows: unknown flow {', '.join(unknown) or '(none)'}; choose from "
            + ",".join(FLOWS),
            exit_code=2,
        )
    return list(dict.fromkeys(flows))


@click.command()
@click.option("--processes", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=2, show_default=True)
@click.option("--flows", default=",".join(FLOWS), show_default=True, help="Flows to take.")
@pass_app
def worker(app: App, processes: int, threads: int, flows: str) -> None:
    """Take queued runs from Redis and run them (needs [queue] in the config).

    With several organisations loaded (#16) one worker serves them all (or the one --org
    names): each message runs with the config of the organisation it is for."""
    configs = served(app)
    config = configs[0]
    wanted = parse_flows(flows)
    exposition = _start_metrics(config)
    try:
        if processes > 1:
            status = _supervise(app, processes, threads, wanted)
        else:
            status = serve(config, app.database_url, threads, wanted, others=configs[1:])
    finally:
        if exposition is not None:
            exposition.stop()
    raise SystemExit(status)


def served(app: App) -> tuple[Config, ...]:
    """The organisations this worker serves: every one loaded, or the one ``--org`` names.
    They share one fleet, so their ``[queue]`` must name the same Redis and namespace."""
    configs = (app.config,) if app.org_option or len(app.configs) == 1 else app.configs
    first = configs[0]
    if not first.queue.enabled:
        raise Failure("worker: no [queue] url in the config; nothing to take work from", 2)
    for other in configs[1:]:
        if (other.queue.url, other.queue.prefix) != (first.queue.url, first.queue.prefix):
            raise Failure(
                f"worker: organisations {first.organisation.name!r} and "
                f"{other.organisation.name!r} name different queues ([queue] url and prefix "
                "must be the same for every organisation one fleet serves)",
                exit_code=2,
            )
    return configs


def _start_metrics(config: Config) -> Exposition | None:
    """``[queue] metrics``: the shared directory, and ``/metrics`` served by the top process
    (not by the worker processes of a supervisor, which only write their figures)."""
    if not config.queue.metrics or is_worker_child():
        return None
    queue = config.queue
    made = metrics_environment(queue)
    try:
        exposition = Exposition(queue, made)
    except OSError as exc:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)
        raise Failure(
            f"queue.metrics_port: cannot serve metrics on {queue.metrics_host}:"
            f"{queue.metrics_port}: {exc.strerror or exc}",
            exit_code=2,
        ) from None
    exposition.start()
    return exposition


def _supervise(app: App, processes: int, threads: int, flows: list[str]) -> int:
    """Run ``processes`` single-process workers and pass SIGTERM/SIGINT on to them."""
    args = [sys.executable, "-m", "scheduler.cli"]
    for path in app.config_files:  # the same organisations, and the same --org (#16)
        args += ["--config", str(path)]
    if app.org_option:
        args += ["--org", app.org_option]
    level = logging.getLogger().getEffectiveLevel()
    if level <= logging.INFO:
        args.append("-v" if level == logging.INFO else "-vv")
    args += ["worker", "--threads", str(threads), "--flows", ",".join(flows)]
    env = {**os.environ, DATABASE_ENV: app.database_url, CHILD_ENV: "1"}
    children = [subprocess.Popen(args, env=env) for _ in range(processes)]

    def forward(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    statuses = [child.wait() for child in children]
    return max(statuses, default=0)


def _startup_checks(config: Config, db_url: str) -> None:
    """Refuse to work on a database of another schema; an unreachable one is only logged
    (each message then goes back to the queue until the database answers again)."""
    engine = make_engine(db_url)
    try:
        try:
            check_connection(engine)
        except DatabaseError as exc:
            log.warning("worker: %s; messages will wait for it", exc)
            return
        try:
            require_current(engine)
        except DatabaseError as exc:
            raise Failure(f"worker refuses work: {exc}", exit_code=2) from None
    finally:
        engine.dispose()


def serve(
    config: Config,
    db_url: str,
    threads: int,
    flows: list[str],
    *,
    others: tuple[Config, ...] = (),
) -> int:
    """One worker process: until SIGTERM, then a clean stop; returns the exit status.
    ``others``: the further organisations it serves (see ``Executor``)."""
    queue = config.queue
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    _startup_checks(config, db_url)
    wait_for_redis(queue, stop=stop.is_set, sleep=lambda seconds: _nap(stop, seconds))
    if stop.is_set():
        return 0
    client = redis_client(queue)
    broker = build_broker(queue)
    engine = make_engine(db_url)

    def forget(key: str) -> None:
        client.delete(key)

    executor = Executor(
        config,
        db_url,
        engine,
        limiter_backend(queue),
        forget=forget,
        send=lambda message: send(broker, message),
        others=others,
    )
    if queue.metrics:
        metrics_environment(queue)  # the top process's directory, or its own
        add_metrics(broker)
    declare_actors(broker, executor, flows)
    dramatiq_worker = dramatiq.Worker(
        broker, queues=set(flows), worker_threads=threads, worker_timeout=IDLE_POLL_MS
    )
    heartbeat = Heartbeat(client, queue, flows, lambda: executor.runs_done)
    senders = [AlertLoop(c, engine, clock.now) for c in (config, *others)]
    dramatiq_worker.start()
    heartbeat.start()
    for sender in senders:
        sender.start()
    alerting = any(sender.wanted for sender in senders)
    log.warning(
        "worker %s: %d thread(s) on %s, flows %s, %d organisation(s)%s",
        os.getpid(), threads, queue.prefix, flows, len(senders),
        ", alert sender on" if alerting else "",
    )  # fmt: skip
    stop.wait()
    for sender in senders:
        sender.stop()
    log.warning("worker %s: stopping; running runs get %.0f s", os.getpid(), _grace(config))
    executor.stopping.set()
    stopper = threading.Thread(
        target=executor.children.stop_all, args=(_grace(config),), name="mediamon-stop-children"
    )
    stopper.start()
    dramatiq_worker.stop(timeout=int((_grace(config) + 60) * 1000))
    stopper.join()
    # A run whose child started while the stopper was already done (a thread between taking
    # its message and starting the child) is stopped too: no child outlives its worker.
    executor.children.stop_all(0)
    heartbeat.stop()
    broker.close()
    client.close()
    engine.dispose()
    return 0


def _grace(config: Config) -> float:
    return config.scheduler.stop_grace_seconds


def _nap(stop: threading.Event, seconds: float) -> None:
    """Sleep, but wake at once on SIGTERM."""
    stop.wait(seconds)
