"""Reading many files in worker processes, with skips, failures and warnings carried back."""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, TypeVar

from ..log import counting_warnings, logger
from ..model import Article

Item = TypeVar("Item")

#: Below this many items a pool costs more than it saves.
POOL_THRESHOLD = 64


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


def _detached(task: Callable, item) -> Outcome:
    from . import ReadReport  # the package imports this module

    report = ReadReport()
    with counting_warnings() as warned:
        articles = task(item, report)
    return Outcome(tuple(articles), tuple(report.skipped), tuple(report.failed), tuple(warned.records),
                   report.read, report.articles)


def _silence_inherited_handlers() -> None:
    # A forked worker inherits the command line's handlers; its warnings are
    # replayed by the parent, so printing them here too would say everything twice.
    logger.handlers[:] = [logging.NullHandler()]
    logger.propagate = False


def run(task: Callable[[Item, object], list[Article]], items: Iterable[Item], report, *,
        jobs: int | None = None) -> Iterator[Article]:
    """``task(item, report)`` for every item, on ``jobs`` processes; articles in item order.

    What the workers report and warn is replayed here, so the caller's report and
    log see it as if the work had been done in this process.
    """
    items = list(items)
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(items) < POOL_THRESHOLD:
        for item in items:
            yield from task(item, report)
        return
    with ProcessPoolExecutor(max_workers=jobs, initializer=_silence_inherited_handlers) as pool:
        chunk = max(1, min(32, len(items) // (jobs * 8)))
        outcomes = pool.map(_detached, [task] * len(items), items, chunksize=chunk)
        yield from _replay(outcomes, report)


def _replay(outcomes: Iterable[Outcome], report) -> Iterator[Article]:
    for outcome in outcomes:
        report.skipped.extend(outcome.skipped)
        report.failed.extend(outcome.failed)
        report.read += outcome.read
        report.articles += outcome.counted
        for code, message in outcome.warnings:
            logger.warning("%s", message, extra={"code": code})
        yield from outcome.articles
