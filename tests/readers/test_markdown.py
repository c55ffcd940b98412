"""The one road from Markdown to blocks, shared by the front matter reader and the foreword."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from deeplybook import config, pipeline
from deeplybook.model import Heading, ItemList, Paragraph, Quote, Table
from deeplybook.readers import frontmatter
from deeplybook.readers.markdown import blocks_from_markdown

MARKDOWN = textwrap.dedent("""\
    Opening words with **strong** and *emphasis* and a [link](https://example.org/a).

    ## A subhead

    - one
    - two

    > Quoted words.

    | Place | Year |
    |-------|------|
    | Harbour | 2017 |

    Some ~~struck~~ words.
    """)

# A tag as it stands in a block: its name and whatever follows the name.
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)([^>]*)>")
# The model's inline elements; links are left without an address when theirs is not a web one.
_INLINE = {"em", "strong", "a", "sub", "sup", "abbr", "br"}

HOSTILE = textwrap.dedent("""\
    Before.

    <script>alert("never in a book")</script>

    <p onclick="steal()">Inline <script>alert(1)</script><em>kept</em> <a href="javascript:steal()">link</a></p>

    <style>body { display: none }</style>
    """)


def _blocks_from_frontmatter(tmp_path: Path, markdown: str):
    path = tmp_path / "article.md"
    path.write_text(f"---\ntitle: A title\n---\n{markdown}", "utf-8")
    return frontmatter.read(path)[0].body


def _blocks_from_foreword(tmp_path: Path, markdown: str):
    (tmp_path / "foreword.md").write_text(markdown, "utf-8")
    (tmp_path / "pages").mkdir(exist_ok=True)
    (tmp_path / "book.toml").write_text(
        '[book]\ntitle = "A book"\n[sources]\npaths = ["pages"]\n[front]\nforeword = "foreword.md"\n', "utf-8")
    return pipeline.read_foreword(config.load(tmp_path / "book.toml"))


def test_the_dialect():
    assert blocks_from_markdown(MARKDOWN, base=None) == (
        Paragraph('Opening words with <strong>strong</strong> and <em>emphasis</em> and a '
                  '<a href="https://example.org/a">link</a>.'),
        Heading("A subhead", 2),
        ItemList(("one", "two")),
        Quote(("Quoted words.",)),
        Table(("Place", "Year", "Harbour", "2017"), columns=2, head_rows=1),
        Paragraph("Some struck words."),
    )


def test_both_doors_give_the_same_blocks(tmp_path):
    expected = blocks_from_markdown(MARKDOWN, base=tmp_path)
    assert _blocks_from_frontmatter(tmp_path, MARKDOWN) == expected
    assert _blocks_from_foreword(tmp_path, MARKDOWN) == expected


def test_raw_html_read_is_sanitised(tmp_path):
    blocks = blocks_from_markdown(HOSTILE, base=None, raw_html=True)
    assert blocks == (Paragraph("Before."), Paragraph("Inline <em>kept</em> <a>link</a>"))
    assert _blocks_from_frontmatter(tmp_path, HOSTILE) == blocks


def test_raw_html_not_read_is_shown_as_text(tmp_path):
    blocks = blocks_from_markdown(HOSTILE, base=None)
    assert blocks[1] == Paragraph('&lt;script&gt;alert("never in a book")&lt;/script&gt;')
    assert _blocks_from_foreword(tmp_path, HOSTILE) == blocks


def test_no_markup_but_the_models_inline_tags_reaches_a_block_through_either_door():
    for raw_html in (True, False):
        for block in blocks_from_markdown(HOSTILE, base=None, raw_html=raw_html):
            for name, attributes in _TAG.findall(block.text):
                assert name in _INLINE and attributes.strip() in ("", "/")


def test_nothing_to_read():
    assert blocks_from_markdown("", base=None) == () and blocks_from_markdown("  \n\n", base=None) == ()
