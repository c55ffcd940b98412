"""Fixtures the reader tests share: the real Syria site folder walked once a test run."""

from __future__ import annotations

import pytest

from deeplybook.log import counting_warnings
from deeplybook.readers import ReadReport, newsdeeply


@pytest.fixture(scope="session")
def syria_walk(syria_mirror):
    """The whole Syria Deeply site folder walked once for all the corpus tests: (articles, report, warnings).

    Walking it takes tens of seconds; the mirror-walk and editorial tests only look.
    """
    report = ReadReport()
    with counting_warnings() as warnings:
        articles = list(newsdeeply.read_folder(syria_mirror, report))
    return articles, report, warnings
