"""Reads of the écrivains publics module, scoped to the acting user where it matters."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import TruncMonth

from pacte.booking import attente
from pacte.booking.models import Agenda, InscriptionAttente, RegleOuverture, Reservation, Statut
from pacte.booking.selectors import creneaux_ouverts, local_tz
from pacte.roles import Role, has_role

from .enums import StatutInscription
from .models import AGENDA_KIND, FicheSeance, Langue, Permanence, Theme


def permanences_search(*, arrondissement=None, theme=None, langue=None, date=None):
    """Published permanences matching the finder's filters (each may be None), with everything the
    finder shows prefetched (constant number of queries)."""
    qs = Permanence.objects.publiees().select_related("agenda__lieu__arrondissement")
    if arrondissement:
        qs = qs.filter(agenda__lieu__arrondissement__numero=arrondissement)
    if theme:
        qs = qs.filter(themes__code=theme)
    if langue:
        qs = qs.filter(langues__code=langue)
    if date:
        # Open on that date: a weekly rule on its weekday, an n-th rule on its weekday, or that date.
        rules = RegleOuverture.objects.filter(
            (Q(type="date_unique", date=date) | Q(~Q(type="date_unique"), jour_semaine=date.weekday()))
            & (Q(valide_du__isnull=True) | Q(valide_du__lte=date))
            & (Q(valide_au__isnull=True) | Q(valide_au__gte=date))
        )
        qs = qs.filter(agenda__regles__in=rules)
    return qs.distinct().prefetch_related(
        Prefetch("themes", queryset=Theme.objects.all()),
        Prefetch("langues", queryset=Langue.objects.all()),
        Prefetch(
            "agenda__regles", queryset=RegleOuverture.objects.order_by("type", "jour_semaine", "heure_debut")
        ),
    )


# --- The écrivain's space -----------------------------------------------------------------------


def permanences_visible_to(user):
    """Permanences a staff member may run: an écrivain, only theirs; agents, coordination and
    admins, all of them."""
    qs = Permanence.objects.select_related("agenda__lieu__arrondissement")
    if has_role(user, Role.ADMIN, Role.COORDINATION, Role.AGENT):
        return qs
    if has_role(user, Role.ECRIVAIN):
        return qs.of_ecrivain(user)
    return qs.none()


def agendas_owned_by(user) -> Q:
    """The engine agendas `user` owns as an écrivain public: those of their permanences.

    Registered with the booking engine (`register_agenda_owners`), which scopes its agent pages
    (search, appointment, booking, planning) with it.
    """
    return Q(permanence__in=Permanence.objects.of_ecrivain(user).values("pk"))


def reservations_visible_to(user):
    """Reservations of the permanences `user` may run (scope of the écrivain's space)."""
    return Reservation.objects.filter(agenda__permanence__in=permanences_visible_to(user)).select_related(
        "agenda__lieu", "agenda__permanence"
    )


def rendez_vous_for(user, *, debut: dt.date, fin: dt.date):
    """Appointments of the user's permanences between two dates (cancelled ones excluded)."""
    tz = local_tz()
    return (
        reservations_visible_to(user)
        .filter(
            debut__gte=dt.datetime.combine(debut, dt.time.min, tzinfo=tz),
            debut__lt=dt.datetime.combine(fin + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )
        .exclude(statut=Statut.ANNULEE)
        .order_by("debut", "nom")
    )


def inscriptions_visible_to(user):
    """People on the waiting lists of the permanences `user` may run (the engine's list)."""
    return InscriptionAttente.objects.filter(
        agenda__permanence__in=permanences_visible_to(user)
    ).select_related("agenda__lieu", "agenda__permanence")


def offres_a_appeler(user):
    """Open offers on the permanences `user` may run to people neither email nor SMS reaches
    (`pacte.booking.attente.offres_a_appeler`)."""
    return attente.offres_a_appeler(Agenda.objects.filter(permanence__in=permanences_visible_to(user)))


# --- Coordination ---------------------------------------------------------------------------------


def offered_slots(permanences, *, debut: dt.date, fin: dt.date) -> dict[tuple[int, dt.date], int]:
    """Places offered per (permanence id, month) between two dates: the engine's opening slots
    (rules − closures − holidays) times capacity. Past dates included (unlike the booking selectors)."""
    perms = list(permanences)
    ouverts = creneaux_ouverts([p.agenda for p in perms], debut=debut, fin=fin)
    result: dict[tuple[int, dt.date], int] = defaultdict(int)
    for p in perms:
        for day, slots in ouverts[p.agenda_id].items():
            result[(p.pk, day.replace(day=1))] += len(slots) * p.agenda.capacite
    return result


def coordination_stats(*, debut: dt.date, fin: dt.date):
    """Per permanence and month: places offered, booked (not cancelled), walk-ins, no-shows, people
    helped (arrived); per theme: number of session records. No per-écrivain figure."""
    tz = local_tz()
    permanences = list(Permanence.objects.select_related("agenda__lieu__arrondissement"))
    start = dt.datetime.combine(debut, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(fin + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        Reservation.objects.filter(agenda__kind="ecrivains", debut__gte=start, debut__lt=end)
        .exclude(statut=Statut.ANNULEE)
        .annotate(mois=TruncMonth("debut", tzinfo=tz))
        .values("agenda_id", "mois")
        .annotate(
            reservees=Count("id", filter=~Q(canal="sur_place")),
            sans_rdv=Count("id", filter=Q(canal="sur_place")),
            absents=Count("id", filter=Q(statut=Statut.ABSENT)),
            venus=Count("id", filter=Q(statut=Statut.HONOREE)),
        )
    )
    offered = offered_slots(permanences, debut=debut, fin=fin)
    by_agenda = {p.agenda_id: p for p in permanences}
    table: dict[tuple[int, dt.date], dict] = {}
    for (pid, mois), places in offered.items():
        table[(pid, mois)] = {"offertes": places, "reservees": 0, "sans_rdv": 0, "absents": 0, "venus": 0}
    perm_by_pk = {p.pk: p for p in permanences}
    for row in rows:
        p = by_agenda.get(row["agenda_id"])
        if p is None:
            continue
        mois = row["mois"].date() if isinstance(row["mois"], dt.datetime) else row["mois"]
        cell = table.setdefault(
            (p.pk, mois), {"offertes": 0, "reservees": 0, "sans_rdv": 0, "absents": 0, "venus": 0}
        )
        for key in ("reservees", "sans_rdv", "absents", "venus"):
            cell[key] += row[key]
    lignes = []
    for (pid, mois), cell in sorted(table.items(), key=lambda kv: (str(perm_by_pk[kv[0][0]]), kv[0][1])):
        occupees = cell["reservees"] + cell["sans_rdv"]
        cell.update(
            permanence=perm_by_pk[pid],
            mois=mois,
            taux=round(100 * occupees / cell["offertes"]) if cell["offertes"] else None,
        )
        lignes.append(cell)
    par_lieu: dict[str, dict] = {}
    for cell in lignes:
        lieu = cell["permanence"].agenda.lieu
        agg = par_lieu.setdefault(
            lieu.nom, {"lieu": lieu, "offertes": 0, "reservees": 0, "sans_rdv": 0, "absents": 0, "venus": 0}
        )
        for key in ("offertes", "reservees", "sans_rdv", "absents", "venus"):
            agg[key] += cell[key]
    for agg in par_lieu.values():
        occupees = agg["reservees"] + agg["sans_rdv"]
        agg["taux"] = round(100 * occupees / agg["offertes"]) if agg["offertes"] else None
    fiches = FicheSeance.objects.filter(date__range=(debut, fin))
    themes = list(
        Theme.objects.annotate(n=Count("fiches", filter=Q(fiches__date__range=(debut, fin))))
        .filter(n__gt=0)
        .order_by("-n", "ordre")
        .values_list("libelle", "n")
    )
    totaux = fiches.aggregate(
        fiches=Count("id"),
        minutes=Sum("duree_minutes"),
        fait_avec=Count("id", filter=Q(autonomie="fait_avec")),
        non_recours=Count("id", filter=Q(droit_non_reclame=True)),
    )
    en_attente = InscriptionAttente.objects.filter(
        agenda__kind=AGENDA_KIND, statut=StatutInscription.EN_ATTENTE
    ).count()
    return {
        "lignes": lignes,
        "par_lieu": sorted(par_lieu.values(), key=lambda a: a["lieu"].nom),
        "themes": themes,
        "totaux": totaux,
        "personnes_aidees": sum(c["venus"] for c in lignes),
        "en_attente": en_attente,
    }


__all__ = [
    "coordination_stats",
    "offered_slots",
    "permanences_search",
]
