"""Which reader takes which file: automatic choice for each sample kind, and forcing one."""

from __future__ import annotations

from pathlib import Path

import pytest

import deeplybook.readers
from deeplybook.errors import DeeplybookError
from deeplybook.readers import ReadReport, frontmatter, generic, plaintext, warc

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "tests" / "samples"


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("examples/syria-deeply-boukamal.txt", plaintext),
        ("tests/samples/plaintext/no-banner-wrapped.txt", plaintext),
        ("tests/samples/plaintext/plain-report.txt", plaintext),
        ("tests/samples/generic/blog-article.html", generic),
        ("tests/samples/generic/meta-only.html", generic),
        ("tests/samples/frontmatter/yaml-oped.md", frontmatter),
        ("tests/samples/frontmatter/toml-interview.md", frontmatter),
        ("tests/samples/frontmatter/html-body.html", frontmatter),
        ("tests/samples/frontmatter/title-from-heading.md", frontmatter),
    ],
)
def test_automatic_choice_per_sample_kind(relative, expected):
    assert deeplybook.readers.choose(REPO / relative) is expected


def test_automatic_choice_for_a_warc(tmp_path):
    from test_warc import build_warc

    assert deeplybook.readers.choose(build_warc(tmp_path / "crawl.warc.gz")) is warc


def test_folder_of_mixed_samples_reads_each_with_its_reader():
    report = ReadReport()
    articles = list(deeplybook.readers.read([SAMPLES / "frontmatter", SAMPLES / "generic"], report=report))
    titles = {a.title for a in articles}
    assert "Why the Ferry Matters More Than the Bridge" in titles
    assert "Salt Pans at Low Tide" in titles
    assert "Lantern Makers of the Old Quarter" in titles
    # The page without article text is passed over, and the picture files are not articles.
    skipped = {Path(name).name for name, _ in report.skipped}
    assert "no-article.html" in skipped
    assert report.failed == []
    assert len(articles) == report.articles == 6


def test_forcing_a_reader_overrides_the_choice(tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text("---\ntitle: Minutes of the Harbour Board\nauthor: Ines Volk\n---\nThe board met.\n", encoding="utf-8")
    assert deeplybook.readers.choose(source) is plaintext
    automatic = list(deeplybook.readers.read([source]))
    forced = list(deeplybook.readers.read([source], reader="frontmatter"))
    assert automatic[0].title != "Minutes of the Harbour Board"
    assert forced[0].title == "Minutes of the Harbour Board"
    assert forced[0].authors == ("Ines Volk",)


def test_forcing_generic_on_a_front_matter_page():
    page = SAMPLES / "frontmatter" / "html-body.html"
    automatic = list(deeplybook.readers.read([page]))
    assert automatic[0].title == "Salt Pans at Low Tide"
    report = ReadReport()
    forced = list(deeplybook.readers.read([page], reader="generic", report=report))
    # The generic reader knows nothing of front matter: it is text to it, and the page,
    # with no <title>, is named by its first heading.
    assert [article.title for article in forced] == ["The rakers"]
    assert forced[0].body[0].text.startswith("--- title: Salt Pans at Low Tide")
    assert report.failed == []


def test_forcing_an_unknown_reader_lists_the_choices():
    with pytest.raises(DeeplybookError) as caught:
        list(deeplybook.readers.read([SAMPLES / "generic"], reader="nosuch"))
    for name in ("plaintext", "generic", "warc", "frontmatter"):
        assert name in str(caught.value)
