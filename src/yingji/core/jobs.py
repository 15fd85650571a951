"""Background jobs: one huey instance for the platform, and the registry every app's jobs join.

Storage is SQLite under `var/` by default (nothing to install) and Redis when `YINGJI_REDIS_URL` is set.
Apps declare jobs in a `jobs.py` module (found by `autodiscover()`, called from CoreConfig.ready) with
`@jobs.task()` and `@jobs.periodic(crontab(...))`; callers start them by name with `jobs.enqueue()`, so a
service never imports the module that imports it back. `yingji worker` runs a consumer; `yingji demo` starts
one as a child process beside the server (`start_consumer` runs one in threads, for tests).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import close_old_connections, connections
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

__all__ = ["crontab", "Job", "task", "periodic", "jobs", "enqueue", "autodiscover", "build_huey", "bind",
           "current", "activate", "start_consumer", "ThreadConsumer"]

log = logging.getLogger("yingji.jobs")


@dataclass(frozen=True)
class Job:
    """A registered job: its stable name, the function, and for periodic jobs when it runs."""

    name: str
    func: Callable
    schedule: crontab | None = None
    description: str = ""

    @property
    def periodic(self) -> bool:
        return self.schedule is not None


_JOBS: dict[str, Job] = {}


def _register(job: Job) -> Callable:
    if job.name in _JOBS and _JOBS[job.name].func.__qualname__ != job.func.__qualname__:
        raise RuntimeError(f"two jobs named {job.name!r}")
    _JOBS[job.name] = job
    if _STATE.huey is not None:
        _bind_one(_STATE.huey, _STATE.wrappers, job)
    return job.func


def task(name: str | None = None, description: str = "") -> Callable[[Callable], Callable]:
    """Register a job run on demand (`enqueue(name, ...)`); the function stays directly callable."""

    def decorate(func: Callable) -> Callable:
        return _register(Job(name or f"{func.__module__}.{func.__name__}", func, None,
                             description or (func.__doc__ or "").strip().split("\n")[0]))

    return decorate


def periodic(schedule: crontab, name: str | None = None, description: str = "") -> Callable[[Callable], Callable]:
    """Register a job the consumer runs on `schedule` (a huey crontab, evaluated in UTC)."""

    def decorate(func: Callable) -> Callable:
        return _register(Job(name or f"{func.__module__}.{func.__name__}", func, schedule,
                             description or (func.__doc__ or "").strip().split("\n")[0]))

    return decorate


def jobs() -> list[Job]:
    """Every registered job, periodic ones first, by name."""
    return sorted(_JOBS.values(), key=lambda j: (not j.periodic, j.name))


def autodiscover() -> None:
    """Import `<app>.jobs` for every installed app that has one, so its jobs join the registry."""
    from django.apps import apps

    for config in apps.get_app_configs():
        module = f"{config.name}.jobs"
        if config.name == "yingji.core" or importlib.util.find_spec(module) is None:
            continue
        importlib.import_module(module)


def build_huey(redis_url: str | None = None, path=None, *, immediate: bool = False, name: str = "yingji") -> Huey:
    """A huey instance on Redis (when a URL is given) or on a SQLite file (default `var/jobs.sqlite3`)."""
    if redis_url:
        return RedisHuey(name, url=redis_url, immediate=immediate, results=False)
    filename = str(path or settings.VAR_DIR / "jobs.sqlite3")
    return SqliteHuey(name, filename=filename, immediate=immediate, results=False)


class _State:
    huey: Huey | None = None
    wrappers: dict[str, object] = {}


_STATE = _State()


def _in_django(func: Callable, huey: Huey) -> Callable:
    """Run a job with fresh database connections: a worker thread lives for hours, connections must not.
    In immediate mode the job runs in the caller's thread, on the caller's connection: leave it alone."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        if huey.immediate:
            return func(*args, **kwargs)
        close_old_connections()
        try:
            return func(*args, **kwargs)
        finally:
            close_old_connections()

    return run


def _bind_one(huey: Huey, wrappers: dict, job: Job) -> None:
    body = _in_django(job.func, huey)
    if job.periodic:
        wrappers[job.name] = huey.periodic_task(job.schedule, name=job.name)(body)
    else:
        wrappers[job.name] = huey.task(name=job.name)(body)


def bind(huey: Huey) -> dict[str, object]:
    """Register every job on `huey`; returns {name: huey task}."""
    # Each worker thread closes its own database connections when it stops.
    huey.on_shutdown("yingji_close_db")(connections.close_all)
    wrappers: dict[str, object] = {}
    for job in _JOBS.values():
        _bind_one(huey, wrappers, job)
    return wrappers


def current() -> Huey:
    """The active huey instance, built from settings on first use."""
    if _STATE.huey is None:
        conf = settings.YINGJI_JOBS
        huey = build_huey(conf.get("REDIS_URL"), conf.get("PATH"), immediate=conf.get("IMMEDIATE", False))
        _STATE.wrappers = bind(huey)
        _STATE.huey = huey
    return _STATE.huey


@contextlib.contextmanager
def activate(huey: Huey) -> Iterator[Huey]:
    """Use `huey` (with every job bound to it) for the duration: tests run real consumers this way."""
    saved = (_STATE.huey, _STATE.wrappers)
    _STATE.wrappers = bind(huey)
    _STATE.huey = huey
    try:
        yield huey
    finally:
        _STATE.huey, _STATE.wrappers = saved


def enqueue(name: str, *args, delay: float | None = None, **kwargs) -> None:
    """Queue job `name` (now, or after `delay` seconds). In immediate mode it runs before this returns."""
    huey = current()
    wrapper = _STATE.wrappers.get(name)
    if wrapper is None:
        raise KeyError(f"no job named {name!r}; is its app's jobs.py imported?")
    if delay:
        wrapper.schedule(args, kwargs, delay=delay)
    else:
        wrapper(*args, **kwargs)
    log.debug("queued %s on %s", name, type(huey).__name__)


class ThreadConsumer(Consumer):
    """A consumer that can start from any thread: the signal handlers stay with the host process."""

    def _set_signal_handlers(self):
        pass


def start_consumer(huey: Huey | None = None, workers: int = 1, periodic: bool = True) -> ThreadConsumer:
    """Start workers and the scheduler in background threads; `consumer.stop(graceful=True)` ends them."""
    consumer = ThreadConsumer(huey or current(), workers=workers, periodic=periodic, worker_type="thread",
                              max_delay=2.0, check_worker_health=False)
    consumer.start()
    return consumer
