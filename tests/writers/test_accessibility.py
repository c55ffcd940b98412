"""Accessibility of the books: text contrast in the themes' CSS, the EPUB's roles, headings, alt text and metadata."""

from __future__ import annotations

from pathlib import Path

import pytest
import tinycss2
import tinycss2.color3

from deeplybook.themes import builtin_root

#: WCAG 2.1 AA minimum contrast for text of any size (1.4.3); we hold large text to it too.
MIN_CONTRAST = 4.5
WHITE = (1.0, 1.0, 1.0)


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour with channels in 0..1."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = map(linear, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[float, float, float], two: tuple[float, float, float]) -> float:
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _colour(tokens, under=WHITE) -> tuple[float, float, float] | None:
    """A CSS colour value as RGB, blended over ``under`` when translucent; None for keywords like inherit."""
    value = [t for t in tokens if t.type not in ("whitespace", "comment")]
    if not value:
        return None
    colour = tinycss2.color3.parse_color(value[0])
    if colour is None or colour == "currentColor":
        return None
    alpha = colour.alpha
    return tuple(alpha * c + (1 - alpha) * u for c, u in zip((colour.red, colour.green, colour.blue), under))


def text_colours(css: str, where: str):
    """(place, foreground, background) for every rule that sets a text colour, @page boxes included.

    The background is the rule's own when it sets one, else the white page.
    """
    def walk(rules, prelude):
        declarations = [r for r in rules if r.type == "declaration"]
        background = next((_colour(d.value) for d in declarations
                           if d.lower_name in ("background", "background-color")), None) or WHITE
        for declaration in declarations:
            if declaration.lower_name == "color":
                foreground = _colour(declaration.value, background)
                if foreground is not None:
                    yield f"{where}: {prelude} (line {declaration.source_line})", foreground, background
        for rule in rules:
            if rule.type in ("qualified-rule", "at-rule") and rule.content is not None:
                name = tinycss2.serialize(rule.prelude).strip()
                if rule.type == "at-rule":
                    name = f"@{rule.lower_at_keyword} {name}".strip()
                inner = (tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
                         if rule.type == "at-rule" and rule.lower_at_keyword == "media"
                         else tinycss2.parse_blocks_contents(rule.content, skip_comments=True,
                                                             skip_whitespace=True))
                yield from walk(inner, f"{prelude} {name}".strip())

    yield from walk(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), "")


def _theme_css() -> list[Path]:
    return sorted(builtin_root().glob("*/css/*.css"))


def test_the_contrast_check_sees_a_failing_grey():
    found = list(text_colours(".source { color: #777; }\n@page { @top-center { color: #767676 } }", "x.css"))
    assert [round(contrast(fg, bg), 2) for _, fg, bg in found] == [4.48, 4.54]
    assert list(text_colours(".x { color: #fff; background: #000 }", "x.css"))[0][2] == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("css", _theme_css(), ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_text_colour_in_the_built_in_themes_meets_aa(css):
    colours = list(text_colours(css.read_text(encoding="utf-8"), css.name))
    low = [f"{place}: {contrast(fg, bg):.2f}:1" for place, fg, bg in colours if contrast(fg, bg) < MIN_CONTRAST]
    assert low == [], "text below 4.5:1 against its background:\n" + "\n".join(low)
