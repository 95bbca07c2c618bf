"""Demo data of the écrivains publics module: clearly fictional people and associations, on the
lieux of data/reference/lieux.csv. Places and days come from the reference (pacte-facts §5) where
known; every invented hour is flagged « horaires indicatifs »."""

from __future__ import annotations

import datetime as dt
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from pacte.booking.demo import PlacesDemo
from pacte.booking.models import Reservation, Statut
from pacte.booking.selectors import creneaux_ouverts
from pacte.booking.services import reservation_cancel
from pacte.demo import demo_user
from pacte.models import Lieu
from pacte.phones import phone_normalize
from pacte.roles import Role
from pacte.secret_links import reference_new, token_new

from . import services
from .enums import Autonomie, CanalInscription, Issue
from .models import EcrivainPublic, FicheSeance, Langue, Permanence, Theme
from .services import Regle

T = dt.time
SRC_LYONMAG = "https://www.lyonmag.com/article/135104/lyon-des-permanences-d-ecrivains-publics-et-numeriques-pour-aider-aux-demarches-administratives"
SRC_CAPITALE = (
    "https://www.lyoncapitale.fr/actualite/la-ville-de-lyon-veut-lutter-contre-le-non-recours-aux-droits"
)
SRC_TONIC = (
    "https://www.tonicradio.fr/permanences-decrivains-lyonnais-pour-aider-aux-demarches-administratives/"
)

ECRIVAINS = [
    # username, password, first, last, structure (fictional), langues, themes
    (
        "ecrivain",
        "demo-ecrivain-2026",
        "Louis",
        "Perret",
        "Association Plume et Démarches (fictive)",
        ["francais", "anglais"],
        None,
    ),
    (
        "ecrivain-samira",
        "demo-ecrivain-2026",
        "Samira",
        "Haddad",
        "Association Trait d'Union (fictive)",
        ["francais", "arabe", "tamazight"],
        None,
    ),
    (
        "ecrivain-jorge",
        "demo-ecrivain-2026",
        "Jorge",
        "Almeida",
        "Association Plume et Démarches (fictive)",
        ["francais", "espagnol", "portugais"],
        None,
    ),
    (
        "ecrivain-elif",
        "demo-ecrivain-2026",
        "Elif",
        "Demir",
        "Collectif Mots Partagés (fictif)",
        ["francais", "turc", "russe"],
        None,
    ),
]

PRENOMS = [
    "Nadia",
    "Karim",
    "Josiane",
    "Mehdi",
    "Fatou",
    "Bernard",
    "Yasmina",
    "Lucas",
    "Aïcha",
    "Gérard",
    "Inès",
    "Paulo",
    "Zeynep",
    "Odile",
    "Malik",
    "Rose",
    "Sofiane",
    "Marie",
    "Ivan",
    "Chantal",
]
NOMS = ["Exemple", "Fictif", "Démo", "Testard", "Modèle", "Essai", "Prototype", "Maquette"]


