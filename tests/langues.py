"""Helpers for the citizen pages in another language (#17), with the Django test client.

- `page(client, chemin, code)`: GET the page, check the status and `<html lang dir>` of the
  language, return the response and the text of its `<main>` without the passages marked French
  (`lang="fr"`: data with no translation, official documents).
- `sans_francais(texte)`: the French words left in such a text (none expected on a translated page).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

DIRECTIONS = {"en": "ltr", "ar": "rtl"}

# Everyday French words that are not English words: one of them left in <main> is French left behind.
MOTS_FRANCAIS = re.compile(
    r"\b(vous|votre|vos|nous|les|des|une|est|sont|pour|avec|dans|sur|aux|du|ou|et|pas|ne|aucun|aucune"
    r"|demande|rendez|permanence|médiateur|écrivain|créneau|lien|dossier|envoyer|suivre|obligatoire)\b",
    re.IGNORECASE,
)

_VIDES = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Main(HTMLParser):
    """The text of <main>, without elements marked lang="fr" nor scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pile: list[bool] = []  # per open element inside main: hidden?
        self.dans_main = False
        self.textes: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.dans_main = True
            return
        if not self.dans_main or tag in _VIDES:
            return
        cache = dict(attrs).get("lang") == "fr" or tag in ("script", "style")
        self.pile.append(cache or (bool(self.pile) and self.pile[-1]))

    def handle_endtag(self, tag):
        if tag == "main":
            self.dans_main = False
        elif self.dans_main and tag not in _VIDES and self.pile:
            self.pile.pop()

    def handle_data(self, data):
        if self.dans_main and not (self.pile and self.pile[-1]):
            self.textes.append(data)


def texte_main(html: str) -> str:
    lecteur = _Main()
    lecteur.feed(html)
    return " ".join(" ".join(lecteur.textes).split())


def sans_francais(texte: str) -> list[str]:
    return sorted({m.group(0) for m in MOTS_FRANCAIS.finditer(texte)})


def verifier_langue(response, code: str, status: int = 200) -> str:
    """`response` is a page in `code` (status, lang, dir, Content-Language); returns its <main> text
    without the passages marked French."""
    assert response.status_code == status, (response.status_code, response.get("Location"))
    html = response.content.decode()
    assert f'<html lang="{code}" dir="{DIRECTIONS[code]}">' in html
    texte = texte_main(html)
    assert texte, "no <main>"
    return texte


def page(client, chemin: str, code: str, status: int = 200):
    response = client.get(chemin)
    texte = verifier_langue(response, code, status)
    assert not sans_francais(texte), (chemin, sans_francais(texte), texte[:2000])
    return response, texte
