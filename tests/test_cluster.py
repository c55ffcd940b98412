"""The same build on a Dask cluster: byte-identical books, a killed worker's task run again, what workers must see."""

from __future__ import annotations

import functools
import importlib.util
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from deeplybook import engines, executors, pipeline
from deeplybook.cache import Cache, code_fingerprint
from deeplybook.cluster import _problem, seen_first, worker_view
from deeplybook.errors import DeeplybookError
from deeplybook.readers import ReadReport

distributed = pytest.importorskip("distributed", reason="the cluster extra (dask[distributed]) is not installed")

HERE = Path(__file__).resolve().parent
#: Small chunks, so that even the sample site makes several render tasks.
PDF_OPTIONS = {"chunk_size": 2}


@functools.cache
def _sample_root() -> Path:
    spec = importlib.util.spec_from_file_location("cluster_sample_mirror", HERE / "readers" / "sample_mirror.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.root()


def _build(out: Path, scheduler: str | None, cache: Cache | bool = False) -> dict[str, bytes]:
    """The sample "water" site as a book with an index, its files' bytes by format."""
    config = pipeline.quick_edition([_sample_root()], out / "water", title="Water", group_by=("kind",),
                                    back_matter=("contributors",),
                                    identifier="urn:uuid:0b9f6a51-2c3d-4e5f-8a7b-9c0d1e2f3a4b")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        [result] = pipeline.build_edition(config, pdf_options=PDF_OPTIONS, cache=cache, scheduler=scheduler)
    return {fmt: Path(path).read_bytes() for fmt, path in result.outputs.items()}


@pytest.fixture(scope="module")
def local_book(tmp_path_factory) -> dict[str, bytes]:
    """The book built in this machine's processes, as without a cluster."""
    return _build(tmp_path_factory.mktemp("local"), None)


def test_a_local_cluster_makes_the_local_book_byte_for_byte_and_shares_the_cache(local_book, tmp_path, epubcheck):
    cache = Cache(tmp_path / "shared-cache", key_file=tmp_path / "keys" / "cache-key")
    made = _build(tmp_path, "local:2", cache)
    assert set(made) == {"epub", "pdf"}
    assert made["epub"] == local_book["epub"]
    assert made["pdf"] == local_book["pdf"]
    epubcheck(tmp_path / "water.epub")
    # The workers read the pages and stored them, signed with the key this process holds.
    assert list((tmp_path / "shared-cache" / "articles").rglob("*"))
    again = Cache(tmp_path / "shared-cache", key_file=tmp_path / "keys" / "cache-key")
    report = ReadReport()
    articles = pipeline.read([_sample_root()], report=report, cache=again)
    assert articles and again.hits > 0 and again.misses == 0


class _KillOnce(distributed.WorkerPlugin):
    """Kills the worker it runs in shortly after a render task starts there, once in the whole cluster."""

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish != "executing" or "render_here" not in str(key):
            return
        try:
            os.close(os.open(self.flag, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
        # A moment later: the render is under way when its worker dies.
        threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGKILL)).start()


def test_a_worker_killed_mid_build_has_its_task_run_again_and_the_book_is_the_same(local_book, tmp_path):
    import cloudpickle

    # The workers cannot import this test module: the plugin travels by value.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    flag = tmp_path / "killed"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        client.register_plugin(_KillOnce(str(flag)))
        made = _build(tmp_path, cluster.scheduler_address)
    assert flag.exists(), "no worker was killed: the test proved nothing"
    assert made == local_book


def test_a_worker_that_cannot_see_a_path_fails_the_task_naming_it(tmp_path):
    seen = tmp_path / "page.html"
    seen.write_text("<p>here</p>")
    assert seen_first((str(seen),), len, "abc") == 3
    missing = tmp_path / "elsewhere" / "picture.jpg"
    with pytest.raises(DeeplybookError) as failed:
        seen_first((str(seen), str(missing)), len, "abc")
    assert str(missing) in str(failed.value) and "every worker sees" in str(failed.value)


def test_a_worker_that_sees_another_cache_folder_or_key_is_named(tmp_path):
    cache = Cache(tmp_path / "cache", key_file=tmp_path / "key")
    key, code = cache.key_digest(), code_fingerprint.__wrapped__()
    probe = tmp_path / "cache" / ".probe"
    probe.parent.mkdir()
    probe.write_bytes(b"")
    assert _problem(worker_view(str(probe), str(tmp_path / "key")), key, code) == ("", None)
    # Another machine: the probe written here is not in its cache folder.
    problem, path = _problem(worker_view(str(tmp_path / "other" / ".probe"), str(tmp_path / "key")), key, code)
    assert "cannot see the cache folder" in problem and path == str(tmp_path / "other")
    # Its key file is missing (a key is never made on a worker), or holds another key.
    problem, path = _problem(worker_view(str(probe), str(tmp_path / "no-key")), key, code)
    assert "signing key" in problem and path == str(tmp_path / "no-key")
    assert not (tmp_path / "no-key").exists()
    Cache(tmp_path / "cache", key_file=tmp_path / "other-key").key_digest()
    assert "another version" in _problem(worker_view(str(probe), str(tmp_path / "key")), key, "0" * 64)[0]
    assert "signing key" in _problem(worker_view(str(probe), str(tmp_path / "other-key")), key, code)[0]


def test_the_key_does_not_travel_with_a_pickled_cache(tmp_path):
    import pickle

    cache = Cache(tmp_path / "cache", key_file=tmp_path / "key")
    key = (tmp_path / "key")
    cache.key_digest()
    sent = pickle.dumps(cache)
    assert key.read_bytes() not in sent
    assert pickle.loads(sent).key_digest() == cache.key_digest()


def test_schedulers_are_checked_and_chosen_command_line_first(monkeypatch):
    for good in ("local", "local:2", "tcp://10.0.0.5:8786", "tls://scheduler.example:8786"):
        assert executors.check_scheduler(good) == good
    for bad in ("local:0", "local:x", "10.0.0.5:8786", "tcp:/x", ""):
        with pytest.raises(ValueError):
            executors.check_scheduler(bad)
    monkeypatch.setenv(executors.SCHEDULER_VARIABLE, "tcp://from-env:8786")
    assert executors.chosen_scheduler("local:3", "tcp://from-file:8786") == "local:3"
    assert executors.chosen_scheduler(None, "tcp://from-file:8786") == "tcp://from-file:8786"
    assert executors.chosen_scheduler(None, "") == "tcp://from-env:8786"
    monkeypatch.setenv(executors.SCHEDULER_VARIABLE, "nonsense")
    with pytest.raises(DeeplybookError, match="nonsense"):
        executors.chosen_scheduler(None, "")
    monkeypatch.delenv(executors.SCHEDULER_VARIABLE)
    assert executors.chosen_scheduler(None, "") is None
    assert executors.local_workers("local:3") == 3 and executors.local_workers("tcp://x:1") is None


def test_a_scheduler_without_dask_installed_says_which_extra_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    with pytest.raises(DeeplybookError, match=r"deeplybook\[cluster\]"):
        with engines.engine("local:1"):
            pass


def test_a_plain_build_never_imports_dask(tmp_path):
    script = (
        "import sys, deeplybook\n"
        f"deeplybook.build([{str(_sample_root())!r}], {str(tmp_path / 'plain')!r}, title='Plain', "
        "formats=('epub',), cache=False)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('dask', 'distributed')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def _hammer(root: str, key_file: str, payload: bytes, rounds: int) -> None:
    cache = Cache(root, key_file=key_file)
    for _ in range(rounds):
        cache.put("shared", "same-entry", payload)


def test_two_processes_writing_the_same_entry_never_leave_it_damaged(tmp_path):
    root, key_file = str(tmp_path / "cache"), str(tmp_path / "key")
    Cache(root, key_file=key_file).key_digest()  # one key, made before the writers start
    payloads = (b"a" * 300_000, b"b" * 7)
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_hammer, args=(root, key_file, payload, 200)) for payload in payloads]
    for writer in writers:
        writer.start()
    reader = Cache(root, key_file=key_file)
    while any(writer.is_alive() for writer in writers):
        found = reader.get("shared", "same-entry")
        assert found is None or found in payloads
    for writer in writers:
        writer.join()
        assert writer.exitcode == 0
    assert reader.get("shared", "same-entry") in payloads
    assert not reader._damage_reported
    assert not list((tmp_path / "cache").rglob(".part-*"))


def test_build_refuses_a_scheduler_it_cannot_name_in_one_line(tmp_path):
    from click.testing import CliRunner

    from deeplybook import cli

    edition = tmp_path / "edition.toml"
    edition.write_text(f'[book]\ntitle = "Water"\n[sources]\npaths = [{str(_sample_root())!r}]\n')
    result = CliRunner().invoke(cli.cli, ["build", str(edition), "--scheduler", "10.0.0.5:8786", "-q"])
    assert result.exit_code == 1
    assert "tcp://host:8786" in result.output and "'10.0.0.5:8786'" in result.output
    edition.write_text(edition.read_text() + '[run]\nscheduler = "local:zero"\n')
    result = CliRunner().invoke(cli.cli, ["build", str(edition), "-q"])
    assert result.exit_code == 1 and "run.scheduler" in result.output
