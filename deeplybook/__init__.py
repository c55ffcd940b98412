"""deeplybook: turn a news archive into EPUB 3 and PDF collected editions.

The public API is the handful of names below::

    import deeplybook
    articles = deeplybook.read(["mirror/syria"])
    edition = deeplybook.Edition.from_articles(articles, title="Syria Deeply")
    deeplybook.write_epub(edition, "syria.epub")
    deeplybook.write_pdf(edition, "syria.pdf")
"""
