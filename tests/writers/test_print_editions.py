"""[print] in an edition file: trim, bleed and crop marks on every page, the cover spread beside the book, variants."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest
from pdf_checks import assert_sound_pdf

import deeplybook
from deeplybook import config
from deeplybook.errors import ConfigError
from deeplybook.writers.pdf.printing import PT_PER_MM

SAMPLES = Path(__file__).parent.parent / "samples" / "editions"


def edition_file(tmp_path: Path, printing: str) -> Path:
    source = (SAMPLES / "chronicle.toml").read_text()
    text = (source.replace('paths = ["articles/*.txt"]', f'paths = ["{(SAMPLES / "articles").as_posix()}/*.txt"]')
            .replace('foreword = "foreword.md"\n', "").replace('[volumes]\nby = "year"\n', ""))
    path = tmp_path / "chronicle.toml"
    path.write_text(f"{text}\n[print]\n{printing}\n")
    return path


def trim_mm(page) -> tuple[float, float]:
    box = page.obj.get("/TrimBox", page.mediabox)
    return round((float(box[2]) - float(box[0])) / PT_PER_MM, 1), round((float(box[3]) - float(box[1])) / PT_PER_MM, 1)


def test_a_print_edition_has_its_trim_bleed_and_a_cover_spread(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    path = edition_file(tmp_path, 'trim = "6x9"\nbleed = 3\ncrop_marks = true\ncover_spread = true\npaper = 0.1')
    [result] = deeplybook.build_edition(path, output=tmp_path / "out", formats=("pdf",), cache=False,
                                        pdf_options={"jobs": 1})
    book, spread = result.outputs["pdf"], result.outputs["cover"]
    assert spread == tmp_path / "out-cover.pdf"
    assert_sound_pdf(book)
    with pikepdf.open(book) as pdf:
        pages = len(pdf.pages)
        # A printer's book block opens with the title page: the cover is the spread's.
        assert not pdf.pages[0].get_images()
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(book), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "A Sample Chronicle" in first and "Test Editor" in first
    with pikepdf.open(book) as pdf:
        assert {trim_mm(page) for page in pdf.pages} == {(152.4, 228.6)}
        bleed = pdf.pages[5].obj.BleedBox
        assert round((float(pdf.pages[5].obj.TrimBox[0]) - float(bleed[0])) / PT_PER_MM, 1) == 3.0
    with pikepdf.open(spread) as pdf:
        width, height = trim_mm(pdf.pages[0])
    assert height == 228.6 and width == pytest.approx(2 * 152.4 + (pages + 1) // 2 * 0.1, abs=0.2)


def test_a_variant_is_rendered_as_one_document_that_says_what_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    path = edition_file(tmp_path, 'pdf_variant = "pdf/a-3b"')
    [result] = deeplybook.build_edition(path, output=tmp_path / "out", formats=("pdf",), cache=False)
    with pikepdf.open(result.outputs["pdf"]) as pdf:
        assert "/OutputIntents" in pdf.Root
        with pdf.open_metadata() as meta:
            assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("3", "B")


@pytest.mark.parametrize("table, wrong", [
    ('trim = "B5"', "print.trim"), ("bleed = 40", "print.bleed"), ('pdf_variant = "pdf/a-9"', "print.pdf_variant"),
    ("crop_marks = 1", "print.crop_marks"),
])
def test_a_wrong_print_setting_is_named_with_its_line(tmp_path, table, wrong):
    path = edition_file(tmp_path, table)
    with pytest.raises(ConfigError) as failure:
        config.load(path)
    assert wrong in str(failure.value) and "line" in str(failure.value)
