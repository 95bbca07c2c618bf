"""The same word for the same thing (FALC rule, #17): each key citizen noun has one translation.

GLOSSAIRE maps, per language, a French pattern (searched in the msgid, case-insensitive, accents as
written) to the word its translation must use and the words it must not use (other words for the
same thing). Patterns and words are regular expressions; the words are case-sensitive unless they
say `(?i)` (« Mediator » is the City's institution, capitalised; « mediators » are people).
EXCEPTIONS lists the few entries where the French word has another meaning, each with its reason.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.catalogues import entrees

LOCALE = Path(settings.BASE_DIR) / "locale"

# Rappel as a callback (not « le rappel » of an appointment the day before, a reminder).
RAPPEL = (
    r"demandes? de rappel|rappel (promis|sous)|rappels (faits|téléphoniques)|(téléphone|guichet), rappel\b"
)

GLOSSAIRE: dict[str, dict[str, tuple[str, list[str]]]] = {
    "en": {
        r"médiat(eur|rice)s?": (r"\bMediator\b|\bmediators\b", [r"(?i)ombudsm[ae]n", r"\bmediator\b"]),
        r"médiation": (r"(?i)\bmediations?\b|\bMediator\b", [r"(?i)ombudsm[ae]n"]),
        r"écrivains? publics?": (
            r"(?i)\bpublic letter writers?\b",
            [r"(?i)\bpublic writers?\b", r"(?i)letter-writers?"],
        ),
        r"rendez-vous|\bRDV\b(?!-)": (
            r"(?i)\bappointments?\b",
            [r"(?i)\bmeetings?\b", r"(?i)\breservations?\b"],
        ),
        r"\bréservations?\b": (r"(?i)\bbookings?\b", [r"(?i)\breservations?\b"]),
        RAPPEL: (r"(?i)\bcallbacks?\b", [r"(?i)call-backs?", r"(?i)\bcall back requests?\b"]),
        r"démarches?": (
            r"(?i)\bprocedures?\b",
            [r"(?i)\bprocess(es)?\b", r"(?i)formalit(y|ies)", r"(?i)e-services?"],
        ),
        r"mairies?": (r"(?i)\btown halls?\b", [r"(?i)\b(city|district) halls?\b"]),
        r"permanences?": (
            r"(?i)\bsessions?\b",
            [r"(?i)office hours", r"(?i)drop-ins?", r"(?i)surger(y|ies)"],
        ),
        r"listes? d['’]attente": (r"(?i)\bwaiting lists?\b", [r"(?i)\bwait ?lists?\b"]),
        r"liens? personnels?": (r"(?i)\bpersonal links?\b", [r"(?i)\b(private|secret) links?\b"]),
        r"\bréférences?\b|\bréf\b": (
            r"(?i)\bref(erences?)?\b",
            [r"(?i)\b(booking|reference) (number|code)\b"],
        ),
        r"\bsaisines?\b": (r"(?i)\brequests?\b", [r"(?i)\b(referrals?|complaints?)\b"]),
        # A request to the Mediator; a CAF, tax or housing « dossier » is a form to fill in.
        r"\bdossiers?\b(?! ?\(?CAF)": (r"(?i)\bcases?\b", [r"(?i)\bfiles?\b"]),
        r"remplir un dossier": (r"(?i)\bform\b", [r"(?i)\bfile\b"]),
    },
    "ar": {
        r"médiat(eur|rice)s?": (r"وسيط|وسطاء", [r"المظالم"]),
        r"écrivains? publics?": (r"(ال)?(كاتب|كُ?تّ?اب) (ال)?عمومي", [r"محرر", r"كاتب عام", r"ناسخ"]),
        r"rendez-vous|\bRDV\b(?!-)": (r"موعد|مواعيد", [r"لقاء"]),
        RAPPEL: (r"معاود", [r"طلبا?ت? (ال)?اتصال"]),
        r"listes? d['’]attente": (r"(قائمة|قوائم) (ال)?انتظار", [r"لائحة", r"طابور"]),
    },
}

# (language, French pattern, start of the msgid): why this entry does not follow the glossary.
EXCEPTIONS = {
    ("en", r"démarches?", "Pas de démarche préalable"): "the step taken with the service, not a procedure",
    ("en", r"démarches?", "<strong>Contactez d'abord le service"): "the same prior step (« cette démarche »)",
}


def _cas():
    return [(code, motif) for code, mots in GLOSSAIRE.items() for motif in mots]


def _traduites(code):
    _, lues = entrees(LOCALE / code / "LC_MESSAGES" / "django.po")
    return [e for e in lues if e.traduite]


def _ecarts(code, motif):
    """(msgid, what is wrong) for each translated entry whose msgid matches `motif`."""
    attendu, interdits = GLOSSAIRE[code][motif]
    ecarts, vues = [], 0
    for entree in _traduites(code):
        source = f"{entree.msgid}\n{entree.msgid_plural}"
        if not re.search(motif, source, re.IGNORECASE):
            continue
        vues += 1
        for forme in entree.msgstr:
            fautes = [] if re.search(attendu, forme) else [f"lacks {attendu!r}"]
            fautes += [f"uses {mot!r}" for mot in interdits if re.search(mot, forme)]
            if fautes:
                ecarts.append((entree.msgid, f"{', '.join(fautes)}: {forme!r}"))
    return vues, ecarts


@pytest.mark.parametrize(("code", "motif"), _cas())
def test_same_word_for_the_same_thing(code, motif):
    vues, ecarts = _ecarts(code, motif)
    assert vues, f"{motif!r} matches no translated entry in {code}: a stale glossary line"
    permis = {debut for (c, m, debut) in EXCEPTIONS if (c, m) == (code, motif)}
    restants = [(msgid, faute) for msgid, faute in ecarts if not any(msgid.startswith(d) for d in permis)]
    assert not restants, "\n".join(f"{msgid[:70]!r} {faute}" for msgid, faute in restants)


@pytest.mark.parametrize(("code", "motif", "debut"), list(EXCEPTIONS))
def test_each_exception_is_still_needed(code, motif, debut):
    _, ecarts = _ecarts(code, motif)
    assert any(msgid.startswith(debut) for msgid, _ in ecarts), (
        f"{debut!r} follows the glossary now: remove it"
    )


def test_ombudsman_only_explains_the_defenseur_des_droits():
    """« Ombudsman » is kept for the Défenseur des droits (a national body), never the City's Mediator."""
    fautes = [
        e.msgid
        for e in _traduites("en")
        if any(re.search(r"(?i)ombudsm[ae]n", forme) for forme in e.msgstr)
        and "Défenseur des droits" not in e.msgid
    ]
    assert not fautes, fautes
