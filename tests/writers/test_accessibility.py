"""Accessibility of the books: text contrast in the themes' CSS, the EPUB's roles, headings, alt text and metadata."""

from __future__ import annotations

import io
import re
import textwrap
import zipfile
from pathlib import Path

import pikepdf
import pytest
import tinycss2
import tinycss2.color3
from click.testing import CliRunner
from factories import article, interview
from lxml import etree
from PIL import Image as PILImage

from deeplybook import cli, config, edition, sanitize
from deeplybook.errors import DeeplybookError
from deeplybook.model import Figure, Heading, Image, Paragraph
from deeplybook.sample import sample_path
from deeplybook.themes import builtin_root, load
from deeplybook.writers.epub import write_epub
from deeplybook.writers.pdf import write_pdf

#: WCAG 2.1 AA minimum contrast for text of any size (1.4.3); we hold large text to it too.
MIN_CONTRAST = 4.5
WHITE = (1.0, 1.0, 1.0)


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour with channels in 0..1."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = map(linear, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[float, float, float], two: tuple[float, float, float]) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _colour(tokens, under=WHITE) -> tuple[float, float, float] | None:
    """A CSS colour value as RGB, blended over ``under`` when translucent; None for keywords like inherit."""
    value = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if not value:
        return None
    colour = tinycss2.color3.parse_color(value[0])
    if colour is None or colour == "currentColor":
        return None
    alpha = colour.alpha
    return tuple(alpha * c + (1 - alpha) * u for c, u in zip((colour.red, colour.green, colour.blue), under))


def text_colours(css: str, where: str):
    """(place, foreground, background) for every rule that sets a text colour, @page boxes included.

    The background is the rule's own when it sets one, else the white page.
    """
    def walk(rules, prelude):
        declarations = [r for r in rules if r.type == "declaration"]
        background = next((_colour(d.value) for d in declarations
                           if d.lower_name in ("background", "background-color")), None) or WHITE
        for declaration in declarations:
            if declaration.lower_name == "color":
                foreground = _colour(declaration.value, background)
                if foreground is not None:
                    yield f"{where}: {prelude} (line {declaration.source_line})", foreground, background
        for rule in rules:
            if rule.type in ("qualified-rule", "at-rule") and rule.content is not None:
                name = tinycss2.serialize(rule.prelude).strip()
                if rule.type == "at-rule":
                    name = f"@{rule.lower_at_keyword} {name}".strip()
                inner = (tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
                         if rule.type == "at-rule" and rule.lower_at_keyword == "media"
                         else tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                             skip_whitespace=True))
                yield from walk(inner, f"{prelude} {name}".strip())

    yield from walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), "")


def _theme_css() -> list[Path]:
    return sorted(builtin_root().glob("*/css/*.css"))


