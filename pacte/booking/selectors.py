"""Reads of the booking engine: free slots computed from rules − closures − holidays − counters.

Every slot computation goes through one loader (`_Calendrier`): opening rules, closures and, when
places matter, the capacity counters of any number of agendas over a date range, in three queries
whatever the number of agendas, reservations or days; everything else is computed in memory.
The public functions below are the engine's read surface for the apps:

- `creneaux_disponibles(agenda, …)`: the free slots of one agenda, day by day;
- `prochains_creneaux_par_agenda(agendas, …)`: the next free slot of each of many agendas
  (list pages: one batch, not three queries per agenda);
- `creneaux_ouverts(agendas, …)`: what the agendas offer (opening slots, past days included,
  without counters), for statistics and demo data;
- `prochains_creneaux`, `prochain_creneau`, `creneau_at`: shortcuts over `creneaux_disponibles`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from pacte.calendrier import is_holiday
from pacte.traductions import colonnes

from .models import (
    Agenda,
    CompteurCreneau,
    Fermeture,
    FluxAgenda,
    RegleOuverture,
    Reservation,
    Retenue,
    Statut,
    TypeRegle,
)

Intervalle = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Creneau:
    """A bookable slot: aware start and end, and how many places the asker can still take."""

    debut: dt.datetime
    fin: dt.datetime
    places_restantes: int

    @cached_property
    def cle(self) -> str:
        """The slot in URLs: local time YYYY-MM-DDTHH:MM (worked out once per slot)."""
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


def _offsets_of_rule(agenda: Agenda, regle: RegleOuverture) -> list[tuple[dt.timedelta, dt.timedelta]]:
    """The slots of a rule as (start, end) offsets from local midnight, the same every day."""
    step = dt.timedelta(minutes=agenda.duree_creneau + agenda.tampon_minutes)
    length = dt.timedelta(minutes=agenda.duree_creneau)
    midnight = dt.datetime.min
    start = dt.datetime.combine(midnight, regle.heure_debut) - midnight
    end = dt.datetime.combine(midnight, regle.heure_fin) - midnight
    offsets = []
    while start + length <= end:
        offsets.append((start, start + length))
        start += step
    return offsets


CALENDRIER = "booking-calendrier"  # the name of the calendar's reference part in pacte.cache_reference


def _rule_in_range(regle: RegleOuverture, debut: dt.date, fin: dt.date) -> bool:
    """The SQL filter of `_Calendrier`'s uncached path, in Python, for a cached rule."""
    if regle.valide_au is not None and regle.valide_au < debut:
        return False
    if regle.valide_du is not None and regle.valide_du > fin:
        return False
    return regle.date is None or debut <= regle.date <= fin


def calendrier_reference(agendas: list[Agenda]) -> dict:
    """{(agenda id, lieu id): (opening rules, closures (start, end) not over before yesterday)}:
    the part of the calendar that changes only when an agent edits it, cached across requests and
    invalidated on save (pacte.cache_reference). Two queries on a miss, none on a hit."""

    def load(names):
        keys = [tuple(int(part) for part in name.split("-")) for name in names]
        result = {key: ([], []) for key in keys}
        by_agenda = {agenda_id: key for key in keys for agenda_id in [key[0]]}
        by_lieu = defaultdict(list)
        for key in keys:
            by_lieu[key[1]].append(key)
        for regle in RegleOuverture.objects.filter(agenda_id__in=list(by_agenda)):
            result[by_agenda[regle.agenda_id]][0].append(regle)
        with_rules = [key for key in keys if result[key][0]]
        if with_rules:
            since = timezone.now() - dt.timedelta(days=2)
            for agenda_id, lieu_id, f_debut, f_fin in Fermeture.objects.filter(
                Q(agenda_id__in=[k[0] for k in with_rules]) | Q(lieu_id__in=list({k[1] for k in with_rules})),
                fin__gt=since,
            ).values_list("agenda_id", "lieu_id", "debut", "fin"):
                for key in [by_agenda[agenda_id]] if agenda_id else by_lieu[lieu_id]:
                    result[key][1].append((f_debut, f_fin))
        return {f"{key[0]}-{key[1]}": value for key, value in result.items()}

    from pacte.cache_reference import cached_many

    found = cached_many(CALENDRIER, [f"{a.pk}-{a.lieu_id}" for a in agendas], load)
    return {(a.pk, a.lieu_id): found[f"{a.pk}-{a.lieu_id}"] for a in agendas}


