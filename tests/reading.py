"""Reading inputs in tests: the articles, the read report and the warnings, in one call."""

from __future__ import annotations

from deeplybook import readers
from deeplybook.log import counting_warnings


def read_all(paths, **options):
    """``readers.read(paths, **options)`` run to the end: (articles, report, (code, message) warnings)."""
    report = readers.ReadReport()
    with counting_warnings() as warned:
        articles = list(readers.read(paths, report=report, **options))
    return articles, report, warned.records
