"""Demo data (fictional): bookable agendas on the counters, reservations, ~40 callback requests."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from pacte.booking.demo import agenda_demo, reservations_demo
from pacte.booking.models import Fermeture
from pacte.demo import demo_user
from pacte.models import Lieu
from pacte.roles import Role
from pacte.secret_links import reference_new

from . import services
from .enums import CRENEAUX, CanalRappel, ResultatAppel, StatutRappel, TypeAlternative
from .models import DemandeRappel, Demarche, TentativeAppel
from .services import rappel_promesse

SEMAINE = [(j, "08:45", "11:45") for j in range(5)] + [(j, "13:30", "16:30") for j in range(5)]
SAMEDI = [(5, "09:00", "12:00")]

# (démarche code, lieu slug, titre, capacite (desks), places_agents, duree, samedi matin)
AGENDAS = [
    ("titres_identite", "hotel-de-ville", "Carte d'identité et passeport", 4, 1, 20, True),
    ("titres_identite", "mairie-du-3e-arrondissement", "Carte d'identité et passeport", 3, 1, 20, True),
    ("titres_identite", "mairie-du-6e-arrondissement", "Carte d'identité et passeport", 2, 1, 20, False),
    ("titres_identite", "mairie-du-8e-arrondissement", "Carte d'identité et passeport", 3, 1, 20, False),
    ("pacs", "mairie-du-1er-arrondissement", "Enregistrement d'un PACS", 1, 0, 45, False),
    ("mariage", "mairie-du-6e-arrondissement", "Dépôt d'un dossier de mariage", 1, 0, 45, False),
    ("concession_funeraire", "mairie-du-8e-arrondissement", "Concession funéraire", 1, 0, 30, False),
]

NOMS = [
    "Camille Exemple",
    "Yanis Fictif",
    "Léa Démo",
    "Mamadou Essai",
    "Inès Imaginaire",
    "Thomas Modèle",
    "Fatou Spécimen",
    "Lucas Factice",
    "Nadia Exemple",
    "Hugo Fictif",
    "Aïcha Démo",
    "Gérard Essai",
]
OBJETS = [
    "Je n'arrive pas à faire la pré-demande de passeport en ligne.",
    "Je voudrais savoir quels papiers apporter.",
    "Mon inscription à la cantine ne passe pas sur le site.",
    "Je n'ai pas d'ordinateur, il me faut un rendez-vous.",
    "Question sur le tarif selon le quotient familial.",
    "Je ne comprends pas le courrier reçu.",
]


def _agendas(stdout=None) -> int:
    made = 0
    for code, lieu_slug, titre, capacite, places_agents, duree, samedi in AGENDAS:
        demarche = Demarche.objects.filter(code=code).first()
        lieu = Lieu.objects.filter(slug=lieu_slug).first()
        if demarche is None or lieu is None:
            continue
        guichet = demarche.alternatives.filter(type=TypeAlternative.GUICHET).first()
        if guichet is None:
            continue
        agenda = agenda_demo(
            lieu,
            titre,
            "demarches",
            regles=SEMAINE + (SAMEDI if samedi else []),
            capacite=capacite,
            places_agents=places_agents,
            duree_creneau=duree,
            description=demarche.description,
            a_apporter=demarche.pieces,
        )
        guichet.agendas.add(agenda)
        if not guichet.avec_rendez_vous:
            guichet.avec_rendez_vous = True
            guichet.save(update_fields=["avec_rendez_vous"])  # signals: the cached page follows
        reservations_demo(agenda, n=12 * capacite)
        made += 1
    # A closure of one lieu (works) next week, visible in every agenda of that lieu.
    lieu = Lieu.objects.filter(slug="mairie-du-8e-arrondissement").first()
    if lieu and not Fermeture.objects.filter(lieu=lieu, motif__startswith="Travaux").exists():
        jour = timezone.localdate() + dt.timedelta(days=7)
        debut = timezone.make_aware(dt.datetime.combine(jour, dt.time(0, 0)))
        Fermeture.objects.create(
            lieu=lieu, debut=debut, fin=debut + dt.timedelta(days=1), motif="Travaux dans le hall d'accueil"
        )
    return made


@transaction.atomic
def _rappels(scale: int = 1) -> int:
    if DemandeRappel.objects.exists():
        return 0
    rng = random.Random(2026)
    teleconseiller = demo_user("teleconseiller", "demo-teleconseiller-2026", "Olivier", "Ramos", Role.AGENT)
    agents = [teleconseiller, *get_user_model().objects.filter(username="agent")]
    demarches = list(Demarche.objects.publiees())
    now = timezone.now()
    created = 0
    for _i in range(40 * scale):
        created_at = now - dt.timedelta(hours=rng.randint(1, 24 * 20))
        mobile = rng.random() < 0.75
        demande = DemandeRappel.objects.create(
            reference=reference_new("RAP"),
            demarche=rng.choice(demarches) if rng.random() < 0.8 else None,
            nom=rng.choice(NOMS),
            telephone=f"+336{rng.randint(10000000, 99999999)}"
            if mobile
            else f"+334{rng.randint(72000000, 78999999)}",
            objet=rng.choice(OBJETS),
            creneaux_preferes=[c for c, _label in rng.sample(CRENEAUX, k=rng.randint(0, 3))],
            canal=rng.choice([CanalRappel.EN_LIGNE, CanalRappel.EN_LIGNE, CanalRappel.AGENT]),
            created_at=created_at,
            promesse_at=rappel_promesse(created_at),
        )
        if demande.canal == CanalRappel.AGENT:
            demande.created_by = rng.choice(agents)
        age = now - created_at
        issue = rng.random()
        # Recent requests are still waiting; older ones were worked on.
        if age < dt.timedelta(hours=20) or issue < 0.15:
            demande.save()
            created += 1
            continue
        agent = rng.choice(agents)
        at = created_at + dt.timedelta(hours=rng.randint(2, 30))
        resultats = rng.choice(
            [
                ["joint"],
                ["joint"],
                ["injoignable", "joint"],
                ["message_laisse", "joint"],
                ["injoignable"],
                ["injoignable", "message_laisse", "injoignable"],
                ["injoignable", "injoignable", "joint"],
            ]
        )
        for resultat in resultats:
            if at > now:
                break
            TentativeAppel.objects.create(demande=demande, agent=agent, at=at, resultat=resultat)
            demande.agent, demande.pris_at = agent, demande.pris_at or at
            demande.statut = StatutRappel.EN_COURS
            if resultat == ResultatAppel.JOINT:
                demande.statut, demande.clos_at = StatutRappel.JOINT, at
            at += dt.timedelta(hours=rng.randint(3, 40))
        echecs = demande.tentatives.exclude(resultat=ResultatAppel.JOINT).count()
        if demande.statut == StatutRappel.EN_COURS and echecs >= 3:
            last = demande.tentatives.last().at
            demande.statut = StatutRappel.ABANDONNEE
            services._repli(demande, last)  # the kernel's policy: SMS, email or a letter task
        demande.save()
        created += 1
    return created


def seed(*, scale: int = 1, stdout=None) -> None:
    """Bookable agendas for titres d'identité, PACS, mariage, concessions; ~40 callback requests."""
    agendas = _agendas(stdout)
    rappels = _rappels(scale)
    if stdout:
        stdout.write(
            f"Démarches : {agendas} agendas de rendez-vous, {rappels} demandes de rappel de démonstration."
        )
