"""Does a vignette still identify the requester? Compare it with the identity in the case file.

The comparison is normalised: case and accents do not matter, a phone number is found whatever its
formatting (spaces, dots, dashes, +33), an email whatever its case, a surname or first name as a
whole word, an address by its street words (the words of the street name, without « rue », « de »…).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Words of a street line that identify nothing by themselves.
MOTS_VOIE = {
    "rue",
    "avenue",
    "av",
    "boulevard",
    "bd",
    "bld",
    "place",
    "pl",
    "chemin",
    "impasse",
    "allee",
    "allees",
    "quai",
    "cours",
    "montee",
    "passage",
    "square",
    "route",
    "rte",
    "voie",
    "sentier",
    "residence",
    "batiment",
    "bat",
    "appartement",
    "appt",
    "apt",
    "etage",
    "escalier",
    "esc",
    "cedex",
    "lyon",
    "bis",
    "ter",
    "le",
    "la",
    "les",
    "de",
    "des",
    "du",
    "d",
    "l",
    "et",
    "a",
    "au",
    "aux",
    "en",
    "sur",
    "saint",
    "sainte",
    "st",
    "ste",
    "grande",
    "grand",
    "petite",
    "petit",
    "bp",
}
PARTICULES = {
    "de",
    "du",
    "des",
    "d",
    "la",
    "le",
    "les",
    "l",
    "van",
    "von",
    "der",
    "den",
    "di",
    "da",
    "y",
    "el",
}
PHONE_RUN = re.compile(r"\+?\d(?:[\s.\-/()]{0,3}\d){7,}")


def normaliser(texte: str) -> str:
    """Lower case, no accents, every run of non-alphanumeric characters becomes one space."""
    decomposed = unicodedata.normalize("NFKD", texte or "")
    sans_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " " + re.sub(r"[^0-9a-z]+", " ", sans_accents.casefold()).strip() + " "


def _contient_mots(texte_norm: str, expression: str) -> bool:
    phrase = normaliser(expression).strip()
    return bool(phrase) and f" {phrase} " in texte_norm


def _chiffres_nationaux(numero: str) -> str:
    digits = re.sub(r"\D", "", numero or "")
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits[-9:] if len(digits) >= 9 else ""


def _mots_de_voie(adresse: str) -> list[str]:
    """The significant words of the street line (before the first comma or postal code)."""
    rue = re.split(r",|\b\d{5}\b", adresse or "", maxsplit=1)[0]
    return [m for m in normaliser(rue).split() if len(m) >= 3 and not m.isdigit() and m not in MOTS_VOIE]


@dataclass(frozen=True)
class Identite:
    nom: str = ""
    prenom: str = ""
    organisme_nom: str = ""
    email: str = ""
    telephone: str = ""
    adresse: str = ""

    @classmethod
    def of(cls, saisine) -> Identite:
        return cls(
            nom=saisine.nom or "",
            prenom=saisine.prenom or "",
            organisme_nom=getattr(saisine, "organisme_nom", "") or "",
            email=saisine.email or "",
            telephone=saisine.telephone or "",
            adresse=saisine.adresse or "",
        )


def identifiants_trouves(texte: str, identite: Identite) -> list[str]:
    """Which identifying items of `identite` appear in `texte`: among "nom", "prénom", "organisme",
    "email", "téléphone", "adresse" (empty list: the text may be published)."""
    found: list[str] = []
    norm = normaliser(texte)
    if identite.nom:
        parts = [p for p in normaliser(identite.nom).split() if p not in PARTICULES and len(p) >= 2]
        if _contient_mots(norm, identite.nom) or any(f" {p} " in norm for p in parts):
            found.append("nom")
    if len(normaliser(identite.prenom).strip()) >= 2 and _contient_mots(norm, identite.prenom):
        found.append("prénom")
    if identite.organisme_nom and _contient_mots(norm, identite.organisme_nom):
        found.append("organisme")
    if identite.email:
        email = identite.email.strip().casefold()
        compact = re.sub(r"\s+", "", (texte or "").casefold())
        local = email.split("@", 1)[0]
        if email in compact or (len(local) >= 6 and _contient_mots(norm, local)):
            found.append("email")
    wanted = _chiffres_nationaux(identite.telephone)
    if wanted:
        for run in PHONE_RUN.findall(texte or ""):
            if _chiffres_nationaux(run) == wanted:
                found.append("téléphone")
                break
    mots = _mots_de_voie(identite.adresse)
    if mots and all(f" {m} " in norm for m in mots):
        found.append("adresse")
    return found


MESSAGES = {
    "nom": "le nom du requérant",
    "prénom": "le prénom du requérant",
    "organisme": "le nom de l'association ou de l'entreprise",
    "email": "l'adresse électronique du requérant",
    "téléphone": "le numéro de téléphone du requérant",
    "adresse": "l'adresse du requérant (nom de la rue)",
}


def message_refus(items: list[str]) -> str:
    """The French error shown next to the field."""
    quoi = ", ".join(MESSAGES[i] for i in items)
    return (
        f"Ce texte contient {quoi}, tel que dans le dossier. "
        "Retirez-le ou remplacez-le (par exemple « Mme B. », « une rue du 3e arrondissement ») : "
        "la vignette doit rester anonyme."
    )
