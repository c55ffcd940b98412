"""deeplybook: turn a news archive into EPUB 3 and PDF collected editions.

The public API is the handful of names below::

    import deeplybook
    articles = deeplybook.read(["mirror/syria"])
    edition = deeplybook.make_edition(articles, title="Syria Deeply", group_by=["year"])
    deeplybook.write_epub(edition, "syria.epub")
    deeplybook.write_pdf(edition, "syria.pdf")

or all at once: ``deeplybook.build(["mirror/syria"], "syria", title="Syria Deeply")``.
"""

from .edition import make as make_edition
from .errors import DeeplybookError
from .model import Article, Edition, Section
from .pipeline import BuildResult, build, build_edition, read
from .writers import write_epub, write_pdf

__version__ = "0.1.0"
__all__ = [
    "Article", "BuildResult", "DeeplybookError", "Edition", "Section",
    "build", "build_edition", "make_edition", "read", "write_epub", "write_pdf",
]
