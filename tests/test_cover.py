"""The generated cover: the same words give the same picture, other words another; the years it prints."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image

from deeplybook.cover import SIZE, date_span, make_cover


def test_a_cover_is_a_png_of_the_store_ratio_and_the_same_words_give_the_same_bytes():
    first = make_cover("Syria Deeply", "The interviews", "2013–2018", "The deeplybook team")
    with Image.open(io.BytesIO(first)) as picture:
        assert (picture.format, picture.size) == ("PNG", SIZE)
    assert make_cover("Syria Deeply", "The interviews", "2013–2018", "The deeplybook team") == first
    assert make_cover("Syria Deeply", "The interviews", "2013–2017", "The deeplybook team") != first


def test_a_long_title_wraps_instead_of_running_off_the_cover():
    with Image.open(io.BytesIO(make_cover("Water " * 40))) as picture:
        ink = picture.convert("L").point(lambda v: 255 if v > 200 else 0)
        left, _, right, _ = ink.getbbox()
    assert left > 0 and right < SIZE[0]


def test_the_span_names_the_years_covered():
    day = lambda year: dt.datetime(year, 5, 1, tzinfo=dt.timezone.utc)  # noqa: E731
    assert date_span(day(2013), day(2018)) == "2013–2018"
    assert date_span(day(2017), day(2017)) == "2017"
    assert date_span(None, day(2017)) == "" and date_span(None, None) == ""
