"""The HTML checker the page tests rely on finds errors, names the page and line, accepts valid
pages in every script, and comes back if its process dies (tests/html_checker.py)."""

from __future__ import annotations

import pytest

from tests import html_checker

VALIDE = '<!DOCTYPE html><html lang="{lang}" dir="{dir}"><head><meta charset="utf-8"><title>t</title></head><body><main><h1>{texte}</h1></main></body></html>'


@pytest.mark.lent(4)
def test_finds_each_error_with_the_page_name_and_line():
    erreurs = html_checker.validate_html(
        {
            "valide": VALIDE.format(lang="fr", dir="ltr", texte="Démarches"),
            "cassée": '<!DOCTYPE html><html lang="fr"><head><title>x</title></head>\n<body><p><div></p></body></html>',
        }
    )
    assert erreurs and all(e.startswith("cassée: line 2: ") for e in erreurs), erreurs
    assert any("Unclosed element “div”" in e for e in erreurs), erreurs


@pytest.mark.lent(2)
def test_valid_pages_in_arabic_and_with_emoji_pass():
    assert html_checker.validate_html({"ar": VALIDE.format(lang="ar", dir="rtl", texte="حجز موعد 🙂")}) == []


@pytest.mark.lent(8)
def test_the_checker_is_started_again_after_it_died():
    html_checker.validate_html({"a": VALIDE.format(lang="fr", dir="ltr", texte="a")})
    process, _url = html_checker._checker
    process.kill()
    process.wait()
    assert html_checker.validate_html({"b": "<p>sans doctype</p>"}), "no error found after a restart"
    assert html_checker._checker[0] is not process
