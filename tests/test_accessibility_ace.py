"""DAISY Ace on built books: zero accessibility violations.

Ace is installed by ``.ci/run`` into ``.ci/ace`` (``PUPPETEER_SKIP_DOWNLOAD=1 npm ci
--prefix .ci/ace`` and Debian's ``chromium``). Without it these tests are skipped,
saying so, except in CI (``CI=true``), where a missing Ace fails them: CI cannot
pass by not checking.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

import deeplybook
from deeplybook.edition import arrange
from deeplybook.model import Kind, Paragraph
from deeplybook.sample import sample_path

REPO = Path(__file__).resolve().parent.parent
BUNDLED_ACE = REPO / ".ci" / "ace" / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = "/usr/bin/chromium"


def _ace_command() -> tuple[str | None, str]:
    """Ace's executable (``$DEEPLYBOOK_ACE``, the one .ci/run installs, or ``ace`` on PATH) and why it is missing."""
    configured = os.environ.get("DEEPLYBOOK_ACE")
    if configured:
        ace = configured if Path(configured).is_file() else None
    else:
        ace = str(BUNDLED_ACE) if BUNDLED_ACE.is_file() else shutil.which("ace")
    if ace is None:
        return None, ("DAISY Ace is not installed: run `PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix .ci/ace` "
                      "(or point DEEPLYBOOK_ACE at an `ace` executable)")
    browser = os.environ.get("PUPPETEER_EXECUTABLE_PATH", CHROMIUM)
    if not Path(browser).is_file():
        return None, f"DAISY Ace needs a Chromium at {browser}: apt-get install chromium"
    return ace, ""


@pytest.fixture(scope="session")
def ace(tmp_path_factory):
    """Run Ace on an EPUB and return its report.json."""
    command, missing = _ace_command()
    if command is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; CI must run the accessibility checks")
        pytest.skip(missing)
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": os.environ.get("PUPPETEER_EXECUTABLE_PATH", CHROMIUM)}

    def run(book: Path) -> dict:
        report = tmp_path_factory.mktemp("ace")
        done = subprocess.run([command, "--silent", "--force", "--outdir", str(report), str(book)],
                              env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"Ace failed on {book.name}:\n{done.stdout}\n{done.stderr}"
        return json.loads((report / "report.json").read_text(encoding="utf-8"))

    return run


def violations(report: dict) -> list[str]:
    """Every failed check in an Ace report, one line each: document, rule, impact, what Ace says."""
    found = []
    for subject in report["assertions"]:
        for check in subject["assertions"]:
            if check["earl:result"]["earl:outcome"] == "fail":
                found.append(f"{subject['earl:testSubject']['url']}: {check['earl:test']['dct:title']} "
                             f"({check['earl:test']['earl:impact']}) "
                             f"{check['earl:result'].get('dct:description', '')[:200]}")
    return found


def checked_documents(report: dict) -> set[str]:
    return {s["earl:testSubject"]["url"].lstrip("/").removeprefix("EPUB/") for s in report["assertions"]}


def content_documents(book: Path) -> set[str]:
    with zipfile.ZipFile(book) as z:
        return {n.removeprefix("EPUB/") for n in z.namelist() if n.endswith(".xhtml")}


def assert_clean(report: dict, book: Path) -> None:
    assert violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"
    # Ace looked at every page, and found the discovery metadata it asks for.
    assert content_documents(book) <= checked_documents(report)
    assert report["a11y-metadata"]["empty"] == []
    assert {"schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
            "schema:accessibilitySummary", "schema:accessModeSufficient"} <= set(report["a11y-metadata"]["present"])


def test_ace_finds_violations_in_a_book_that_has_them(ace, tmp_path):
    """The check is live: a page with a grey that fails contrast and an image without alt is reported."""
    book = tmp_path / "bad.epub"
    good = deeplybook.write_epub(deeplybook.make_edition(deeplybook.read([sample_path()]), title="Bad"),
                                 tmp_path / "good.epub")
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(book, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "EPUB/style/book.css":
                data += b"\n.article-body p { color: #aaa; }\n"
            dst.writestr(info, data)
    found = violations(ace(book))
    assert any("color-contrast" in line for line in found), found


def test_the_bundled_sample_has_no_accessibility_violations(ace, tmp_path):
    book = deeplybook.build([sample_path()], tmp_path / "sample", title="Syria Deeply: A Sample Edition",
                            subtitle="One interview from the News Deeply archive", formats=("epub",)).outputs["epub"]
    assert_clean(ace(book), book)


@pytest.mark.corpus
def test_forty_real_articles_have_no_accessibility_violations(ace, syria_mirror, tmp_path, epubcheck):
    """Ten interviews and thirty articles and op-eds from three years of the real archive (no pictures survive)."""
    folders = [syria_mirror / "articles" / "2013", syria_mirror / "articles" / "2017", syria_mirror / "community" / "2017"]
    articles = arrange(deeplybook.read(folders))  # duplicates out, in date order
    interviews = [a for a in articles if a.kind is Kind.QA]
    others = [a for a in articles if a.kind is not Kind.QA]
    chosen = interviews[::len(interviews) // 10][:10] + others[::len(others) // 30][:30]
    edition = deeplybook.make_edition(chosen, title="Syria Deeply: Forty Articles", subtitle="A test of access",
                                      creators=["A. Editor"], publisher="Test Press", group_by=["year", "month"],
                                      foreword=(Paragraph("Why these forty."),),
                                      back_matter=("contributors", "topics", "sources"))
    assert len(edition.articles) == 40 and sum(a.kind is Kind.QA for a in edition.articles) == 10
    book = deeplybook.write_epub(edition, tmp_path / "forty.epub")
    epubcheck(book)
    assert_clean(ace(book), book)
