"""The same input and SOURCE_DATE_EPOCH give the same bytes, whatever the machine's cores or the cache."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pdf_checks import assert_sound_pdf
from test_pdf import story

import deeplybook
from deeplybook.cache import Cache
from deeplybook.model import Edition, Section
from deeplybook.writers import pdf as pdf_writer
from deeplybook.writers.pdf import write_pdf

SAMPLE_SITE = Path(__file__).resolve().parents[1] / "samples" / "newsdeeply" / "site"
#: A book whose contents runs over several pages, so that the page numbers set over
#: them make an overlay of several pages, and with enough articles for several chunks.
EDITION = Edition(
    title="Deeply Repeated",
    language="en",
    sections=tuple(
        Section(f"Part {part}", articles=tuple(
            story(f"story-{part}-{n}", f"Story {n} of part {part}", 1 + n, paragraphs=1) for n in range(12)))
        for part in range(1, 4)),
)


@pytest.fixture(scope="module")
def automatic(tmp_path_factory) -> dict[int, bytes]:
    """The book with the automatic chunk size, by the number of workers."""
    folder = tmp_path_factory.mktemp("automatic")
    with pytest.MonkeyPatch.context() as patch:
        # The fixed clock of conftest comes with each test, after a module's fixtures.
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        return {jobs: write_pdf(EDITION, folder / f"jobs-{jobs}.pdf", jobs=jobs).read_bytes() for jobs in (1, 2, 3)}


def test_the_number_of_workers_does_not_show_in_the_book(automatic, tmp_path):
    assert automatic[2] == automatic[1], "-j 2 and -j 1 made different books"
    assert automatic[3] == automatic[1], "-j 3 and -j 1 made different books"
    (tmp_path / "book.pdf").write_bytes(automatic[1])
    assert assert_sound_pdf(tmp_path / "book.pdf") > 36


def test_cache_state_and_the_order_chunks_are_rendered_in_do_not_show(tmp_path, monkeypatch):
    cache = Cache(tmp_path / "cache")
    cold = write_pdf(EDITION, tmp_path / "cold.pdf", chunk_size=3, jobs=1, cache=cache).read_bytes()
    warm = write_pdf(EDITION, tmp_path / "warm.pdf", chunk_size=3, jobs=2, cache=cache).read_bytes()
    assert cache.hits > 0
    weight = pdf_writer.parallel.weight
    monkeypatch.setattr(pdf_writer.parallel, "weight", lambda chunk: -weight(chunk))
    shortest_first = write_pdf(EDITION, tmp_path / "shortest-first.pdf", chunk_size=3, jobs=2).read_bytes()
    assert warm == cold, "a book from a warm cache differs from one rendered afresh"
    assert shortest_first == cold, "the order the chunks were rendered in shows in the book"


def test_a_whole_build_is_the_same_from_a_cold_and_a_warm_cache_on_one_core_or_two(tmp_path, epubcheck):
    cache = Cache(tmp_path / "cache")
    first = deeplybook.build([SAMPLE_SITE], tmp_path / "first" / "book", title="Water", cache=cache,
                             pdf_options={"jobs": 1})
    again = deeplybook.build([SAMPLE_SITE], tmp_path / "again" / "book", title="Water", cache=cache,
                             pdf_options={"jobs": 2})
    assert cache.hits > 0
    for fmt in ("epub", "pdf"):
        assert first.outputs[fmt].read_bytes() == again.outputs[fmt].read_bytes(), f"the {fmt} differs"
    epubcheck(first.outputs["epub"])
    assert_sound_pdf(first.outputs["pdf"])


def test_a_book_is_the_same_wherever_its_archive_and_pictures_lie(tmp_path, monkeypatch):
    """WeasyPrint names a picture after its address: a path in the book would differ on another machine."""
    import shutil

    from PIL import Image as PILImage

    from deeplybook.model import Figure, Image

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    books = []
    for place in ("alice/archive", "bob/somewhere/else"):
        folder = tmp_path / place
        folder.mkdir(parents=True)
        PILImage.new("RGB", (60, 40), (120, 30, 30)).save(folder / "photo.jpg")
        lead = Figure("A street.", "A credit", Image("https://img.example/photo.jpg", str(folder / "photo.jpg")))
        pictured = dataclasses.replace(story("with-picture", "With a picture", 1), lead=lead)
        edition = Edition(title="Pictures", sections=(Section("", (pictured,)),))
        books.append(write_pdf(edition, tmp_path / f"{place.replace('/', '-')}.pdf", jobs=1).read_bytes())
        shutil.rmtree(folder)
    assert books[0] == books[1]
