"""The PDF's foreword and indexes carry right page numbers; unchanged chunks come from the cache."""

from __future__ import annotations

import dataclasses
import logging
import re
from contextlib import contextmanager

import pytest
from pypdf import PdfReader
from test_pdf import EDITION, EPOCH, laid_out_lines, lines, printed_numbers, story

from deeplybook.cache import Cache
from deeplybook.log import logger
from deeplybook.model import Paragraph
from deeplybook.writers.pdf import write_pdf


@contextmanager
def info_messages():
    """The writer's INFO lines, whatever handlers a command-line test left on the logger."""
    said: list[str] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = lambda record: said.append(record.getMessage())
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield said
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


MATTER = dataclasses.replace(EDITION, foreword=(Paragraph("Why this book was made."),),
                             back_matter=("contributors", "topics", "sources"))


def _first_page_with(reader: PdfReader, heading: str, after: int = 0) -> int:
    return next(i for i in range(after, len(reader.pages)) if lines(reader.pages[i])[:1] == [heading])


@pytest.mark.parametrize("options", [dict(chunk_size=2, jobs=2), dict(one_document=True)], ids=["chunks", "one"])
def test_foreword_and_indexes_are_listed_and_numbered(tmp_path, monkeypatch, options):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    path = write_pdf(MATTER, tmp_path / "m.pdf", **options)
    reader = PdfReader(path)
    numbers = printed_numbers(path)
    foreword = _first_page_with(reader, "Foreword", 1)
    assert "Why this book was made." in (reader.pages[foreword].extract_text() or "")
    assert numbers["Foreword"] == foreword + 1
    for heading in ("Contributors", "Topics", "Sources"):
        assert numbers[heading] == _first_page_with(reader, heading, foreword + 1) + 1
    if options.get("one_document"):
        return
    # Each contributor's article line ends with the page the article starts on.
    index = _first_page_with(reader, "Contributors", foreword + 1)
    text = "\n".join(laid_out_lines(path)[index])
    for title in ("First story", "Seventh story"):
        listed = int(re.search(rf"{title}[ .]+(\d+)", text).group(1))
        assert title in lines(reader.pages[listed - 1])[:3]


def test_unchanged_chunks_are_not_rendered_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cache = Cache(tmp_path / "cache")

    def build(edition, name):
        with info_messages() as messages:
            path = write_pdf(edition, tmp_path / name, chunk_size=2, jobs=2, cache=cache)
        said = next(m for m in messages if "from the cache" in m)
        # the four chunks, the front matter, the indexes, and the page-number overlay
        # (one piece: it has fewer pages than pdf.OVERLAY_PIECE)
        return path, tuple(map(int, re.match(r"PDF: (\d+) of (\d+)", said).groups()))

    first, counts = build(MATTER, "a.pdf")
    assert counts == (0, 7)
    again, counts = build(MATTER, "b.pdf")
    assert counts == (7, 7) and again.read_bytes() == first.read_bytes()

    sections = list(MATTER.sections)
    changed = dataclasses.replace(sections[1], articles=(story("sixth-story", "Sixth story, revised", 6),
                                                         sections[1].articles[1]))
    edited = dataclasses.replace(MATTER, sections=(sections[0], changed))
    path, counts = build(edited, "c.pdf")
    # The edited chunk, and the front matter and indexes that print its title, are
    # rendered again; the other chunks, and the overlay (the same numbers in the same
    # places: the new title did not change how the contents wraps), come from the cache.
    assert counts == (4, 7)
    reference = write_pdf(edited, tmp_path / "reference.pdf", chunk_size=2, jobs=2)
    assert path.read_bytes() == reference.read_bytes()


def test_a_theme_change_renders_every_chunk_again(tmp_path, monkeypatch):
    import shutil

    from deeplybook.themes import builtin_root, load

    copy = tmp_path / "themes" / "default"
    shutil.copytree(builtin_root() / "default", copy)
    cache = Cache(tmp_path / "cache")
    write_pdf(EDITION, tmp_path / "a.pdf", chunk_size=3, jobs=2, cache=cache, theme=load(str(copy)))
    (copy / "css" / "pdf.css").write_text((copy / "css" / "pdf.css").read_text() + "\n.dek { color: #600; }\n")
    with info_messages() as messages:
        write_pdf(EDITION, tmp_path / "b.pdf", chunk_size=3, jobs=2, cache=cache, theme=load(str(copy)))
    assert "PDF: 0 of 5 parts from the cache" in messages
