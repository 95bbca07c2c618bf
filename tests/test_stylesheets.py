"""The screen stylesheets mirror for right-to-left pages: they say « start »/« end » (logical
properties), never « left »/« right ». The PDF stylesheets (letters, reports) are left alone: a
window envelope's address block sits at a physical place on the sheet."""

import re
from pathlib import Path

import pytest
from django.conf import settings

CSS = Path(settings.BASE_DIR) / "static" / "css"
ECRAN = sorted(p for p in CSS.glob("*.css") if not p.stem.endswith("-pdf") and p.stem != "print")

# A physical inline side as a property (margin-left, border-right-color, left: …) or a value
# (text-align: right, float: left, clear: left). Gradients' « to right » and background
# positions are symmetric decoration, not layout.
PHYSIQUE = re.compile(
    r"(?:^|[\s;{])(?:(?:margin|padding|border|inset)-(?:left|right)[\w-]*|left|right)\s*:"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)\b"
)


def test_the_screen_stylesheets_are_found():
    assert {p.name for p in ECRAN} >= {"portail.css", "booking.css", "tracker.css"}


@pytest.mark.parametrize("feuille", ECRAN, ids=lambda p: p.name)
def test_screen_stylesheet_uses_logical_inline_properties(feuille):
    fautes = [
        f"{feuille.name}:{numero}: {ligne.strip()}"
        for numero, ligne in enumerate(feuille.read_text().splitlines(), 1)
        if PHYSIQUE.search(ligne)
    ]
    assert not fautes, "propriétés physiques (utiliser start/end) :\n" + "\n".join(fautes)


@pytest.mark.parametrize(
    "ligne",
    [
        "a { margin-left: 0 }",
        ".x{left:0}",
        "td { text-align: right; }",
        "p { float: left }",
        "b { border-right-color: red }",
    ],
)
def test_the_rule_catches_physical_sides(ligne):
    assert PHYSIQUE.search(ligne)


@pytest.mark.parametrize(
    "ligne",
    [
        "a { margin-inline-start: 0 }",
        "td { text-align: end }",
        "background: linear-gradient(to right, #fff 40%) left center",
    ],
)
def test_the_rule_lets_logical_sides_through(ligne):
    assert not PHYSIQUE.search(ligne)
