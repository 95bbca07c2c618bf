"""The observation_record service: validation, journal, no identity."""

import datetime

import pytest
from django.utils import timezone

from nonrecours.models import Dispositif, Observation, ObservationDispositif
from nonrecours.services import observation_record
from pacte.models import Arrondissement, JournalEntry
from pacte.roles import Role

pytestmark = pytest.mark.django_db


def test_reference_loads_dispositifs_with_source():
    """The rights catalogue is seeded from the CSV with its sources."""
    rsa = Dispositif.objects.get(code="rsa")
    assert rsa.porteur and rsa.source.startswith("https://")
    assert Dispositif.objects.count() == 9


def test_reference_is_idempotent_and_keeps_analyst_edits():
    """Reloading the CSV creates nothing new and keeps what analysts edited."""
    from nonrecours.reference import load

    Dispositif.objects.filter(code="rsa").update(nom="RSA (modifié)", is_active=False)
    load()
    load()
    rsa = Dispositif.objects.get(code="rsa")
    assert (rsa.nom, rsa.is_active, Dispositif.objects.count()) == ("RSA (modifié)", False, 9)


def test_record_full_observation_is_journaled(make_user):
    """A full observation is stored with its rights, denormalised keys and a journal entry."""
    agent = make_user(Role.AGENT)
    arr = Arrondissement.objects.get(numero=7)
    obs = observation_record(
        source="accueil_mairie",
        type_odenore="non_connaissance",
        dispositifs=["rsa", "css"],
        raisons=["complexite", "numerique"],
        arrondissement=arr,
        demarche_slug="demande-rsa",
        demarche_titre="Demander le RSA",
        orientation="mdms",
        age_tranche="25_39",
        menage="monoparentale",
        situation="sans_emploi",
        observed_on=datetime.date(2026, 3, 2),
        actor=agent,
    )
    assert sorted(obs.dispositifs.values_list("code", flat=True)) == ["css", "rsa"]
    assert obs.raisons == ["complexite", "numerique"]
    links = ObservationDispositif.objects.filter(observation=obs)
    assert {(link.type_odenore, link.arrondissement_id, link.has_demarche) for link in links} == {
        ("non_connaissance", arr.pk, True)
    }
    entry = JournalEntry.objects.get(action="nonrecours.observation", object_id=str(obs.pk))
    assert entry.actor == agent


def test_minimal_citizen_difficulty_without_actor():
    """A citizen difficulty (unqualified type, no actor) is accepted and journaled as « usager »."""
    obs = observation_record(source="usager_demarche", demarche_slug="carte-identite", arrondissement=3)
    assert obs.type_odenore == "" and obs.arrondissement.numero == 3
    assert obs.observed_on == timezone.localdate()
    assert JournalEntry.objects.get(object_id=str(obs.pk)).actor_label == "usager"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"source": "inconnue"},
        {"source": ""},
        {"source": "ccas", "type_odenore": "non_orientation"},
        {"source": "ccas", "dispositifs": ["rsa", "licorne"]},
        {"source": "ccas", "dispositifs": "rsa"},
        {"source": "ccas", "raisons": ["flemme"]},
        {"source": "ccas", "orientation": "Mme Dupont au 2e étage"},
        {"source": "ccas", "age_tranche": "42"},
        {"source": "ccas", "menage": "x"},
        {"source": "ccas", "situation": "x"},
        {"source": "ccas", "arrondissement": 12},
        {"source": "ccas", "demarche_slug": "Jean Dupont"},
        {"source": "ccas", "observed_on": datetime.date(2099, 1, 1)},
    ],
)
def test_unknown_codes_are_refused(kwargs):
    """Unknown codes (or free text) raise ValueError and store nothing."""
    with pytest.raises(ValueError):
        observation_record(**kwargs)
    assert not Observation.objects.exists()


def test_no_identity_field_on_the_model():
    """The Observation model has no field able to hold an identity (name, contact, birth, free note)."""
    names = {f.name for f in Observation._meta.get_fields()}
    forbidden = {
        "nom",
        "prenom",
        "name",
        "email",
        "telephone",
        "adresse",
        "date_naissance",
        "commentaire",
        "note",
    }
    assert not names & forbidden
    text_fields = [
        f.name
        for f in Observation._meta.get_fields()
        if getattr(f, "get_internal_type", lambda: "")() in {"TextField"}
    ]
    assert text_fields == []
    free_chars = [
        f.name
        for f in Observation._meta.concrete_fields
        if f.get_internal_type() == "CharField" and not f.choices and f.name != "demarche_titre"
    ]
    assert free_chars == []


def test_rollup_kept_in_step_with_observations():
    """The monthly roll-up updated by the service equals a full recomputation from the observations."""
    from nonrecours.models import StatMensuelle
    from nonrecours.rollup import rollup_rebuild

    for i in range(5):
        observation_record(
            source="ccas",
            type_odenore="non_demande" if i % 2 else "",
            dispositifs=["rsa", "css"][: 1 + i % 2],
            arrondissement=(i % 3) or None,
            demarche_slug="x" if i == 4 else "",
            observed_on=datetime.date(2026, 1 + i % 2, 10),
        )
    live = set(
        StatMensuelle.objects.values_list(
            "mois", "dispositif_code", "type_odenore", "arrondissement", "has_demarche", "n"
        )
    )
    rollup_rebuild()
    rebuilt = set(
        StatMensuelle.objects.values_list(
            "mois", "dispositif_code", "type_odenore", "arrondissement", "has_demarche", "n"
        )
    )
    assert live == rebuilt
    assert sum(row[5] for row in live if row[1] == "") == 5
