"""Checks every PDF a writer test makes can pass: qpdf's structure check and every font embedded."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest


def assert_sound_pdf(path: Path) -> int:
    """Assert that ``path`` passes qpdf's check and embeds every font it uses; return its page count."""
    with pikepdf.open(path) as pdf:
        problems = [str(problem) for problem in pdf.check_pdf_syntax()]
        pages = len(pdf.pages)
    assert problems == [], f"qpdf --check on {path.name}: {problems}"
    assert pages > 0
    unembedded = [row for row in font_rows(path) if row["emb"] != "yes"]
    assert unembedded == [], f"fonts not embedded in {path.name}: {unembedded}"
    return pages


def font_rows(path: Path) -> list[dict[str, str]]:
    """``pdffonts``'s table (poppler-utils): each font's name and whether it is embedded."""
    if shutil.which("pdffonts") is None:
        pytest.fail("pdffonts is missing: install poppler-utils")
    lines = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout.splitlines()
    # A name or type may hold spaces and a long name pushes the columns, but each row
    # ends with five single words: emb, sub, uni and the object's number and generation.
    return [{"name": row.split()[0], "emb": row.split()[-5]} for row in lines[2:]]