def _permanences_spec(today):
    soon = today + dt.timedelta(days=21)
    return [
        dict(
            lieu="mairie-du-3e-arrondissement",
            titre="Écrivain public — Mairie du 3e (jeudi matin)",
            regles=[Regle(T(9), T(12), jour=3)],
            ecrivains=["ecrivain"],
            langues=["francais", "anglais"],
            horaires_indicatifs=True,
            source=SRC_LYONMAG,
            capacite=2,
            places_agents=1,
            description="Permanence du jeudi matin, ouverte en février 2024 (source : presse locale). Horaires précis à confirmer.",
        ),
        dict(
            lieu="mairie-du-5e-arrondissement",
            titre="Écrivain public — Mairie du 5e (jeudi après-midi)",
            regles=[Regle(T(14), T(17), jour=3)],
            ecrivains=["ecrivain-samira"],
            langues=["francais", "arabe", "tamazight"],
            horaires_indicatifs=False,
            source=SRC_LYONMAG,
            capacite=2,
            places_agents=1,
            description="Le jeudi après-midi : 14h–17h selon LyonMag et Lyon 1ère, 14h–18h selon Tonic Radio (à confirmer).",
        ),
        dict(
            lieu="mairie-du-6e-arrondissement",
            titre="Écrivain public — Mairie du 6e",
            regles=[Regle(T(9), T(12), jour=1, nieme=2), Regle(T(9), T(12), jour=1, nieme=4)],
            ecrivains=["ecrivain"],
            langues=["francais"],
            horaires_indicatifs=True,
            source=SRC_CAPITALE,
            capacite=1,
            places_agents=0,
            description="Permanence existante citée par la Ville ; jours (2e et 4e mardis) et horaires indicatifs.",
        ),
        dict(
            lieu="mairie-du-7e-arrondissement",
            titre="Écrivain public — Mairie du 7e (annoncée)",
            regles=[Regle(T(9, 30), T(12), jour=2, valide_du=soon)],
            ecrivains=["ecrivain-jorge"],
            langues=["francais", "espagnol", "portugais"],
            horaires_indicatifs=True,
            source=SRC_TONIC,
            is_verified=True,
            capacite=1,
            places_agents=0,
            description="Permanence annoncée par la Ville ; date d'ouverture et horaires indicatifs.",
        ),
        dict(
            lieu="bibliotheque-de-la-part-dieu",
            titre="Écrivain public — Bibliothèque de la Part-Dieu",
            regles=[Regle(T(14), T(17), jour=2)],
            ecrivains=["ecrivain-elif"],
            langues=["francais", "turc", "russe"],
            horaires_indicatifs=True,
            source=SRC_CAPITALE,
            is_verified=True,
            capacite=2,
            places_agents=1,
            description="Permanence en bibliothèque, à côté de l'espace numérique.",
        ),
        dict(
            lieu="bibliotheque-de-la-duchere",
            titre="Écrivain public — Bibliothèque de La Duchère",
            regles=[Regle(T(14), T(16), jour=1)],
            ecrivains=["ecrivain-samira"],
            langues=["francais", "arabe"],
            horaires_indicatifs=True,
            source=SRC_CAPITALE,
            is_verified=True,
            capacite=1,
            places_agents=0,
            horizon_jours=21,
            description="Permanence en bibliothèque, très demandée : liste d'attente.",
        ),
        dict(
            lieu="mediatheque-du-bachut",
            titre="Écrivain public — Médiathèque du Bachut",
            regles=[Regle(T(9), T(12), jour=4, nieme=1), Regle(T(9), T(12), jour=4, nieme=3)],
            ecrivains=["ecrivain-jorge"],
            langues=["francais", "espagnol"],
            horaires_indicatifs=True,
            source=SRC_CAPITALE,
            is_verified=True,
            capacite=1,
            places_agents=0,
            description="Le 1er et le 3e vendredi du mois.",
        ),
        dict(
            lieu="mairie-du-8e-arrondissement",
            titre="Écrivain public itinérant — Mairie du 8e (aller-vers)",
            regles=[
                Regle(
                    T(14),
                    T(16),
                    date=today + dt.timedelta(days=10 + (4 - (today + dt.timedelta(days=10)).weekday()) % 7),
                )
            ],
            ecrivains=["ecrivain-elif"],
            langues=["francais", "turc"],
            horaires_indicatifs=True,
            is_aller_vers=True,
            capacite=1,
            places_agents=0,
            description="Séance ponctuelle (exemple fictif d'aller-vers).",
        ),
    ]


