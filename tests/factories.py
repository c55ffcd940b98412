"""Small articles and editions made in code, for tests that do not need a reader."""

from __future__ import annotations

import datetime as dt

from deeplybook.model import Article, Embed, Exchange, Figure, Heading, Image, ItemList, Kind, Paragraph, Quote

SITE_URL = "https://www.newsdeeply.com/syria/articles"


def article(n: int, *, year: int = 2017, month: int = 1, topics=("ISIS",), authors=("Rana Haddad",),
            kind: Kind = Kind.ARTICLE, body=None, **fields) -> Article:
    """Article number ``n``: dated, with a lead figure, a dateline, a subhead and text."""
    date = dt.datetime(year, month, 1 + n % 27, 9, 30, tzinfo=dt.timezone.utc)
    slug = fields.pop("slug", f"story-{n}")
    default_body = (
        Paragraph(f"Story {n} opens with the news of the day and what it means.", dateline="BEIRUT"),
        Heading("What happened next"),
        Paragraph("A second paragraph with <em>emphasis</em> and a "
                  '<a href="https://example.org/report">link outside</a>.'),
        Quote(("Words someone said.",), "A witness"),
        ItemList(("first point", "second point")),
    )
    return Article(
        title=fields.pop("title", f"Story number {n}"),
        dek=fields.pop("dek", f"The dek of story {n}."),
        authors=tuple(authors), date=date, read_time=4, topics=tuple(topics), kind=kind,
        category=fields.pop("category", "Articles"),
        url=fields.pop("url", f"{SITE_URL}/{year}/{month:02d}/01/{slug}"), site="Syria Deeply",
        lead=fields.pop("lead", Figure("A street in the old city.", "STRINGER/AFP/Getty Images",
                                       Image("https://img.example/x.jpg"))),
        slug=slug, body=tuple(body) if body is not None else default_body, **fields,
    )


def interview(n: int, **fields) -> Article:
    """An interview article with two exchanges and an audio embed."""
    body = (
        Paragraph("An introduction to the conversation."),
        Exchange("What changed this year?", ("Almost everything.", "And more."), "Syria Deeply", "Lina Saad"),
        Exchange("What comes next?", ("Nobody knows.",), "Syria Deeply", "Saad"),
        Embed("audio", "https://soundcloud.com/deeply/talk", "Deeply Talks"),
    )
    return article(n, kind=Kind.QA, category="Q&A", body=body, **fields)
