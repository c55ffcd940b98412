"""A ten-line user theme (examples/themes/compact) changes the article page of both formats and nothing else."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from factories import article, interview

from deeplybook import edition as edition_module
from deeplybook import pipeline, themes

COMPACT = Path(__file__).parent.parent / "examples" / "themes" / "compact"


def test_the_example_user_theme_is_ten_lines():
    lines = [line for path in COMPACT.rglob("*") if path.is_file() for line in path.read_text().splitlines()]
    assert len(lines) <= 10


def test_a_ten_line_user_theme_changes_the_article_page_in_both_formats(tmp_path, epubcheck):
    book = edition_module.make([article(1), interview(2)], title="Compact")
    made = {}
    for name in ("default", str(COMPACT)):
        out = tmp_path / Path(name).name
        made[name] = pipeline.write(book, {"epub": out.with_suffix(".epub"), "pdf": out.with_suffix(".pdf")},
                                    theme=themes.load(name), pdf_options={"jobs": 1}).outputs
    epubcheck(made[str(COMPACT)]["epub"])
    with zipfile.ZipFile(made[str(COMPACT)]["epub"]) as epub:
        assert "border-top: 2px solid #8a2b1d" in epub.read("EPUB/style/book.css").decode()
    with zipfile.ZipFile(made["default"]["epub"]) as default, zipfile.ZipFile(made[str(COMPACT)]["epub"]) as compact:
        assert default.read("EPUB/story-1.xhtml") == compact.read("EPUB/story-1.xhtml")  # the same text...

    def text(pdf: Path, page: int) -> str:
        return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout

    def article_page(pdf: Path) -> bytes:
        """The page the first article opens on (its title, not the contents' line) as a grey image."""
        page = next(n for n in range(1, 12) if "Story number 1" in text(pdf, n) and "Contents" not in text(pdf, n))
        return subprocess.run(["pdftoppm", "-r", "30", "-f", str(page), "-l", str(page), "-gray", str(pdf)],
                              capture_output=True, check=True).stdout

    # ...set otherwise on the article's page, and the same cover and title page.
    assert article_page(made["default"]["pdf"]) != article_page(made[str(COMPACT)]["pdf"])
    front = ["pdftoppm", "-r", "30", "-f", "2", "-l", "2", "-gray"]
    assert subprocess.run([*front, str(made["default"]["pdf"])], capture_output=True).stdout == \
        subprocess.run([*front, str(made[str(COMPACT)]["pdf"])], capture_output=True).stdout
