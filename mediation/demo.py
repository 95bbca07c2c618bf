"""Demo data: a plausible, clearly fictional two years of saisines (previous and current year).

Volumes and shares follow the médiatrice's first annual report (354 saisines in 2024, 77 %
individuals, 73 % by phone, 9 % at permanences, a third in formal mediation, élu involved in 19 %,
26 proposals). Every person is invented; emails use example.org, phones the range reserved for
fiction (06 39 98 xx xx). Idempotent: skipped when the demo cases already exist.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from pacte.calendrier import add_business_days, is_business_day
from pacte.models import Arrondissement, Direction
from pacte.roles import Role
from pacte.secret_links import token_hash

from .enums import (
    CanalSaisine,
    Issue,
    MotifIrrecevabilite,
    Niveau,
    OrganismeReorientation,
    RequerantType,
    StatutProposition,
    StatutSaisine,
    Theme,
)
from .models import DemandePosition, Message, Proposition, Saisine, Transition

S = StatutSaisine
PREFIX = "MED-D"
DEMO_TOKEN = (
    "demo-mediation-suivi-2026"  # README: /mediateur/suivi/demo-mediation-suivi-2026/ , name "Exemple"
)

PRENOMS = [
    "Camille",
    "Lucas",
    "Léa",
    "Hugo",
    "Chloé",
    "Louis",
    "Emma",
    "Nathan",
    "Inès",
    "Jules",
    "Manon",
    "Adam",
    "Sarah",
    "Yanis",
    "Lina",
    "Paul",
    "Jade",
    "Mehdi",
    "Zoé",
    "Théo",
    "Aïcha",
    "Rémi",
    "Nora",
    "Karim",
    "Elsa",
]
NOMS = [
    "Fictif",
    "Exemple",
    "Démo",
    "Essai",
    "Modèle",
    "Témoin",
    "Prototype",
    "Maquette",
    "Specimen",
    "Brouillon",
    "Esquisse",
    "Ébauche",
    "Patron",
    "Gabarit",
    "Canevas",
]
ASSOS = ["Association Les Voisins Fictifs", "Collectif Démo des Pentes", "Amicale Exemple du 8e"]
ENTREPRISES = ["Boulangerie Fictive SARL", "Café Démo", "Atelier Exemple SAS"]

CANAUX = [
    (CanalSaisine.TELEPHONE, 73),
    (CanalSaisine.PERMANENCE, 9),
    (CanalSaisine.EN_LIGNE, 9),
    (CanalSaisine.COURRIEL, 6),
    (CanalSaisine.COURRIER, 3),
]
TYPES = [(RequerantType.PARTICULIER, 77), (RequerantType.ASSOCIATION, 14), (RequerantType.ENTREPRISE, 9)]
THEMES = [
    (Theme.SALUBRITE_TRANQUILLITE, 26, ["DPM", "DRU"]),
    (Theme.STATIONNEMENT_TRANSPORTS, 19, ["DRU", "DPM"]),
    (Theme.DEMANDES_PECUNIAIRES, 10, ["DPC", "DE"]),
    (Theme.URBANISME_TRAVAUX, 10, ["DGTB", "DRU", "DEU"]),
    (Theme.ACTION_SOCIALE, 7, ["CCAS"]),
    (Theme.ENFANCE, 6, ["DEnf", "DE"]),
    (Theme.LOGEMENT, 6, ["CCAS"]),
    (Theme.COMMERCE, 4, ["DRU"]),
    (Theme.CIMETIERES, 3, ["DCim"]),
    (Theme.CULTURE, 3, ["DC"]),
    (Theme.ESPACES_VERTS, 3, ["DEV"]),
    (Theme.ETAT_CIVIL, 2, ["DPC"]),
    (Theme.AUTRE, 1, ["DDT"]),
]
RECITS = {
    Theme.SALUBRITE_TRANQUILLITE: "Bruit nocturne répété près de chez moi ; mes signalements au service restent sans suite.",
    Theme.STATIONNEMENT_TRANSPORTS: "Je conteste un forfait de stationnement : l'horodateur était hors service ce jour-là.",
    Theme.DEMANDES_PECUNIAIRES: "La Ville me réclame une somme que j'ai déjà payée ; je n'obtiens pas de remboursement.",
    Theme.URBANISME_TRAVAUX: "Des travaux de voirie bloquent l'accès à mon immeuble depuis des semaines sans information.",
    Theme.ACTION_SOCIALE: "Ma demande d'aide facultative a été refusée sans explication compréhensible.",
    Theme.ENFANCE: "Refus de place en crèche alors que ma situation a changé ; le service ne me rappelle pas.",
    Theme.LOGEMENT: "Logement indigne signalé plusieurs fois, aucune visite n'a eu lieu.",
    Theme.COMMERCE: "Mon autorisation de terrasse a été réduite sans préavis.",
    Theme.CIMETIERES: "La concession familiale a été reprise sans que nous soyons prévenus.",
    Theme.CULTURE: "Remboursement d'un abonnement de musée annulé non reçu.",
    Theme.ESPACES_VERTS: "Un arbre menace ma clôture ; ma demande d'élagage n'a pas de réponse.",
    Theme.ETAT_CIVIL: "Erreur dans un acte d'état civil que le service tarde à corriger.",
    Theme.AUTRE: "Je ne sais pas à quel service m'adresser pour mon problème.",
}
PROPOSITIONS = [
    (
        "Répondre à chaque signalement de bruit par un accusé de réception daté",
        "DPM",
        Theme.SALUBRITE_TRANQUILLITE,
    ),
    (
        "Signaler sur l'horodateur lui-même une panne connue et l'annuler dans les forfaits",
        "DRU",
        Theme.STATIONNEMENT_TRANSPORTS,
    ),
    ("Motiver en langage clair les refus d'aide facultative", "CCAS", Theme.ACTION_SOCIALE),
    ("Prévenir les riverains par courrier deux semaines avant des travaux", "DGTB", Theme.URBANISME_TRAVAUX),
    ("Informer les familles avant toute reprise de concession", "DCim", Theme.CIMETIERES),
    ("Publier un délai de réponse pour les demandes d'élagage", "DEV", Theme.ESPACES_VERTS),
    ("Un interlocuteur nommé pour les réclamations de titres de recettes", "DPC", Theme.DEMANDES_PECUNIAIRES),
    ("Permettre de réviser une demande de crèche après un changement de situation", "DEnf", Theme.ENFANCE),
    ("Visite sous un mois après un signalement de logement indigne", "CCAS", Theme.LOGEMENT),
    ("Préavis écrit avant toute réduction d'autorisation de terrasse", "DRU", Theme.COMMERCE),
    ("Rembourser les abonnements culturels annulés sous 30 jours", "DC", Theme.CULTURE),
    ("Correction des actes d'état civil : un délai annoncé au demandeur", "DPC", Theme.ETAT_CIVIL),
    ("Former les agents d'accueil à orienter vers le bon service", "DDT", Theme.AUTRE),
]


def _weighted(rng, items):
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items])[0]


def _business_dt(rng, day: dt.date) -> dt.datetime:
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    naive = dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)))
    return timezone.make_aware(naive)


def _later(rng, start: dt.datetime, lo: int, hi: int) -> dt.datetime:
    return _business_dt(rng, add_business_days(start.date(), rng.randint(lo, hi)))


def seed(*, scale: int = 1, stdout=None) -> None:
    """Create the demo years (idempotent: skipped if demo cases exist)."""
    if Saisine.objects.filter(reference__startswith=PREFIX).exists():
        if stdout:
            stdout.write("Médiation : données de démonstration déjà présentes.")
        return
    from pacte.demo import demo_user

    equipe = [
        demo_user("mediateur", "demo-mediateur-2026", "Claire", "Vasseur", Role.MEDIATEUR),
        demo_user("assistant-mediation", "demo-mediation-2026", "Yves", "Renard", Role.MEDIATEUR),
    ]
    directions = {d.sigle: d for d in Direction.objects.all()}
    arrondissements = list(Arrondissement.objects.all())
    rng = random.Random(2024)
    today = timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        created = []
        for year in (today.year - 1, today.year):
            start = dt.date(year, 1, 2)
            end = today - dt.timedelta(days=1) if year == today.year else dt.date(year, 12, 31)
            days = (end - start).days
            count = int(354 * scale * days / 365)
            for i in range(count):
                created.append(
                    _one_saisine(
                        rng,
                        year,
                        i,
                        start + dt.timedelta(days=rng.randint(0, days)),
                        now,
                        directions,
                        arrondissements,
                        equipe,
                    )
                )
        saisines = Saisine.objects.bulk_create([c[0] for c in created], batch_size=1000)
        transitions, dps, msgs = [], [], []
        for saisine, extra in zip(saisines, (c[1] for c in created), strict=True):
            for t in extra["transitions"]:
                transitions.append(Transition(saisine=saisine, **t))
            for d in extra["demandes"]:
                dps.append(DemandePosition(saisine=saisine, **d))
            for m in extra["messages"]:
                msgs.append(Message(saisine=saisine, **m))
        Transition.objects.bulk_create(transitions, batch_size=2000)
        DemandePosition.objects.bulk_create(dps, batch_size=2000)
        Message.objects.bulk_create(msgs, batch_size=2000)
        # One case with a known follow-up link, for trying the requester's page.
        demo = saisines[-1]
        Saisine.objects.filter(pk=demo.pk).update(
            nom="Exemple", token_hash=token_hash(DEMO_TOKEN), token_expire_at=now + dt.timedelta(days=3650)
        )
        _propositions(rng, today, directions, saisines, equipe[0], scale)
    if stdout:
        stdout.write(
            f"Médiation : {len(saisines)} saisines fictives, {len(dps)} demandes de position, "
            f"{Proposition.objects.count()} propositions. Suivi de démonstration : "
            f"/mediateur/suivi/{DEMO_TOKEN}/ (nom « Exemple » ; le lien ne s'ouvre qu'une fois, "
            "relancez seed_demo pour le rouvrir)."
        )


def _one_saisine(rng, year, i, day, now, directions, arrondissements, equipe):
    recue = _business_dt(rng, day)
    if recue >= now:
        recue = now - dt.timedelta(hours=2)
    theme, _w, sigles = rng.choices(THEMES, weights=[t[1] for t in THEMES])[0]
    kind = _weighted(rng, TYPES)
    canal = _weighted(rng, CANAUX)
    prenom, nom = rng.choice(PRENOMS), rng.choice(NOMS)
    has_email = canal in (CanalSaisine.EN_LIGNE, CanalSaisine.COURRIEL) or rng.random() < 0.55
    assignee = rng.choice(equipe)
    saisine = Saisine(
        reference=f"{PREFIX}{year % 100}{i + 1:04d}",
        requerant_type=kind,
        canal=canal,
        nom=nom,
        prenom=prenom,
        organisme_nom=rng.choice(ASSOS)
        if kind == RequerantType.ASSOCIATION
        else (rng.choice(ENTREPRISES) if kind == RequerantType.ENTREPRISE else ""),
        email=f"{prenom.lower()}.{i}@example.org" if has_email else "",
        telephone=f"+3363998{i % 10000:04d}"[:12],
        arrondissement=rng.choice(arrondissements) if rng.random() < 0.93 else None,
        direction=directions.get(rng.choice(sigles)),
        theme=theme,
        recit=RECITS[theme] + " (cas fictif de démonstration)",
        demarche_prealable=rng.random() < 0.85,
        decision_justice=rng.random() < 0.02,
        elu_implique=rng.random() < 0.19,
        recue_at=recue,
        accuse_at=_later(rng, recue, 0, 3),
        echeance_accuse=add_business_days(recue.date(), 2),
        echeance_reponse=add_business_days(recue.date(), 30),
        assignee=assignee,
        consentement_at=recue if canal == CanalSaisine.EN_LIGNE else None,
    )
    if saisine.accuse_at > now:
        saisine.accuse_at = None
    extra = {"transitions": [], "demandes": [], "messages": []}

    def move(de, vers, at, motif=""):
        extra["transitions"].append({"de": de, "vers": vers, "par": assignee, "at": at, "motif": motif})
        saisine.statut = vers

    def due(at):
        return at < now

    t = _later(rng, recue, 1, 6)
    if not due(t):
        return saisine, extra
    roll = rng.random()
    if not saisine.demarche_prealable and roll < 0.5 or saisine.decision_justice or roll < 0.09:
        saisine.motif_irrecevabilite = (
            MotifIrrecevabilite.DECISION_JUSTICE
            if saisine.decision_justice
            else MotifIrrecevabilite.SANS_DEMARCHE_PREALABLE
            if not saisine.demarche_prealable
            else rng.choice([MotifIrrecevabilite.HORS_COMPETENCE, MotifIrrecevabilite.AUTRE])
        )
        saisine.cloturee_at = t
        move(S.RECUE, S.IRRECEVABLE, t)
        return saisine, extra
    if roll < 0.17:
        saisine.organisme_reorientation = rng.choice(OrganismeReorientation.values)
        saisine.cloturee_at = t
        move(S.RECUE, S.REORIENTEE, t)
        return saisine, extra
    move(S.RECUE, S.RECEVABLE, t)
    t2 = _later(rng, t, 0, 3)
    if not due(t2):
        return saisine, extra
    formelle = rng.random() < 0.40  # of the admissible ones: about a third of all saisines
    saisine.niveau = Niveau.MEDIATION_FORMELLE if formelle else Niveau.PREMIER_NIVEAU
    move(S.RECEVABLE, S.EN_INSTRUCTION, t2)
    t3 = t2
    if formelle:
        direction = saisine.direction or directions["DDT"]
        echeance = add_business_days(t2.date(), 15)
        answered = _later(rng, t2, 4, 25)
        dp = {
            "direction": direction,
            "question": "Pouvez-vous nous indiquer la position du service sur cette situation "
            "et les suites possibles ? (demande fictive)",
            "echeance": echeance,
            "envoyee_at": t2,
            "envoyee_par": assignee,
        }
        if due(answered) and rng.random() < 0.93:
            dp.update(
                reponse="Le service a réexaminé la situation et propose une solution. (réponse fictive)",
                repondue_at=answered,
            )
            t3 = answered
        else:
            overdue = echeance < now.date()
            dp.update(relances=1 if overdue else 0)
            extra["demandes"].append(dp)
            return saisine, extra
        extra["demandes"].append(dp)
    if saisine.elu_implique:
        extra["messages"].append(
            {
                "auteur": assignee,
                "is_interne": True,
                "at": t3,
                "corps": "L'élu d'arrondissement a été associé à la recherche de solution.",
            }
        )
    t4 = _later(rng, t3, 2, 15)
    if not due(t4):
        return saisine, extra
    if rng.random() < 0.45:
        move(S.EN_INSTRUCTION, S.PROPOSITION, t4, "Proposition de solution transmise au requérant (fictive).")
        t4 = _later(rng, t4, 3, 20)
        if not due(t4):
            return saisine, extra
        de = S.PROPOSITION
    else:
        de = S.EN_INSTRUCTION
    saisine.issue = rng.choices(Issue.values, weights=[45, 20, 20, 15])[0]
    saisine.cloturee_at = t4
    move(de, S.CLOTUREE, t4)
    return saisine, extra


def _propositions(rng, today, directions, saisines, auteur, scale):
    plan = {
        today.year - 1: [StatutProposition.MISE_EN_OEUVRE] * 10
        + [StatutProposition.ACCEPTEE] * 8
        + [StatutProposition.REFUSEE] * 5
        + [StatutProposition.FORMULEE] * 3,
        today.year: [StatutProposition.MISE_EN_OEUVRE] * 3
        + [StatutProposition.ACCEPTEE] * 5
        + [StatutProposition.REFUSEE] * 2
        + [StatutProposition.FORMULEE] * 6,
    }
    by_theme: dict[str, list[Saisine]] = {}
    for s in saisines:
        by_theme.setdefault(s.theme, []).append(s)
    for year, statuts in plan.items():
        for n, statut in enumerate(statuts * scale, start=1):
            titre, sigle, theme = PROPOSITIONS[(n - 1) % len(PROPOSITIONS)]
            last = today if year == today.year else dt.date(year, 12, 31)
            formulee = min(
                dt.date(year, 2, 1) + dt.timedelta(days=rng.randint(0, 300)), last - dt.timedelta(days=20)
            )
            p = Proposition(
                numero=f"{year}-{n:02d}",
                titre=titre,
                texte=f"Le médiateur propose : {titre.lower()}. (Proposition fictive de démonstration.)",
                direction=directions[sigle],
                annee=year,
                statut=statut,
                formulee_on=formulee,
                auteur=auteur,
            )
            if statut != StatutProposition.FORMULEE:
                p.repondue_on = min(formulee + dt.timedelta(days=rng.randint(10, 60)), today)
                p.reponse_direction = (
                    "La direction accepte et prévoit une mise en œuvre. (réponse fictive)"
                    if statut != StatutProposition.REFUSEE
                    else "La direction ne retient pas la proposition pour des raisons budgétaires. (réponse fictive)"
                )
            if statut == StatutProposition.MISE_EN_OEUVRE:
                p.mise_en_oeuvre_on = min(p.repondue_on + dt.timedelta(days=rng.randint(15, 120)), today)
                p.preuve = "Note de service diffusée aux agents (exemple fictif)."
            p.save()
            pool = [s for s in by_theme.get(theme, []) if s.recue_at.date() <= formulee]
            p.saisines.set(rng.sample(pool, min(len(pool), rng.randint(1, 3))))
