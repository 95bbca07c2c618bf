"""French dates, numbers and plurals, written once for pages, emails, SMS and PDFs (#15.11).

- dates in words: « lundi 7 décembre », « 1er décembre 2026 » (no leading zero, « 1er » for the
  first of the month), from the same format strings as Django's `date` filter (`date_texte`);
- hours: « 9 h », « 14 h 30 » (`heure`);
- plurals by the French rule: 0 and 1 take the singular (« 0 place », « 1 place », « 2 places »),
  unlike Django's `pluralize` (English rule: « 0 places ») — `pluriel`, `nombre`;
- file sizes in the French units: « 850 octets », « 12 Ko », « 1,5 Mo » (not « Kio »/« KB ») —
  `taille`.

Templates get them as built-in filters (`pacte/templatetags/francais.py`): `date_fr`, `heure_fr`,
`pluriel`, `taille`. Numeric dates (« 07/12/2026 ») keep their zeros: that is the French numeric form.
In another active language (a message to a person who booked in it, `pacte.langues`), dates are
that language's (no « 1er ») and hours « 14:30 ».
"""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat, timezone, translation

NBSP = "\u00a0"

# Format characters of Django's `date` that print the day of the month.
_JOUR = {"d", "j"}


def _escape(text: str) -> str:
    return "".join("\\" + c for c in text)


def date_texte(value: dt.date | dt.datetime | None, fmt: str = "j F Y") -> str:
    """`value` formatted like Django's `date` filter, with a French day of the month in words.

    When the day (`d` or `j`) is followed by a month name (`F`, `M`, `N`, `E`), it loses its
    leading zero and the first of the month reads « 1er ». Aware datetimes are shown in local time.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    out, i = [], 0
    while i < len(fmt):
        c = fmt[i]
        if c == "\\" and i + 1 < len(fmt):
            out.append(fmt[i : i + 2])
            i += 2
            continue
        suite = fmt[i + 1 :].lstrip(" ")
        if c in _JOUR and suite[:1] in {"F", "M", "N", "E"} and _en_francais():
            out.append(_escape("1er" if value.day == 1 else str(value.day)))
        else:
            out.append(c)
        i += 1
    return dateformat.format(value, "".join(out))


def _en_francais() -> bool:
    """Whether French is active (a message to a person in another language: `pacte.langues`)."""
    return (translation.get_language() or "fr").split("-")[0] == "fr"


def heure(value: dt.datetime | dt.time | None) -> str:
    """« 9 h », « 14 h 30 »: the French way to write an hour (local time for aware datetimes);
    « 09:00 », « 14:30 » in the other languages."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if not _en_francais():
        return f"{value.hour:02d}:{value.minute:02d}"
    return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"


def est_pluriel(n) -> bool:
    """The French rule: plural from 2 on (0 and 1 are singular)."""
    try:
        return abs(float(n)) >= 2
    except (TypeError, ValueError):
        return False


def pluriel(n, singulier: str = "", pluriel: str = "s") -> str:
    """`singulier` or `pluriel` by the French rule (suffixes by default: "" / "s")."""
    return pluriel if est_pluriel(n) else singulier


def nombre(n, singulier: str, pluriel_: str | None = None) -> str:
    """« 1 place », « 2 places », « 0 place »: a count and its noun agreed the French way."""
    mot = (pluriel_ or singulier + "s") if est_pluriel(n) else singulier
    return f"{n} {mot}"


def decimal_texte(value: float, decimales: int = 1) -> str:
    """« 1,2 », « 12 » (no useless « ,0 »), with a decimal comma."""
    text = f"{value:.{decimales}f}".rstrip("0").rstrip(".") if decimales else f"{value:.0f}"
    return text.replace(".", ",")


def taille(octets) -> str:
    """A file size in the units a reader knows: « 850 octets », « 12 Ko », « 1,2 Mo », « 3,4 Go »
    (decimal multiples, 1 Ko = 1 000 octets, as the units' names say; a non-breaking space before
    the unit so « 1,2 Mo » never wraps); « — » when unknown."""
    if octets is None or octets == "":
        return "—"
    try:
        octets = int(octets)
    except (TypeError, ValueError):
        return "—"
    if octets < 1000:
        return f"{octets}{NBSP}{pluriel(octets, 'octet', 'octets')}"
    texte = ""
    for unite, facteur in (("Ko", 1e3), ("Mo", 1e6), ("Go", 1e9)):
        valeur = octets / facteur
        decimales = 1 if round(valeur, 1) < 100 else 0
        texte = f"{decimal_texte(valeur, decimales)}{NBSP}{unite}"
        if round(valeur, decimales) < 1000:
            break
    return texte


def pourcentage(value: float | None) -> str:
    """« 72,5 % » (non-breaking space), « — » when there is nothing to divide."""
    return "—" if value is None else f"{decimal_texte(value)}{NBSP}%"
