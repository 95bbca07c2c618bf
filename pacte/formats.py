"""French formatting of figures for pages, emails and PDFs (one place).

Sizes use the French units a reader knows: « octets », « Ko », « Mo » (decimal multiples,
1 Ko = 1 000 octets, as the units' names say), a decimal comma and a non-breaking space before
the unit, so « 1,2 Mo » never wraps between the number and its unit.
"""

from __future__ import annotations

NBSP = "\u00a0"


def nombre(value: float, decimales: int = 1) -> str:
    """« 1,2 », « 12 » (no useless « ,0 »), with a decimal comma."""
    text = f"{value:.{decimales}f}".rstrip("0").rstrip(".") if decimales else f"{value:.0f}"
    return text.replace(".", ",")


def taille_fichier(octets: int | None) -> str:
    """« 850 octets », « 12 Ko », « 1,2 Mo », « 3,4 Go »; « — » when unknown."""
    if octets is None:
        return "—"
    if octets < 1000:
        return f"{octets}{NBSP}octet{'s' if octets > 1 else ''}"
    texte = ""
    for unite, facteur in (("Ko", 1e3), ("Mo", 1e6), ("Go", 1e9)):
        valeur = octets / facteur
        decimales = 1 if round(valeur, 1) < 100 else 0
        texte = f"{nombre(valeur, decimales)}{NBSP}{unite}"
        if round(valeur, decimales) < 1000:
            break
    return texte


def pourcentage(value: float | None) -> str:
    """« 72,5 % » (non-breaking space), « — » when there is nothing to divide."""
    return "—" if value is None else f"{nombre(value)}{NBSP}%"
