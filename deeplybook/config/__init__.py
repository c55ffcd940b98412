"""Edition files (TOML): their schema, and ``load()`` that reports every problem at once.

An edition file describes one book (or a series of volumes) made from an archive::

    [book]      title, subtitle, creators, publisher, language, identifier, date,
                rights, description, series, series_position
    [sources]   paths (files, folders, globs), reader, max_file_size, allow_remote
    [select]    from, until, topics, authors, kinds, include, exclude, title, text
    [group]     by, order
    [volumes]   by = "year" | max_articles = N
    [front]     cover, foreword; [front.imprint] source, mirrored, count, built
    [back]      indexes
    [output]    folder, stem, formats, theme, chunk_size, jobs, pdf_tagged, toc_depth, css
    [print]     trim, bleed, crop_marks, paper, cover_spread, pdf_variant

Every path is relative to the edition file's folder, and nothing is read but what
the file names: the cover and foreword must lie in the edition file's folder or a
source folder, symlinks resolved, or they are left out with a ``file-refused``
warning. ``load`` checks the whole file before it gives up, so one
``ConfigError`` lists every problem with its key and line; keys it does not know
are warnings (``config-unknown-key``) that suggest the key that was likely meant.

The package: ``schema`` (tables, keys, the dataclasses and their defaults),
``loading`` (``load``, the keys' lines, the check of every table), ``values`` (the
check of one value), ``starter`` (the file ``make-ebook new`` writes).
"""

from .loading import key_lines, load
from .schema import INDEXES, ROLES, SCHEMA, Book, EditionConfig, Front, Grouping, Imprint, Output, Sources, Volumes
from .starter import STARTER, starter, write_starter

__all__ = [
    "INDEXES", "ROLES", "SCHEMA", "STARTER", "Book", "EditionConfig", "Front", "Grouping", "Imprint", "Output",
    "Sources", "Volumes", "key_lines", "load", "starter", "write_starter",
]
