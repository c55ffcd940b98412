"""The starter edition file that ``make-ebook new`` writes: every table, commented."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DeeplybookError
from ..output import atomic_path

#: What ``make-ebook new`` writes: every table, commented, valid once the sources exist.
STARTER = '''\
# An edition file for make-ebook: `make-ebook list edition.toml` shows what would be
# in the book, `make-ebook build edition.toml` makes it. Paths are relative to this file.

[book]
title = "{title}"
# subtitle = "Reporting from the archive"
# creators = [{{name = "Your Name", role = "editor"}}]   # editor, author, compiler, translator, contributor
# publisher = ""
language = "en"
# date = 2024-01-31
# rights = "Articles are the work of their authors."
# description = "A paragraph for catalogues."
# series = "Collected Editions"
# series_position = 1

[sources]
# Files, folders (a whole News Deeply mirror too) and globs such as "pages/**/*.html".
paths = [{paths}]
# reader = "newsdeeply"          # force a reader instead of choosing one by content
# max_file_size = "200MB"        # larger files are left out (default 64MiB)
# allow_remote = true            # fetch over http(s) the pictures the archive lacks

[select]
# Leave a rule out to let every article through it.
# from = 2017-01-01              # inclusive
# until = 2017-12-31             # inclusive
# topics = ["ISIS"]
# authors = ["Hashem Osseiran"]
# kinds = ["article", "op-ed", "q&a", "briefing"]
# title = "Raqqa"                # words the title contains (any case)
# text = "Deir Ezzor"            # words the title, dek or body contain (any case)
# include = []                   # slugs or URLs always in
# exclude = []                   # slugs or URLs always out

[group]
by = ["year", "month"]           # none, year, month, topic, author, kind, site; a list nests
order = "date"                   # date, date-desc, title

# [volumes]
# by = "year"                    # one book a year...
# max_articles = 300             # ...or at most this many articles a book

[front]
# cover = "cover.jpg"            # a typographic cover is made when there is none
# foreword = "foreword.md"       # Markdown

# [front.imprint]
# source = "newsdeeply.com, as mirrored by The New Humanitarian"
# mirrored = 2020-09-09
# count = true                   # print the number of articles
# built = true                   # print the day the book was made

[back]
indexes = ["contributors", "topics", "sources"]

[output]
folder = "build"
# stem = "my-edition"            # default: made from the title
formats = ["epub", "pdf"]
theme = "default"
# chunk_size = 200               # articles per PDF render chunk
# pdf_tagged = true              # a tagged PDF (PDF/UA-1) for screen readers, rendered in one piece
# toc_depth = 1                  # levels the Contents page lists (1: sections only); default: all
# css = "mine.css"               # a stylesheet after the theme's, in both formats (as --css)

# [print]                        # for a printer: all optional
# trim = "6x9"                   # a5, 6x9, us-letter, a4; default: the theme's page (A5)
# bleed = 3                      # millimetres of bleed around each page
# crop_marks = true              # crop marks outside the trim
# cover_spread = true            # also write BOOK-cover.pdf: back, spine and front on one sheet
# paper = 0.1                    # one leaf's thickness in mm: the spine is pages / 2 x this
# pdf_variant = "pdf/a-3b"       # or pdf/x-1a, pdf/x-3, pdf/x-4, pdf/ua-1; rendered in one piece
'''


def starter(title: str = "Collected Articles", paths: tuple[str, ...] = ("articles",)) -> str:
    """The text of a commented starter edition file."""
    quoted = ", ".join(_toml_string(p) for p in paths)
    return STARTER.format(title=_toml_string(title)[1:-1], paths=quoted)


def write_starter(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` whole, refusing to replace a file that is there."""
    path = Path(path)
    if path.exists():
        raise DeeplybookError("already exists; not overwritten", path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path.with_name(f".{path.name}.new")) as temp:
            temp.write_text(text, "utf-8")
        # A hard link fails when the name is taken, so a file made meanwhile survives too.
        os.link(path.with_name(f".{path.name}.new"), path)
    except FileExistsError as exc:
        raise DeeplybookError("already exists; not overwritten", path) from exc
    except OSError as exc:
        raise DeeplybookError(f"cannot be written: {exc.strerror or exc}", path) from exc
    finally:
        path.with_name(f".{path.name}.new").unlink(missing_ok=True)
    return path


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
