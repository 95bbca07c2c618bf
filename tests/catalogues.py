"""The translation catalogues (locale/<code>/LC_MESSAGES/django.po) and the French left in templates,
read for the tests (#17). No dependency beyond the standard library and Django's template lexer.

- `entrees(po)`: the entries of a .po file (msgctxt, msgid, plural, msgstr forms, flags, comments,
  references), obsolete ones (#~) left out.
- `francais_hors_catalogue(path)`: the text a template shows (text nodes and the attributes people
  read or hear: alt, title, aria-label, placeholder, content, a button's value) outside
  `{% translate %}` / `{% blocktranslate %}`, as (line, text).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType


@dataclass
class Entree:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    commentaires: list[str] = field(default_factory=list)  # translator comments (« # … »)
    references: list[str] = field(default_factory=list)  # « path:line »

    @property
    def traduite(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr) and "fuzzy" not in self.flags


def entrees(po: Path) -> tuple[Entree, list[Entree]]:
    """(header, entries) of `po`."""
    blocs, courant = [], []
    for ligne in po.read_text(encoding="utf-8").splitlines():
        if not ligne.strip():
            if courant:
                blocs.append(courant)
            courant = []
        else:
            courant.append(ligne)
    if courant:
        blocs.append(courant)
    lues = []
    for bloc in blocs:
        if any(ligne.startswith("#~") for ligne in bloc):
            continue  # obsolete
        entree, cible = Entree(), None
        formes: dict[int, str] = {}
        for ligne in bloc:
            if ligne.startswith("#,"):
                entree.flags |= {f.strip() for f in ligne[2:].split(",")}
            elif ligne.startswith("#:"):
                entree.references += ligne[2:].split()
            elif ligne.startswith("# ") or ligne == "#":
                entree.commentaires.append(ligne[2:])
            elif ligne.startswith("#"):
                continue
            else:
                mot, _, reste = ligne.partition(" ")
                if ligne.startswith('"'):
                    valeur = ast.literal_eval(ligne)
                else:
                    cible, valeur = mot, ast.literal_eval(reste)
                if cible == "msgid":
                    entree.msgid += valeur
                elif cible == "msgid_plural":
                    entree.msgid_plural += valeur
                elif cible == "msgctxt":
                    entree.msgctxt = (entree.msgctxt or "") + valeur
                elif cible == "msgstr":
                    formes[0] = formes.get(0, "") + valeur
                elif cible and cible.startswith("msgstr["):
                    n = int(cible[7:-1])
                    formes[n] = formes.get(n, "") + valeur
        entree.msgstr = [formes[n] for n in sorted(formes)]
        lues.append(entree)
    entete = next(e for e in lues if e.msgid == "" and e.msgctxt is None)
    return entete, [e for e in lues if e is not entete]


# --- French left in templates -------------------------------------------------------------------

# What people read or hear besides text nodes.
ATTRIBUTS_LUS = {"alt", "title", "aria-label", "placeholder", "aria-description", "aria-roledescription"}
# A word: two letters or more (« à », « Ø », digits, punctuation and symbols are not text to translate).
MOT = re.compile(r"[^\W\d_]{2,}")


class _Lecteur(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.trouves: list[tuple[int, str]] = []
        self._script = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._script += 1
        valeurs = dict(attrs)
        lus = set(ATTRIBUTS_LUS)
        if tag == "meta" and valeurs.get("name") == "description":
            lus.add("content")
        if tag == "input" and valeurs.get("type") in ("submit", "button", "reset"):
            lus.add("value")
        for nom, valeur in attrs:
            if nom in lus and valeur and MOT.search(valeur):
                self.trouves.append((self.getpos()[0], valeur.strip()))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._script -= 1

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._script = max(0, self._script - 1)

    def handle_data(self, data):
        if not self._script and MOT.search(data):
            self.trouves.append((self.getpos()[0], " ".join(data.split())))


def francais_hors_catalogue(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each text a person meets in the template `path`, outside the translation tags.

    The template is cut by Django's own Lexer: every tag, variable and comment becomes a space (the
    lines are kept), and so does all the text inside `{% blocktranslate %}` and `{% comment %}`;
    what remains is read as HTML."""
    source = path.read_text(encoding="utf-8")
    morceaux, dans = [], None
    for token in Lexer(source).tokenize():
        brut = token.contents
        if token.token_type == TokenType.BLOCK:
            nom = brut.split(None, 1)[0] if brut else ""
            if nom in ("blocktranslate", "blocktrans", "comment") and dans is None:
                dans = {"blocktrans": "blocktranslate"}.get(nom, nom)
            elif dans and nom in (f"end{dans}", "endblocktrans"):
                dans = None
            morceaux.append(" ")
        elif token.token_type == TokenType.TEXT:
            morceaux.append("\n" * brut.count("\n") if dans else brut)
        else:
            morceaux.append(" ")
    lecteur = _Lecteur()
    lecteur.feed("".join(morceaux))
    lecteur.close()
    return lecteur.trouves
