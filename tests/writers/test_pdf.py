"""The PDF writer: chunked books read back (pypdf, poppler) and held to the one-document render."""

from __future__ import annotations

import datetime as dt
import html
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from deeplybook.bookplan import plan
from deeplybook.errors import DeeplybookError
from deeplybook.model import Article, Creator, Edition, Heading, Paragraph, Section
from deeplybook.themes import load
from deeplybook.writers.pdf import chunks_of, write_pdf
from deeplybook.writers.pdf.plan import body

EPOCH = "1700000000"
WORDS = ("the council met again near the river while convoys waited at the border and the "
         "teachers of the town kept the school open through a winter of shelling bread fuel "
         "water prices rose as negotiators argued over a ceasefire that families no longer "
         "trusted clinic harvest market road camp").split()


def invented_text(rng: random.Random, words: int) -> str:
    sentence = " ".join(rng.choice(WORDS) for _ in range(words))
    return sentence[0].upper() + sentence[1:] + "."


def story(slug: str, title: str, day: int, *, paragraphs: int = 9, extra: tuple = ()) -> Article:
    rng = random.Random(slug)
    body = [Paragraph(invented_text(rng, 70), dateline="AMMAN")]
    body += [Paragraph(invented_text(rng, 85)) for _ in range(paragraphs // 2)]
    body.append(Heading("What comes next"))
    body += [Paragraph(invented_text(rng, 85)) for _ in range(paragraphs - paragraphs // 2)]
    body += list(extra)
    return Article(title=title, body=tuple(body), dek="An invented story for the tests.",
                   authors=("Rima Haddad",), date=dt.datetime(2017, 3, day, tzinfo=dt.timezone.utc),
                   slug=slug, url=f"https://news.example/{slug}")


LINK = Paragraph('Read <a href="sixth-story.xhtml">the sixth story</a> and '
                 '<a href="lost-story.xhtml">one that is not in this book</a>.')
EDITION = Edition(
    title="Deeply Invented",
    subtitle="Stories for the tests",
    language="en-GB",
    publisher="Test Press",
    creators=(Creator("Nour Editor"), Creator("Sam Compiler", "compiler")),
    sections=(
        Section("2017", articles=(
            story("first-story", "First story", 1, extra=(LINK,)),
            story("second-story", "Second story", 2, paragraphs=4),
            story("third-story", "Third story", 3),
        ), sections=(
            Section("March", articles=(
                story("fourth-story", "Fourth story", 4),
                story("fifth-story", "Fifth story", 5, paragraphs=14),
            )),
        )),
        Section("2018", articles=(
            story("sixth-story", "Sixth story", 6),
            story("seventh-story", "Seventh story", 7),
        )),
    ),
)
ARTICLE_TITLES = [a.title for a in EDITION.articles]
SECTION_TITLES = ["2017", "March", "2018"]
EXPECTED_OUTLINE = [
    (0, "2017"), (1, "First story"), (1, "Second story"), (1, "Third story"),
    (1, "March"), (2, "Fourth story"), (2, "Fifth story"),
    (0, "2018"), (1, "Sixth story"), (1, "Seventh story"),
]


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The edition written once per way of writing it, with a fixed build time."""
    folder = tmp_path_factory.mktemp("pdf")
    ways = {
        "one": dict(one_document=True),
        "chunks-2": dict(chunk_size=2, jobs=2),
        "chunks-3": dict(chunk_size=3, jobs=2),
        "chunks-2-again": dict(chunk_size=2, jobs=2),
        "chunks-2-serial": dict(chunk_size=2, jobs=1),
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return {name: write_pdf(EDITION, folder / f"{name}.pdf", **options) for name, options in ways.items()}


def lines(page) -> list[str]:
    return [line.strip() for line in (page.extract_text() or "").splitlines() if line.strip()]


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def contents_pages(reader: PdfReader) -> list[int]:
    """The pages of the contents: from the one headed 'Contents' to the last with dotted leaders."""
    first = next(i for i, page in enumerate(reader.pages) if "Contents" in lines(page)[:2])
    last = first
    while ". . ." in (reader.pages[last + 1].extract_text() or ""):
        last += 1
    return list(range(first, last + 1))


def start_pages(reader: PdfReader) -> dict[str, int]:
    """The page each article and section starts on, found by its title after the contents."""
    after = contents_pages(reader)[-1] + 1
    starts = {}
    for title in ARTICLE_TITLES + SECTION_TITLES:
        starts[title] = next(i for i in range(after, len(reader.pages)) if title in lines(reader.pages[i]))
    return starts


def laid_out_lines(pdf: Path) -> list[list[str]]:
    """Each page's lines as a reader sees them: poppler's text, placed by position.

    The chunked book prints the contents and index numbers in an overlay drawn
    after the page, so only a reading by position (poppler, viewers) puts each
    number at the end of its line; pypdf reads in drawing order.
    """
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install poppler-utils")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [[line.strip() for line in page.splitlines() if line.strip()] for page in text.split("\f")]


def printed_numbers(pdf: Path) -> dict[str, int]:
    """Title -> the page number printed at the end of its contents line."""
    pages = laid_out_lines(pdf)
    first = next(i for i, page in enumerate(pages) if "Contents" in page[:2])
    numbers = {}
    for page in pages[first:]:
        if not any(". . ." in line for line in page):
            break
        for line in page:
            match = re.fullmatch(r"(.+?)[ .]+(\d+)", line)
            if match:
                numbers[match.group(1)] = int(match.group(2))
    return numbers


def link_targets(reader: PdfReader, page_index: int) -> list[int]:
    """Destination page of each internal link on a page, top to bottom, repeats merged."""
    page_numbers = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    links = []
    for ref in reader.pages[page_index].get("/Annots", ()):
        annotation = ref.get_object()
        dest = annotation.get("/Dest")
        if dest is None and "/A" in annotation and annotation["/A"].get("/S") == "/GoTo":
            dest = annotation["/A"]["/D"]
        if dest is None:
            continue
        if isinstance(dest, str):
            dest = reader.named_destinations[dest]
            target = reader.get_destination_page_number(dest)
        else:
            target = page_numbers[dest[0].idnum]
        links.append((-float(annotation["/Rect"][3]), target))
    links.sort(key=lambda pair: pair[0])
    merged: list[int] = []
    for _, target in links:
        if not merged or merged[-1] != target:
            merged.append(target)
    return merged


@pytest.mark.parametrize("name", ["one", "chunks-2", "chunks-3"])
def test_contents_numbers_are_the_pages_where_entries_start(books, name):
    reader = PdfReader(books[name])
    starts = start_pages(reader)
    assert printed_numbers(books[name]) == {title: page + 1 for title, page in starts.items()}


@pytest.mark.parametrize("name", ["one", "chunks-2", "chunks-3"])
def test_contents_links_jump_to_those_pages(books, name):
    reader = PdfReader(books[name])
    starts = start_pages(reader)
    in_book_order = [starts[title] for _, title in EXPECTED_OUTLINE]
    targets = [t for index in contents_pages(reader) for t in link_targets(reader, index)]
    assert targets == in_book_order


@pytest.mark.parametrize("name", ["chunks-2", "chunks-3"])
def test_chunked_book_matches_the_one_document_render(books, name):
    chunked, single = PdfReader(books[name]), PdfReader(books["one"])
    assert len(chunked.pages) == len(single.pages)
    assert outline(chunked) == outline(single)
    assert start_pages(chunked) == start_pages(single)
    assert printed_numbers(books[name]) == printed_numbers(books["one"])


def words_placed(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, left, top, right, bottom) of every word on a page, as poppler places it."""
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page + 1), "-l", str(page + 1), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(html.unescape(word), *map(float, box)) for *box, word in
            re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', xml)]


def number_boxes(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """The page numbers a page prints (contents numbers, folio): all-digit words right of the middle."""
    return [word for word in words_placed(pdf, page) if word[0].isdigit() and word[1] > 150]


@pytest.mark.parametrize("name", ["chunks-2", "chunks-3"])
def test_contents_numbers_are_set_where_and_as_weasyprint_sets_them(books, name):
    # The chunked book prints its contents numbers afterwards, over stand-ins; the one
    # document has WeasyPrint print them in place. Same digits, same places, same size.
    contents = contents_pages(PdfReader(books["one"]))
    assert contents == contents_pages(PdfReader(books[name]))
    for page in contents:
        # The last number is the folio, which the chunked book stamps in a font of its own.
        single, chunked = number_boxes(books["one"], page)[:-1], number_boxes(books[name], page)[:-1]
        assert len(single) == len(EXPECTED_OUTLINE)
        assert [word for word, *_ in chunked] == [word for word, *_ in single]
        for (_, *ours), (_, *theirs) in zip(chunked, single):
            assert ours == pytest.approx(theirs, abs=0.01)


def test_numbers_wider_than_their_stand_ins_lay_the_contents_out_again(tmp_path, monkeypatch):
    import deeplybook.writers.pdf as pdf_writer

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    # A theme whose numbers flow at the end of the line instead of hanging in a margin:
    # the dots end where the stand-in begins, so its width matters.
    theme = tmp_path / "flowing"
    (theme / "css").mkdir(parents=True)
    (theme / "theme.toml").write_text('extends = "default"\n')
    (theme / "css" / "pdf.css").write_text(".toc-line { padding-right: 0 } .toc-line .page-number { margin-right: 0 }\n")
    # Stand-ins of one digit: a number from 10 on would be printed over the last dots.
    monkeypatch.setattr(pdf_writer.parallel, "stand_in_digits", lambda count: 1)
    path = write_pdf(EDITION, tmp_path / "narrow.pdf", chunk_size=3, jobs=2, theme=load(str(theme)))
    assert printed_numbers(path) == {title: page + 1 for title, page in start_pages(PdfReader(path)).items()}
    page = contents_pages(PdfReader(path))[0]
    placed = words_placed(path, page)
    numbers = [word for word in number_boxes(path, page)[:-1] if len(word[0]) == 2]
    assert len(numbers) >= 5
    for number, left, _, _, bottom in numbers:
        dots = [word for word in placed if word[0] == "." and abs(word[4] - bottom) < 1]
        assert dots and max(dot[3] for dot in dots) < left, f"the dots run into {number}"


@pytest.mark.parametrize("name", ["one", "chunks-2"])
def test_bookmarks_nest_articles_in_their_sections(books, name):
    reader = PdfReader(books[name])
    starts = start_pages(reader)
    assert outline(reader) == [(depth, title, starts[title]) for depth, title in EXPECTED_OUTLINE]


def test_link_to_an_article_in_another_chunk_jumps_to_its_first_page(books):
    assert body(plan(EDITION))[1].anchor == "first-story"
    chunks = chunks_of(body(plan(EDITION)), 2)
    assert "sixth-story" not in [page.anchor for page in chunks[0]]

    reader = PdfReader(books["chunks-2"])
    starts = start_pages(reader)
    source = next(i for i in range(starts["First story"], starts["Second story"])
                  if "Read the sixth story and one that is not in this book." in " ".join(lines(reader.pages[i])))
    assert link_targets(reader, source) == [starts["Sixth story"]]


def test_links_out_of_the_book_are_dropped_and_no_private_link_is_left(books):
    reader = PdfReader(books["chunks-2"])
    uris = [ref.get_object()["/A"]["/URI"] for page in reader.pages for ref in page.get("/Annots", ())
            if "/A" in ref.get_object() and "/URI" in ref.get_object()["/A"]]
    assert uris, "the articles' source links should stay web links"
    assert all(uri.startswith("https://news.example/") for uri in uris)


@pytest.mark.parametrize("name", ["one", "chunks-2", "chunks-3"])
def test_folios_run_through_the_book_except_front_opening_and_blank_pages(books, name):
    reader = PdfReader(books[name])
    starts = start_pages(reader)
    # No folio before the contents, on the pages sections and articles open on, on blank pages.
    blank = {index for index, page in enumerate(reader.pages) if not lines(page)}
    bare = set(range(contents_pages(reader)[0])) | set(starts.values()) | blank
    for index, page in enumerate(laid_out_lines(books[name])[:len(reader.pages)]):
        numbers = [line for line in page if line.isdigit() and line not in SECTION_TITLES]
        if index in bare:
            assert numbers == [], f"page {index + 1} should have no folio"
        else:
            assert numbers == [str(index + 1)], f"page {index + 1} shows {numbers}"


@pytest.mark.parametrize("name", ["one", "chunks-2"])
def test_running_head_shows_the_article_title_after_its_first_page(books, name):
    reader = PdfReader(books[name])
    starts = start_pages(reader)
    for title in ARTICLE_TITLES:
        opening = lines(reader.pages[starts[title]])
        following = lines(reader.pages[starts[title] + 1])
        assert opening.count(title) == 1, "the opening page shows the headline, not a running head too"
        assert following.count(title) == 1
    for title in SECTION_TITLES:
        divider = lines(reader.pages[starts[title]])
        assert not set(divider) & set(ARTICLE_TITLES)


@pytest.mark.parametrize("name", ["one", "chunks-2"])
def test_metadata_names_the_book_its_makers_language_and_fixed_date(books, name):
    reader = PdfReader(books[name])
    info = reader.metadata
    assert info.title == "Deeply Invented"
    assert info.author == "Nour Editor, Sam Compiler"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert info["/CreationDate"].startswith("D:20231114221320")


def test_title_page_and_imprint_carry_the_edition(books):
    reader = PdfReader(books["chunks-2"])
    title_page, imprint = (" ".join(lines(reader.pages[n])) for n in (1, 2))  # the cover is the first page
    for text in ("Deeply Invented", "Stories for the tests", "Nour Editor", "Sam Compiler, compiler", "Test Press"):
        assert text in title_page
    for text in ("Published by Test Press.", "Made with deeplybook on 14 November 2023."):
        assert text in imprint


def test_same_input_gives_byte_identical_books(books):
    first = books["chunks-2"].read_bytes()
    assert first == books["chunks-2-again"].read_bytes()
    assert first == books["chunks-2-serial"].read_bytes(), "the number of workers must not show in the book"


def test_no_article_author_stands_in_for_missing_creators(tmp_path):
    # A book of many hands is not by its first bylines: without creators or publisher the PDF names no author.
    edition = Edition(title="No editors", sections=(Section("", articles=(
        story("only-story", "Only story", 1, paragraphs=2),)),))
    reader = PdfReader(write_pdf(edition, tmp_path / "book.pdf", jobs=1))
    assert reader.metadata.author is None
    assert outline(reader) == [(0, "Only story", 4)]  # after cover, title page, imprint and contents


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_theme_leaves_no_file_behind(tmp_path, jobs):
    theme = tmp_path / "broken"
    (theme / "templates" / "pdf").mkdir(parents=True)
    (theme / "theme.toml").write_text('extends = "default"\n')
    (theme / "templates" / "pdf" / "divider.html").write_text("{{ item.no_such_field.deeper }}\n")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "book.pdf"
    target.write_bytes(b"the previous book")

    with pytest.raises(DeeplybookError, match="divider.html: line 1: cannot be rendered"):
        write_pdf(EDITION, target, theme=load(str(theme)), chunk_size=2, jobs=jobs)
    assert target.read_bytes() == b"the previous book"
    assert sorted(p.name for p in out.iterdir()) == ["book.pdf"]


def test_an_empty_edition_is_refused(tmp_path):
    with pytest.raises(DeeplybookError, match="no articles"):
        write_pdf(Edition(title="Empty", sections=()), tmp_path / "book.pdf")
    assert not (tmp_path / "book.pdf").exists()


def test_chunks_keep_a_divider_with_the_article_after_it():
    chunks = chunks_of(body(plan(EDITION)), 3)
    kinds = [["D" if page.role == "section" else "A" for page in chunk] for chunk in chunks]
    assert kinds == [["D", "A", "A", "A"], ["D", "A", "A", "D", "A"], ["A"]]


def test_pictures_of_the_archive_are_embedded(tmp_path):
    from PIL import Image as PILImage

    from deeplybook.model import Figure, Image

    picture = tmp_path / "lead.png"
    PILImage.new("RGB", (60, 40), (150, 40, 30)).save(picture)
    lead = Figure(caption="A street in the old city.", credit="INVENTED/PHOTO",
                  image=Image(url="https://news.example/lead.png", path=str(picture)))
    article = story("pictured-story", "Pictured story", 1, paragraphs=2)
    edition = Edition(title="Pictures", sections=(Section("", articles=(
        Article(**{**{f: getattr(article, f) for f in ("title", "body", "dek", "slug")}, "lead": lead}),)),))

    reader = PdfReader(write_pdf(edition, tmp_path / "book.pdf", jobs=1))
    start = reader.pages[4]  # after the cover, title page, imprint and contents
    images = [obj.get_object() for obj in start["/Resources"]["/XObject"].values()
              if obj.get_object().get("/Subtype") == "/Image"]
    assert [(image["/Width"], image["/Height"]) for image in images] == [(60, 40)]
    assert "A street in the old city." in start.extract_text()


def test_pictures_sharper_than_print_needs_are_scaled_down(tmp_path):
    import random as rng_module

    from PIL import Image as PILImage

    from deeplybook.model import Figure, Image

    # A 4,000 by 2,400 photograph (noise, so it does not compress away) printed across
    # the A5 text width of 118 mm: 300 dpi there is 1,394 pixels.
    noise = rng_module.Random(7).randbytes(4000 * 2400 * 3)
    picture = tmp_path / "huge.jpg"
    PILImage.frombytes("RGB", (4000, 2400), noise).save(picture, quality=90)
    lead = Figure(caption="A very large photograph.", credit="INVENTED/PHOTO",
                  image=Image(url="https://news.example/huge.jpg", path=str(picture)))
    article = story("huge-picture", "Huge picture", 1, paragraphs=2)
    edition = Edition(title="Pictures", sections=(Section("", articles=(
        Article(**{**{f: getattr(article, f) for f in ("title", "body", "dek", "slug")}, "lead": lead}),)),))

    path = write_pdf(edition, tmp_path / "book.pdf", jobs=1)
    start = PdfReader(path).pages[4]  # after the cover, title page, imprint and contents
    images = [obj.get_object() for obj in start["/Resources"]["/XObject"].values()
              if obj.get_object().get("/Subtype") == "/Image"]
    assert len(images) == 1
    width, height = images[0]["/Width"], images[0]["/Height"]
    assert 1300 <= width <= 1400 and abs(width / height - 4000 / 2400) < 0.01
    assert path.stat().st_size < picture.stat().st_size / 5
