"""Choosing the engine a build's tasks run on: this machine's processes, or a Dask cluster a scheduler names.

Apart from ``executors`` (the seam every stage submits through) so that the seam
never imports the cluster engine built on it: the layers stay one-way.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from . import executors
from .cluster import connect
from .executors import Engine, Progress


@contextmanager
def engine(scheduler: str | None = None, *, progress: Progress | None = None, cache=None) -> Iterator[Engine]:
    """Run the tasks submitted inside the block on ``scheduler``'s cluster, or locally when it is ``None``.

    A cluster is joined (or a local one started) on entry and left on exit. With a
    ``cache`` that is on, every worker must see its folder and the same signing key
    (``deeplybook.cluster`` checks both before any task is sent).
    """
    if not scheduler:
        with executors.using(Engine(progress)) as local:
            yield local
        return
    with connect(executors.check_scheduler(scheduler), progress=progress, cache=cache) as joined, \
            executors.using(joined):
        yield joined