class _Calendrier:
    """Opening rules, closures and (optionally) capacity counters of some agendas between two dates.

    Two queries (three with the counters) whatever the number of agendas. Slots are wall-clock
    times in the local time zone (a 9:00 slot stays at 9:00 across a DST change); the day loop
    works on naive local times and builds aware datetimes only for the slots it returns, so that
    a long run of full days costs one addition and one dict lookup per slot.
    """

    def __init__(self, agendas: list[Agenda], *, debut: dt.date, fin: dt.date, compteurs: bool):
        self.tz = local_tz()
        self.regles: dict[int, list[RegleOuverture]] = defaultdict(list)
        self.fermetures: dict[int, list[Intervalle]] = defaultdict(list)
        # Places taken per agenda, by naive local start time: (taken, taken online).
        self.compteurs: dict[int, dict[dt.datetime, tuple[int, int]]] = defaultdict(dict)
        self._gabarits: dict[tuple[int, ...], list[tuple[dt.timedelta, dt.timedelta]]] = {}
        self._restantes: dict[tuple[int, bool], dict[dt.datetime, int]] = {}
        if not agendas or fin < debut:
            return
        ids = [a.pk for a in agendas]
        start = dt.datetime.combine(debut, dt.time.min, tzinfo=self.tz)
        end = dt.datetime.combine(fin + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)
        if debut >= timezone.localdate() - dt.timedelta(days=1):
            # From today on (every citizen page): rules and closures from the reference cache.
            reference = calendrier_reference(agendas)
            for agenda in agendas:
                regles, fermetures = reference[(agenda.pk, agenda.lieu_id)]
                applying = [r for r in regles if _rule_in_range(r, debut, fin)]
                if applying:
                    self.regles[agenda.pk] = applying
                    self.fermetures[agenda.pk] = [(d, f) for d, f in fermetures if d < end and f > start]
            if not self.regles:
                return
        else:
            for regle in (
                RegleOuverture.objects.filter(agenda_id__in=ids)
                .filter(Q(valide_au__isnull=True) | Q(valide_au__gte=debut))
                .filter(Q(valide_du__isnull=True) | Q(valide_du__lte=fin))
                .filter(Q(date__isnull=True) | Q(date__range=(debut, fin)))
            ):
                self.regles[regle.agenda_id].append(regle)
            if not self.regles:
                return
            by_lieu = defaultdict(list)
            for agenda in agendas:
                by_lieu[agenda.lieu_id].append(agenda.pk)
            for agenda_id, lieu_id, f_debut, f_fin in Fermeture.objects.filter(
                Q(agenda_id__in=ids) | Q(lieu_id__in=list(by_lieu)), debut__lt=end, fin__gt=start
            ).values_list("agenda_id", "lieu_id", "debut", "fin"):
                for closed in [agenda_id] if agenda_id else by_lieu[lieu_id]:
                    self.fermetures[closed].append((f_debut, f_fin))
        if compteurs:
            # Keyed by naive local start time, converted by PostgreSQL: slot starts are built with
            # fold=0, so the wall-clock time identifies them. SQLite (`make run`) has no timezone():
            # there the conversion happens in Python. Places held by an expired hold are free
            # again: they are subtracted here, in the same query (G3 holds, see `Retenue`).
            if connection.vendor == "postgresql":
                rows = _compteurs_postgresql(ids, start, end, now=timezone.now())
            else:
                counters = _compteurs_libres_des_retenues_expirees(
                    CompteurCreneau.objects.filter(agenda_id__in=ids, debut__gte=start, debut__lt=end)
                )
                rows = [
                    (agenda_id, debut.astimezone(self.tz).replace(tzinfo=None), prises, en_ligne)
                    for agenda_id, debut, prises, en_ligne in counters.values_list(
                        "agenda_id", "debut", "_prises", "_en_ligne"
                    )
                ]
            for agenda_id, s, prises, en_ligne in rows:
                self.compteurs[agenda_id][s] = (prises, en_ligne)

    def _gabarit(self, agenda: Agenda, day: dt.date) -> list[tuple[dt.timedelta, dt.timedelta]]:
        """The (start, end) offsets from local midnight of the slots of the rules applying on `day`."""
        regles = self.regles.get(agenda.pk)
        if not regles or (agenda.ferme_jours_feries and is_holiday(day)):
            return []
        applying = tuple(r.id for r in regles if _rule_applies(r, day))
        gabarit = self._gabarits.get(applying)
        if gabarit is None:
            offsets = {}
            for regle in regles:
                if regle.id in applying:
                    for s, e in _offsets_of_rule(agenda, regle):
                        offsets.setdefault(s, e)
            gabarit = self._gabarits[applying] = sorted(offsets.items())
        return gabarit

    def _fermetures_du_jour(self, agenda: Agenda, day: dt.date) -> list[Intervalle]:
        fermetures = self.fermetures.get(agenda.pk)
        if not fermetures:
            return []
        day_start = dt.datetime.combine(day, dt.time.min, tzinfo=self.tz)
        day_end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)
        return [(fd, ff) for fd, ff in fermetures if fd < day_end and ff > day_start]

    def ouverts(self, agenda: Agenda, day: dt.date) -> list[Intervalle]:
        """The opening slots of `agenda` on `day`, in order: rules − holidays − closures."""
        gabarit = self._gabarit(agenda, day)
        if not gabarit:
            return []
        midnight, tz = dt.datetime.combine(day, dt.time.min), self.tz
        slots = [((midnight + s).replace(tzinfo=tz), (midnight + e).replace(tzinfo=tz)) for s, e in gabarit]
        fermetures = self._fermetures_du_jour(agenda, day)
        if fermetures:
            slots = [(s, e) for s, e in slots if not any(fd < e and ff > s for fd, ff in fermetures)]
        return slots

    def _restantes_par_creneau(self, agenda: Agenda, pour_agent: bool) -> dict[dt.datetime, int]:
        """Remaining places of the slots that have a counter, for the asker (G2: online places)."""
        key = (agenda.pk, pour_agent)
        restantes = self._restantes.get(key)
        if restantes is None:
            capacite, en_ligne = agenda.capacite, agenda.capacite_en_ligne
            restantes = self._restantes[key] = {
                s: max(
                    capacite - prises if pour_agent else min(capacite - prises, en_ligne - prises_en_ligne), 0
                )
                for s, (prises, prises_en_ligne) in self.compteurs.get(agenda.pk, {}).items()
            }
        return restantes

    def libres(
        self,
        agenda: Agenda,
        *,
        debut: dt.date,
        fin: dt.date,
        earliest: dt.datetime,
        pour_agent: bool,
        inclure_complets: bool = False,
    ) -> Iterator[tuple[dt.date, Creneau]]:
        """The slots of `agenda` from `debut` to `fin` still open to the asker, in order, with their
        remaining places, as (day, slot). Citizens: slots starting at or after `earliest`; agents:
        slots not ended at `earliest`. Lazy: the next-slot search stops at the first one."""
        tz = self.tz
        restantes = self._restantes_par_creneau(agenda, pour_agent)
        vide = max(agenda.capacite if pour_agent else agenda.capacite_en_ligne, 0)
        # Only the day of `earliest` (or before) can hold slots too early for the asker.
        jour_limite = timezone.localtime(earliest, tz).date()
        un_jour = dt.timedelta(days=1)
        day = debut
        while day <= fin:
            gabarit = self._gabarit(agenda, day)
            if gabarit:
                midnight = dt.datetime.combine(day, dt.time.min)
                limite = day <= jour_limite
                fermetures = self._fermetures_du_jour(agenda, day)
                for s_off, e_off in gabarit:
                    naive = midnight + s_off
                    places = restantes.get(naive, vide)
                    if places <= 0 and not inclure_complets:
                        continue
                    s, e = naive.replace(tzinfo=tz), (midnight + e_off).replace(tzinfo=tz)
                    if limite and ((e <= earliest) if pour_agent else (s < earliest)):
                        continue
                    if fermetures and any(fd < e and ff > s for fd, ff in fermetures):
                        continue
                    yield day, Creneau(debut=s, fin=e, places_restantes=places)
            day += un_jour


