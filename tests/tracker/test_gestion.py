"""Back office of the pilot directions: role × scope matrix (other direction → 404), updates."""

import pytest

from pacte.models import Direction, JournalEntry
from pacte.roles import Role
from pacte.tracker.enums import Statut
from pacte.tracker.models import Action, IndicateurSaisi, Jalon, MesureIndicateur

pytestmark = pytest.mark.django_db


@pytest.fixture
def a12():
    action = Action.objects.get(code="A12")
    action.direction = Direction.objects.get(sigle="DDT")
    action.save()
    return action


@pytest.mark.parametrize(
    ("role", "direction", "expected"),
    [
        (None, None, 302),
        (Role.AGENT, None, 403),
        (Role.ELU, None, 403),
        (Role.REFERENT, "CCAS", 404),
        (Role.REFERENT, None, 404),
        (Role.REFERENT, "DDT", 200),
        (Role.ADMIN, None, 200),
    ],
)
def test_back_office_scope(client, make_user, a12, role, direction, expected):
    """Only the pilot direction's référents and administrators reach the action's back office."""
    if role:
        profil = {"direction": Direction.objects.get(sigle=direction)} if direction else {}
        client.force_login(make_user(role, **profil))
    assert client.get("/pacte/gestion/actions/A12/").status_code == expected
    response = client.post(
        "/pacte/gestion/actions/A12/",
        {"formulaire": "avancement", "avancement-statut": "realisee", "avancement-avancement": 100},
    )
    assert response.status_code == (302 if expected == 200 else expected)
    a12.refresh_from_db()
    assert (a12.statut == Statut.REALISEE) == (expected == 200)


def test_referent_list_shows_only_their_direction(client, make_user, a12):
    """The back office list of a référent shows only the actions their direction pilots."""
    client.force_login(make_user(Role.REFERENT, direction=Direction.objects.get(sigle="DDT")))
    response = client.get("/pacte/gestion/")
    assert (
        "/pacte/gestion/actions/A12/" in response.text and "/pacte/gestion/actions/A1/" not in response.text
    )
    assert "Importer" not in response.text


def test_referent_adds_a_milestone_and_a_measure_with_clear_errors(client, make_user, a12):
    """Bad input gets French messages and keeps values; good input is saved and journaled."""
    user = make_user(Role.REFERENT, direction=Direction.objects.get(sigle="DDT"))
    client.force_login(user)
    response = client.post(
        "/pacte/gestion/actions/A12/",
        {"formulaire": "jalon", "jalon-titre": "Ouverture", "jalon-preuve_url": "pas une url"},
    )
    assert response.status_code == 200 and "Indiquez la date du jalon." in response.text
    assert 'value="Ouverture"' in response.text
    response = client.post(
        "/pacte/gestion/actions/A12/",
        {
            "formulaire": "jalon",
            "jalon-titre": "Ouverture",
            "jalon-date_on": "2026-03-02",
            "jalon-is_published": "on",
        },
    )
    assert response.status_code == 302
    assert Jalon.objects.filter(action=a12, titre="Ouverture").exists()
    indicateur = IndicateurSaisi.objects.create(action=a12, titre="Mairies équipées", unite="mairies")
    response = client.post(
        "/pacte/gestion/actions/A12/",
        {"formulaire": "mesure", "mesure-indicateur": indicateur.pk, "mesure-periode_on": "2026-06-30"},
    )
    assert "au moins une cible" in response.text
    for realise in (4, 5):  # a second measure at the same date corrects the first
        client.post(
            "/pacte/gestion/actions/A12/",
            {
                "formulaire": "mesure",
                "mesure-indicateur": indicateur.pk,
                "mesure-periode_on": "2026-06-30",
                "mesure-cible": 9,
                "mesure-realise": realise,
            },
        )
    assert list(MesureIndicateur.objects.values_list("realise", flat=True)) == [5]
    public = client.get("/pacte/actions/A12/").text
    assert "Mairies équipées" in public and "Cible et réalisé" in public
    assert JournalEntry.objects.filter(actor=user, action="tracker.jalon_ajoute").exists()
    response = client.post(
        "/pacte/gestion/actions/A12/",
        {"formulaire": "avancement", "avancement-statut": "realisee", "avancement-avancement": 50},
    )
    assert "Une action réalisée est avancée à 100 %." in response.text


def test_measure_form_refuses_another_actions_indicator(client, make_user, a12):
    """An indicator of another action cannot be chosen (scope inside the form)."""
    client.force_login(make_user(Role.REFERENT, direction=Direction.objects.get(sigle="DDT")))
    other = IndicateurSaisi.objects.create(action=Action.objects.get(code="A1"), titre="Autre")
    response = client.post(
        "/pacte/gestion/actions/A12/",
        {
            "formulaire": "mesure",
            "mesure-indicateur": other.pk,
            "mesure-periode_on": "2026-06-30",
            "mesure-cible": 1,
        },
    )
    assert response.status_code == 200 and not MesureIndicateur.objects.exists()