def seed(*, scale: int = 1, stdout=None) -> None:
    """Fictional écrivains, permanences across the city, past and future bookings, walk-ins,
    no-shows, session records and one full permanence with a waiting list. Runs once."""
    if Permanence.objects.exists():
        if stdout:
            stdout.write("Écrivains publics : démo déjà chargée.")
        return
    rng = random.Random(4)
    themes = {t.code: t for t in Theme.objects.all()}
    langues = {lg.code: lg for lg in Langue.objects.all()}
    ecrivains = {}
    for username, password, first, last, structure, codes, _ in ECRIVAINS:
        user = get_user_model().objects.filter(username=username).first() or demo_user(
            username, password, first, last, Role.ECRIVAIN
        )
        ecrivain, _created = EcrivainPublic.objects.update_or_create(
            user=user, defaults={"structure": structure, "bio": "Personne fictive (démonstration)."}
        )
        ecrivain.langues.set([langues[c] for c in codes])
        ecrivain.themes.set(themes.values())
        ecrivains[username] = ecrivain
    agent = get_user_model().objects.filter(username="agent").first()
    today = timezone.localdate()
    now = timezone.now()
    permanences = []
    with transaction.atomic():
        for spec in _permanences_spec(today):
            spec = dict(spec)
            lieu = Lieu.objects.get(slug=spec.pop("lieu"))
            p = services.permanence_create(
                lieu=lieu,
                ecrivains=[ecrivains[u] for u in spec.pop("ecrivains")],
                langues=[langues[c] for c in spec.pop("langues")],
                themes=list(themes.values()),
                **spec,
            )
            permanences.append(p)

    # The past four months: appointments (arrived, absent), walk-ins, session records.
    past = []
    fiche_rows = []
    offered = creneaux_ouverts(
        [p.agenda for p in permanences], debut=today - dt.timedelta(days=120 * scale), fin=today
    )
    # Who writes each permanence's records, and where it is: read once, not once per record.
    saisie_par = {p.pk: p.ecrivains.select_related("user").first().user for p in permanences}
    arrondissement = {p.pk: p.agenda.lieu.arrondissement for p in permanences}
    for p in permanences:
        agenda = p.agenda
        for day, slots in offered[agenda.pk].items():
            if day < today:
                for debut, fin in slots:
                    for _place in range(agenda.capacite):
                        if rng.random() > 0.7:
                            continue
                        walk_in = rng.random() < 0.2
                        statut = Statut.HONOREE if walk_in or rng.random() > 0.15 else Statut.ABSENT
                        past.append(
                            Reservation(
                                reference=reference_new("RDV"),
                                agenda=agenda,
                                debut=debut,
                                fin=fin,
                                canal="sur_place"
                                if walk_in
                                else rng.choice(["en_ligne", "en_ligne", "telephone", "guichet"]),
                                statut=statut,
                                nom=rng.choice(NOMS),
                                prenom=rng.choice(PRENOMS),
                                compte_en_ligne=not walk_in,
                                cree_par=agent if walk_in else None,
                                created_at=debut - dt.timedelta(days=rng.randint(1, 20)),
                                anonymisee_at=None,
                            )
                        )
                        if statut == Statut.HONOREE and rng.random() < 0.8:
                            issue = rng.choice([Issue.REGLE, Issue.REGLE, Issue.ORIENTE, Issue.A_REVOIR])
                            nr = rng.random() < 0.1
                            fiche = FicheSeance(
                                permanence=p,
                                date=day,
                                issue=issue,
                                organisme=rng.choice(["caf", "cpam", "prefecture", "impots", "ccas"])
                                if issue == Issue.ORIENTE
                                else "",
                                duree_minutes=rng.choice([20, 25, 30, 30, 35, 45]),
                                autonomie=rng.choice([Autonomie.FAIT_AVEC, Autonomie.FAIT_POUR]),
                                droit_non_reclame=nr,
                                dispositif=rng.choice(
                                    ["prime_activite", "css", "aides_logement", "cheque_energie"]
                                )
                                if nr
                                else "",
                                type_odenore=rng.choice(["non_connaissance", "non_demande", "non_reception"])
                                if nr
                                else "",
                                saisie_par=saisie_par[p.pk],
                            )
                            fiche._themes = rng.sample(list(themes.values()), rng.choice([1, 1, 2]))
                            fiche_rows.append(fiche)
    Reservation.objects.bulk_create(past, batch_size=500)
    FicheSeance.objects.bulk_create(fiche_rows, batch_size=500)
    through = FicheSeance.themes.through
    through.objects.bulk_create(
        [through(ficheseance_id=f.pk, theme_id=t.pk) for f in fiche_rows for t in f._themes], batch_size=1000
    )
    from nonrecours.services import observation_record

    for fiche in fiche_rows:
        if fiche.droit_non_reclame:
            observation = observation_record(
                source="ecrivain_public",
                type_odenore=fiche.type_odenore,
                dispositifs=[fiche.dispositif],
                arrondissement=arrondissement[fiche.permanence_id],
                observed_on=fiche.date,
            )
            FicheSeance.objects.filter(pk=fiche.pk).update(observation_id=observation.pk)
    fiches = len(fiche_rows)

    # The coming weeks: online bookings and agent bookings, on the slot counters as the engine
    # keeps them, without a confirmation message to each fictional person.
    places = PlacesDemo()
    coming_rows = []
    longest = max(p.agenda.horizon_jours for p in permanences)
    coming = creneaux_ouverts(
        [p.agenda for p in permanences],
        debut=today + dt.timedelta(days=1),
        fin=today + dt.timedelta(days=longest),
    )
    for p in permanences:
        agenda = p.agenda
        full = "Duchère" in agenda.titre
        last_day = today + dt.timedelta(days=agenda.horizon_jours - 1)
        for day, slots in coming[agenda.pk].items():
            if day > last_day:
                continue
            for debut, fin in slots:
                if debut <= now + dt.timedelta(hours=agenda.delai_min_heures):
                    continue
                for _place in range(agenda.capacite):
                    if not full and rng.random() > 0.45:
                        continue
                    par_agent = full or rng.random() < 0.3
                    nom, prenom = rng.choice(NOMS), rng.choice(PRENOMS)
                    telephone = phone_normalize(f"061{rng.randint(1_000_000, 9_999_999)}")
                    if not places.prendre(agenda, debut, en_ligne=not par_agent):
                        continue
                    _token, hashed = token_new()
                    coming_rows.append(
                        Reservation(
                            reference=reference_new("RDV"),
                            agenda=agenda,
                            debut=debut,
                            fin=fin,
                            canal="telephone" if par_agent else "en_ligne",
                            nom=nom,
                            prenom=prenom,
                            telephone=telephone,
                            token_hash=hashed,
                            token_expire_at=fin + dt.timedelta(days=settings.BOOKING_TOKEN_DAYS_AFTER),
                            cree_par=agent if par_agent else None,
                            compte_en_ligne=not par_agent,
                        )
                    )
    Reservation.objects.bulk_create(coming_rows, batch_size=500)
    places.save()
    futures = len(coming_rows)

    # The full permanence and its waiting list; a cancellation offers the place to the first person.
    duchere = next(p for p in permanences if "Duchère" in p.agenda.titre)
    services.inscription_create(
        permanence=duchere, nom="Nadia Exemple", telephone="0612345678", canal=CanalInscription.EN_LIGNE
    )
    services.inscription_create(
        permanence=duchere,
        nom="Gérard Fictif",
        telephone="0478000001",
        canal=CanalInscription.TELEPHONE,
        agent=agent,
    )
    services.inscription_create(
        permanence=duchere, nom="Fatou Démo", email="fatou.demo@example.org", canal=CanalInscription.EN_LIGNE
    )
    services.inscription_create(
        permanence=duchere,
        nom="Ivan Maquette",
        telephone="0478000002",
        canal=CanalInscription.GUICHET,
        agent=agent,
    )
    last = (
        Reservation.objects.filter(agenda=duchere.agenda, statut=Statut.CONFIRMEE).order_by("-debut").first()
    )
    if last:
        reservation_cancel(reservation=last, motif="Annulé par la personne (démo)")
    if stdout:
        stdout.write(
            f"Écrivains publics : {len(permanences)} permanences, {len(past)} rendez-vous passés, "
            f"{futures} à venir, {fiches} fiches de séance, 4 personnes en liste d'attente."
        )
