"""How a book is printed: trim size, bleed, crop marks, paper, the cover spread and the PDF variant ([print]).

These settings only describe; ``deeplybook.writers.pdf`` applies them (page rules
after the theme's CSS, one WeasyPrint document for a variant) and
``writers/pdf/printing.py`` makes the cover spread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Trim sizes a printer offers, by the name an edition file gives: (width, height) in CSS units.
TRIMS = {"a5": ("148mm", "210mm"), "6x9": ("6in", "9in"), "us-letter": ("8.5in", "11in"), "a4": ("210mm", "297mm")}
#: PDF variants WeasyPrint writes that a printer or an archive may ask for; each is one document (no merge).
VARIANTS = ("pdf/a-3b", "pdf/x-1a", "pdf/x-3", "pdf/x-4", "pdf/ua-1")
#: The widest bleed accepted, in millimetres (printers ask for 3 to 5).
MAX_BLEED_MM = 20.0


@dataclass(frozen=True, slots=True)
class PrintOptions:
    """How the book is printed: ``[print]`` in an edition file."""

    trim: str = ""
    """A name from ``TRIMS``; empty keeps the theme's page size."""
    bleed_mm: float = 0.0
    """How far pictures and colour run past the trim, in millimetres (3 is usual); 0 for none."""
    crop_marks: bool = False
    """Crop marks outside the trim (printers want a bleed with them)."""
    paper_mm: float = 0.1
    """The thickness of one leaf (two pages) of the paper, in millimetres: the spine's width follows it."""
    cover_spread: bool = False
    """Also write the cover spread (back, spine, front) as ``<book>-cover.pdf``.

    With this or a trim, bleed or crop marks the PDF is the printer's book block: it
    opens with the title page (``is_interior``)."""
    variant: str = ""
    """A PDF variant from ``VARIANTS`` (``pdf/a-3b``...), rendered as one document; empty for a plain PDF."""


def is_interior(options: PrintOptions) -> bool:
    """Whether the PDF is a printer's book block: then it opens with the title page, the cover printed apart."""
    return bool(options.trim or options.bleed_mm or options.crop_marks or options.cover_spread)


def page_rules(options: PrintOptions) -> str:
    """CSS after the theme's that sets the trim size, bleed and marks the options ask for ('' when none)."""
    declarations = []
    if options.trim:
        width, height = TRIMS[options.trim]
        declarations.append(f"size: {width} {height}")
    if options.bleed_mm:
        declarations.append(f"bleed: {options.bleed_mm:g}mm")
    if options.crop_marks:
        declarations.append("marks: crop")
    return f"@page {{ {'; '.join(declarations)} }}" if declarations else ""


def spine_mm(page_count: int, paper_mm: float) -> float:
    """The spine's width: one leaf of paper for every two pages."""
    return math.ceil(page_count / 2) * paper_mm
