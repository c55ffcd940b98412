"""Running a build's tasks on a Dask cluster: joining or starting one, checking what its workers see, settling results.

Dask is imported only when a scheduler is asked for (``engines.engine``): it is the
optional extra ``deeplybook[cluster]``. What travels: reading tasks carry the paths
of the pages to read, which every worker must see at the same place (a shared
folder); rendering tasks carry the piece of the book (model objects with the paths
of its pictures and of the theme's folders, which workers must see too) and send the
rendered PDF back as bytes, so the book's own folder need not be shared. A worker
that cannot see a path fails the build with an error naming it and the worker.
"""

from __future__ import annotations

import functools
import os
import secrets
import socket
import uuid
from concurrent.futures import CancelledError, Executor, Future
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .cache import Cache, code_fingerprint
from .errors import DeeplybookError
from .executors import Engine, Progress, local_workers
from .log import logger

#: How long joining a scheduler, and waiting for its first worker, may take.
CONNECT_SECONDS = 30


class ClusterEngine(Engine):
    """Sends tasks to a Dask cluster through a connected ``distributed.Client``."""

    distributed = True

    def __init__(self, client, progress: Progress | None = None) -> None:
        super().__init__(progress)
        self.client = client
        self.workers = max(1, sum(client.nthreads().values()))

    def pool(self, local: Callable[[], Executor]) -> Executor:
        """A pool that submits to the cluster; ``local`` is not used."""
        return ClusterExecutor(self.client)

    def task(self, function: Callable, needs: Iterable[str] = ()) -> Callable:
        """``function`` run on a worker after checking that it sees every path in ``needs``."""
        return functools.partial(seen_first, tuple(sorted(set(map(str, needs)))), function)


def seen_first(needs: tuple[str, ...], function: Callable, *args, **kwargs):
    """On a worker: ``function(*args, **kwargs)`` once every path in ``needs`` is seen; else an error naming it.

    Without this check a picture the worker cannot see would be left out of the
    book without a word, and a page not found would read as a page that failed.
    """
    for path in needs:
        if not os.path.exists(path):
            raise DeeplybookError(f"a worker on {socket.gethostname()} cannot see this path: the sources, their "
                                  "pictures and the theme must lie in a folder every worker sees at the same place",
                                  path)
    return function(*args, **kwargs)


class ClusterExecutor(Executor):
    """A ``concurrent.futures`` executor over a Dask client: each task is one Dask task, retried by Dask if its worker dies."""

    def __init__(self, client) -> None:
        self.client = client
        self.pending: set = set()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        """Send ``fn(*args, **kwargs)`` to the cluster; the future settles when its result is back."""
        remote = self.client.submit(fn, *args, key=f"deeplybook-{_label(fn)}-{uuid.uuid4().hex}", pure=False,
                                    **kwargs)
        mine: Future = Future()
        mine.set_running_or_notify_cancel()
        self.pending.add(remote)
        remote.add_done_callback(functools.partial(_settle, mine, self.pending))
        return mine

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Cancel the tasks not yet done when asked, else wait for them."""
        pending = list(self.pending)
        if cancel_futures and pending:
            self.client.cancel(pending)
        elif wait and pending:
            from distributed import wait as wait_for

            wait_for(pending)
        self.pending.clear()


def _label(fn: Callable) -> str:
    """The task's name in the scheduler (and its dashboard): the function it runs."""
    while isinstance(fn, functools.partial):
        fn = fn.args[1] if fn.func is seen_first else fn.func
    return getattr(fn, "__name__", "task").strip("_")


def _settle(mine: Future, pending: set, remote) -> None:
    """Hand a Dask future's outcome to the ``concurrent.futures`` future the stage holds."""
    pending.discard(remote)
    if remote.status == "finished":
        mine.set_result(remote.result())
        return
    if remote.status == "cancelled":
        mine.set_exception(CancelledError())
        return
    error = remote.exception()
    if type(error).__name__ == "KilledWorker":
        error = DeeplybookError(f"a task stopped every worker that ran it (out of memory?): {error}")
    mine.set_exception(error)


@contextmanager
def connect(scheduler: str, *, progress: Progress | None = None, cache: Cache | None = None) -> Iterator[ClusterEngine]:
    """Join the scheduler at ``scheduler``, or start a LocalCluster for ``local:N``; leave (or stop) it on exit."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise DeeplybookError(f"the scheduler {scheduler} needs Dask: pip install 'deeplybook[cluster]'") from None
    count = local_workers(scheduler)
    cluster = None
    try:
        if count is not None:
            # One thread a worker: WeasyPrint holds the GIL, so more threads only share one core.
            cluster = LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=None)
            client = Client(cluster, timeout=CONNECT_SECONDS)
        else:
            client = Client(scheduler, timeout=CONNECT_SECONDS)
            client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise DeeplybookError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        check_workers(client, cache)
        engine = ClusterEngine(client, progress)
        logger.info("tasks go to the Dask cluster at %s (%d workers)", scheduler, engine.workers)
        yield engine
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def check_workers(client, cache: Cache | None) -> None:
    """Fail at once, naming the worker, when one runs another deeplybook or cannot share the cache.

    Another version of deeplybook would lay the book out differently; a worker that
    sees another cache folder, or signs with another key, would make entries the
    build cannot use (each of them a ``cache-damaged`` warning).
    """
    probe = key = None
    if cache is not None and cache.enabled:
        key = cache.key_digest()
    if key is not None and cache is not None:
        probe = cache.root / f".probe-{secrets.token_hex(8)}"
        try:
            cache.root.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"")
        except OSError as exc:
            raise DeeplybookError(f"the cache folder cannot be written: {exc.strerror or exc}", cache.root) from None
    try:
        views = client.run(worker_view, str(probe) if probe else None,
                           str(cache.key_file) if key is not None and cache is not None else None)
    finally:
        if probe is not None:
            probe.unlink(missing_ok=True)
    # Hashed again now, not the fingerprint this process took at its start: the
    # workers' is as fresh, and a source edited in between is no other version.
    code = code_fingerprint.__wrapped__()
    for worker, view in sorted(views.items()):
        problem, path = _problem(view, key, code)
        if problem:
            raise DeeplybookError(f"the Dask worker {worker} {problem}", path)


def _problem(view: dict, key: str | None, code: str) -> tuple[str, str | None]:
    """What is wrong with one worker's view (against the cache key's digest and the code's fingerprint), or empty;
    and the path it concerns."""
    if view["code"] != code:
        return "runs another version of deeplybook than this build: install the same one everywhere", None
    if view.get("probe") is False:
        return ("cannot see the cache folder: set DEEPLYBOOK_CACHE to a folder every worker sees at the same "
                "place, or build with --no-cache"), view["cache"]
    if key is not None and view.get("key") != key:
        return ("cannot read the cache's signing key, or reads another one: point DEEPLYBOOK_CACHE_KEY at one key "
                "file every worker sees (yours alone, mode 0600), or build with --no-cache"), view["key_file"]
    return "", None


def worker_view(probe: str | None, key_file: str | None) -> dict:
    """On each worker: its deeplybook's fingerprint, whether it sees the probe file, the digest of the key it reads."""
    view: dict = {"code": code_fingerprint.__wrapped__()}
    if probe is not None:
        view["probe"] = os.path.exists(probe)
        view["cache"] = str(Path(probe).parent)
    if key_file is not None:
        view["key_file"] = key_file
        # Never make a key here: one made on a worker would sign entries no other machine accepts.
        if os.path.isfile(key_file) and view.get("probe", True):
            view["key"] = Cache(Path(probe).parent if probe else None, key_file=key_file).key_digest()
    return view

