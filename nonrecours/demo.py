"""Fictional demo observations (about 3,000 over the last two years; `--scale` multiplies).

Volumes are uneven on purpose (some rights, types and arrondissements are rare) so that the public
page shows both figures and cells hidden by the statistical secret.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from pacte.models import Arrondissement

from .enums import AgeTranche, DroitOuvert, Menage, Orientation, Raison, Situation, Source
from .models import Dispositif, Observation, ObservationDispositif
from .rollup import rollup_rebuild

PER_SCALE = 3000
DISPOSITIF_WEIGHTS = {
    "rsa": 30,
    "prime_activite": 22,
    "css": 18,
    "aides_logement": 16,
    "cheque_energie": 12,
    "allocations_familiales": 6,
    "tarification_solidaire": 5,
    "aides_facultatives_ccas": 2,
    "domiciliation": 0.6,
}
TYPE_WEIGHTS = {"non_connaissance": 45, "non_demande": 22, "non_reception": 20, "non_proposition": 4, "": 9}
ARR_WEIGHTS = {1: 4, 2: 3, 3: 10, 4: 2, 5: 4, 6: 3, 7: 20, 8: 22, 9: 12, None: 1}
SOURCE_WEIGHTS = {
    Source.ACCUEIL_MAIRIE: 35,
    Source.TELEPHONE: 15,
    Source.ECRIVAIN_PUBLIC: 20,
    Source.MEDIATION: 5,
    Source.CCAS: 15,
    Source.USAGER_DEMARCHE: 8,
    Source.PARTENAIRE: 2,
}
DEMARCHES = [
    ("demande-de-logement-social", "Demander un logement social (fictif)"),
    ("inscription-restauration-scolaire", "Inscrire son enfant à la restauration scolaire (fictif)"),
    ("quotient-familial-municipal", "Faire calculer son quotient familial (fictif)"),
]


def _pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


@transaction.atomic
def seed(*, scale: int = 1, stdout=None) -> None:
    target = PER_SCALE * scale
    if Observation.objects.count() >= target:
        if stdout:
            stdout.write("Non-recours : observations de démonstration déjà présentes.")
        return
    rng = random.Random(2026)
    dispositifs = {d.code: d for d in Dispositif.objects.all()}
    arrondissements = {a.numero: a for a in Arrondissement.objects.all()}
    agent = get_user_model().objects.filter(username="agent").first()
    today = timezone.localdate()
    observations = []
    codes_by_obs = []
    # The choices' values once (each `.values` builds a new list): 3 000 rows × 6 fields.
    raisons, ages, menages = Raison.values, AgeTranche.values, Menage.values
    situations, orientations, droits = Situation.values, Orientation.values, DroitOuvert.values
    for index in range(target):
        # More recent situations are more frequent (the observatory ramps up).
        days_ago = int(730 * rng.random() ** 1.3)
        type_code = _pick(rng, TYPE_WEIGHTS)
        source = (
            Source.USAGER_DEMARCHE if type_code == "" and rng.random() < 0.6 else _pick(rng, SOURCE_WEIGHTS)
        )
        numero = _pick(rng, ARR_WEIGHTS)
        demarche = (
            rng.choice(DEMARCHES) if source == Source.USAGER_DEMARCHE or rng.random() < 0.12 else ("", "")
        )
        codes = {_pick(rng, DISPOSITIF_WEIGHTS)}
        if rng.random() < 0.2:
            codes.add(_pick(rng, DISPOSITIF_WEIGHTS))
        recorded_by = agent if agent is not None and index % 100 == 0 else None
        observations.append(
            Observation(
                observed_on=today - dt.timedelta(days=days_ago),
                source=source,
                type_odenore=type_code,
                raisons=sorted(rng.sample(raisons, rng.choice([0, 1, 1, 2]))),
                arrondissement=arrondissements.get(numero),
                age_tranche=rng.choice(ages),
                menage=rng.choice(menages),
                situation=rng.choice(situations),
                demarche_slug=demarche[0],
                demarche_titre=demarche[1],
                orientation=rng.choice(orientations),
                droit_ouvert=rng.choice(droits) if days_ago > 60 else "",
                recorded_by=recorded_by,
            )
        )
        codes_by_obs.append(sorted(c for c in codes if c in dispositifs))
    created = Observation.objects.bulk_create(observations, batch_size=2000)
    ObservationDispositif.objects.bulk_create(
        (
            ObservationDispositif(
                observation=obs,
                dispositif=dispositifs[code],
                observed_on=obs.observed_on,
                type_odenore=obs.type_odenore,
                arrondissement=obs.arrondissement,
                has_demarche=bool(obs.demarche_slug),
            )
            for obs, codes in zip(created, codes_by_obs, strict=True)
            for code in codes
        ),
        batch_size=2000,
    )
    rollup_rebuild()
    if stdout:
        stdout.write(f"Non-recours : {len(created)} observations fictives créées.")
