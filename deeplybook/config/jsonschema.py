"""A JSON Schema of the edition file, made from the tables and keys the loader checks, for editors to complete keys.

``python -m deeplybook.config.jsonschema [FILE]`` writes it (to standard output
without ``FILE``); ``docs/schema/edition.schema.json`` is its output, committed, and a
test keeps the two equal. The tables and keys come from ``SCHEMA``, the names a key
may take from the constants the loader checks against (``GROUPS``, ``TRIMS``...); what
is written here is each key's type and a line about it for people. A key of
``SCHEMA`` with no entry here stops the generator, so the two cannot drift apart.

The loader does not refuse a key it does not know: it ignores it with a warning
(``config-unknown-key``), which ``--strict`` turns into a failure. The schema marks
such a key as wrong (``additionalProperties: false``) so that an editor shows it at
once. TOML dates are strings here (``"format": "date"``), as editors hand them to a
JSON Schema.
"""

from __future__ import annotations

import json
import sys
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Any

from .. import extensions, inputs, themes
from ..edition import GROUPS, ORDERS
from ..model import Kind
from ..press import MAX_BLEED_MM, TRIMS, VARIANTS
from ..readers import BUILTIN as BUILTIN_READERS
from .schema import INDEXES, ROLES, SCHEMA, Book, Grouping, Imprint, Output

#: Where the schema is published in the repository, relative to its root.
PUBLISHED = "docs/schema/edition.schema.json"

#: The thinnest and thickest paper ``[print] paper`` takes, in millimetres (as the loader checks).
PAPER_MM = (0.02, 1.0)

