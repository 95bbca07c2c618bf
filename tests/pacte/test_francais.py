"""French dates, plurals and sizes come from one module, pacte.francais (#15.11)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.template import engines
from django.utils import timezone

from pacte.francais import date_texte, heure, nombre, pluriel, taille

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_dates_in_words_have_1er_and_no_leading_zero():
    """« mardi 1er décembre 2026 », « lundi 7 décembre »; numeric dates keep their zeros."""
    assert date_texte(dt.date(2026, 12, 1), "l j F Y") == "mardi 1er décembre 2026"
    assert date_texte(dt.date(2026, 12, 7), "l d F") == "lundi 7 décembre"
    assert date_texte(dt.date(2026, 12, 7), "d/m/Y") == "07/12/2026"
    assert date_texte(dt.date(2026, 12, 11), "j F") == "11 décembre"
    moment = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 5))
    assert date_texte(moment, "j F Y à H:i") == "1er décembre 2026 à 09:05"
    assert date_texte(None) == ""


def test_hours_plurals_and_sizes():
    """« 9 h », « 14 h 30 »; 0 and 1 are singular; Ko/Mo, never Kio."""
    assert heure(dt.time(9)) == "9 h" and heure(dt.time(14, 30)) == "14 h 30"
    assert [nombre(n, "place") for n in (0, 1, 2)] == ["0 place", "1 place", "2 places"]
    assert pluriel(1, "a", "ont") == "a" and pluriel(3, "a", "ont") == "ont"
    assert [taille(n) for n in (850, 12_000, 1_500_000, 10_000_000)] == [
        "850\u00a0octets",
        "12\u00a0Ko",
        "1,5\u00a0Mo",
        "10\u00a0Mo",
    ]


def test_template_filters_are_built_in():
    """Every template (page, email, SMS, PDF) has date_fr, pluriel and taille without {% load %}."""
    template = engines["django"].from_string(
        '{{ d|date_fr:"l j F" }} — {{ n }} place{{ n|pluriel }} — {{ o|taille }} — {{ un }} place{{ un|pluriel }}'
    )
    rendered = template.render({"d": dt.date(2026, 12, 1), "n": 0, "o": 2048, "un": 1})
    assert rendered == "mardi 1er décembre — 0 place — 2\u00a0Ko — 1 place"


def test_no_template_formats_french_by_hand():
    """No template uses Django's English-rule pluralize, filesizeformat (« Kio »-style units) or a
    `date` format with a month name (which would print « 1 décembre », « 07 décembre »)."""
    offenders = []
    for path in TEMPLATES.rglob("*"):
        if path.suffix not in {".html", ".txt"}:
            continue
        text = path.read_text()
        if "|pluralize" in text or "|filesizeformat" in text:
            offenders.append(str(path))
        for fmt in re.findall(r"\|date:([\"'])(.*?)\1", text):
            if re.search(r"(?<!\\)[FMN]", fmt[1]):
                offenders.append(f"{path}: {fmt[1]}")
    assert offenders == []
