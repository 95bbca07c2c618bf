"""The écrivain's space: scope, attendance, walk-ins, anonymous session records → observatory."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ecrivains.models import FicheSeance
from nonrecours.models import Observation
from pacte.booking.models import Reservation, Statut
from pacte.roles import Role

pytestmark = pytest.mark.django_db


def test_ecrivain_sees_only_own_appointments_and_others_are_404(deux_ecrivains, client):
    """An écrivain sees their permanences' appointments; another's appointment or permanence is 404."""
    user, mienne, sienne, r1, r2 = deux_ecrivains
    client.force_login(user)
    page = client.get(reverse("ecrivains:mon_espace"))
    assert "Ma cliente" in page.text and "Sa cliente" not in page.text
    assert (
        client.post(
            reverse("ecrivains:rendez_vous_marquer", args=[r2.uuid]), {"statut": "honoree"}
        ).status_code
        == 404
    )
    assert client.get(reverse("ecrivains:passage_create", args=[sienne.uuid])).status_code == 404
    assert client.get(reverse("ecrivains:seance_annuler", args=[sienne.uuid])).status_code == 404
    # Attendance is marked from the appointment's day on (pacte/booking/workflows.py).
    with time_machine.travel(r1.debut - dt.timedelta(hours=1), tick=False):
        client.force_login(user)  # a new day, a new session
        client.post(reverse("ecrivains:rendez_vous_marquer", args=[r1.uuid]), {"statut": "absent"})
    r1.refresh_from_db()
    assert r1.statut == Statut.ABSENT


@pytest.mark.parametrize(
    "role,status",
    [(Role.ECRIVAIN, 200), (Role.ADMIN, 200), (Role.AGENT, 403), (Role.ELU, 403), (Role.ANALYSTE, 403)],
)
def test_space_roles(make_user, client, role, status):
    """Only écrivains (and admins) open the écrivain's space."""
    client.force_login(make_user(role))
    assert client.get(reverse("ecrivains:mon_espace")).status_code == status


def test_anonymous_visitor_is_sent_to_login(client):
    """Staff pages need an account."""
    assert client.get(reverse("ecrivains:mon_espace")).status_code == 302


# A working Tuesday, mid-morning in Lyon: today's slots are still ahead whatever the hour of the run.
MARDI_MATIN = dt.datetime(2027, 7, 6, 10, 0, tzinfo=ZoneInfo("Europe/Paris"))


@time_machine.travel(MARDI_MATIN, tick=False)
def test_walk_in_uses_reserved_places_and_counts_as_received(ecrivain_user, make_permanence, client):
    """A walk-in on today's slot is booked by the engine as 'sur place' and marked arrived."""
    today = timezone.localdate()
    from ecrivains.services import Regle, permanence_create
    from pacte.models import Lieu

    permanence = permanence_create(
        lieu=Lieu.objects.get(slug="mairie-du-5e-arrondissement"),
        titre="Aujourd'hui",
        regles=[Regle(dt.time(0, 0), dt.time(23, 30), date=today)],
        capacite=2,
        places_agents=1,
        ecrivains=[ecrivain_user.ecrivain_public],
        delai_min_heures=0,
    )
    client.force_login(ecrivain_user)
    page = client.get(reverse("ecrivains:passage_create", args=[permanence.uuid]))
    creneau = page.context["form"].fields["creneau"].choices[0][0]
    response = client.post(
        reverse("ecrivains:passage_create", args=[permanence.uuid]), {"creneau": creneau, "nom": ""}
    )
    assert response.status_code == 302
    walk_in = Reservation.objects.get(agenda=permanence.agenda)
    assert walk_in.canal == "sur_place" and walk_in.statut == Statut.HONOREE and not walk_in.compte_en_ligne


def test_session_record_with_right_not_claimed_creates_anonymous_observation(
    ecrivain_user, make_permanence, client
):
    """'Droit non réclamé repéré' records an observation (source écrivain public, ODENORE type, no identity)."""
    permanence = make_permanence(ecrivains=[ecrivain_user])
    client.force_login(ecrivain_user)
    data = {
        "permanence": str(permanence.uuid),
        "date": timezone.localdate().isoformat(),
        "themes": ["caf", "logement"],
        "issue": "oriente_vers",
        "organisme": "caf",
        "duree_minutes": "30",
        "autonomie": "fait_avec",
        "droit_non_reclame": "on",
        "dispositif": "prime_activite",
        "type_odenore": "non_connaissance",
    }
    response = client.post(reverse("ecrivains:fiche_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    fiche = FicheSeance.objects.get()
    assert sorted(fiche.themes.values_list("code", flat=True)) == ["caf", "logement"]
    observation = Observation.objects.get(pk=fiche.observation_id)
    assert observation.source == "ecrivain_public"
    assert observation.type_odenore == "non_connaissance"
    assert observation.arrondissement.numero == 5
    assert observation.orientation == "caf"
    assert list(observation.dispositifs.values_list("code", flat=True)) == ["prime_activite"]
    field_names = {f.name for f in Observation._meta.get_fields()}
    assert not field_names & {"nom", "prenom", "telephone", "email"}


def test_session_record_validation(ecrivain_user, make_permanence, client):
    """Orientation needs an organisme; a right not claimed needs its type; nothing recorded meanwhile."""
    permanence = make_permanence(ecrivains=[ecrivain_user])
    client.force_login(ecrivain_user)
    data = {
        "permanence": str(permanence.uuid),
        "date": timezone.localdate().isoformat(),
        "themes": ["caf"],
        "issue": "oriente_vers",
        "duree_minutes": "30",
        "autonomie": "fait_pour",
        "droit_non_reclame": "on",
    }
    response = client.post(reverse("ecrivains:fiche_create"), data)
    assert response.status_code == 200
    assert (
        "Indiquez vers quel organisme" in response.text and "Indiquez le type de non-recours" in response.text
    )
    assert not FicheSeance.objects.exists() and not Observation.objects.exists()


def test_session_record_without_right_creates_no_observation(ecrivain_user, make_permanence, client):
    """A plain session record does not touch the observatory."""
    permanence = make_permanence(ecrivains=[ecrivain_user])
    client.force_login(ecrivain_user)
    client.post(
        reverse("ecrivains:fiche_create"),
        {
            "permanence": str(permanence.uuid),
            "date": timezone.localdate().isoformat(),
            "themes": ["impots"],
            "issue": "regle",
            "duree_minutes": "20",
            "autonomie": "fait_avec",
        },
    )
    assert FicheSeance.objects.count() == 1 and not Observation.objects.exists()
