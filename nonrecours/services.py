"""The observatory's write API: the one function every module calls to record a situation.

No identity is ever passed or stored: every argument is a code from a closed list (enums.py), an
arrondissement, a date or a démarche reference. Unknown codes raise ValueError (a programming error
in the caller, never a user input problem: forms validate choices first).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from pacte.journal import journal_record
from pacte.models import Arrondissement

from .enums import AgeTranche, DroitOuvert, Menage, Orientation, Raison, Situation, Source, TypeOdenore
from .models import Dispositif, Observation, ObservationDispositif
from .rollup import rollup_add


def dispositif_choices(*, actifs: bool = True) -> list[tuple[str, str]]:
    """The rights catalogue as form choices (code, name), by name, read from the database: a
    dispositif an analyst adds or deactivates in the observatory shows in every app's form at once.
    The one way other apps read the catalogue (they do not import `nonrecours.models`)."""
    qs = Dispositif.objects.actifs() if actifs else Dispositif.objects.all()
    return list(qs.order_by("nom", "code").values_list("code", "nom"))


SLUG_RE = re.compile(r"^[-a-z0-9_]{0,100}$")


def _check(value: str, choices, name: str) -> str:
    value = value or ""
    if value not in choices.values:
        raise ValueError(f"{name} inconnu : {value!r} (attendu : {', '.join(map(repr, choices.values))})")
    return value


def _codes(values: Iterable[str] | str, allowed: set[str], name: str) -> list[str]:
    if isinstance(values, str):
        raise ValueError(f"{name} : une liste de codes est attendue, pas une chaîne")
    result: list[str] = []
    for value in values:
        if value not in allowed:
            raise ValueError(f"{name} inconnu : {value!r}")
        if value not in result:
            result.append(value)
    return result


@transaction.atomic
def observation_record(
    *,
    source: str,
    type_odenore: str = "",
    dispositifs: list[str] = (),
    raisons: list[str] = (),
    arrondissement=None,
    demarche_slug: str = "",
    demarche_titre: str = "",
    orientation: str = "",
    age_tranche: str = "",
    menage: str = "",
    situation: str = "",
    observed_on: datetime.date | None = None,
    actor=None,
) -> Observation:
    """Record one anonymous observation and journal it (actor if any).

    `dispositifs` are Dispositif codes (data/reference/dispositifs.csv, inactive ones included so
    that a deactivation does not break a caller); `arrondissement` is a pacte Arrondissement, its
    numero (1–9) or None. `demarche_slug`/`demarche_titre` link to /demarches/<slug>/ without a
    foreign key (the catalogue belongs to another app).
    """
    source = _check(source, Source, "source")
    if not source:
        raise ValueError("source obligatoire")
    type_odenore = _check(type_odenore, TypeOdenore, "type_odenore")
    orientation = _check(orientation, Orientation, "orientation")
    age_tranche = _check(age_tranche, AgeTranche, "age_tranche")
    menage = _check(menage, Menage, "menage")
    situation = _check(situation, Situation, "situation")
    raisons = _codes(raisons, set(Raison.values), "raison")
    codes = _codes(dispositifs, set(Dispositif.objects.values_list("code", flat=True)), "dispositif")
    if isinstance(arrondissement, int):
        arrondissement = Arrondissement.objects.filter(numero=arrondissement).first()
        if arrondissement is None:
            raise ValueError("arrondissement inconnu")
    elif arrondissement is not None and not isinstance(arrondissement, Arrondissement):
        raise ValueError("arrondissement : une instance d'Arrondissement, un numéro ou None est attendu")
    demarche_slug = (demarche_slug or "").strip()
    if not SLUG_RE.match(demarche_slug):
        raise ValueError(f"demarche_slug invalide : {demarche_slug!r}")
    demarche_titre = (demarche_titre or "").strip()[:200]
    if observed_on is None:
        observed_on = timezone.localdate()
    if observed_on > timezone.localdate():
        raise ValueError("observed_on ne peut pas être dans le futur")

    user = actor if getattr(actor, "is_authenticated", False) else None
    observation = Observation.objects.create(
        observed_on=observed_on,
        source=source,
        type_odenore=type_odenore,
        raisons=raisons,
        arrondissement=arrondissement,
        age_tranche=age_tranche,
        menage=menage,
        situation=situation,
        demarche_slug=demarche_slug,
        demarche_titre=demarche_titre,
        orientation=orientation,
        recorded_by=user,
    )
    if codes:
        by_code = {d.code: d for d in Dispositif.objects.filter(code__in=codes)}
        ObservationDispositif.objects.bulk_create(
            ObservationDispositif(
                observation=observation,
                dispositif=by_code[code],
                observed_on=observed_on,
                type_odenore=type_odenore,
                arrondissement=arrondissement,
                has_demarche=bool(demarche_slug),
            )
            for code in codes
        )
    rollup_add(observation, codes)
    journal_record(
        action="nonrecours.observation",
        actor=user,
        obj=observation,
        message=f"Observation de non-recours ({source})",
        data={"source": source, "type_odenore": type_odenore, "dispositifs": codes},
    )
    return observation


@transaction.atomic
def observation_suivi(*, observation: Observation, droit_ouvert: str, actor) -> Observation:
    """Record the follow-up « droit ouvert ? » on an observation (journaled)."""
    droit_ouvert = _check(droit_ouvert, DroitOuvert, "droit_ouvert")
    observation.droit_ouvert = droit_ouvert
    observation.suivi_le = timezone.now()
    observation.save(update_fields=["droit_ouvert", "suivi_le"])
    journal_record(
        action="nonrecours.suivi",
        actor=actor,
        obj=observation,
        message=f"Suivi : droit ouvert = {droit_ouvert or 'inconnu'}",
        data={"droit_ouvert": droit_ouvert},
    )
    return observation
