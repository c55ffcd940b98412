"""Reading many files in worker processes, with skips, failures and warnings carried back.

A worker stuck on one page is ended by its watchdog (``deeplybook.inputs``), and a
worker may crash; either breaks the pool. The pages the workers were on are then
known from their notes: the one that stopped its worker is left out with a warning,
and the work not yet done goes on in a new pool.

On a cluster (``deeplybook.executors``) the same tasks go to its workers, in
batches, and a worker that dies has its batch run again by Dask. Workers there read
the pages from a folder they share with this process: each batch first checks that
its worker sees its files. A worker's reading has no time limit there (the limit is
an alarm in a process's main thread, and Dask runs tasks in a worker's threads).
"""

from __future__ import annotations

import contextvars
import logging
import os
import tempfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from typing import Callable, Iterable, Iterator, TypeVar

from .. import executors, inputs
from ..errors import DeeplybookError
from ..log import counting_warnings, logger
from ..model import Article
from .report import ReadReport

Item = TypeVar("Item")

#: Below this many items a pool costs more than it saves.
POOL_THRESHOLD = 64
#: Set by ``in_process``: the caller knows nearly every item will come from the cache.
_IN_PROCESS: contextvars.ContextVar[bool] = contextvars.ContextVar("in_process", default=False)


@contextmanager
def in_process() -> Iterator[None]:
    """Within the block, ``run`` works in this process however many items it gets.

    For a caller that knows nearly every item is cached: taking an entry from the cache
    costs less than sending its articles back from a worker process.
    """
    token = _IN_PROCESS.set(True)
    try:
        yield
    finally:
        _IN_PROCESS.reset(token)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one task gave: its articles and what it reported along the way."""

    articles: tuple[Article, ...]
    """Articles read."""
    skipped: tuple[tuple[str, str], ...]
    """(file, reason) passed over."""
    failed: tuple[tuple[str, str], ...]
    """(file, error) that could not be read."""
    warnings: tuple[tuple[str, str], ...]
    """(code, message) warned while reading."""
    read: int
    """Files the task counted as read."""
    counted: int
    """Articles the task counted."""
    notes: tuple[tuple[int, str], ...] = ()
    """(level, message) logged below warnings while reading, when the caller's log shows them (``-v``, ``-vv``)."""


class _Notes(logging.Handler):
    """Keeps the info and debug lines a worker logs, for the parent to log again."""

    def __init__(self, level: int) -> None:
        super().__init__(level=level)
        self.lines: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record's level and message; warnings travel apart, counted by code."""
        if record.levelno < logging.WARNING:
            self.lines.append((record.levelno, record.getMessage()))


def _detached(task: Callable, item, level: int = logging.WARNING) -> Outcome:
    # A worker's logger has no handler of the command line's: what -vv would show
    # (which reader took a file, why one was passed over) is kept here and logged
    # again by the parent, or it would be lost once a read has enough files for a pool.
    report = ReadReport()
    notes = _Notes(level)
    if level < logging.WARNING:
        logger.setLevel(level)
        logger.addHandler(notes)
    try:
        with counting_warnings() as warned:
            articles = task(item, report)
    finally:
        logger.removeHandler(notes)
    return Outcome(tuple(articles), tuple(report.skipped), tuple(report.failed), tuple(warned.records),
                   report.read, report.articles, tuple(notes.lines))


def _start_worker(notes: str, abandoned: dict[str, tuple[str, str]]) -> None:
    # A forked worker inherits the command line's handlers; its warnings are
    # replayed by the parent, so printing them here too would say everything twice.
    logger.handlers[:] = [logging.NullHandler()]
    logger.propagate = False
    inputs.watch_worker(notes, abandoned)


def run(task: Callable[[Item, object], list[Article]], items: Iterable[Item], report, *,
        jobs: int | None = None) -> Iterator[Article]:
    """``task(item, report)`` for every item, on ``jobs`` processes; articles in item order.

    What the workers report and warn is replayed here, so the caller's report and
    log see it as if the work had been done in this process.
    """
    items = list(items)
    engine = executors.current()
    if engine.distributed:
        yield from _on_cluster(engine, task, items, report)
        return
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(items) < POOL_THRESHOLD or _IN_PROCESS.get():
        for item in items:
            yield from task(item, report)
        return
    with tempfile.TemporaryDirectory(prefix="deeplybook-read-") as notes:
        yield from _supervised(task, items, report, jobs, notes)