_STRING = {"type": "string"}
_NONEMPTY = {"type": "string", "minLength": 1, "pattern": r"\S"}
_BOOLEAN = {"type": "boolean"}
_POSITIVE = {"type": "integer", "minimum": 1}
_DATE = {"type": "string", "format": "date"}
_MOMENT = {"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]}
_STRINGS = {"anyOf": [_STRING, {"type": "array", "items": _STRING}]}
_SIZE = {"anyOf": [{"type": "integer", "minimum": 1},
                   {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*([kKmMgGtT][iI]?)?[bB]?\s*$"}]}


def _one_or_more(names: tuple[str, ...]) -> dict[str, Any]:
    """A name from ``names``, or a list of them."""
    one = {"type": "string", "enum": list(names)}
    return {"anyOf": [one, {"type": "array", "items": one}]}


def _millimetres(low: float, high: float) -> dict[str, Any]:
    return {"type": "number", "minimum": low, "maximum": high}


def _creator() -> dict[str, Any]:
    table = {"type": "object", "additionalProperties": False, "required": ["name"],
             "properties": {"name": {**_NONEMPTY, "description": "The person's or body's name as credited."},
                            "role": {"type": "string", "enum": list(ROLES), "default": "editor",
                                     "description": "What they did for the book."}}}
    item = {"anyOf": [_NONEMPTY, table]}
    return {"anyOf": [item, {"type": "array", "items": item}]}


def _default(cls: type, name: str) -> Any:
    """The default of the dataclass field ``name``, as JSON (tuples become lists)."""
    for found in fields(cls):
        if found.name == name:
            value = found.default if found.default_factory is MISSING else found.default_factory()
            return list(value) if isinstance(value, tuple) else value
    raise KeyError(f"{cls.__name__} has no field {name!r}")


def keys() -> dict[str, dict[str, Any]]:
    """Each dotted key of ``SCHEMA`` -> its JSON Schema: type, allowed values, default where one is known, description."""
    size = f"{inputs.DEFAULT_MAX_FILE_BYTES // 2 ** 20}MiB"
    return {
        "book.title": {**_NONEMPTY, "description": "The book's title; volumes add their year or number to it. Required."},
        "book.subtitle": {**_STRING, "description": "A line under the title."},
        "book.creators": {**_creator(), "description": "Who made the book: a name, a table {name, role}, or a list of "
                          "them. Roles: " + ", ".join(ROLES) + " (editor when left out)."},
        "book.publisher": {**_STRING, "description": "Who publishes the edition."},
        "book.language": {"type": "string", "pattern": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
                          "default": _default(Book, "language"),
                          "description": "The language of the book, as a tag like en or ar-SY; it picks the words of "
                          "the book's own pages."},
        "book.identifier": {**_STRING, "description": "A stable unique identifier (a URN or URL); made from the "
                            "book's content when left out."},
        "book.date": {**_MOMENT, "description": "The edition's publication date (a date, or a date and time); the "
                      "day of the build when left out."},
        "book.rights": {**_STRING, "description": "A copyright and licence statement."},
        "book.description": {**_STRING, "description": "A paragraph about the book, for catalogues and the back cover."},
        "book.series": {**_STRING, "description": "The series the book belongs to; the volumes of a book cut into "
                        "volumes form a series of the book's title when left out."},
        "book.series_position": {**_POSITIVE, "description": "The book's number in its series, when it is not cut "
                                 "into volumes."},
        "sources.paths": {**_STRINGS, "description": "Files, folders and globs (\"pages/**/*.html\") where the "
                          "articles are, relative to the edition file. Required."},
        "sources.reader": {**_STRING, "examples": list(BUILTIN_READERS),
                           "description": "A reader to use for every file instead of choosing one by content: "
                           + ", ".join(BUILTIN_READERS) + ", or one a plugin installs."},
        "sources.max_file_size": {**_SIZE, "default": size,
                                  "description": "Files larger than this are left out (file-too-large): bytes, or a "
                                  "size like \"200MB\" (powers of 1000) or \"64MiB\" (powers of 1024)."},
        "sources.allow_remote": {**_BOOLEAN, "default": False,
                                 "description": "Fetch over http(s) the pictures the archive lacks; nothing is "
                                 "fetched otherwise."},
        "select.from": {**_DATE, "description": "The first day of the articles that go in (inclusive)."},
        "select.until": {**_DATE, "description": "The last day of the articles that go in (inclusive)."},
        "select.topics": {**_STRINGS, "description": "Only articles with one of these topics (any case)."},
        "select.authors": {**_STRINGS, "description": "Only articles by one of these authors (any case)."},
        "select.kinds": {**_one_or_more(tuple(kind.value for kind in Kind)),
                         "description": "Only articles of these kinds."},
        "select.include": {**_STRINGS, "description": "Articles that always go in, by slug or URL, whatever the "
                           "other rules say."},
        "select.exclude": {**_STRINGS, "description": "Articles that never go in, by slug or URL."},
        "select.title": {**_STRING, "description": "Only articles whose title contains these words (any case)."},
        "select.text": {**_STRING, "description": "Only articles whose title, dek or body contains these words "
                        "(any case)."},
        "group.by": {**_one_or_more(("none", *GROUPS)), "default": _default(Grouping, "by"),
                     "description": "The sections of the book, outermost first; a list nests them. none (or "
                     "nothing) makes one section."},
        "group.order": {"type": "string", "enum": list(ORDERS), "default": _default(Grouping, "order"),
                        "description": "The order of the articles in each section: oldest first, newest first, or "
                        "by title."},
        "volumes.by": {"type": "string", "enum": ["year"],
                       "description": "One book a year (undated articles in the last). Not with max_articles."},
        "volumes.max_articles": {**_POSITIVE, "description": "At most this many articles a book, in book order. "
                                 "Not with by."},
        "front.cover": {**_NONEMPTY, "description": "A cover picture; a typographic cover is made when left out."},
        "front.foreword": {**_NONEMPTY, "description": "A foreword in Markdown."},
        "front.imprint.source": {**_STRING, "description": "The archive the articles were read from."},
        "front.imprint.mirrored": {**_DATE, "description": "When that archive was copied."},
        "front.imprint.count": {**_BOOLEAN, "default": _default(Imprint, "count"),
                                "description": "Print the number of articles in the book."},
        "front.imprint.built": {**_BOOLEAN, "default": _default(Imprint, "built"),
                                "description": "Print the day the book was made."},
        "back.indexes": {**_one_or_more(INDEXES), "default": list(INDEXES),
                         "description": "The indexes after the articles; [] for none."},
        "output.folder": {**_NONEMPTY, "default": "build",
                          "description": "Where the books are written, relative to the edition file."},
        "output.stem": {"type": "string", "pattern": r"^[^./\\][^/\\]*$",
                        "description": "The books' file name without suffix (volumes add -vol1, -vol2...); made "
                        "from the title when left out."},
        "output.formats": {**_one_or_more(tuple(extensions.WRITERS)), "default": list(_default(Output, "formats")),
                           "description": "The formats to write."},
        "output.theme": {**_NONEMPTY, "default": _default(Output, "theme"), "examples": list(themes.BUILTIN),
                         "description": "A theme by name (" + ", ".join(themes.BUILTIN) + ", or one a plugin "
                         "installs), or a theme folder relative to the edition file."},
        "output.chunk_size": {**_POSITIVE, "description": "Articles per PDF render chunk (the writer's default when "
                              "left out)."},
        "output.jobs": {**_POSITIVE, "description": "Processes rendering the PDF (all cores when left out)."},
        "output.pdf_tagged": {**_BOOLEAN, "default": _default(Output, "pdf_tagged"),
                              "description": "A tagged PDF (PDF/UA-1) for screen readers, rendered in one piece."},
        "output.toc_depth": {**_POSITIVE, "description": "How many levels the Contents page lists (1: the top "
                             "level only); all when left out."},
        "output.css": {**_NONEMPTY, "description": "A stylesheet added after the theme's in both formats, as --css "
                       "(which wins)."},
        "print.trim": {"type": "string", "enum": list(TRIMS),
                       "description": "The trimmed page size; the theme's page size when left out."},
        "print.bleed": {**_millimetres(0, MAX_BLEED_MM), "default": 0,
                        "description": "Millimetres of bleed around each page."},
        "print.crop_marks": {**_BOOLEAN, "default": False, "description": "Print crop marks in the bleed."},
        "print.paper": {**_millimetres(*PAPER_MM), "default": 0.1,
                        "description": "The thickness of one leaf in millimetres, for the spine's width."},
        "print.cover_spread": {**_BOOLEAN, "default": False,
                               "description": "Also write BOOK-cover.pdf: back cover, spine and front cover on one "
                               "sheet."},
        "print.pdf_variant": {"type": "string", "enum": list(VARIANTS),
                              "description": "A PDF for archiving (PDF/A), print (PDF/X) or screen readers (PDF/UA), "
                              "rendered in one piece."},
        "run.scheduler": {"type": "string", "pattern": r"^\s*(local(:\d*[1-9]\d*)?|[a-z][a-z0-9+.-]*://\S+)\s*$",
                          "examples": ["local", "local:4", "tcp://scheduler:8786"],
                          "description": "Read and render on a Dask cluster: local (one worker process a core), "
                          "local:N (N worker processes here) or the address of a running scheduler. --scheduler and "
                          "$DEEPLYBOOK_SCHEDULER say the same; needs deeplybook[cluster]."},
    }


#: What each table is for, in the schema's descriptions.
TABLES = {
    "book": "The book's metadata.",
    "sources": "Where the articles are.",
    "select": "Which articles go in: every rule given must pass; a rule left out lets every article through.",
    "group": "How the articles are cut into sections, and their order.",
    "volumes": "How a long edition is cut into books (by = \"year\" or max_articles, not both).",
    "front": "The cover, the foreword and the imprint page.",
    "front.imprint": "Where the book's text comes from, printed on the imprint page.",
    "back": "What follows the articles.",
    "output": "What is written where.",
    "print": "Page size, bleed and the cover spread, for a printer.",
    "run": "Where the build's tasks run.",
}


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 7, which editors know best) of an edition file, as a JSON-ready dict."""
    entries = keys()
    named = [f"{table}.{key}" for table, names in SCHEMA.items() for key in names if f"{table}.{key}" not in SCHEMA]
    missing = [key for key in named if key not in entries]
    stray = [key for key in entries if key not in named]
    if missing or stray:
        raise KeyError(f"the JSON Schema and SCHEMA disagree: no entry for {missing}, entries for unknown keys {stray}")
    tables: dict[str, dict[str, Any]] = {}
    for table in SCHEMA:
        tables[table] = {"type": "object", "description": TABLES[table], "additionalProperties": False,
                         "properties": {key: entries[f"{table}.{key}"] for key in SCHEMA[table]
                                        if f"{table}.{key}" in entries}}
    for table in SCHEMA:
        if "." in table:
            parent, name = table.rsplit(".", 1)
            tables[parent]["properties"][name] = tables[table]
    tables["book"]["required"] = ["title"]
    tables["sources"]["required"] = ["paths"]
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "deeplybook edition file",
        "description": "An edition file for make-ebook (TOML): one book, or a series of volumes, made from an archive. "
                       "Paths are relative to the edition file.",
        "type": "object",
        "additionalProperties": False,
        "required": ["book", "sources"],
        "properties": {table: tables[table] for table in SCHEMA if "." not in table},
    }


def dumps() -> str:
    """The schema as the text of ``docs/schema/edition.schema.json``: indented, ending with a newline."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the schema to the file named in ``argv``, or to standard output."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0].startswith("-")):
        print("usage: python -m deeplybook.config.jsonschema [FILE]", file=sys.stderr)
        return 2
    if args:
        Path(args[0]).write_text(dumps(), encoding="utf-8")
    else:
        sys.stdout.write(dumps())
    return 0


if __name__ == "__main__":
    sys.exit(main())
