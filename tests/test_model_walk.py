"""The one walk over a body's inline text: what it visits, and what it keeps identical."""

from __future__ import annotations

from deeplybook.model import (
    Embed,
    Exchange,
    Figure,
    Heading,
    Image,
    ItemList,
    Paragraph,
    Quote,
    inline_texts,
    map_inline,
)

BODY = (
    Paragraph("one", dateline="BEIRUT"),
    Heading("two", 3),
    Figure(caption="three", credit="Credit Line", image=Image("pic.jpg")),
    Quote(("four", "five"), cite="A Cite"),
    ItemList(("six", "seven"), ordered=True),
    Exchange("eight", ("nine", "ten"), asker="Asker", speaker="Speaker"),
    Embed("video", "https://example.org/v", "A Title"),
)


def test_every_inline_string_in_reading_order_and_nothing_else():
    assert list(inline_texts(BODY)) == ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def test_map_inline_changes_every_inline_string_and_keeps_the_rest():
    mapped = map_inline(BODY, str.upper)
    assert list(inline_texts(mapped)) == ["ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN"]
    assert mapped[0].dateline == "BEIRUT" and mapped[1].level == 3
    assert mapped[2].credit == "Credit Line" and mapped[2].image == Image("pic.jpg")
    assert mapped[3].cite == "A Cite" and mapped[4].ordered
    assert (mapped[5].asker, mapped[5].speaker) == ("Asker", "Speaker")
    assert mapped[6] is BODY[6]


def test_map_inline_keeps_unchanged_blocks_and_the_tuple_identical():
    assert map_inline(BODY, lambda text: text) is BODY
    assert map_inline(BODY, lambda text: str(text)) is BODY
    mapped = map_inline(BODY, lambda text: "NINE" if text == "nine" else text)
    assert mapped is not BODY
    assert all(new is old for new, old in zip(mapped[:5], BODY[:5])) and mapped[6] is BODY[6]
    assert mapped[5] == Exchange("eight", ("NINE", "ten"), asker="Asker", speaker="Speaker")


def test_an_empty_body():
    assert list(inline_texts(())) == [] and map_inline((), str.upper) == ()