def test_the_contrast_check_sees_a_failing_grey():
    found = list(text_colours(".source { color: #777; }\n@page { @top-center { color: #767676 } }", "x.css"))
    assert [round(contrast(fg, bg), 2) for _, fg, bg in found] == [4.48, 4.54]
    assert list(text_colours(".x { color: #fff; background: #000 }", "x.css"))[0][2] == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("css", _theme_css(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_text_colour_in_the_built_in_themes_meets_aa(css):
    colours = list(text_colours(css.read_text(encoding="utf-8"), css.name))
    low = [f"{place}: {contrast(fg, bg):.2f}:1" for place, fg, bg in colours if contrast(fg, bg) < MIN_CONTRAST]
    assert low == [], "text below 4.5:1 against its background:\n" + "\n".join(low)


#: WCAG 2.1 AAA contrast (1.4.6), which the large-print theme promises for all its text.
LARGE_PRINT_CONTRAST = 7.0


@pytest.mark.parametrize("css", sorted((builtin_root() / "large-print" / "css").glob("*.css")), ids=lambda p: p.name)
def test_every_text_colour_of_the_large_print_theme_meets_aaa(css):
    colours = list(text_colours(css.read_text(encoding="utf-8"), css.name))
    assert colours, "the large-print theme sets its own text colours"
    low = [f"{place}: {contrast(fg, bg):.2f}:1" for place, fg, bg in colours if contrast(fg, bg) < LARGE_PRINT_CONTRAST]
    assert low == [], "large-print text below 7:1 against its background:\n" + "\n".join(low)


@pytest.mark.parametrize("fmt", ["epub", "pdf"])
def test_no_colour_the_large_print_theme_inherits_falls_below_aaa(fmt):
    # The default theme's rules come first in the book's stylesheet: each selector's last colour is the one shown.
    theme = load("large-print")
    shown = {}
    for place, fg, bg in text_colours(theme.css("common.css") + "\n" + theme.css(f"{fmt}.css"), fmt):
        shown[re.sub(r" \(line \d+\)$", "", place)] = (place, fg, bg)
    low = [f"{place}: {contrast(fg, bg):.2f}:1" for place, fg, bg in shown.values()
           if contrast(fg, bg) < LARGE_PRINT_CONTRAST]
    assert low == [], "large-print text below 7:1 against its background:\n" + "\n".join(low)


# --- The EPUB's structure: headings, roles, text alternatives -------------------------------------

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
NS = {"x": XHTML, "epub": OPS, "opf": "http://www.idpf.org/2007/opf"}
_HEADINGS = {f"{{{XHTML}}}h{n}": n for n in range(1, 7)}


def _documents(book: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(book) as z:
        return {n.removeprefix("EPUB/"): etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xhtml")}


def heading_gaps(document: etree._Element) -> list[str]:
    """Where a document's headings skip a level: a first heading below h1, or a jump of more than one."""
    gaps, previous = [], 0
    for element in document.iter(*_HEADINGS):
        level = _HEADINGS[element.tag]
        if level > previous + 1:
            gaps.append(f"h{level} {''.join(element.itertext())!r} after h{previous}")
        previous = level
    return gaps


def _odd_article():
    """An article whose page jumped from its title to h4, then back to h3 and down to h5."""
    body = (Heading("Deep first", level=4), Paragraph("Text."), Heading("Shallower", level=3),
            Heading("Deepest", level=5), Paragraph("More."))
    return article(4, year=2017, month=6, body=body, slug="odd")


def _rich_book(tmp_path, **kwargs) -> Path:
    items = [article(1, year=2016), interview(2, year=2017, month=3), _odd_article()]
    made = edition.make(items, title="Syria Deeply: Test Edition", subtitle="Three pieces",
                        creators=["Mona Editor"], publisher="Test Press", group_by=["year", "month"],
                        back_matter=("contributors", "topics", "sources"),
                        foreword=(Paragraph("Why this book."), Heading("A note", level=3), Paragraph("More.")),
                        **kwargs)
    return write_epub(made, tmp_path / "book.epub")


def test_subhead_levels_close_their_gaps_in_the_edition():
    made = edition.make([_odd_article()], title="T")
    assert [b.level for b in made.articles[0].body if isinstance(b, Heading)] == [2, 2, 3]


def test_no_document_of_the_epub_skips_a_heading_level(tmp_path, epubcheck):
    book = _rich_book(tmp_path)
    epubcheck(book)
    gaps = {name: g for name, doc in _documents(book).items() if (g := heading_gaps(doc))}
    assert gaps == {}
    assert heading_gaps(etree.fromstring(f'<html xmlns="{XHTML}"><body><h1>a</h1><h3>b</h3></body></html>'))


def _role_of(document, epub_type: str) -> list[str | None]:
    """The roles of the elements of this epub:type (the landmarks' links aside: they only point)."""
    typed = f"//*[contains(concat(' ', @epub:type, ' '), ' {epub_type} ')][not(ancestor::x:nav[@epub:type='landmarks'])]"
    return [e.get("role") for e in document.xpath(typed, namespaces=NS)]


def test_structural_semantics_carry_their_aria_roles(tmp_path):
    docs = _documents(_rich_book(tmp_path))
    assert _role_of(docs["cover.xhtml"], "cover") == ["doc-cover"]
    assert _role_of(docs["nav.xhtml"], "toc") == ["doc-toc"]
    assert _role_of(docs["foreword.xhtml"], "foreword") == ["doc-foreword"]
    assert _role_of(docs["story-2.xhtml"], "chapter") == ["doc-chapter"]
    assert _role_of(docs["title.xhtml"], "subtitle") == ["doc-subtitle"]
    sections = [name for name in docs if name.startswith("section-")]
    assert sections and all(_role_of(docs[name], "part") == ["doc-part"] for name in sections)
    assert _role_of(docs["index-contributors.xhtml"], "index") == ["doc-index"]
    assert _role_of(docs["index-sources.xhtml"], "bibliography") == ["doc-bibliography"]


def test_every_document_names_its_language(tmp_path):
    docs = _documents(_rich_book(tmp_path, language="fr"))
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert {(name, doc.get("lang"), doc.get(xml_lang)) for name, doc in docs.items()} == {
        (name, "fr", "fr") for name in docs}


def test_the_nav_has_hidden_landmarks_to_cover_contents_and_the_first_article(tmp_path):
    nav = _documents(_rich_book(tmp_path))["nav.xhtml"]
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']", namespaces=NS)
    assert len(landmarks) == 1 and landmarks[0].get("hidden") is not None
    marks = {a.get(f"{{{OPS}}}type"): a.get("href") for a in landmarks[0].iter(f"{{{XHTML}}}a")}
    assert marks == {"cover": "cover.xhtml", "titlepage": "title.xhtml", "toc": "nav.xhtml#toc",
                     "bodymatter": "section-001.xhtml", "index": "index-contributors.xhtml",
                     "bibliography": "index-sources.xhtml"}


def test_pictures_take_their_alt_text_from_the_caption(tmp_path, epubcheck):
    picture = tmp_path / "red.png"
    PILImage.new("RGB", (40, 30), (200, 0, 0)).save(picture)
    lead = Figure("A <em>red</em> field &amp; a wall.", "ME", Image("http://x/red.png", path=str(picture)))
    bare = Figure("", "AFP", Image("http://x/red2.png", path=str(picture)))
    own = Figure("Caption.", "", Image("http://x/red3.png", path=str(picture), alt="The page's own words"))
    body = (Paragraph("Text."), bare, own)
    book = write_epub(edition.make([article(1, lead=lead, body=body)], title="T"), tmp_path / "b.epub")
    epubcheck(book)
    page = _documents(book)["story-1.xhtml"]
    assert [i.get("alt") for i in page.iter(f"{{{XHTML}}}img")] == [
        "A red field & a wall.", "Picture: AFP", "The page's own words"]
    cover = _documents(book)["cover.xhtml"]
    assert [i.get("alt") for i in cover.iter(f"{{{XHTML}}}img")] == ["Cover: T. 2017"]


def test_links_without_text_are_unwrapped():
    assert sanitize.inline('See <a href="https://x.org/a.jpg"><img src="a.jpg"></a>the photo.') == "See the photo."
    assert sanitize.inline('<a href="https://x.org"> <b></b> </a>word') == "word"
    assert sanitize.inline('<a href="https://x.org">kept</a>') == '<a href="https://x.org">kept</a>'


# --- The EPUB's accessibility metadata says what is true of the book ------------------------------

def _opf(book: Path) -> etree._Element:
    with zipfile.ZipFile(book) as z:
        return etree.fromstring(z.read("EPUB/content.opf"))


def _schema(opf: etree._Element, name: str) -> list[str]:
    return opf.xpath(f"//opf:meta[@property='schema:{name}']/text()", namespaces=NS)


def test_a_book_without_pictures_is_textual_and_says_its_pictures_were_not_preserved(tmp_path, epubcheck):
    book = _rich_book(tmp_path)
    epubcheck(book)
    opf = _opf(book)
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert _schema(opf, "accessMode") == ["textual"]
    assert _schema(opf, "accessModeSufficient") == ["textual"]
    assert _schema(opf, "accessibilityFeature") == ["tableOfContents", "readingOrder", "structuralNavigation",
                                                    "index", "alternativeText"]
    assert _schema(opf, "accessibilityHazard") == ["none"]
    [summary] = _schema(opf, "accessibilitySummary")
    assert "3 articles" in summary and "3 pictures of the original pages are not in this book" in summary
    # Nobody reviewed archived pages against WCAG: no conformance claim, no certifier.
    assert opf.xpath("//opf:meta[@property='dcterms:conformsTo'] | //opf:link[@rel='dcterms:conformsTo']",
                     namespaces=NS) == []
    assert "a11y:certifiedBy" not in etree.tostring(opf, encoding="unicode")


def test_a_book_with_an_undescribed_picture_does_not_claim_text_alternatives(tmp_path, epubcheck):
    picture = tmp_path / "red.png"
    PILImage.new("RGB", (40, 30), (200, 0, 0)).save(picture)
    described = Figure("A red field.", "ME", Image("http://x/red.png", path=str(picture)))
    bare = Figure("", "AFP", Image("http://x/bare.png", path=str(picture)))
    one = edition.make([article(1, lead=described)], title="T")
    book = write_epub(one, tmp_path / "one.epub")
    epubcheck(book)
    opf = _opf(book)
    assert _schema(opf, "accessMode") == ["textual", "visual"]
    assert _schema(opf, "accessModeSufficient") == ["textual", "textual,visual"]
    assert "alternativeText" in _schema(opf, "accessibilityFeature")
    assert "Every picture has a text alternative" in _schema(opf, "accessibilitySummary")[0]

    two = edition.make([article(1, lead=described, body=(Paragraph("Text."), bare))], title="T")
    opf = _opf(write_epub(two, tmp_path / "two.epub"))
    assert _schema(opf, "accessModeSufficient") == ["textual,visual"]
    assert "alternativeText" not in _schema(opf, "accessibilityFeature")
    assert "1 of 2 pictures have a text alternative" in _schema(opf, "accessibilitySummary")[0]


def test_an_animated_cover_becomes_a_still_picture(tmp_path, epubcheck):
    frames = [PILImage.new("RGB", (60, 90), colour) for colour in ((255, 255, 255), (0, 0, 0))]
    cover = tmp_path / "flash.png"
    frames[0].save(cover, save_all=True, append_images=frames[1:], duration=50, loop=0)
    assert PILImage.open(cover).is_animated
    book = write_epub(edition.make([article(1)], title="T", cover=str(cover)), tmp_path / "c.epub")
    epubcheck(book)
    with zipfile.ZipFile(book) as z:
        assert "EPUB/images/cover.jpg" in z.namelist()
        assert not getattr(PILImage.open(io.BytesIO(z.read("EPUB/images/cover.jpg"))), "is_animated", False)
    assert _schema(_opf(book), "accessibilityHazard") == ["none"]


def test_a_theme_that_animates_makes_the_flashing_hazard_unknown(tmp_path):
    theme = tmp_path / "moving"
    (theme / "css").mkdir(parents=True)
    (theme / "theme.toml").write_text('name = "moving"\nextends = "default"\n')
    (theme / "css" / "epub.css").write_text("@keyframes blink { from { opacity: 0 } to { opacity: 1 } }\n"
                                            ".kicker { animation: blink 0.1s infinite; }\n")
    book = write_epub(edition.make([article(1)], title="T"), tmp_path / "m.epub", theme=str(theme))
    assert _schema(_opf(book), "accessibilityHazard") == ["noSoundHazard", "unknownFlashingHazard",
                                                         "noMotionSimulationHazard"]


# --- The tagged PDF (PDF/UA-1) ---------------------------------------------------------------------

def _struct_elements(element, found=None) -> list:
    """Every structure element under ``element``, in reading order."""
    found = [] if found is None else found
    if isinstance(element, pikepdf.Array):
        for child in element:
            _struct_elements(child, found)
    elif isinstance(element, pikepdf.Dictionary) and "/S" in element:
        found.append(element)
        if "/K" in element:
            _struct_elements(element.K, found)
    return found


def test_a_tagged_pdf_has_a_structure_tree_language_and_alt_text(tmp_path):
    picture = tmp_path / "red.png"
    PILImage.new("RGB", (300, 200), (200, 0, 0)).save(picture)
    lead = Figure("A <em>red</em> field.", "ME", Image("http://x/red.png", path=str(picture)))
    items = [article(1, year=2016, lead=lead), interview(2, year=2017, month=3), _odd_article()]
    made = edition.make(items, title="Tagged", group_by=["year"], back_matter=("contributors",),
                        foreword=(Paragraph("Why."),), language="en-GB")
    book = write_pdf(made, tmp_path / "tagged.pdf", tagged=True)
    with pikepdf.open(book) as pdf:
        assert [str(p) for p in pdf.check_pdf_syntax()] == []
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == "en-GB"
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert "/ParentTree" in root.StructTreeRoot
        with pdf.open_metadata() as xmp:
            assert xmp["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"
            assert xmp["{http://purl.org/dc/elements/1.1/}title"] == "Tagged"
        elements = _struct_elements(root.StructTreeRoot.K)
        kinds = [str(e.S) for e in elements]
        figures = [e for e in elements if e.S == "/Figure"]
        assert [str(figure.Alt) for figure in figures] == ["Cover: Tagged", "A red field."]
        assert {"/H1", "/H2", "/H3", "/P", "/L", "/Link"} <= set(kinds)
        levels = [int(kind[2]) for kind in kinds if len(kind) == 3 and kind.startswith("/H")]
        assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))
        assert sum(1 for page in pdf.pages if "/StructParents" in page) == len(pdf.pages)


def test_the_chunked_pdf_is_untagged(tmp_path):
    """Without ``tagged``, the book is merged from chunks, which keeps pages but not structure trees."""
    made = edition.make([article(1), article(2)], title="Plain")
    with pikepdf.open(write_pdf(made, tmp_path / "plain.pdf", jobs=1, chunk_size=1)) as pdf:
        assert "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root


def _is_tagged(path: Path) -> bool:
    with pikepdf.open(path) as pdf:
        return "/StructTreeRoot" in pdf.Root and bool(pdf.Root.MarkInfo.Marked)


def test_the_command_line_and_the_edition_file_ask_for_a_tagged_pdf(tmp_path):
    out = tmp_path / "quick"
    done = CliRunner().invoke(cli.cli, [str(sample_path()), "-o", str(out), "--format", "pdf", "--pdf-tagged"])
    assert done.exit_code == 0, done.output
    assert _is_tagged(out.with_suffix(".pdf"))

    samples = Path(__file__).resolve().parent.parent / "samples" / "editions" / "articles"
    edition_file = tmp_path / "tagged.toml"
    edition_file.write_text(textwrap.dedent(f"""
        [book]
        title = "Tagged Interviews"
        [sources]
        paths = ["{samples.as_posix()}"]
        [output]
        folder = "books"
        stem = "tagged"
        formats = ["pdf"]
        pdf_tagged = true
    """), "utf-8")
    done = CliRunner().invoke(cli.cli, ["build", str(edition_file), "-j", "1"])
    assert done.exit_code == 0, done.output
    assert _is_tagged(tmp_path / "books" / "tagged.pdf")
    assert config.load(edition_file).output.pdf_tagged is True

    edition_file.write_text(edition_file.read_text().replace("pdf_tagged = true", 'pdf_tagged = "yes"'))
    with pytest.raises(DeeplybookError, match="pdf_tagged"):
        config.load(edition_file)


def test_the_summary_speaks_of_one_missing_picture_in_the_singular(tmp_path):
    import deeplybook

    result = deeplybook.build([sample_path()], tmp_path / "sample", title="Sample", formats=["epub"], cache=False)
    [summary] = _schema(_opf(result.outputs["epub"]), "accessibilitySummary")
    assert "1 picture of the original pages is not in this book; its caption and credit are kept as text." in summary
