"""Warnings from reading on several processes reach the user once each."""

import os
import random
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "syria-deeply-boukamal.txt"
WORDS = ("harbour ledger river clinic bakery orchard school market bridge lantern ferry council well pump "
         "grain convoy teacher nurse road checkpoint winter harvest archive radio tent camp water village "
         "border truck mayor doctor kitchen garden wall roof generator fuel bread wheat olive").split()


def made_up_report(n: int) -> str:
    """A short plain-text report of its own words: unlike the others, so no two are taken for one story."""
    pick = random.Random(n)
    sentences = (" ".join(pick.choices(WORDS, k=14)).capitalize() + "." for _ in range(8))
    return f"Report {n} from the river towns\n\n" + "\n\n".join(sentences) + "\n"


def test_a_broken_file_among_many_is_reported_once(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(80):  # enough files for the reading pool to start
        (pages / f"page-{n:02d}.txt").write_text(made_up_report(n), "utf-8")
    (pages / "page-broken.txt").write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "deeplybook.cli", str(pages), "-o", str(tmp_path / "book"), "--format", "epub",
         "--title", "Many"],
        capture_output=True, text=True, env={**os.environ, "DEEPLYBOOK_CACHE": str(tmp_path / "cache")},
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("page-broken.txt") == 1, done.stderr
    assert "80 articles from 80 files (0 skipped, 1 failed)" in done.stdout
    assert (tmp_path / "book.epub").is_file()


def test_cache_flags(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from deeplybook.cli import cli

    cache = tmp_path / "cache"
    monkeypatch.setenv("DEEPLYBOOK_CACHE", str(cache))
    book = ["--format", "epub", "-o", str(tmp_path / "b"), str(SAMPLE)]
    runner = CliRunner()
    assert runner.invoke(cli, ["--no-cache", *book]).exit_code == 0
    assert not cache.exists()
    assert runner.invoke(cli, book).exit_code == 0
    entries = list((cache / "articles").rglob("*"))
    assert entries
    stale = cache / "articles" / "zz" / "stale"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"x")
    assert runner.invoke(cli, ["--clear-cache", *book]).exit_code == 0
    assert not stale.exists() and list((cache / "articles").rglob("*"))


def test_a_second_process_reuses_the_first_ones_pdf_parts(tmp_path):
    """Cache keys must not depend on the process (hash seeds differ from run to run)."""
    env = {**os.environ, "DEEPLYBOOK_CACHE": str(tmp_path / "cache"), "SOURCE_DATE_EPOCH": "1700000000"}
    command = [sys.executable, "-m", "deeplybook.cli", str(SAMPLE), "-o", str(tmp_path / "book"), "--format", "pdf",
               "--title", "Twice", "-v"]
    runs = [subprocess.run(command, capture_output=True, text=True, env={**env, "PYTHONHASHSEED": seed})
            for seed in ("1", "2")]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr
    assert "PDF: 0 of 3 parts from the cache" in runs[0].stderr
    assert "PDF: 3 of 3 parts from the cache" in runs[1].stderr
