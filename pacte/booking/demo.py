"""Helpers for other apps' demo data: lived-in agendas with past and future reservations of
clearly fictional people. The booking engine seeds nothing by itself (démarches and écrivains
create their agendas)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from pacte.secret_links import reference_new, token_new
from pacte.traductions import traductions_de

from .models import Agenda, Besoin, Canal, CompteurCreneau, RegleOuverture, Reservation, Statut, TypeRegle
from .selectors import creneaux_disponibles
from .services import identite_of

PRENOMS = [
    "Camille",
    "Yanis",
    "Léa",
    "Mamadou",
    "Inès",
    "Thomas",
    "Fatou",
    "Lucas",
    "Nadia",
    "Hugo",
    "Aïcha",
    "Julien",
    "Chloé",
    "Karim",
    "Émilie",
    "Rachid",
    "Manon",
    "Bao",
    "Sofia",
    "Gérard",
]
NOMS = [
    "Exemple",
    "Fictif",
    "Démo",
    "Martin-Essai",
    "Durand-Test",
    "Lefictif",
    "Imaginaire",
    "Modèle",
    "Spécimen",
    "Factice",
]

SEMAINE_MATIN = [(j, "09:00", "12:00") for j in range(5)]


def seed(*, scale: int = 1, stdout=None) -> None:
    """Nothing to seed: agendas belong to démarches and écrivains (see `agenda_demo`)."""


def _time(value) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def agenda_demo(lieu, titre: str, kind: str, *, regles=SEMAINE_MATIN, **fields) -> Agenda:
    """Get or create an agenda (by lieu, titre, kind) with its opening rules.

    `regles`: tuples (jour_semaine, "09:00", "12:00") for weekly rules, or dicts of
    RegleOuverture fields (e.g. {"type": "nieme_jour_du_mois", "jour_semaine": 2, "nieme": 1, ...}).
    Other keyword arguments are Agenda fields (capacite, places_agents, duree_creneau…).
    """
    agenda, created = Agenda.objects.get_or_create(
        lieu=lieu,
        titre=titre,
        kind=kind,
        defaults={**fields, **traductions_de(Agenda, {"titre": titre, **fields})},
    )
    if created or not agenda.regles.exists():
        for regle in regles:
            if isinstance(regle, dict):
                data = dict(regle)
                data["heure_debut"] = _time(data["heure_debut"])
                data["heure_fin"] = _time(data["heure_fin"])
                RegleOuverture.objects.create(agenda=agenda, **data)
            else:
                jour, debut, fin = regle
                RegleOuverture.objects.create(
                    agenda=agenda,
                    type=TypeRegle.HEBDOMADAIRE,
                    jour_semaine=jour,
                    heure_debut=_time(debut),
                    heure_fin=_time(fin),
                )
    return agenda


class PlacesDemo:
    """The slot counters (G3) of demo bookings, kept in memory and saved once: the same rules as the
    engine's counter (any place for an agent's booking, the online places only for an online one,
    G2) without one conditional UPDATE, journal entry and confirmation message per demo booking."""

    def __init__(self):
        self.rows: dict = {}
        self.charges: set[int] = set()

    def charger(self, agenda: Agenda) -> None:
        """Read the agenda's existing counters in one query (not one per slot)."""
        for row in CompteurCreneau.objects.filter(agenda=agenda):
            self.rows[(agenda.pk, row.debut)] = row
        self.charges.add(agenda.pk)

    def _row(self, agenda: Agenda, debut: dt.datetime) -> CompteurCreneau:
        key = (agenda.pk, debut)
        if key not in self.rows:
            existing = None
            if agenda.pk not in self.charges:
                existing = CompteurCreneau.objects.filter(agenda=agenda, debut=debut).first()
            self.rows[key] = existing or CompteurCreneau(
                agenda=agenda,
                debut=debut,
                capacite=agenda.capacite,
                capacite_en_ligne=agenda.capacite_en_ligne,
            )
        return self.rows[key]

    def libre(self, agenda: Agenda, debut: dt.datetime, *, en_ligne: bool = False) -> bool:
        row = self._row(agenda, debut)
        if en_ligne and row.places_prises_en_ligne >= row.capacite_en_ligne:
            return False
        return row.places_prises < row.capacite

    def prendre(self, agenda: Agenda, debut: dt.datetime, *, en_ligne: bool) -> bool:
        """Take one place of the slot; False (nothing taken) when there is none of that kind left."""
        if not self.libre(agenda, debut, en_ligne=en_ligne):
            return False
        row = self._row(agenda, debut)
        row.places_prises += 1
        row.places_prises_en_ligne += 1 if en_ligne else 0
        return True

    def save(self) -> None:
        for row in self.rows.values():
            if row.places_prises:
                row.save()


