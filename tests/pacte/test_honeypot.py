"""The honeypot of the public forms (pacte.forms.HoneypotMixin, #19.3): people never see it, a
robot that fills it is refused quietly and counted; the forms keep working for people."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from demarches.models import DemandeRappel
from mediation.models import Saisine
from pacte.booking.models import Reservation
from pacte.booking.selectors import prochain_creneau
from pacte.forms import HONEYPOT_FIELD, HONEYPOT_MESSAGE
from pacte.journal import JournalEntry
from pacte.roles import Role
from tests.mediation.factories import saisine_form_data

pytestmark = pytest.mark.django_db

PERSONNE = {"nom": "Martin", "prenom": "Camille", "telephone": "06 12 34 56 78", "cle_idempotence": ""}


def _pot(html: str) -> str:
    """The honeypot's wrapper in a page."""
    match = re.search(r'<div class="visuellement-cache" aria-hidden="true">.*?</div>', html, re.S)
    assert match, "no honeypot in the page"
    return match.group(0)


def _booking_url(make_agenda):
    agenda = make_agenda()
    return reverse("booking:formulaire", args=[agenda.uuid, prochain_creneau(agenda).cle])


@pytest.fixture
def make_agenda(lieu_mairie):
    from pacte.booking.models import Agenda, RegleOuverture

    def factory():
        import datetime as dt

        agenda = Agenda.objects.create(lieu=lieu_mairie, titre="Guichet", delai_min_heures=0)
        for jour in range(7):
            RegleOuverture.objects.create(
                agenda=agenda, jour_semaine=jour, heure_debut=dt.time(8), heure_fin=dt.time(18)
            )
        return agenda

    return factory


@pytest.fixture
def lieu_mairie(db):
    from pacte.models import Lieu

    return Lieu.objects.get(slug="mairie-du-6e-arrondissement")


@pytest.mark.parametrize("url", ["booking", "rappel", "saisine", "retrouver"])
def test_the_honeypot_is_hidden_from_people_and_assistive_technologies(client, make_agenda, url):
    """Off-screen, aria-hidden, out of the Tab order, never autofilled, labelled « Laissez ce champ vide »."""
    urls = {
        "booking": lambda: _booking_url(make_agenda),
        "rappel": lambda: reverse("demarches:rappel_demande"),
        "saisine": lambda: reverse("mediation:saisir"),
        "retrouver": lambda: reverse("booking:retrouver"),
    }
    pot = _pot(client.get(urls[url]()).content.decode())
    assert f'name="{HONEYPOT_FIELD}"' in pot
    assert 'tabindex="-1"' in pot and 'autocomplete="off"' in pot
    assert "Laissez ce champ vide" in pot


def test_a_filled_honeypot_refuses_the_booking_quietly_and_is_counted(client, make_agenda):
    """No booking, a neutral message at the top (the field is never named), what was typed kept,
    the honeypot back empty, one journal entry; the same form without it books."""
    url = _booking_url(make_agenda)
    client.get(url)
    response = client.post(url, {**PERSONNE, HONEYPOT_FIELD: "http://spam.example"})
    html = response.content.decode()
    assert Reservation.objects.count() == 0
    assert HONEYPOT_MESSAGE.replace("'", "&#x27;") in html
    assert 'value="Martin"' in html and "http://spam.example" not in html
    assert (
        JournalEntry.objects.filter(action="pacte.pot_de_miel", data={"form": "ReservationForm"}).count() == 1
    )
    response = client.post(url, PERSONNE)
    assert response.status_code == 302
    assert Reservation.objects.count() == 1


def test_a_filled_honeypot_refuses_a_callback_and_a_saisine(client):
    """The callback request and the médiateur's saisine forms share the same honeypot."""
    rappel = {"nom": "Martin", "telephone": "06 12 34 56 78", "objet": "Ma carte grise"}
    client.post(reverse("demarches:rappel_demande"), {**rappel, HONEYPOT_FIELD: "x"})
    client.post(reverse("mediation:saisir"), saisine_form_data(**{HONEYPOT_FIELD: "x"}))
    assert DemandeRappel.objects.count() == 0 and Saisine.objects.count() == 0
    assert JournalEntry.objects.filter(action="pacte.pot_de_miel").count() == 2
    assert client.post(reverse("demarches:rappel_demande"), rappel).status_code == 302
    assert client.post(reverse("mediation:saisir"), saisine_form_data()).status_code == 302
    assert DemandeRappel.objects.count() == 1 and Saisine.objects.count() == 1


def test_agent_forms_have_no_honeypot(client, make_user, make_agenda):
    """Agents are no robots: their booking form has no trap field."""
    agent = make_user(Role.AGENT)
    client.force_login(agent)
    agenda = make_agenda()
    slot = prochain_creneau(agenda, pour_agent=True)
    html = client.get(reverse("booking:agent_reserver", args=[agenda.uuid]) + f"?creneau={slot.cle}").content
    assert HONEYPOT_FIELD.encode() not in html


def test_the_waiting_list_form_has_the_honeypot_for_people_only(client, make_agenda, make_user):
    """The public waiting-list form refuses a filled honeypot (nobody registered, counted); the
    agents' version of the same form has no trap field."""
    from pacte.booking.models import InscriptionAttente

    agenda = make_agenda()
    url = reverse("booking:attente_inscription", args=[agenda.uuid])
    assert f'name="{HONEYPOT_FIELD}"' in _pot(client.get(url).content.decode())
    data = {"nom": "Martin", "telephone": "06 12 34 56 78"}
    client.post(url, {**data, HONEYPOT_FIELD: "x"})
    assert InscriptionAttente.objects.count() == 0
    assert JournalEntry.objects.filter(data={"form": "InscriptionAttenteForm"}).count() == 1
    assert client.post(url, data).status_code == 302
    assert InscriptionAttente.objects.count() == 1
    from pacte.booking.forms import InscriptionAttenteForm

    assert HONEYPOT_FIELD not in InscriptionAttenteForm(par_agent=True).fields
