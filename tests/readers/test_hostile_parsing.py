"""Readers on hostile bytes (samples/hostile/): what a malformed or malicious page must not do to a book."""

from __future__ import annotations

import codecs
import html
import re
import zipfile
from pathlib import Path

import pytest
import sample_mirror  # a sibling module: HTTrack's page stamp

import deeplybook
from deeplybook import readers
from deeplybook.inputs import Limits
from deeplybook.log import counting_warnings
from deeplybook.model import Exchange, Figure, Heading, Paragraph

HOSTILE = Path(__file__).resolve().parents[1] / "samples" / "hostile"
# What XML 1.0 forbids; none of it may reach a chapter.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def hostile(case: str, name: str, target: Path, **fill: str) -> Path:
    """A sample of ``samples/hostile/<case>/`` copied to ``target`` with its ``{KEY}`` holes filled."""
    text = sample_mirror.dress((HOSTILE / case / name).read_text("utf-8"))
    for key, value in fill.items():
        text = text.replace("{" + key + "}", value)
    path = target / name
    path.write_text(text, "utf-8", errors="surrogatepass")
    return path


def chapters(book: Path) -> str:
    """The text of every XHTML file of an EPUB, tags removed, white space folded."""
    with zipfile.ZipFile(book) as archive:
        markup = "".join(archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xhtml"))
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


# --- characters XML forbids -------------------------------------------------------------------


@pytest.mark.parametrize("control", ["\x15", "\uffff"])
def test_characters_xml_forbids_never_reach_a_book_from_any_reader(tmp_path, epubcheck, control):
    pages = [hostile("control-characters", name, tmp_path, CONTROL=control)
             for name in ("interview.html", "briefing.html", "ledger.html", "keeper.md", "keeper.txt")]
    with counting_warnings() as warnings:
        result = deeplybook.build(pages, tmp_path / "book", title="Gauges", formats=("epub",), cache=False)
    assert result.report.read == 5, result.report
    book = result.outputs["epub"]
    epubcheck(book)
    text = chapters(book)
    assert not FORBIDDEN.search(text)
    for survivor in ("who has read the gauge for thirty years", "It says the river is low and falling slowly",
                     "The numbers go in a ledger that nobody else reads", "The ledger online",
                     "Gates Open at Night", "The gates opened for six hours on Thursday",
                     "kept in the office of the water board", "scanned every page and put the numbers",
                     "The gauge house stands on four legs", "every morning at six",
                     "The Gauge Keeper", "Omar Finch", "Ines Duarte", "Sam Reyes"):
        assert survivor in text
    cleaned = {message.split(":")[0] for code, message in warnings.records if code == "text-cleaned"}
    assert cleaned == {str(page) for page in pages}


def test_every_text_an_article_holds_is_clean(tmp_path):
    page = hostile("control-characters", "interview.html", tmp_path, CONTROL="\x15")
    (article,) = deeplybook.read([page])
    texts = [article.title, article.dek, article.url, article.category, *article.authors, *article.topics,
             article.lead.caption, article.lead.credit, article.lead.image.alt, article.lead.image.url]
    for block in article.body:
        if isinstance(block, (Paragraph, Heading)):
            texts.append(block.text)
        elif isinstance(block, Exchange):
            texts += [block.question, *block.answer, block.asker, block.speaker]
        elif isinstance(block, Figure):
            texts += [block.caption, block.credit]
    assert not [t for t in texts if FORBIDDEN.search(t)]
    assert article.title == "The Gauge Keeper"
    assert article.url == "https://www.newsdeeply.com/water/community/2018/05/02/the-gauge-keeper"
    assert article.lead.credit == "Photo Invented"
    assert [e.answer for e in article.exchanges] == [(
        "It says the river is low and falling slowly.",
        "The numbers go in a ledger that nobody else reads.",
        '<a href="https://water.example/ledger">The ledger online</a> keeps the last ten years.',
    )]


# --- comments and processing instructions -------------------------------------------------------


def test_comments_and_processing_instructions_anywhere_are_stepped_over(tmp_path, epubcheck):
    pages = [hostile("comments", name, tmp_path) for name in ("figure.html", "keeper.html", "notebook.md")]
    result = deeplybook.build(pages, tmp_path / "book", title="Notebooks", formats=("epub",), cache=False)
    assert result.report.read == 3, result.report
    epubcheck(result.outputs["epub"])
    text = chapters(result.outputs["epub"])
    for survivor in ("The notebook open at 1987.", "Ada Moreno", "the same three cargoes: gravel, grain and coal & coke",
                     "does not care who owns it", "1987 412 barges",
                     "The Lock Keeper", "Forty years of barges in one notebook", "The lock at dawn",
                     "Every barge that passed is in the notebook", "A page of the notebook",
                     "What do the pages hold?", "Gravel, grain and coal", "The notebook goes to the museum",
                     "The keeper's notebook lives in a drawer", "The drawer under the window"):
        assert survivor in text
    assert "php" not in text and "note" not in text.replace("notebook", "")


def test_a_comment_in_a_caption_keeps_caption_and_credit():
    from deeplybook.readers import generic

    (article,) = generic.read(HOSTILE / "comments" / "figure.html")
    (figure,) = [block for block in article.body if isinstance(block, Figure)]
    assert (figure.caption, figure.credit) == ("The notebook open at 1987.", "Photo Ada Moreno")


# --- front matter that attacks YAML -------------------------------------------------------------


def test_a_yaml_alias_bomb_and_other_monster_headers_fail_alone(tmp_path):
    bomb, ferry = HOSTILE / "yaml-bomb" / "laughs.md", HOSTILE / "yaml-bomb" / "ferry.md"
    nested = tmp_path / "nested.md"
    nested.write_text("---\ntitle: Deep\ndeep: " + "[" * 30_000 + "]" * 30_000 + "\n---\nBody.\n")
    huge = tmp_path / "huge.md"
    huge.write_text("---\ntitle: Huge\nnote: " + "x" * 100_000 + "\n---\nBody.\n")
    report = readers.ReadReport()
    with counting_warnings() as warnings:
        # Should a header hang again, the time limit ends it as a read-timeout, and the test fails.
        articles = list(readers.read([bomb, nested, huge, ferry], report=report, limits=Limits(page_seconds=20)))
    assert [article.title for article in articles] == ["The Ferry Runs Again"]
    failed = dict(report.failed)
    assert "alias" in failed[str(bomb)] and "line 4" in failed[str(bomb)]
    assert "nested too deeply" in failed[str(nested)]
    assert "longer than" in failed[str(huge)]
    assert warnings.counts == {"read-failed": 3}


# --- encodings --------------------------------------------------------------------------------

# How each test page is written: its bytes, and the charset it declares.
ENCODINGS = {
    "UTF-16 LE with a BOM": (lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "utf-16"),
    "UTF-16 BE with a BOM": (lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"), "utf-16"),
    "UTF-32 LE with a BOM": (lambda text: codecs.BOM_UTF32_LE + text.encode("utf-32-le"), "utf-32"),
    "UTF-32 BE with a BOM": (lambda text: codecs.BOM_UTF32_BE + text.encode("utf-32-be"), "utf-32"),
    "UTF-8 with a BOM": (lambda text: codecs.BOM_UTF8 + text.encode("utf-8"), "utf-8"),
    "Windows-1251 declared": (lambda text: text.encode("cp1251"), "windows-1251"),
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("name, reader", [("letters.html", "generic"), ("letters-deeply.html", "newsdeeply"),
                                          ("letters.txt", "plaintext"), ("letters.md", "frontmatter")])
def test_a_page_in_another_encoding_reads_as_it_does_in_utf8(tmp_path, name, reader, encoding):
    encode, charset = ENCODINGS[encoding]
    if reader in ("plaintext", "frontmatter") and "declared" in encoding:
        pytest.skip("plain text and Markdown declare no charset")
    (tmp_path / "utf-8").mkdir()
    plain = hostile("encodings", name, tmp_path / "utf-8", CHARSET="utf-8")
    page = tmp_path / name
    page.write_bytes(encode(plain.read_text("utf-8").replace('charset="utf-8"', f'charset="{charset}"')))
    chosen = readers.choose(page)
    assert chosen is readers.get(reader)
    (article,) = chosen.read(page)
    (expected,) = chosen.read(plain)
    assert article.title == "Letters From Київ"
    assert (article.body, article.authors, article.dek) == (expected.body, expected.authors, expected.dek)
    assert "Київ" in " ".join(block.text for block in article.body)


# --- large pages ------------------------------------------------------------------------------


def block_texts(article) -> list[str]:
    """The text of each paragraph, subhead and answer, in order."""
    texts = []
    for block in article.body:
        if isinstance(block, Exchange):
            texts += block.answer
        elif isinstance(block, (Paragraph, Heading)):
            texts.append(block.text)
    return texts


def read_alone(page: Path) -> tuple[list, dict]:
    """The articles of one file read as a build reads it, and the warnings by code."""
    with counting_warnings() as warnings:
        # The page limit only stands for "finishes": each page takes seconds, and took minutes.
        articles = list(readers.read([page], limits=Limits(page_seconds=60)))
    return articles, dict(warnings.counts)


def test_a_page_of_tens_of_thousands_of_paragraphs_reads_whole(tmp_path, monkeypatch):
    from deeplybook.readers import generic

    def too_slow(*args, **kwargs):
        raise AssertionError("trafilatura's searches take time in the square of the paragraphs")

    # trafilatura would take 40 s on this page, and minutes on one a few times larger.
    monkeypatch.setattr(generic.trafilatura, "extract", too_slow)
    entries = [f"Entry {n}: {n % 97} cm." for n in range(100_000)]
    page = hostile("large-page", "log.html", tmp_path, PARAGRAPHS="\n".join(f"<p>{e}</p>" for e in entries))
    assert page.stat().st_size > 2_500_000
    (article,), warnings = read_alone(page)
    assert block_texts(article) == entries
    assert article.title == "The Gauge Log, Every Entry"
    assert "read-timeout" not in warnings


def test_a_megabyte_paragraph_strewn_with_leaked_markup_reads_whole(tmp_path):
    sentences = [f"Page {n} of the ledger lists {n % 13} boats" for n in range(25_000)]
    # What the old site printed as text: bold markers, a caption shortcode, a class hint.
    leaky = " ".join(f'{s}**[caption id="{n}"]{{.small}}**.' for n, s in enumerate(sentences))
    page = hostile("large-page", "ledger-deeply.html", tmp_path, TEXT=leaky)
    assert page.stat().st_size > 1_000_000
    (article,), warnings = read_alone(page)
    assert block_texts(article) == [" ".join(f"{s}." for s in sentences), "That is the whole ledger."]
    assert "read-timeout" not in warnings



def test_a_paragraph_longer_than_ten_megabytes_is_kept_with_what_follows(tmp_path):
    # libxml2 drops a text over 10,000,000 characters, and the rest of the page with it.
    words = [f"w{n % 10}" for n in range(3_600_000)]
    page = hostile("large-page", "ledger-deeply.html", tmp_path, TEXT=" ".join(words))
    assert page.stat().st_size > 10_000_000
    (article,), _ = read_alone(page)
    assert block_texts(article) == [" ".join(words), "That is the whole ledger."]


# --- deep nesting -----------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [300, 3_000])
@pytest.mark.parametrize("name", ["cellar.html", "cellar-deeply.html", "cellar.md"])
def test_text_nested_thousands_deep_survives_and_is_reported(tmp_path, name, levels):
    nest = "<div><section><span>"  # three levels a step
    page = hostile("deep-nesting", name, tmp_path, OPEN=nest * (levels // 3),
                   CLOSE="".join(reversed(re.findall(r"<\w+>", nest))).replace("<", "</") * (levels // 3))
    (article,), warnings = read_alone(page)
    text = " ".join(block_texts(article))
    for survivor in ("a door opens onto a tunnel that nobody has walked for fifty years",
                     "The keeper says the tunnel leads under the river to the mill on the far bank.",
                     "After the cellar, the keeper locked the door"):
        assert survivor in text
    assert warnings.get("nesting-flattened") == 1


def test_a_page_of_ordinary_depth_is_not_flattened(tmp_path):
    page = hostile("deep-nesting", "cellar.html", tmp_path, OPEN="<div>" * 40, CLOSE="</div>" * 40)
    (article,), warnings = read_alone(page)
    assert "nesting-flattened" not in warnings
    assert len(block_texts(article)) == 4


# --- repetition -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["refrain.html", "refrain-deeply.html"])
def test_a_paragraph_repeated_on_purpose_keeps_every_copy(name):
    (article,), _ = read_alone(HOSTILE / "repetition" / name)
    refrain = "Row to the far bank, row to the near bank, the river is older than any of us here."
    assert block_texts(article).count(refrain) == 5


# --- whatever else a reader fails with ----------------------------------------------------------


def _fails_on(name: str, original):
    """``original``, but raising TypeError, as a parsing bug would, on the page called ``name``."""

    def failing(self, *args, **kwargs):
        if self.page.file.name == name:
            raise TypeError("expected string or bytes-like object, got 'NoneType'")
        return original(self, *args, **kwargs)

    return failing


def test_any_error_a_page_makes_its_reader_fail_with_is_that_pages_read_error(tmp_path, monkeypatch):
    from deeplybook.readers import generic, newsdeeply

    def failing(*args, **kwargs):
        raise TypeError("expected string or bytes-like object, got 'NoneType'")

    # Stand-ins for a parsing bug a malformed page would set off, in each way a page is read.
    monkeypatch.setattr(generic, "blocks_from_element", failing)
    walker = newsdeeply.body.Body
    monkeypatch.setattr(walker, "blocks", _fails_on("dams-on-the-river.html", walker.blocks))
    single = hostile("repetition", "refrain.html", tmp_path)
    plain = hostile("control-characters", "keeper.txt", tmp_path, CONTROL="")
    report = readers.ReadReport()
    articles = list(readers.read([single, plain, sample_mirror.root()], report=report))
    assert [a.title for a in articles if a.source == str(plain)] == ["Twelve Years at the Gauge House"]
    assert len([a for a in articles if "water" in a.source]) == 6  # the sample mirror's seven, less the one
    failed = dict(report.failed)
    assert failed[str(single)] == "cannot be read (TypeError: expected string or bytes-like object, got 'NoneType')"
    copies = [path for path in failed if path.endswith("dams-on-the-river.html")]  # the mirror holds it twice
    assert len(copies) == 2 and all(failed[copy].startswith("cannot be read (TypeError:") for copy in copies)
