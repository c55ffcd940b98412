"""A News Deeply mirror with hostile files in it: broken links, links out, loops, FIFOs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sample_mirror  # a sibling module: the sample site dressed as a mirror

from deeplybook.log import counting_warnings
from deeplybook.readers import ReadReport, newsdeeply

DAY = Path("water") / "articles" / "2017" / "03" / "05"
#: The sample mirror's articles, as test_mirror_walk counts them.
SAMPLE_ARTICLES = 7


@pytest.fixture
def mirror(tmp_path) -> Path:
    """A copy of the sample mirror that a test may spoil."""
    copy = tmp_path / "mirror"
    shutil.copytree(sample_mirror.root(), copy, symlinks=True)
    (copy / DAY).mkdir(parents=True)
    return copy


def walk(folder: Path, **options):
    report = ReadReport()
    with counting_warnings() as warned:
        articles = list(newsdeeply.read_folder(folder, report, **options))
    return articles, report, warned.records


def refused(records) -> list[str]:
    return sorted(message.split(": ")[0] for code, message in records if code == "file-refused")


def test_a_dangling_link_where_a_page_belongs_is_refused(mirror):
    (mirror / DAY / "ghost.html").symlink_to(mirror / "nowhere.html")
    articles, report, warned = walk(mirror)
    assert len(articles) == SAMPLE_ARTICLES
    assert refused(warned) == [str(mirror / DAY / "ghost.html")]
    assert str(mirror / DAY / "ghost.html") in dict(report.skipped)


def test_a_page_linked_from_outside_the_mirror_is_refused(mirror, tmp_path):
    outside = tmp_path / "outside.html"
    shutil.copy(mirror / "water" / "articles" / "2017" / "03" / "02" / "dams-on-the-river.html", outside)
    (mirror / DAY / "borrowed.html").symlink_to(outside)
    articles, _, warned = walk(mirror)
    assert len(articles) == SAMPLE_ARTICLES
    assert refused(warned) == [str(mirror / DAY / "borrowed.html")]


def test_a_site_folder_linked_from_outside_is_not_walked(mirror, tmp_path):
    shutil.copytree(mirror / "water", tmp_path / "elsewhere")
    (mirror / "stolen").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    articles, _, warned = walk(mirror)
    assert len(articles) == SAMPLE_ARTICLES
    assert refused(warned) == [str(mirror / "stolen")]


def test_a_folder_loop_in_a_site_ends_and_inside_links_are_followed(mirror):
    (mirror / "water" / "articles" / "2017" / "loop").symlink_to("..", target_is_directory=True)
    (mirror / DAY / "again.html").symlink_to(mirror / "water" / "articles" / "2017" / "03" / "02" /
                                             "dams-on-the-river.html")
    articles, _, warned = walk(mirror / "water")
    slugs = [a.slug for a in articles]
    assert len(slugs) == SAMPLE_ARTICLES and slugs.count("dams-on-the-river") == 1
    assert not refused(warned)


def test_a_fifo_where_a_page_belongs_is_skipped_not_waited_on(mirror):
    os.mkfifo(mirror / DAY / "waiting.html")
    script = ("import json, sys; from deeplybook.readers import ReadReport, newsdeeply; from deeplybook.log import "
              "counting_warnings\nreport = ReadReport()\nwith counting_warnings() as w:\n"
              "    n = len(list(newsdeeply.read_folder(sys.argv[1], report)))\nprint(json.dumps([n, w.records]))")
    try:
        done = subprocess.run([sys.executable, "-c", script, str(mirror)], capture_output=True, text=True,
                              timeout=120, cwd=Path(__file__).parent)
    except subprocess.TimeoutExpired:
        pytest.fail("reading a mirror holding a FIFO hung")
    assert done.returncode == 0, done.stderr
    count, records = json.loads(done.stdout)
    assert count == SAMPLE_ARTICLES
    assert refused(records) == [str(mirror / DAY / "waiting.html")]