def _on_cluster(engine: executors.Engine, task: Callable, items: list, report) -> Iterator[Article]:
    """``run`` on the engine's cluster: batches of items, each a task; their outcomes replayed in item order."""
    size = max(1, min(32, len(items) // (engine.workers * 8)))
    batches = [items[start:start + size] for start in range(0, len(items), size)]
    # The local pool is never made here: the engine is a cluster's.
    with engine.pool(lambda: ProcessPoolExecutor(1)) as pool:
        level = logger.getEffectiveLevel()
        futures = [pool.submit(engine.task(_detached_batch, _files_of(batch)), task, batch, level)
                   for batch in batches]
        for future in futures:
            for outcome in future.result():
                yield from _replay(outcome, report)


def _detached_batch(task: Callable, batch: list, level: int = logging.WARNING) -> list[Outcome]:
    return [_detached(task, item, level) for item in batch]


def _files_of(batch: list) -> Iterator[str]:
    """The files a batch reads: its items, each a path or a group of paths."""
    for item in batch:
        for path in item if isinstance(item, (list, tuple)) else (item,):
            if isinstance(path, (str, os.PathLike)):
                yield os.fspath(path)


#: A page a worker was on when it stopped for no known reason is tried this many times.
_TRIES = 2
#: Pool breaks that name no page before the read gives up.
_BLIND_BREAKS = 3


def _supervised(task: Callable, items: list, report, jobs: int, notes: str) -> Iterator[Article]:
    """``run`` on a pool that is started again without the page that broke it, until every item is done."""
    abandoned: dict[str, tuple[str, str]] = {}
    suspects: Counter[str] = Counter()
    blind = 0
    while items:
        done = 0
        try:
            with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker,
                                     initargs=(notes, abandoned)) as pool:
                chunk = max(1, min(32, len(items) // (jobs * 8)))
                level = logger.getEffectiveLevel()
                for outcome in pool.map(_detached, repeat(task), items, repeat(level), chunksize=chunk):
                    yield from _replay(outcome, report)
                    done += 1
            return
        except BrokenProcessPool:
            items = items[done:]
            if not _abandon(inputs.stopped_pages(notes), abandoned, suspects):
                blind += 1
                if blind >= _BLIND_BREAKS:
                    raise DeeplybookError("the processes reading the input keep stopping without a word "
                                          "(out of memory?); the read was given up") from None


def _abandon(stopped: list[inputs.Stopped], abandoned: dict[str, tuple[str, str]], suspects: Counter) -> bool:
    """Add to ``abandoned`` the pages that stopped a worker; whether any page was named at all."""
    culprits = [page for page in stopped if page.how != "unknown"]
    for page in culprits:
        if page.how == "timeout":
            abandoned[page.path] = ("read-timeout", "reading neither finished nor stopped within its time limit; "
                                                    "its worker process was ended and the page left out")
        else:
            abandoned[page.path] = ("read-failed", "its worker process crashed reading it; left out")
    if not culprits:
        # Killed from outside (out of memory?) or ended by the pool: a page twice
        # in progress at such a stop is the likely cause.
        for page in stopped:
            suspects[page.path] += 1
            if suspects[page.path] >= _TRIES:
                abandoned[page.path] = ("read-failed", "its worker process stopped twice while reading it; left out")
    return bool(stopped)


def _replay(outcome: Outcome, report) -> Iterator[Article]:
    report.skipped.extend(outcome.skipped)
    report.failed.extend(outcome.failed)
    report.read += outcome.read
    report.articles += outcome.counted
    for level, line in outcome.notes:
        logger.log(level, "%s", line)
    for code, message in outcome.warnings:
        logger.warning("%s", message, extra={"code": code})
    yield from outcome.articles
