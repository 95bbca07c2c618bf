"""Reads of the booking engine: free slots computed from rules − closures − holidays − counters.

`creneaux_disponibles` runs a constant number of queries (rules, closures, counters) whatever the
number of reservations or days: everything else is computed in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from pacte.calendrier import is_holiday

from .models import Agenda, CompteurCreneau, Fermeture, RegleOuverture, Reservation, Statut, TypeRegle


@dataclass(frozen=True)
class Creneau:
    """A bookable slot: aware start and end, and how many places the asker can still take."""

    debut: dt.datetime
    fin: dt.datetime
    places_restantes: int

    @property
    def cle(self) -> str:
        """The slot in URLs: local time YYYY-MM-DDTHH:MM."""
        return timezone.localtime(self.debut).strftime("%Y-%m-%dT%H:%M")


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _rule_applies(regle: RegleOuverture, day: dt.date) -> bool:
    if regle.valide_du and day < regle.valide_du:
        return False
    if regle.valide_au and day > regle.valide_au:
        return False
    if regle.type == TypeRegle.DATE_UNIQUE:
        return regle.date == day
    if day.weekday() != regle.jour_semaine:
        return False
    if regle.type == TypeRegle.HEBDOMADAIRE:
        return True
    # n-th weekday of the month; -1 means the last one.
    if regle.nieme == -1:
        return (day + dt.timedelta(days=7)).month != day.month
    return (day.day - 1) // 7 + 1 == regle.nieme


def _slots_of_rule(
    agenda: Agenda, regle: RegleOuverture, day: dt.date, tz
) -> list[tuple[dt.datetime, dt.datetime]]:
    step = dt.timedelta(minutes=agenda.duree_creneau + agenda.tampon_minutes)
    length = dt.timedelta(minutes=agenda.duree_creneau)
    start = dt.datetime.combine(day, regle.heure_debut)
    end = dt.datetime.combine(day, regle.heure_fin)
    slots = []
    while start + length <= end:
        debut = start.replace(tzinfo=tz)
        slots.append((debut, (start + length).replace(tzinfo=tz)))
        start += step
    return slots


def creneaux_disponibles(
    agenda: Agenda,
    *,
    debut: dt.date,
    fin: dt.date,
    pour_agent: bool = False,
    now: dt.datetime | None = None,
    inclure_complets: bool = False,
) -> dict[dt.date, list[Creneau]]:
    """Free slots of `agenda` for each day from `debut` to `fin` included (days without slots omitted).

    Citizens (`pour_agent=False`) see only slots after the minimum notice and within the horizon,
    and only the online places (capacity minus the places reserved for agents, G2). Agents see
    every slot that has not ended yet, within the horizon, with the whole capacity. Three queries.
    `inclure_complets=True` keeps full slots (places_restantes = 0), for agent screens.
    """
    now = now or timezone.now()
    tz = local_tz()
    today = timezone.localtime(now, tz).date()
    horizon = today + dt.timedelta(days=agenda.horizon_jours)
    fin = min(fin, horizon)
    if pour_agent:
        earliest = now
    else:
        earliest = now + dt.timedelta(hours=agenda.delai_min_heures)
        debut = max(debut, timezone.localtime(earliest, tz).date())
    debut = max(debut, today)
    if fin < debut or not agenda.is_active:
        return {}

    range_start = dt.datetime.combine(debut, dt.time.min, tzinfo=tz)
    range_end = dt.datetime.combine(fin + dt.timedelta(days=1), dt.time.min, tzinfo=tz)

    regles = list(
        RegleOuverture.objects.filter(agenda=agenda)
        .filter(Q(valide_au__isnull=True) | Q(valide_au__gte=debut))
        .filter(Q(valide_du__isnull=True) | Q(valide_du__lte=fin))
        .filter(Q(date__isnull=True) | Q(date__range=(debut, fin)))
    )
    if not regles:
        return {}
    fermetures = list(
        Fermeture.objects.filter(Q(agenda=agenda) | Q(lieu_id=agenda.lieu_id))
        .filter(debut__lt=range_end, fin__gt=range_start)
        .values_list("debut", "fin")
    )
    compteurs = {
        row[0]: row[1:]
        for row in CompteurCreneau.objects.filter(
            agenda=agenda, debut__gte=range_start, debut__lt=range_end
        ).values_list("debut", "places_prises", "places_prises_en_ligne")
    }

    result: dict[dt.date, list[Creneau]] = {}
    day = debut
    while day <= fin:
        if not (agenda.ferme_jours_feries and is_holiday(day)):
            seen: dict[dt.datetime, dt.datetime] = {}
            for regle in regles:
                if _rule_applies(regle, day):
                    for s, e in _slots_of_rule(agenda, regle, day, tz):
                        seen.setdefault(s, e)
            creneaux = []
            for s in sorted(seen):
                e = seen[s]
                if pour_agent:
                    if e <= earliest:
                        continue
                elif s < earliest:
                    continue
                if any(f_debut < e and f_fin > s for f_debut, f_fin in fermetures):
                    continue
                prises, prises_en_ligne = compteurs.get(s, (0, 0))
                if pour_agent:
                    restantes = agenda.capacite - prises
                else:
                    restantes = min(agenda.capacite - prises, agenda.capacite_en_ligne - prises_en_ligne)
                restantes = max(restantes, 0)
                if restantes > 0 or inclure_complets:
                    creneaux.append(Creneau(debut=s, fin=e, places_restantes=restantes))
            if creneaux:
                result[day] = creneaux
        day += dt.timedelta(days=1)
    return result


def prochains_creneaux(
    agenda: Agenda, *, pour_agent: bool = False, nombre: int = 5, apres: dt.datetime | None = None
) -> list[Creneau]:
    """The next `nombre` free slots (searching the whole horizon, one window of queries)."""
    now = timezone.now()
    start = timezone.localtime(apres or now, local_tz()).date()
    end = timezone.localtime(now, local_tz()).date() + dt.timedelta(days=agenda.horizon_jours)
    found: list[Creneau] = []
    for creneaux in creneaux_disponibles(agenda, debut=start, fin=end, pour_agent=pour_agent).values():
        for creneau in creneaux:
            if apres is None or creneau.debut > apres:
                found.append(creneau)
                if len(found) >= nombre:
                    return found
    return found


def prochain_creneau(agenda: Agenda, *, pour_agent: bool = False) -> Creneau | None:
    """The next free slot of `agenda`, or None when nothing is free within the horizon."""
    found = prochains_creneaux(agenda, pour_agent=pour_agent, nombre=1)
    return found[0] if found else None


def creneau_at(agenda: Agenda, *, debut: dt.datetime, pour_agent: bool = False) -> Creneau | None:
    """The slot starting at `debut` if it is open and has a free place for the asker, else None."""
    day = timezone.localtime(debut, local_tz()).date()
    for creneau in creneaux_disponibles(agenda, debut=day, fin=day, pour_agent=pour_agent).get(day, []):
        if creneau.debut == debut:
            return creneau
    return None


def reservation_by_token(token: str) -> Reservation | None:
    """The reservation of a secret link, or None when unknown or expired."""
    from pacte.tokens import token_hash

    if not token or len(token) > 100:
        return None
    reservation = (
        Reservation.objects.select_related("agenda__lieu__arrondissement")
        .filter(token_hash=token_hash(token), token_expire_at__gt=timezone.now())
        .first()
    )
    return reservation


def agendas_for_agent(user):
    """Active agendas, the agent's own lieu first."""
    from django.db.models import Case, IntegerField, Value, When

    from pacte.roles import profil_of

    lieu_id = profil_of(user).lieu_id
    qs = agendas_visible_to(user).filter(is_active=True)
    return qs.annotate(
        _mine=Case(When(lieu_id=lieu_id, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("_mine", "lieu__arrondissement__numero", "lieu__nom", "titre")


def reservation_search(query: str, *, user):
    """Reservations visible to `user` matching a reference, a name or a phone number (normalised),
    newest first."""
    from django.core.exceptions import ValidationError

    from pacte.phones import phone_normalize

    query = (query or "").strip()
    qs = reservations_visible_to(user).order_by("-debut")
    if not query:
        return qs.none()
    cond = Q(reference__iexact=query) | Q(reference__iexact=f"RDV-{query}")
    digits = "".join(c for c in query if c.isdigit() or c == "+")
    if len(digits) >= 6:
        try:
            cond |= Q(telephone=phone_normalize(query))
        except ValidationError:
            cond |= Q(telephone__contains=digits.lstrip("0"))
    words = [w for w in query.split() if w]
    if words and not digits:
        name_cond = Q()
        for word in words:
            name_cond &= Q(nom__icontains=word) | Q(prenom__icontains=word)
        cond |= name_cond
    return qs.filter(cond)


def planning(agenda: Agenda, *, debut: dt.date, fin: dt.date):
    """Reservations (not cancelled first) of `agenda` between two dates, for the agent's planning."""
    tz = local_tz()
    return (
        Reservation.objects.filter(
            agenda=agenda,
            debut__gte=dt.datetime.combine(debut, dt.time.min, tzinfo=tz),
            debut__lt=dt.datetime.combine(fin + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )
        .select_related("cree_par")
        .order_by("debut", "nom")
    )


__all__ = [
    "Creneau",
    "Statut",
    "agendas_for_agent",
    "creneau_at",
    "creneaux_disponibles",
    "planning",
    "prochain_creneau",
    "prochains_creneaux",
    "reservation_by_token",
    "reservation_search",
]


STAFF_ROLES = ("agent_accueil", "ecrivain_public", "administrateur")


def agendas_visible_to(user):
    """Agendas a staff member may book on and see: agents and admins all of them, écrivains
    publics only the écrivains' agendas; nobody else."""
    from pacte.roles import Role, has_role

    qs = Agenda.objects.select_related("lieu__arrondissement")
    if has_role(user, Role.AGENT, Role.ADMIN):
        return qs
    if has_role(user, Role.ECRIVAIN):
        return qs.filter(kind="ecrivains")
    return qs.none()


def reservations_visible_to(user):
    """Reservations on the agendas visible to `user` (404 outside this perimeter)."""
    return Reservation.objects.filter(agenda__in=agendas_visible_to(user)).select_related(
        "agenda__lieu__arrondissement", "cree_par"
    )
