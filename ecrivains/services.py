"""Writes of the écrivains publics module: permanences on the booking engine, session cancellations,
the waiting list (the engine's, `pacte.booking.attente`), anonymous session records.

Bookings always go through `pacte.booking.services` (one engine): this module never touches
capacity counters itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy

from pacte.booking import attente
from pacte.booking.models import (
    Agenda,
    Fermeture,
    InscriptionAttente,
    RegleOuverture,
    Reservation,
    Statut,
    TypeRegle,
)
from pacte.booking.selectors import local_tz
from pacte.booking.services import reservation_cancel
from pacte.journal import journal_record

from .enums import ORIENTATIONS_OBSERVATOIRE, Issue
from .models import AGENDA_KIND, FicheSeance, Permanence, SeanceAnnulee

# --- Permanences -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Regle:
    """An opening rule to create: hebdomadaire (jour), nieme_jour_du_mois (jour + nieme) or date_unique."""

    heure_debut: dt.time
    heure_fin: dt.time
    jour: int | None = None
    nieme: int | None = None
    date: dt.date | None = None
    valide_du: dt.date | None = None
    valide_au: dt.date | None = None


@transaction.atomic
def permanence_create(
    *,
    lieu,
    titre: str,
    regles: Iterable[Regle],
    ecrivains: Iterable = (),
    themes: Iterable = (),
    langues: Iterable = (),
    capacite: int = 1,
    places_agents: int = 0,
    duree_creneau: int = 30,
    description: str = "",
    a_apporter: str = "",
    is_aller_vers: bool = False,
    horaires_indicatifs: bool = False,
    is_verified: bool = False,
    source: str = "",
    horizon_jours: int = 60,
    delai_min_heures: int = 2,
    actor=None,
) -> Permanence:
    """Create a permanence: one engine agenda (kind "ecrivains") with its opening rules, plus the
    écrivains, themes and languages. `places_agents` is the part of each slot kept for walk-ins
    and agent bookings."""
    agenda = Agenda(
        lieu=lieu,
        titre=titre,
        description=description,
        a_apporter=a_apporter or A_APPORTER_DEFAUT,
        kind=AGENDA_KIND,
        duree_creneau=duree_creneau,
        capacite=capacite,
        places_agents=places_agents,
        horizon_jours=horizon_jours,
        delai_min_heures=delai_min_heures,
    )
    agenda.full_clean()
    agenda.save()
    for regle in regles:
        if regle.date:
            kind = TypeRegle.DATE_UNIQUE
        elif regle.nieme:
            kind = TypeRegle.NIEME
        else:
            kind = TypeRegle.HEBDOMADAIRE
        RegleOuverture.objects.create(
            agenda=agenda,
            type=kind,
            jour_semaine=regle.jour,
            nieme=regle.nieme,
            date=regle.date,
            heure_debut=regle.heure_debut,
            heure_fin=regle.heure_fin,
            valide_du=regle.valide_du,
            valide_au=regle.valide_au,
        )
    permanence = Permanence.objects.create(
        agenda=agenda,
        is_aller_vers=is_aller_vers,
        horaires_indicatifs=horaires_indicatifs,
        is_verified=is_verified,
        source=source,
    )
    permanence.ecrivains.set(ecrivains)
    permanence.themes.set(themes)
    permanence.langues.set(langues)
    journal_record(action="ecrivains.permanence_create", actor=actor, obj=permanence, message=titre)
    return permanence


A_APPORTER_DEFAUT = "\n".join(
    [
        "Les courriers que vous avez reçus (lettres, avis, factures)",
        "Une pièce d'identité ou un titre de séjour",
        "Votre numéro d'allocataire CAF ou de sécurité sociale, si vous l'avez",
        "Vos identifiants (adresse de courriel, mot de passe) si la démarche se fait en ligne",
        "Vos lunettes, si vous en portez",
    ]
)


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = local_tz()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def seance_cancel(*, permanence: Permanence, date: dt.date, motif: str, actor=None) -> SeanceAnnulee:
    """Cancel one session (a date) of a permanence.

    Adds a closure on the agenda for that day (so nobody can book it any more), cancels every
    confirmed reservation of the day through the engine (which tells each person through the
    outbox), and tells the people waiting for that date that they stay on the list for any date.
    Cancelling the same date twice returns the first record.
    """
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError(
            {"motif": "Indiquez le motif de l'annulation (il est communiqué aux personnes)."}
        )
    existing = SeanceAnnulee.objects.filter(permanence=permanence, date=date).first()
    if existing:
        return existing
    start, end = _day_bounds(date)
    with transaction.atomic():
        Permanence.objects.select_for_update().get(pk=permanence.pk)
        fermeture = Fermeture.objects.create(
            agenda=permanence.agenda, debut=start, fin=end, motif=f"Séance annulée : {motif}"[:200]
        )
        reservations = list(
            Reservation.objects.filter(
                agenda=permanence.agenda, debut__gte=start, debut__lt=end, statut=Statut.CONFIRMEE
            )
        )
        for reservation in reservations:
            reservation_cancel(reservation=reservation, actor=actor, motif=f"Séance annulée : {motif}")
        seance = SeanceAnnulee.objects.create(
            permanence=permanence,
            date=date,
            motif=motif,
            fermeture=fermeture,
            reservations_annulees=len(reservations),
            annulee_par=actor,
        )
        # Open offers on that day lapse; their holders go back to the list.
        attente.offres_lapse(
            agenda=permanence.agenda, debut=start, fin=end, actor=actor, message="Séance annulée"
        )
        waiting = list(permanence.agenda.inscriptions_attente.en_attente().filter(date_souhaitee=date))
        for inscription in waiting:
            inscription.date_souhaitee = None
            inscription.save(update_fields=["date_souhaitee", "updated_at"])
            attente.inscription_notify(
                inscription,
                name="seance_annulee",
                sujet=gettext_lazy("Séance d'écrivain public annulée"),
                context={"date": date, "motif": motif},
                cle=f"ecrivains:annulation:{seance.pk}:{inscription.pk}",
            )
        journal_record(
            action="ecrivains.seance_cancel",
            actor=actor,
            obj=permanence,
            message=f"Séance du {date:%d/%m/%Y} annulée : {motif}",
            data={"date": date.isoformat(), "reservations": len(reservations), "attente": len(waiting)},
        )
    return seance


# --- Waiting list -------------------------------------------------------------------------------
#
# One waiting list for every agenda: `pacte.booking.attente`. The écrivains' words and pages are
# registered in `apps.py`; these names keep the permanence-first calls of this module.


def inscription_create(*, permanence: Permanence, **fields) -> InscriptionAttente:
    """Put a person on the waiting list of a permanence (`pacte.booking.attente.inscription_create`
    on its agenda)."""
    return attente.inscription_create(agenda=permanence.agenda, **fields)


def offres_attribuer(*, permanence: Permanence, debut: dt.datetime, now: dt.datetime | None = None) -> list:
    """Offer the free places of a permanence's slot to the people waiting
    (`pacte.booking.attente.offres_attribuer` on its agenda)."""
    return attente.offres_attribuer(agenda=permanence.agenda, debut=debut, now=now)


personne = attente.personne
offre_by_token = attente.offre_by_token
offre_accept = attente.offre_accept
offre_decline = attente.offre_decline
offre_mark_called = attente.offre_mark_called
offres_expire = attente.offres_expire
inscription_withdraw = attente.inscription_withdraw


# --- Session records -----------------------------------------------------------------------------


def fiche_create(
    *,
    permanence: Permanence,
    date: dt.date,
    themes: Iterable,
    issue: str,
    duree_minutes: int,
    autonomie: str,
    organisme: str = "",
    droit_non_reclame: bool = False,
    dispositif: str = "",
    type_odenore: str = "",
    actor=None,
) -> FicheSeance:
    """Record one anonymous session (no identity). When a right not claimed was spotted, also record
    an observation in the non-recours observatory (source "ecrivain_public")."""
    themes = list(themes)
    if issue != Issue.ORIENTE:
        organisme = ""
    if not droit_non_reclame:
        dispositif, type_odenore = "", ""
    with transaction.atomic():
        fiche = FicheSeance(
            permanence=permanence,
            date=date,
            issue=issue,
            organisme=organisme,
            duree_minutes=duree_minutes,
            autonomie=autonomie,
            droit_non_reclame=droit_non_reclame,
            dispositif=dispositif,
            type_odenore=type_odenore,
            saisie_par=actor,
        )
        fiche.full_clean()
        fiche.save()
        fiche.themes.set(themes)
        if droit_non_reclame:
            from nonrecours.services import observation_record

            observation = observation_record(
                source="ecrivain_public",
                type_odenore=type_odenore,
                dispositifs=[dispositif] if dispositif else [],
                arrondissement=permanence.agenda.lieu.arrondissement,
                orientation=(
                    organisme if organisme in ORIENTATIONS_OBSERVATOIRE else ("autre" if organisme else "")
                ),
                observed_on=date,
                actor=actor,
            )
            fiche.observation_id = observation.pk
            fiche.save(update_fields=["observation_id"])
        journal_record(action="ecrivains.fiche_create", actor=actor, obj=fiche, message="Fiche de séance")
    return fiche
