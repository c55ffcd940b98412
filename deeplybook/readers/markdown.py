"""Markdown to blocks: one dialect and one road through the shared HTML walker, for articles and the foreword alike."""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from markdown_it import MarkdownIt

from ..model import Block
from .htmlblocks import blocks_from_element
from .htmlpage import parse_fragment

# CommonMark with the two extensions people writing Markdown take for granted. A table
# becomes a list of its rows and struck text keeps its words, as the HTML walker reads them.
_EXTENSIONS = ["table", "strikethrough"]
# Raw HTML either goes on to the HTML walker, which sanitises it as it does any archived
# page, or is escaped by markdown-it and reads as the text it was written as. Unsanitised
# markup never reaches a block either way.
_RENDERERS = {
    True: MarkdownIt("commonmark", {"html": True}).enable(_EXTENSIONS),
    False: MarkdownIt("commonmark", {"html": False}).enable(_EXTENSIONS),
}


def markdown_fragment(text: str, *, raw_html: bool = False, source: object = None) -> etree._Element | None:
    """A ``<div>`` holding what ``text`` renders to, for a reader that reshapes it before taking
    its blocks; ``None`` when it renders to nothing. ``source`` names it in warnings and errors.

    With ``raw_html`` the HTML written in the Markdown is read as HTML (then sanitised
    with the rest); without it, it is shown as written.
    """
    rendered = _RENDERERS[raw_html].render(text)
    return parse_fragment(rendered, source) if rendered.strip() else None


def blocks_from_markdown(
    text: str, *, base: Path | None, raw_html: bool = False, source: object = None
) -> tuple[Block, ...]:
    """The blocks of a Markdown text; ``base`` is the folder its relative pictures are found in.

    ``raw_html`` and ``source`` are as for ``markdown_fragment``.
    """
    root = markdown_fragment(text, raw_html=raw_html, source=source)
    return blocks_from_element(root, base) if root is not None else ()
