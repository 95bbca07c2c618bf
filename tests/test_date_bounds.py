"""Dates that cannot be right are refused next to their field, in French (#15.11).

`pacte.forms.DateField(not_past=…, not_future=…)` is the one place; each form that needs it says so.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pacte.models import Direction

pytestmark = pytest.mark.django_db


def _days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def test_position_request_refuses_a_deadline_in_the_past():
    """The médiateur's request for position cannot be due yesterday; today or later is fine."""
    from mediation.forms import DemandePositionForm

    direction = Direction.objects.first()
    base = {"dp-direction": direction.pk, "dp-question": "Votre position ?"}
    form = DemandePositionForm({**base, "dp-echeance": _days(-1)})
    assert not form.is_valid()
    assert form.errors["echeance"] == ["Cette date est déjà passée. Choisissez une échéance à venir."]
    assert DemandePositionForm({**base, "dp-echeance": _days(0)}).is_valid()


def test_saisine_refuses_a_contact_date_in_the_future(client):
    """« À quelle date ? » (the service already contacted) cannot be tomorrow: message next to the field."""
    data = {
        "requerant_type": "particulier",
        "nom": "Garcia",
        "email": "g@example.org",
        "theme": "autre",
        "recit": "Texte",
        "demarche_prealable": "oui",
        "demarche_prealable_on": _days(1),
        "decision_justice": "non",
        "consentement": "on",
    }
    response = client.post(reverse("mediation:saisir"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["demarche_prealable_on"] == [
        "Cette date n'est pas encore arrivée. Indiquez quand vous avez contacté le service."
    ]
    assert 'value="Garcia"' in response.text


def test_ecrivain_finder_refuses_a_date_in_the_past(client):
    """The finder says a past date is past, next to the field, instead of silently showing nothing."""
    response = client.get(reverse("ecrivains:recherche"), {"date": _days(-1)})
    assert response.status_code == 200
    assert "Cette date est déjà passée. Choisissez aujourd&#x27;hui ou un jour à venir." in response.text
    assert not client.get(reverse("ecrivains:recherche"), {"date": _days(0)}).context["form"].errors
