"""What a build reports: an archive's skipped and failed records with their reasons, and which reader took each file."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import sample_mirror  # a sibling module: the invented News Deeply mirror
from click.testing import CliRunner
from test_warc import build_warc  # a sibling module: a small archive with records that give no article

import deeplybook.readers
from deeplybook import cli
from deeplybook.readers import ReadReport

EXTRACTION = Path(__file__).resolve().parents[1] / "samples" / "extraction"


def test_the_summary_counts_an_archives_passed_records_with_their_reasons(tmp_path):
    archive = build_warc(tmp_path / "crawl.warc.gz")
    result = CliRunner().invoke(cli.cli, [str(archive), "-o", str(tmp_path / "book"), "--format", "epub",
                                          "--title", "Crawl"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # Two articles; the picture, the 404 page and the revisit are passed over, each said why.
    assert "2 articles from 1 files (3 skipped, 0 failed)" in lines
    assert ("  skipped: 1 not a page (image/jpeg), 1 an HTTP 404 response, "
            "1 a revisit record (a later capture that repeats an earlier one)") in lines


def test_reasons_count_alike_reasons_together_and_sum_the_rest():
    report = ReadReport()
    report.skipped += [("a#record-1", "an HTTP 404 response"), ("a#record-2", "an HTTP 404 response"),
                       ("a#record-3", "an HTTP 500 response")]
    report.failed += [(f"a#record-{n}", f"broken record at byte {n * 1000} (zlib)") for n in range(4, 7)]
    report.failed += [("b.html", f"error {letter}") for letter in "pqrs"]
    assert report.reasons(limit=2) == [
        "skipped: 2 an HTTP 404 response, 1 an HTTP 500 response",
        "failed: 3 broken record at byte N (zlib), 1 error p, 3 other",
    ]
    assert ReadReport().reasons() == []


def _debug_lines(caplog, paths, **options) -> list[str]:
    with caplog.at_level(logging.DEBUG, logger="deeplybook"):
        list(deeplybook.readers.read(paths, **options))
    return [record.getMessage() for record in caplog.records if record.levelno == logging.DEBUG]


def test_debug_lines_name_the_reader_of_each_file_and_why(tmp_path, caplog):
    page = tmp_path / "blog-garden.html"
    shutil.copyfile(EXTRACTION / "blog-garden.html", page)
    chosen = _debug_lines(caplog, [page])
    assert any(line.startswith(f"{page}: read by the generic reader (sniff score 30") for line in chosen), chosen
    caplog.clear()
    forced = _debug_lines(caplog, [page], reader="generic")
    assert f"{page}: read by the generic reader (forced by --reader)" in forced


def test_debug_lines_name_the_reader_of_an_archived_page_and_of_a_mirror(tmp_path, caplog):
    archive = build_warc(tmp_path / "crawl.warc.gz")
    lines = _debug_lines(caplog, [archive])
    assert any(line.startswith(f"{archive}: read by the warc reader (sniff score 99") for line in lines), lines
    assert f"{archive}#https://ledger.example/2019/04/lantern-makers: read by the generic reader (sniff score 30)" \
        in lines
    assert f"{archive}#record-5 https://ledger.example/gone: skipped: an HTTP 404 response" in lines
    caplog.clear()
    mirror = sample_mirror.root()
    lines = _debug_lines(caplog, [mirror])
    assert f"{mirror}: walked by the newsdeeply reader (it recognises the folder's layout)" in lines


def test_debug_lines_of_files_read_in_worker_processes_come_back(tmp_path, caplog):
    # Enough files for the pool (readers.pool.POOL_THRESHOLD): the workers' lines are logged again here.
    pages = []
    for number in range(deeplybook.readers.pool.POOL_THRESHOLD + 6):
        page = tmp_path / f"garden-{number:03}.html"
        shutil.copyfile(EXTRACTION / "blog-garden.html", page)
        pages.append(page)
    lines = _debug_lines(caplog, [tmp_path])
    for page in pages:
        assert any(line.startswith(f"{page}: read by the generic reader (sniff score") for line in lines), page
