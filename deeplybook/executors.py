"""Where a build's tasks run: worker processes on this machine (the default), or a Dask cluster.

Reading pages and rendering the PDF's parts (the page-number overlay included) are
tasks: a function and its arguments, all of them plain frozen dataclasses and paths.
Each stage asks the current ``Engine`` for a pool to submit them to. The default
engine hands back the stage's own pool of local processes, as it always did; the
cluster engine (``deeplybook.cluster``, which imports Dask only when a scheduler is
asked for, so a plain install never needs it) sends the same tasks to a Dask cluster;
``deeplybook.engines`` chooses between them for a build.

A scheduler is named as on the command line (``--scheduler``), in an edition file
(``[run] scheduler``) or in ``$DEEPLYBOOK_SCHEDULER``: ``local:N`` starts a Dask
cluster of N worker processes on this machine (``local``: one per core), and an
address such as ``tcp://host:8786`` joins a running one.
"""

from __future__ import annotations

import os
import re
import threading
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterable, Iterator

from .errors import DeeplybookError

#: The environment variable naming a scheduler when neither the command line nor the edition file does.
SCHEDULER_VARIABLE = "DEEPLYBOOK_SCHEDULER"

_LOCAL = re.compile(r"local(?::(\d+))?")
_ADDRESS = re.compile(r"[a-z][a-z0-9+.-]*://\S+")

#: Called as ``progress(stage, done, total)``, as the pipeline's ``Progress``.
Progress = Callable[[str, int, int], None]


def check_scheduler(spec: str) -> str:
    """``spec`` stripped if it names a scheduler (``local``, ``local:N``, ``tcp://host:port``...), else ``ValueError``."""
    spec = spec.strip()
    local = _LOCAL.fullmatch(spec)
    if local and (local.group(1) is None or int(local.group(1)) >= 1):
        return spec
    if _ADDRESS.fullmatch(spec):
        return spec
    raise ValueError(f"a scheduler is local, local:N (N worker processes) or an address like "
                     f"tcp://host:8786, not {spec!r}")


def local_workers(spec: str) -> int | None:
    """How many workers ``local:N`` asks for (all cores for ``local``); ``None`` for an address."""
    local = _LOCAL.fullmatch(spec)
    if local is None:
        return None
    return int(local.group(1)) if local.group(1) else os.cpu_count() or 1


def chosen_scheduler(*candidates: str | None) -> str | None:
    """The first scheduler given among ``candidates`` (command line, edition file), else the environment's."""
    for spec in (*candidates, os.environ.get(SCHEDULER_VARIABLE)):
        if spec and spec.strip():
            try:
                return check_scheduler(spec)
            except ValueError as exc:
                raise DeeplybookError(str(exc)) from None
    return None


class Engine:
    """Runs tasks in processes on this machine: each stage starts its own pool, as without any cluster.

    ``distributed`` tells a stage whether its tasks run where this process's files
    may not be: a stage then sends what it can as content and takes its results back
    as content (rendered PDFs as bytes), not as files written by the worker.
    """

    distributed = False
    """Whether tasks run on a cluster (possibly other machines)."""
    workers = os.cpu_count() or 1
    """How many tasks run at once, at most."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress = progress
        self._lock = threading.Lock()
        self._counts: dict[str, list[int]] = {}

    def pool(self, local: Callable[[], Executor]) -> Executor:
        """The pool a stage submits its tasks to: here the one ``local()`` makes."""
        return local()

    def task(self, function: Callable, needs: Iterable[str] = ()) -> Callable:
        """``function`` as a task; on a cluster it first checks that the worker sees the paths in ``needs``."""
        return function

    def follow(self, stage: str, future: Future) -> None:
        """Count ``future`` among the tasks of ``stage`` and report progress as each task ends.

        The report may come from another thread than the build's: the pools settle
        their futures in their own threads.
        """
        with self._lock:
            counts = self._counts.setdefault(stage, [0, 0])
            counts[1] += 1
        future.add_done_callback(lambda _: self._done(stage))

    def _done(self, stage: str) -> None:
        with self._lock:
            counts = self._counts[stage]
            counts[0] += 1
            if self.progress is not None:
                self.progress(stage, counts[0], counts[1])


_current: ContextVar[Engine | None] = ContextVar("deeplybook_engine", default=None)


def current() -> Engine:
    """The engine of the build under way: the local one unless ``deeplybook.engines.engine`` chose another."""
    return _current.get() or Engine()


@contextmanager
def using(chosen: Engine) -> Iterator[Engine]:
    """Within the block, ``current()`` is ``chosen`` (``deeplybook.engines.engine`` chooses it)."""
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)
