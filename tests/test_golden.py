"""Golden output: a small book's EPUB pages and PDF outline and text, held in tests/golden/ so a change shows as a diff.

The default theme's copies are in tests/golden/water; each other built-in theme keeps
its EPUB's contents, an article, an interview and its stylesheet in tests/golden/<theme>
(EPUB only: their PDFs differ from the default's in type, which the text does not show).

Regenerate after an intended change, then review ``git diff tests/golden``:

    DEEPLYBOOK_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import importlib.util
import os
import re
import subprocess
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pikepdf
import pytest
from lxml import etree
from pypdf import PdfReader

import deeplybook

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "water"
#: The built-in themes besides the default, each with golden copies of its own.
THEMES = ("classic", "deeply", "large-print")
UPDATE = os.environ.get("DEEPLYBOOK_UPDATE_GOLDEN") == "1"
REGENERATE = "DEEPLYBOOK_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py"

#: The EPUB's package file, contents, a section opener, an ordinary article and an interview.
EPUB_PAGES = ("content.opf", "nav.xhtml", "section-001.xhtml", "dams-on-the-river.xhtml",
              "a-talk-with-a-hydrologist.xhtml")
#: The PDF pages whose text is kept, by the outline title they open (the title and contents pages come first).
PDF_PAGES = {"articles-opener": "Articles", "dams-on-the-river": "Dams on the River Divide Two Valleys",
             "a-talk-with-a-hydrologist": "A Talk With a Hydrologist"}


def _sample_mirror():
    """tests/readers/sample_mirror.py, loaded by its path: the sample site dressed with HTTrack's stamps."""
    spec = importlib.util.spec_from_file_location("golden_sample_mirror", HERE / "readers" / "sample_mirror.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build(folder: Path, theme: str = "default", formats: tuple[str, ...] = ("epub", "pdf")) -> dict[str, Path]:
    """The invented "water" site as a book grouped by kind, with a contributors index."""
    with pytest.MonkeyPatch.context() as patch:
        # The fixed clock of conftest comes with each test, after a module's fixtures.
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        result = deeplybook.build(
            [_sample_mirror().root()], folder / "water", title="Water", group_by=("kind",), theme=theme,
            formats=formats, back_matter=("contributors",), identifier="urn:uuid:0b9f6a51-2c3d-4e5f-8a7b-9c0d1e2f3a4b",
            pdf_options={"jobs": 1}, cache=False)
    return result.outputs


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> dict[str, Path]:
    """The water book in the default theme, in both formats."""
    return _build(tmp_path_factory.mktemp("golden"))


@pytest.fixture(scope="module")
def themed(tmp_path_factory) -> Callable[[str], dict[str, Path]]:
    """The water book's EPUB in a built-in theme, made once a theme."""
    made: dict[str, dict[str, Path]] = {}

    def get(theme: str) -> dict[str, Path]:
        if theme not in made:
            made[theme] = _build(tmp_path_factory.mktemp(f"golden-{theme}"), theme, ("epub",))
        return made[theme]

    return get


def pretty_xml(data: bytes) -> str:
    """XML re-indented one element a line, so that a diff reads line by line."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    tree = etree.fromstring(data, parser).getroottree()
    return etree.tostring(tree, pretty_print=True, encoding="unicode")


def epub_page(epub: Path, name: str) -> str:
    """The normalised text of ``EPUB/name`` in the book.

    The OPF's generator names ebooklib's version, which an upgrade changes without our
    code doing anything different: the version is left out.
    """
    with zipfile.ZipFile(epub) as archive:
        if f"EPUB/{name}" not in archive.namelist():
            return f"(the book holds no EPUB/{name})\n"
        text = pretty_xml(archive.read(f"EPUB/{name}"))
    return re.sub(r'(<meta name="generator" content="Ebook-lib) [^"]*"', r'\1"', text)


def outline(pdf: Path) -> list[tuple]:
    """The PDF's bookmarks as nested ``(title, page, children)`` tuples, pages counted from 1."""
    reader = PdfReader(str(pdf))

    def entries(items: list) -> list[tuple]:
        out: list[tuple] = []
        for item in items:
            if isinstance(item, list):  # pypdf lists an entry's children right after it
                out[-1] = (*out[-1][:2], entries(item))
            else:
                out.append((item.title, reader.get_destination_page_number(item) + 1, []))
        return out

    return entries(reader.outline)


def outline_text(tree: list[tuple], depth: int = 0) -> str:
    """The outline one bookmark a line, indented by depth: ``page  title``."""
    return "".join(f"{page:>3}  {'  ' * depth}{title}\n" + outline_text(children, depth + 1)
                   for title, page, children in tree)


def page_text(pdf: Path, first: int, last: int) -> str:
    """Poppler's layout text of pages ``first`` to ``last`` (from 1), one line of the page a line.

    The columns poppler guesses move between its versions, so each line is stripped and
    a gap of spaces is kept as two; runs of blank lines become one.
    """
    text = subprocess.run(["pdftotext", "-layout", "-f", str(first), "-l", str(last), str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout
    lines = (re.sub(r" {2,}", "  ", line.strip()) for line in text.replace("\f", "\n").splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines).strip("\n")) + "\n"


@cache
def pdf_pages(pdf: Path) -> dict[str, str]:
    """The text of the front pages (before the first bookmark) and of the pages named in ``PDF_PAGES``."""
    starts = {}

    def note(tree: list[tuple]) -> None:
        for title, page, children in tree:
            starts.setdefault(title, page)
            note(children)

    tree = outline(pdf)
    note(tree)
    texts = {"pdf-outline.txt": outline_text(tree), "pdf-front.txt": page_text(pdf, 1, tree[0][1] - 1)}
    for name, title in PDF_PAGES.items():
        page = starts.get(title)
        texts[f"pdf-{name}.txt"] = page_text(pdf, page, page) if page else f"(no bookmark titled {title!r})\n"
    return texts


GOLDEN_FILES: dict[str, Callable[[dict[str, Path]], str]] = {
    **{name: (lambda outputs, name=name: epub_page(outputs["epub"], name)) for name in EPUB_PAGES},
    **{name: (lambda outputs, name=name: pdf_pages(outputs["pdf"])[name])
       for name in ("pdf-outline.txt", "pdf-front.txt", *(f"pdf-{n}.txt" for n in PDF_PAGES))},
}


#: What each other built-in theme keeps: the contents, an article, an interview and the stylesheet its theme made.
THEME_FILES: dict[str, Callable[[dict[str, Path]], str]] = {
    **{name: (lambda outputs, name=name: epub_page(outputs["epub"], name))
       for name in ("nav.xhtml", "dams-on-the-river.xhtml", "a-talk-with-a-hydrologist.xhtml")},
    "book.css": lambda outputs: epub_file(outputs["epub"], "style/book.css"),
}


def epub_file(epub: Path, name: str) -> str:
    """The text of ``EPUB/name`` as it is."""
    with zipfile.ZipFile(epub) as archive:
        return archive.read(f"EPUB/{name}").decode("utf-8")


def compare(actual: str, golden: Path) -> None:
    """Fail with a unified diff when ``actual`` is not the text of ``golden``; write it instead when updating."""
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, "utf-8")
        return
    expected = golden.read_text("utf-8") if golden.exists() else ""
    if actual != expected:
        where = golden.relative_to(HERE.parent)
        diff = difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                    f"{where} (golden)", f"{golden.name} (this build)")
        pytest.fail(f"{where} differs from its golden copy:\n{''.join(diff)}\n"
                    f"If the change is intended, regenerate with `{REGENERATE}` and review the diff.",
                    pytrace=False)


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_the_book_matches_its_golden_copy(book, name):
    compare(GOLDEN_FILES[name](book), GOLDEN / name)


@pytest.mark.parametrize("name", THEME_FILES)
@pytest.mark.parametrize("theme", THEMES)
def test_each_built_in_theme_matches_its_golden_copy(themed, theme, name):
    compare(THEME_FILES[name](themed(theme)), HERE / "golden" / theme / name)


@pytest.mark.parametrize(("folder", "names"), [(GOLDEN, GOLDEN_FILES), *((HERE / "golden" / t, THEME_FILES)
                                                                         for t in THEMES)],
                         ids=["water", *THEMES])
def test_the_golden_folder_holds_only_what_the_test_compares(folder, names):
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in set(p.name for p in folder.iterdir()) - set(names):
            (folder / stale).unlink()
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


def test_the_golden_book_is_sound(book, epubcheck):
    epubcheck(book["epub"])
    with pikepdf.open(book["pdf"]) as pdf:
        assert [str(problem) for problem in pdf.check_pdf_syntax()] == []
