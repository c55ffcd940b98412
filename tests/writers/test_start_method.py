"""PDF render workers start from a fork server where the platform has one, else they are spawned: the same book."""

from __future__ import annotations

import multiprocessing

from test_pdf import story

from deeplybook.model import Edition, Section
from deeplybook.writers.pdf import parallel, write_pdf

EDITION = Edition(
    title="Spawned",
    language="en",
    sections=(Section("Only part", articles=tuple(story(f"spawned-{n}", f"Story {n}", 1 + n, paragraphs=1)
                                                   for n in range(4))),),
)


def test_workers_are_spawned_where_there_is_no_fork_server_and_make_the_same_book(tmp_path, monkeypatch):
    alone = write_pdf(EDITION, tmp_path / "alone.pdf", chunk_size=2, jobs=1).read_bytes()
    assert parallel.start_method() == "forkserver"
    # A platform without a fork server (Windows): only spawn (and perhaps fork) exist.
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert parallel.start_method() == "spawn"
    pool = parallel.executor(2)
    try:
        assert pool._mp_context.get_start_method() == "spawn"
    finally:
        pool.shutdown()
    parallel.start_workers()  # nothing to start, and no fork server asked for
    spawned = write_pdf(EDITION, tmp_path / "spawned.pdf", chunk_size=2, jobs=2).read_bytes()
    assert spawned == alone