def _compteurs_postgresql(ids: list[int], start: dt.datetime, end: dt.datetime, *, now: dt.datetime):
    """(agenda id, naive local start, places taken, online places taken) of the counters of `ids`
    between two instants, the expired holds not counted: `_compteurs_libres_des_retenues_expirees`
    in one SQL statement written once. The day page reads it on every request, and building the
    same query through the ORM (two correlated subqueries) cost more than running it (#18.2)."""
    compteur, retenue = CompteurCreneau._meta.db_table, Retenue._meta.db_table
    sql = f"""
        SELECT c.agenda_id, timezone(%s, c.debut),
               c.places_prises - COALESCE(e.n, 0), c.places_prises_en_ligne - COALESCE(e.n_en_ligne, 0)
        FROM {compteur} c
        LEFT JOIN LATERAL (
            SELECT COUNT(*) AS n, COUNT(*) FILTER (WHERE r.en_ligne) AS n_en_ligne
            FROM {retenue} r WHERE r.compteur_id = c.id AND r.expire_at <= %s
        ) e ON TRUE
        WHERE c.agenda_id = ANY(%s) AND c.debut >= %s AND c.debut < %s
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [settings.TIME_ZONE, now, list(ids), start, end])
        return cursor.fetchall()


def _compteurs_libres_des_retenues_expirees(counters):
    """Annotate `_prises` / `_en_ligne`: the places taken on each counter, not counting the holds
    that have expired (not yet reclaimed, they still occupy the row but not the slot)."""
    expirees = Retenue.objects.filter(compteur=OuterRef("pk"), expire_at__lte=timezone.now()).order_by()

    def nombre(qs):
        return Coalesce(Subquery(qs.values("compteur").annotate(n=Count("pk")).values("n")[:1]), 0)

    return counters.annotate(
        _prises=F("places_prises") - nombre(expirees),
        _en_ligne=F("places_prises_en_ligne") - nombre(expirees.filter(en_ligne=True)),
    )


def _fenetre(
    agenda: Agenda, *, debut: dt.date, fin: dt.date, pour_agent: bool, now: dt.datetime
) -> tuple[dt.date, dt.date, dt.datetime]:
    """The days `agenda` can be booked on by the asker within [debut, fin], and the earliest instant.

    Citizens: after the minimum notice; everyone: from today, within the horizon."""
    tz = local_tz()
    today = timezone.localtime(now, tz).date()
    fin = min(fin, today + dt.timedelta(days=agenda.horizon_jours))
    if pour_agent:
        earliest = now
    else:
        earliest = now + dt.timedelta(hours=agenda.delai_min_heures)
        debut = max(debut, timezone.localtime(earliest, tz).date())
    return max(debut, today), fin, earliest


def creneaux_disponibles(
    agenda: Agenda,
    *,
    debut: dt.date,
    fin: dt.date,
    pour_agent: bool = False,
    now: dt.datetime | None = None,
    inclure_complets: bool = False,
    compter: bool = True,
) -> dict[dt.date, list[Creneau]]:
    """Free slots of `agenda` for each day from `debut` to `fin` included (days without slots omitted).

    Citizens (`pour_agent=False`) see only slots after the minimum notice and within the horizon,
    and only the online places (capacity minus the places reserved for agents, G2). Agents see
    every slot that has not ended yet, within the horizon, with the whole capacity. Three queries.
    `inclure_complets=True` keeps full slots (places_restantes = 0), for agent screens.
    `compter=False` (with `inclure_complets`): the open slots without reading the counters, one
    query fewer; `places_restantes` is then the slot's capacity, not what is left.
    """
    now = now or timezone.now()
    debut, fin, earliest = _fenetre(agenda, debut=debut, fin=fin, pour_agent=pour_agent, now=now)
    if fin < debut or not agenda.is_active:
        return {}
    calendrier = _Calendrier([agenda], debut=debut, fin=fin, compteurs=compter or not inclure_complets)
    result: dict[dt.date, list[Creneau]] = {}
    for day, creneau in calendrier.libres(
        agenda,
        debut=debut,
        fin=fin,
        earliest=earliest,
        pour_agent=pour_agent,
        inclure_complets=inclure_complets,
    ):
        result.setdefault(day, []).append(creneau)
    return result


def prochains_creneaux_par_agenda(
    agendas: Iterable[Agenda],
    *,
    pour_agent: bool = False,
    debut: dt.date | None = None,
    fin: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[int, Creneau | None]:
    """The next free slot of each agenda (dict by agenda id, None when nothing is free), for list pages.

    The same answer as `prochain_creneau` for each agenda (same rules, notice, horizon and online
    places), in three queries whatever the number of agendas. `debut`/`fin` restrict the search to
    a date range (default: from today to each agenda's horizon). Inactive agendas are left out.
    """
    agendas = [a for a in agendas if a.is_active]
    if not agendas:
        return {}
    now = now or timezone.now()
    today = timezone.localtime(now, local_tz()).date()
    far = today + dt.timedelta(days=max(a.horizon_jours for a in agendas))
    fenetres = {
        a.pk: _fenetre(a, debut=debut or today, fin=fin or far, pour_agent=pour_agent, now=now)
        for a in agendas
    }
    ouvertes = [f for f in fenetres.values() if f[0] <= f[1]]
    result: dict[int, Creneau | None] = dict.fromkeys(fenetres)
    if not ouvertes:
        return result
    calendrier = _Calendrier(
        agendas,
        debut=min(f[0] for f in ouvertes),
        fin=max(f[1] for f in ouvertes),
        compteurs=True,
    )
    for agenda in agendas:
        if not calendrier.regles.get(agenda.pk):
            continue
        first, last, earliest = fenetres[agenda.pk]
        found = next(
            calendrier.libres(agenda, debut=first, fin=last, earliest=earliest, pour_agent=pour_agent), None
        )
        result[agenda.pk] = found[1] if found else None
    return result


def creneaux_ouverts(
    agendas: Iterable[Agenda], *, debut: dt.date, fin: dt.date
) -> dict[int, dict[dt.date, list[Intervalle]]]:
    """What each agenda offers between two dates, past days included: its opening slots (rules −
    holidays − closures) as (start, end) per day, whatever was booked. For statistics (places offered)
    and demo data; bookings go through `creneaux_disponibles`. Two queries."""
    agendas = list(agendas)
    calendrier = _Calendrier(agendas, debut=debut, fin=fin, compteurs=False)
    result: dict[int, dict[dt.date, list[Intervalle]]] = {}
    for agenda in agendas:
        days = result[agenda.pk] = {}
        if not calendrier.regles.get(agenda.pk):
            continue
        day = debut
        while day <= fin:
            slots = calendrier.ouverts(agenda, day)
            if slots:
                days[day] = slots
            day += dt.timedelta(days=1)
    return result


def prochains_creneaux(
    agenda: Agenda, *, pour_agent: bool = False, nombre: int = 5, apres: dt.datetime | None = None
) -> list[Creneau]:
    """The next `nombre` free slots (after `apres` if given), searching the whole horizon lazily
    (three queries; the day loop stops at the `nombre`-th slot)."""
    now = timezone.now()
    start = timezone.localtime(apres or now, local_tz()).date()
    end = timezone.localtime(now, local_tz()).date() + dt.timedelta(days=agenda.horizon_jours)
    debut, fin, earliest = _fenetre(agenda, debut=start, fin=end, pour_agent=pour_agent, now=now)
    if fin < debut or not agenda.is_active:
        return []
    calendrier = _Calendrier([agenda], debut=debut, fin=fin, compteurs=True)
    found: list[Creneau] = []
    for _day, creneau in calendrier.libres(
        agenda, debut=debut, fin=fin, earliest=earliest, pour_agent=pour_agent
    ):
        if apres is None or creneau.debut > apres:
            found.append(creneau)
            if len(found) >= nombre:
                break
    return found


def prochain_creneau(agenda: Agenda, *, pour_agent: bool = False) -> Creneau | None:
    """The next free slot of `agenda`, or None when nothing is free within the horizon."""
    return prochains_creneaux_par_agenda([agenda], pour_agent=pour_agent).get(agenda.pk)


def creneau_at(
    agenda: Agenda,
    *,
    debut: dt.datetime,
    pour_agent: bool = False,
    inclure_complets: bool = False,
    compter: bool = True,
) -> Creneau | None:
    """The slot starting at `debut` if it is open and has a free place for the asker, else None.
    `inclure_complets=True`: if it is open to the asker, full or not (its `places_restantes` may be 0);
    with `compter=False` as well, the counters are not read (for callers that take the place
    through the counter anyway: one query fewer, `places_restantes` meaningless)."""
    day = timezone.localtime(debut, local_tz()).date()
    for creneau in creneaux_disponibles(
        agenda,
        debut=day,
        fin=day,
        pour_agent=pour_agent,
        inclure_complets=inclure_complets,
        compter=compter,
    ).get(day, []):
        if creneau.debut == debut:
            return creneau
    return None


def retenue_of(*, agenda: Agenda, debut: dt.datetime, cle: str | None, en_ligne: bool | None = None):
    """The hold of holder `cle` on the slot starting at `debut` (live or expired but not yet
    reclaimed), or None. `en_ligne`: only a hold of that kind (G2)."""
    if not cle:
        return None
    qs = Retenue.objects.filter(compteur__agenda=agenda, compteur__debut=debut, cle=cle)
    if en_ligne is not None:
        qs = qs.filter(en_ligne=en_ligne)
    return qs.first()


def reservation_by_token(token: str) -> Reservation | None:
    """The reservation of a live secret link, or None when unknown, used or expired."""
    from pacte.secret_links import lookup

    return lookup(
        Reservation.objects.select_related("agenda__lieu__arrondissement"),
        token,
        expire_field="token_expire_at",
    )


def _liens_valides():
    return (
        Reservation.objects.select_related("agenda__lieu__arrondissement")
        .filter(token_expire_at__gt=timezone.now())
        .exclude(token_hash="")
    )


def reservation_by_link(uuid) -> Reservation | None:
    """The reservation a browser holds through its secret link (the link not expired), or None."""
    return _liens_valides().filter(uuid=uuid).first()


def reservation_by_reference(reference: str) -> Reservation | None:
    """The reservation with this human reference whose link is still valid (recovery path), or None."""
    reference = (reference or "").strip().upper()[:20]
    return _liens_valides().filter(reference=reference).first() if reference else None


AGENDAS_PUBLICS = "booking-agendas"  # the public agendas with their lieu, in pacte.cache_reference


def agenda_public(uuid) -> Agenda | None:
    """The active agenda `uuid` with its lieu and arrondissement (the citizen's day page and form),
    or None. Reference content: from the cache, invalidated when an agenda, a lieu or an
    arrondissement is saved (booking.apps); no query on a hit."""
    from pacte.cache_reference import cached

    return cached(
        AGENDAS_PUBLICS,
        str(uuid),
        lambda: Agenda.objects.actifs().select_related("lieu__arrondissement").filter(uuid=uuid).first(),
    )


def reservations_a_venir_par_contact(*, telephone: str = "", email: str = "") -> list[Reservation]:
    """The confirmed future bookings (link still valid) of the person with this phone (E.164) or
    email (compared casefolded), at most 5: the « retrouver mon rendez-vous » recovery path."""
    condition = Q(pk__in=[])
    if telephone:
        condition |= Q(telephone=telephone)
    if email:
        condition |= Q(email_replie=email.strip().casefold())
    return list(
        _liens_valides()
        .filter(condition, statut=Statut.CONFIRMEE, debut__gt=timezone.now())
        .order_by("debut")[:5]
    )


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


ANNULATION_RETENUE = "annulation:"
"""Key prefix of the hold that keeps a cancelled reservation's place during its undo window."""


def cle_retenue_annulation(reservation: Reservation) -> str:
    """The key of the hold kept during the undo window of `reservation`'s cancellation."""
    return f"{ANNULATION_RETENUE}{reservation.pk}"


def annulations_reversibles(reservations) -> dict[int, dt.datetime]:
    """{reservation id: end of its undo window} for the cancelled reservations among `reservations`
    that an agent can still restore (their place is still held). One query."""
    reservations = list(reservations)
    cles = {cle_retenue_annulation(r): r.pk for r in reservations if r.statut == Statut.ANNULEE}
    # By agenda rather than by key, so the page makes the same query whatever the statuses.
    live = Retenue.objects.filter(
        compteur__agenda_id__in={r.agenda_id for r in reservations},
        cle__startswith=ANNULATION_RETENUE,
        expire_at__gt=timezone.now(),
    ).values_list("cle", "expire_at")
    return {cles[cle]: expire_at for cle, expire_at in live if cle in cles}


__all__ = [
    "ANNULATION_RETENUE",
    "Creneau",
    "annulations_reversibles",
    "cle_retenue_annulation",
    "Statut",
    "agendas_for_agent",
    "creneau_at",
    "creneaux_disponibles",
    "creneaux_ouverts",
    "flux_agenda_by_token",
    "flux_agenda_of",
    "flux_agenda_reservations",
    "planning",
    "prochain_creneau",
    "prochains_creneaux",
    "prochains_creneaux_par_agenda",
    "reservation_by_token",
    "reservation_search",
    "retenue_of",
]


STAFF_ROLES = ("agent_accueil", "ecrivain_public", "administrateur")


def agendas_visible_to(user):
    """Agendas a staff member may book on and see (the one scope of the engine's agent pages).

    - administrators: every agenda;
    - an agent d'accueil with a lieu de travail: that lieu's agendas; an agent without one (the
      Lyon en direct phone platform books for the whole city): every agenda;
    - an écrivain public: the agendas they own (their permanences, as the écrivains app declares
      through `hooks.register_agenda_owners`);
    - anyone else: none. Someone with several roles sees the union.
    """
    from pacte.roles import Role, has_role, profil_of

    from .hooks import owned_agendas

    qs = Agenda.objects.select_related("lieu__arrondissement")
    if has_role(user, Role.ADMIN):
        return qs
    condition = Q(pk__in=[])
    if has_role(user, Role.AGENT):
        lieu_id = profil_of(user).lieu_id
        if lieu_id is None:
            return qs
        condition |= Q(lieu_id=lieu_id)
    if has_role(user, Role.ECRIVAIN):
        condition |= owned_agendas(user)
    return qs.filter(condition)


def reservations_a_appeler(user):
    """Reservations visible to `user` whose person must be phoned (a cancellation or a move that
    neither email nor SMS could announce: a kernel « appel à passer » task), oldest task first."""
    from pacte.models import Canal as CanalMessage
    from pacte.models import Notification

    taches = Notification.objects.taches_a_faire().filter(canal=CanalMessage.APPEL)
    return reservations_visible_to(user).filter(pk__in=taches.ids_of(Reservation)).order_by("debut")


def reservations_visible_to(user):
    """Reservations on the agendas visible to `user` (404 outside this perimeter)."""
    return Reservation.objects.filter(agenda__in=agendas_visible_to(user)).select_related(
        "agenda__lieu__arrondissement", "cree_par"
    )


# --- staff calendar feeds (ICS) ------------------------------------------------------------------


def flux_agenda_of(user) -> FluxAgenda | None:
    """The live calendar-feed link of `user`, or None."""
    return FluxAgenda.objects.actifs().filter(user=user).first()


def flux_agenda_by_token(token: str | None) -> FluxAgenda | None:
    """The live link of a feed token (its owner loaded), or None when the token is unknown,
    malformed or revoked, or its owner's account is closed."""
    from pacte.secret_links import lookup

    return lookup(FluxAgenda.objects.actifs().filter(user__is_active=True).select_related("user"), token)


def flux_agenda_reservations(user) -> list[Reservation]:
    """The appointments of a staff feed: every reservation (cancelled ones included) on the agendas
    `user` works — the engine's one scope, `agendas_visible_to` —, from
    `BOOKING_FLUX_JOURS_PASSES` days ago to each agenda's booking horizon, agenda and lieu loaded,
    contact details and notes not even read. One query whatever the volume (the horizon is
    applied in Python: no slot is booked beyond it, so SQL reads next to nothing more)."""
    now = timezone.now()
    reservations = (
        Reservation.objects.filter(
            agenda__in=agendas_visible_to(user),
            debut__gte=now - dt.timedelta(days=settings.BOOKING_FLUX_JOURS_PASSES),
        )
        .select_related("agenda__lieu__arrondissement")
        .only(
            "uuid",
            "reference",
            "debut",
            "fin",
            "canal",
            "statut",
            "prenom",
            "nom",
            "updated_at",
            "agenda__horizon_jours",
            *colonnes("agenda__titre", "agenda__lieu__nom"),
            "agenda__lieu__adresse",
            "agenda__lieu__code_postal",
            "agenda__lieu__arrondissement__code_postal",
        )
        .order_by("debut", "pk")
    )
    return [r for r in reservations if r.debut < now + dt.timedelta(days=r.agenda.horizon_jours)]
