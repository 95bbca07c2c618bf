"""The callback line's opening hours: half-days, the promise, which failed calls count (#15.6).

The line calls back on business days (French holidays skipped, `pacte.calendrier`), in two
half-days: `RAPPEL_MATIN` and `RAPPEL_APRES_MIDI` ("HH:MM-HH:MM", local time). From them:

- the promise is a day and a half-day (« jeudi 3 décembre, dans la matinée »): the clock starts at
  the next opening, runs `RAPPEL_DELAI_JOURS_OUVRES` business days, and the deadline is the end of
  the half-day it falls in — never « à 20 h 41 »;
- a failed call counts towards `RAPPEL_TENTATIVES_MAX` only inside a half-day and at least
  `RAPPEL_ECART_MIN_MINUTES` after the last counted one: three calls in one minute at 20 h 45 are
  one call, or none;
- the moment a call is made (« mar_matin ») is matched with the caller's preferred moments to
  order the queue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pacte.calendrier import add_business_days, is_business_day
from pacte.francais import date_texte

from .enums import JOURS, ResultatAppel


@dataclass(frozen=True)
class DemiJournee:
    code: str  # "matin" or "apres_midi", as in enums.MOMENTS
    debut: dt.time
    fin: dt.time
    libelle: str  # lazy: in the language of the page or message that shows the promise


def _plage(texte: str) -> tuple[dt.time, dt.time]:
    debut, _sep, fin = texte.partition("-")
    return dt.time.fromisoformat(debut.strip()), dt.time.fromisoformat(fin.strip())


def demi_journees() -> list[DemiJournee]:
    """The line's two half-days, from the settings."""
    return [
        DemiJournee("matin", *_plage(settings.RAPPEL_MATIN), _("dans la matinée")),
        DemiJournee("apres_midi", *_plage(settings.RAPPEL_APRES_MIDI), _("dans l'après-midi")),
    ]


def _local(at: dt.datetime) -> dt.datetime:
    return timezone.localtime(at) if timezone.is_aware(at) else timezone.make_aware(at)


def demi_journee_de(at: dt.datetime) -> DemiJournee | None:
    """The half-day `at` falls in (a business day, within its hours), or None when the line is closed."""
    local = _local(at)
    if not is_business_day(local.date()):
        return None
    for demi in demi_journees():
        if demi.debut <= local.time() < demi.fin:
            return demi
    return None


def moment_de(at: dt.datetime) -> str | None:
    """The preferred-moment code of `at` (« mar_matin »), None when the line is closed."""
    demi = demi_journee_de(at)
    if demi is None:
        return None
    return f"{JOURS[_local(at).weekday()][0]}_{demi.code}"


def prochaine_ouverture(at: dt.datetime) -> dt.datetime:
    """`at` itself when the line is open, else the start of the next half-day."""
    if demi_journee_de(at) is not None:
        return _local(at)
    local = _local(at)
    jour = local.date()
    while True:
        if is_business_day(jour):
            for demi in demi_journees():
                debut = timezone.make_aware(dt.datetime.combine(jour, demi.debut))
                if debut > local:
                    return debut
        jour += dt.timedelta(days=1)


def promesse(created_at: dt.datetime) -> dt.datetime:
    """The promised deadline: the end of the half-day `RAPPEL_DELAI_JOURS_OUVRES` business days
    after the line's next opening from `created_at`."""
    depart = prochaine_ouverture(created_at)
    jour = add_business_days(depart.date(), settings.RAPPEL_DELAI_JOURS_OUVRES)
    demi = demi_journee_de(depart)
    return timezone.make_aware(dt.datetime.combine(jour, demi.fin))


def promesse_texte(promesse_at: dt.datetime) -> str:
    """The promise in words: « jeudi 3 décembre, dans la matinée », in the active language."""
    local = _local(promesse_at)
    demi = next((d for d in demi_journees() if d.debut < local.time() <= d.fin), None)
    jour = date_texte(local, "l j F")
    if demi:
        return gettext("%(jour)s, %(demi_journee)s") % {"jour": jour, "demi_journee": demi.libelle}
    return gettext("%(jour)s avant %(heure)s h %(minute)s") % {
        "jour": jour,
        "heure": f"{local:%H}",
        "minute": f"{local:%M}",
    }


def compte(at: dt.datetime, derniere_comptee: dt.datetime | None) -> str:
    """Why a failed call at `at` does not count ("" when it counts): closed line or too close to the
    last counted failed call `derniere_comptee`."""
    if demi_journee_de(at) is None:
        return "en dehors des horaires de la ligne"
    ecart = dt.timedelta(minutes=settings.RAPPEL_ECART_MIN_MINUTES)
    if derniere_comptee is not None and at - derniere_comptee < ecart:
        return f"moins de {settings.RAPPEL_ECART_MIN_MINUTES} minutes après l'appel précédent"
    return ""


def echecs_comptes(tentatives) -> list[tuple[object, str]]:
    """Each failed attempt (oldest first) with why it does not count ("" when it counts)."""
    derniere = None
    out = []
    for t in sorted(tentatives, key=lambda t: (t.at, t.pk or 0)):
        if t.resultat == ResultatAppel.JOINT:
            continue
        raison = compte(t.at, derniere)
        if not raison:
            derniere = t.at
        out.append((t, raison))
    return out