def reservations_demo(
    agenda: Agenda, n: int = 30, *, jours_passes: int = 30, jours_futurs: int = 21, seed: int | None = 42
) -> int:
    """Fill `agenda` with about `n` reservations of fictional people, half past (arrived, absent,
    cancelled), half future (confirmed, some booked by phone), respecting capacity. No messages
    are sent. Idempotent-ish: does nothing when the agenda already has `n` reservations.
    Returns how many were created."""
    if agenda.reservations.count() >= n:
        return 0
    rng = random.Random(seed if seed is None else seed + agenda.pk)
    now = timezone.now()
    today = timezone.localdate()
    passe = creneaux_disponibles(
        agenda,
        debut=today - dt.timedelta(days=jours_passes),
        fin=today - dt.timedelta(days=1),
        pour_agent=True,
        now=now - dt.timedelta(days=jours_passes),
    )
    futur = creneaux_disponibles(
        agenda, debut=today, fin=today + dt.timedelta(days=jours_futurs), pour_agent=True
    )
    slots = [(c, True) for cs in passe.values() for c in cs] + [
        (c, False) for cs in futur.values() for c in cs
    ]
    slots = slots * agenda.capacite  # each slot may receive up to `capacite` people
    rng.shuffle(slots)
    created = 0
    places = PlacesDemo()
    places.charger(agenda)
    rows: list[Reservation] = []
    references: set[str] = set()
    with transaction.atomic():
        for creneau, is_past in slots:
            if created >= n:
                break
            if not places.libre(agenda, creneau.debut):
                continue
            en_ligne = places.libre(agenda, creneau.debut, en_ligne=True) and rng.random() < 0.7
            if is_past:
                statut = rng.choices([Statut.HONOREE, Statut.ABSENT, Statut.ANNULEE], weights=[7, 2, 1])[0]
            else:
                statut = rng.choices([Statut.CONFIRMEE, Statut.ANNULEE], weights=[9, 1])[0]
            prenom, nom = rng.choice(PRENOMS), rng.choice(NOMS)
            # Drawn in the order the demo always used (same data for the same seed).
            canal = Canal.EN_LIGNE if en_ligne else rng.choice([Canal.TELEPHONE, Canal.GUICHET])
            telephone = f"+3361234{rng.randint(0, 9999):04d}"
            email = f"{prenom.lower()}.{rng.randint(1, 999)}@exemple.invalid" if rng.random() < 0.6 else ""
            identite = identite_of(nom=nom, prenom=prenom, email=email)
            _token, hashed = token_new()
            reference = reference_new("RDV")
            while reference in references:  # unique within the batch (one INSERT for all)
                reference = reference_new("RDV")
            references.add(reference)
            rows.append(
                Reservation(
                    reference=reference,
                    agenda=agenda,
                    debut=creneau.debut,
                    fin=creneau.fin,
                    canal=canal,
                    statut=statut,
                    nom=nom,
                    prenom=prenom,
                    telephone=telephone,
                    email=email,
                    nom_replie=identite.nom,
                    email_replie=identite.email,
                    besoins=rng.sample(Besoin.values, k=1) if rng.random() < 0.2 else [],
                    token_hash=hashed,
                    token_expire_at=creneau.fin + dt.timedelta(days=7),
                    compte_en_ligne=en_ligne,
                    annulee_at=now if statut == Statut.ANNULEE else None,
                    rappel_envoye_at=creneau.debut - dt.timedelta(hours=24) if is_past else None,
                )
            )
            if statut != Statut.ANNULEE:
                places.prendre(agenda, creneau.debut, en_ligne=en_ligne)
            created += 1
        # In bulk, with their history rows (G6, as one `create` each would write them).
        bulk_create_with_history(rows, Reservation, batch_size=500)
        places.save()
        _partenaire_demo(agenda, now=now)
    return created


def _partenaire_demo(agenda: Agenda, *, now: dt.datetime) -> None:
    """Every 6th future online booking of `agenda` was made by the demo partner (`pacte.demo`) for
    the person, with the person's oral agreement: the planning says « réservé par … » and the
    partner's list is not empty. Nothing when the demo partner does not exist."""
    from django.contrib.auth import get_user_model

    from pacte.models import Consentement, FormeAccord
    from pacte.partenaires import organisation_of

    partenaire = get_user_model().objects.filter(username="partenaire").first()
    if partenaire is None:
        return
    organisation = organisation_of(partenaire)
    futures = agenda.reservations.filter(
        statut=Statut.CONFIRMEE, canal=Canal.EN_LIGNE, debut__gt=now, prescripteur__isnull=True
    ).order_by("debut")
    choisies = list(futures)[::6]
    for reservation in choisies:
        reservation.prescripteur = partenaire
        reservation.prescripteur_organisation = organisation
    Reservation.objects.bulk_update(choisies, ["prescripteur", "prescripteur_organisation"])
    today = timezone.localdate(now)
    Consentement.objects.bulk_create(
        [
            Consentement(
                partenaire=partenaire,
                organisation=organisation,
                personne_nom=r.nom_complet,
                accord_on=today,
                expire_on=timezone.localdate(r.debut),
                forme=FormeAccord.ORAL,
                nature="ecrivain" if agenda.kind == "ecrivains" else "guichet",
                objet_type=Reservation._meta.label_lower,
                objet_id=str(r.pk),
                reference=r.reference,
                libelle=f"{agenda.titre} — {agenda.lieu.nom}",
                rendez_vous_at=r.debut,
                created_at=now,
            )
            for r in choisies
        ],
        ignore_conflicts=True,
    )
