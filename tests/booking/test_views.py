"""Views: the citizen journey with the test client, the secret link, agent screens and permissions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from pacte.booking.models import Reservation, Retenue, Statut
from pacte.booking.selectors import prochain_creneau
from pacte.booking.services import reservation_create
from pacte.roles import Role

from .conftest import at

pytestmark = pytest.mark.django_db


def cle(html: str) -> str:
    return re.search(r'name="cle_idempotence" value="([^"]+)"', html).group(1)


def form_data(html: str, **extra) -> dict:
    data = {
        "nom": "Dupont",
        "prenom": "Jeanne",
        "telephone": "06 12 34 56 78",
        "email": "",
        "cle_idempotence": cle(html),
    }
    data.update(extra)
    return data


@pytest.fixture
def slot(agenda):
    return prochain_creneau(agenda)


def test_agenda_page_shows_lieu_accessibility_days_and_slots(client, agenda, slot):
    """The agenda page shows what is booked, the lieu with accessibility, days and (for a day) slot links."""
    url = reverse("booking:agenda", args=[agenda.uuid])
    jour = timezone.localtime(slot.debut).date()
    response = client.get(url, {"jour": jour.isoformat()})
    html = response.text
    assert response.status_code == 200
    assert "Carte d&#x27;identité et passeport" in html and agenda.lieu.nom in html
    assert "Accessibilité" in html and "Une photo d&#x27;identité récente" in html
    assert reverse("booking:formulaire", args=[agenda.uuid, slot.cle]) in html


def test_htmx_day_gets_the_slots_fragment_and_agrees_with_the_full_page(client, agenda, slot):
    """With htmx, choosing a day returns only the slots fragment, identical to the full page's part."""
    url = reverse("booking:agenda", args=[agenda.uuid])
    params = {"jour": timezone.localtime(slot.debut).date().isoformat()}
    fragment = client.get(url, params, headers={"HX-Request": "true"}).text
    full = client.get(url, params).text
    assert fragment.strip().startswith('<div id="creneaux"') and "<html" not in fragment
    assert fragment.strip() in full


def test_citizen_books_then_sees_the_confirmation_with_reference_and_checklist(client, agenda, slot):
    """POST books, redirects (PRG) to the secret-link page already verified, with reference and checklist."""
    url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
    page = client.get(url)
    assert 'autocomplete="family-name"' in page.text and 'autocomplete="tel"' in page.text
    response = client.post(url, form_data(page.text, besoins=["acces_plain_pied"]))
    assert response.status_code == 302 and "/reservation/mon-rendez-vous/" in response["Location"]
    confirmation = client.get(response["Location"])
    reservation = Reservation.objects.get()
    assert "Votre rendez-vous est confirmé" in confirmation.text
    assert reservation.reference in confirmation.text and "À apporter" in confirmation.text
    assert reservation.besoins == ["acces_plain_pied"] and reservation.canal == "en_ligne"


def test_double_submission_creates_one_reservation(client, agenda, slot):
    """The same form posted twice books once; the second answer confirms without a second booking."""
    url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
    data = form_data(client.get(url).text)
    first = client.post(url, data)
    second = client.post(url, data)
    assert Reservation.objects.count() == 1
    assert second.status_code == 302 and "/reservation/confirmation/" in second["Location"]
    page = client.get(second["Location"])
    assert page.status_code == 200 and Reservation.objects.get().reference in page.text
    assert first["Location"] != second["Location"]


def test_bad_input_keeps_values_and_shows_french_messages(client, agenda, slot):
    """Errors are shown next to the fields in French, typed values are kept, nothing is booked."""
    url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
    data = form_data(client.get(url).text, nom="", telephone="", email="pas-un-courriel", prenom="Jeanne")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Indiquez votre nom de famille." in response.text
    assert "adresse de courriel n&#x27;est pas valide" in response.text
    assert 'value="Jeanne"' in response.text
    response = client.post(url, form_data(client.get(url).text, telephone="", email=""))
    assert "au moins l&#x27;un des deux" in response.text
    response = client.post(url, form_data(client.get(url).text, telephone="01 02"))
    assert "numéro de téléphone n&#x27;est pas valide" in response.text
    assert not Reservation.objects.exists()


def test_slot_just_taken_gives_the_friendly_409_page(client, agenda, slot):
    """When the slot was taken meanwhile (the visitor's hold had expired), the answer is 409 'Ce
    créneau vient d'être pris' with next slots."""
    url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
    data = form_data(client.get(url).text)
    Retenue.objects.update(expire_at=timezone.now() - dt.timedelta(seconds=1))
    reservation_create(agenda=agenda, debut=slot.debut, nom="Rapide", prenom="A", email="a@example.org")
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Ce créneau vient d'être pris" in response.text
    assert response.text.count("/reservation/" + str(agenda.uuid) + "/") >= 3


def test_unknown_or_malformed_slot_never_500(client, agenda):
    """A slot that is not open shows the next free slots; a malformed one is a 404."""
    assert client.get(f"/reservation/{agenda.uuid}/2020-01-01T09:00/").status_code == 200
    assert client.get(f"/reservation/{agenda.uuid}/2027-13-45T09:00/").status_code == 404


@pytest.fixture
def booked(agenda, slot):
    reservation, token = reservation_create(
        agenda=agenda, debut=slot.debut, nom="Élodie-Marie Dùpont", prenom="Jeanne", email="j@example.org"
    )
    return reservation, token


def _open(client, token) -> str:
    """Follow the emailed link: it is exchanged for the session (303) to the token-less page."""
    response = client.get(reverse("booking:gerer", args=[token]))
    assert response.status_code == 303 and token not in response["Location"]
    return response["Location"]


def test_secret_link_requires_the_first_letters_of_the_surname(client, booked):
    """No personal data before the identity check; wrong letters refused; right ones (accents ignored) accepted."""
    reservation, token = booked
    url = _open(client, token)
    page = client.get(url)
    assert page.status_code == 200 and "Dùpont" not in page.text and reservation.reference not in page.text
    assert client.get(reverse("booking:ics", args=[reservation.uuid])).status_code == 404
    wrong = client.post(url, {"debut_nom": "abc"})
    assert "ne correspondent pas" in wrong.text and "Dùpont" not in wrong.text
    assert client.post(url, {"debut_nom": "elo"}).status_code == 302
    details = client.get(url)
    assert "Dùpont" in details.text and reservation.reference in details.text
    ics = client.get(reverse("booking:ics", args=[reservation.uuid]))
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")


def test_identity_check_is_throttled(client, booked, settings):
    """After 5 wrong answers the link answers 429 even to the right letters."""
    _reservation, token = booked
    url = _open(client, token)
    for _ in range(5):
        client.post(url, {"debut_nom": "zzz"})
    blocked = client.post(url, {"debut_nom": "elo"})
    assert blocked.status_code == 429 and "Trop d'essais" in blocked.text
    assert "Recevoir un nouveau lien" in blocked.text


def test_unknown_and_expired_links_show_a_clear_page(client, booked):
    """An unknown or expired token gives a clear French page (404), not an error."""
    reservation, token = booked
    assert "Ce lien ne fonctionne plus" in client.get("/reservation/gerer/inconnu/").text
    Reservation.objects.filter(pk=reservation.pk).update(
        token_expire_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(reverse("booking:gerer", args=[token]))
    assert response.status_code == 404 and "Ce lien ne fonctionne plus" in response.text


def _verified(client, token) -> str:
    url = _open(client, token)
    client.post(url, {"debut_nom": "elo"})
    return url


def test_citizen_cancels_through_the_link_with_a_confirmation_step(client, booked):
    """Cancel is a confirmation page then a POST; the booking is cancelled and the place freed."""
    reservation, token = booked
    url = _verified(client, token)
    assert "Oui, annuler" in client.get(url, {"action": "annuler"}).text
    assert client.post(url, {"action": "annuler"}).status_code == 302
    reservation.refresh_from_db()
    assert reservation.statut == Statut.ANNULEE
    page = client.get(url)
    assert "Votre rendez-vous est annulé" in page.text
    assert client.post(url, {"action": "annuler"}).status_code == 302  # no error on a second click


def test_citizen_moves_through_the_link(client, booked, agenda):
    """Move lists the agenda's free slots as buttons; choosing one moves the booking."""
    reservation, token = booked
    url = _verified(client, token)
    jour = timezone.localtime(reservation.debut).date()
    page = client.get(url, {"action": "deplacer", "jour": jour.isoformat()})
    choices = re.findall(r'name="creneau" value="([^"]+)"', page.text)
    assert choices and reservation.debut.strftime("%H:%M") not in choices[:1]
    assert client.post(url, {"action": "deplacer", "creneau": choices[0]}).status_code == 302
    reservation.refresh_from_db()
    assert timezone.localtime(reservation.debut).strftime("%Y-%m-%dT%H:%M") == choices[0]


def test_agenda_page_query_count_does_not_grow_with_reservations(
    client, make_agenda, django_assert_max_num_queries
):
    """The slot-picking page costs the same number of queries with 10 or 500 reservations."""
    from pacte.booking.demo import reservations_demo

    agenda = make_agenda(capacite=20, horizon_jours=90)
    url = reverse("booking:agenda", args=[agenda.uuid])
    jour = timezone.localtime(prochain_creneau(agenda).debut).date().isoformat()
    reservations_demo(agenda, 10, jours_futurs=60)
    with django_assert_max_num_queries(5) as small:
        client.get(url, {"jour": jour})
    reservations_demo(agenda, 500, jours_futurs=60, seed=7)
    assert agenda.reservations.count() >= 500
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url, {"jour": jour})


# --- agent side ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "statut"),
    [
        (Role.AGENT, 200),
        (Role.ECRIVAIN, 200),
        (Role.ADMIN, 200),
        (Role.ELU, 403),
        (Role.MEDIATEUR, 403),
        (Role.REFERENT, 403),
    ],
)
def test_agent_screens_by_role(client, make_user, role, statut):
    """Only agents, écrivains publics and admins reach the agent screens; others get 403."""
    client.force_login(make_user(role))
    for name in ("booking:agent_accueil", "booking:planning"):
        assert client.get(reverse(name)).status_code == statut, (role, name)


def test_anonymous_is_sent_to_login_for_agent_screens(client, agenda):
    """Agent screens need an account."""
    response = client.get(reverse("booking:agent_accueil"))
    assert response.status_code == 302 and "/espace/connexion/" in response["Location"]


def test_ecrivain_sees_only_the_agendas_they_own(client, make_user, make_agenda, booked):
    """Scope: an écrivain public gets 404 on démarches agendas and on écrivains' agendas not theirs
    (ownership and the positive case: tests/ecrivains/test_agent_scope.py)."""
    reservation, _token = booked
    ecrivain_agenda = make_agenda(titre="Écrivain public", kind="ecrivains")
    client.force_login(make_user(Role.ECRIVAIN))
    assert client.get(reverse("booking:agent_reserver", args=[reservation.agenda.uuid])).status_code == 404
    assert client.get(reverse("booking:agent_reservation", args=[reservation.uuid])).status_code == 404
    assert (
        client.post(reverse("booking:marquer", args=[reservation.uuid]), {"statut": "absent"}).status_code
        == 404
    )
    assert (
        client.get(reverse("booking:planning"), {"agenda": str(reservation.agenda.uuid)}).status_code == 404
    )
    assert client.get(reverse("booking:agent_reserver", args=[ecrivain_agenda.uuid])).status_code == 404
    results = client.get(reverse("booking:agent_accueil"), {"q": reservation.reference}).text
    assert reverse("booking:agent_reservation", args=[reservation.uuid]) not in results


def test_agent_books_for_a_caller_inside_reserved_capacity(client, make_user, make_agenda):
    """An agent books by phone on a slot whose online places are gone (G2); contact optional; channel kept."""
    agenda = make_agenda(capacite=2, places_agents=1)
    slot = prochain_creneau(agenda)
    reservation_create(agenda=agenda, debut=slot.debut, nom="En ligne", prenom="A", email="a@example.org")
    agent = make_user(Role.AGENT, lieu=agenda.lieu)
    client.force_login(agent)
    url = reverse("booking:agent_reserver", args=[agenda.uuid])
    jour = timezone.localtime(slot.debut).date().isoformat()
    assert f"?creneau={slot.cle}" in client.get(url, {"jour": jour}).text
    page = client.get(url, {"creneau": slot.cle})
    # Issue 15.11: the agent's form speaks of the person, not in the citizen's « je ».
    assert "La personne vient accompagnée" in page.text and "Je viens" not in page.text
    data = {
        "canal": "telephone",
        "besoins": ["accompagne"],
        "nom": "Appelant",
        "prenom": "",
        "telephone": "",
        "email": "",
        "cle_idempotence": cle(page.text),
        "creneau": slot.cle,
    }
    response = client.post(f"{url}?creneau={slot.cle}", data)
    assert response.status_code == 302
    booked = Reservation.objects.get(nom="Appelant")
    assert booked.canal == "telephone" and booked.cree_par == agent and not booked.compte_en_ligne
    detail = client.get(response["Location"])
    assert booked.reference in detail.text and "Messages envoyés" in detail.text
    assert "La personne vient accompagnée" in detail.text


def test_agent_search_by_reference_name_and_phone(client, make_user, booked):
    """The agent finds a booking by reference, by name and by phone in any format."""
    reservation, _ = booked
    Reservation.objects.filter(pk=reservation.pk).update(telephone="+33612345678")
    client.force_login(make_user(Role.AGENT))
    url = reverse("booking:agent_accueil")
    for q in (reservation.reference, reservation.reference.lower(), "Dùpont", "06 12 34 56 78", "0612345678"):
        assert reservation.reference in client.get(url, {"q": q}).text, q
    assert reservation.reference not in client.get(url, {"q": "Inconnu"}).text


LUNDI_MATIN = dt.datetime(2027, 7, 5, 6, 0, tzinfo=dt.UTC)  # Monday 8:00 in Lyon


def test_planning_marks_attendance_with_and_without_htmx(client, make_user, agenda):
    """Arrived/absent on the appointment's day: a full redirect without JS, the updated row with htmx;
    a mark goes back to « Confirmé »; no one-click « Annulé » any more (issue 15, items 3 and 4)."""
    from .conftest import at

    with time_machine.travel(LUNDI_MATIN, tick=False):
        jour = dt.date(2027, 7, 5)
        reservation, _ = reservation_create(
            agenda=agenda, debut=at(jour, "10:00"), nom="Dupont", prenom="J", email="j@example.org"
        )
        client.force_login(make_user(Role.AGENT))
        planning = client.get(
            reverse("booking:planning"), {"agenda": str(agenda.uuid), "jour": jour.isoformat()}
        )
        assert reservation.reference in planning.text and "Arrivé" in planning.text
        assert reverse("booking:agent_annuler", args=[reservation.uuid]) in planning.text
        url = reverse("booking:marquer", args=[reservation.uuid])
        assert client.post(url, {"statut": "annulee"}).status_code == 404
        suite = f"/reservation/agent/planning/?jour={jour}"
        response = client.post(url, {"statut": "honoree", "suite": suite})
        assert response.status_code == 302 and response["Location"] == suite
        reservation.refresh_from_db()
        assert reservation.statut == Statut.HONOREE
        row = client.post(url, {"statut": "absent"}, headers={"HX-Request": "true"})
        assert (
            row.text.strip().startswith("<tr")
            and "Absent" in row.text
            and "Remettre à « Confirmé »" in row.text
        )
        row = client.post(url, {"statut": "confirmee"}, headers={"HX-Request": "true"})
        assert "Confirmé" in row.text and "Arrivé" in row.text
        reservation.refresh_from_db()
        assert reservation.statut == Statut.CONFIRMEE
        assert client.post(url, {"statut": "n-importe"}).status_code == 404
        week = client.get(
            reverse("booking:planning"), {"agenda": str(agenda.uuid), "jour": jour, "vue": "semaine"}
        )
        assert reservation.reference in week.text
        printable = client.get(
            reverse("booking:planning"), {"agenda": str(agenda.uuid), "jour": jour, "imprimer": "1"}
        )
        assert "Actions</th>" not in printable.text and reservation.reference in printable.text


def test_attendance_cannot_be_marked_before_the_day(client, make_user, agenda):
    """Two days early: the planning offers no « Arrivé »/« Absent » and a forged POST is refused."""
    from .conftest import at

    with time_machine.travel(LUNDI_MATIN, tick=False):
        mercredi = dt.date(2027, 7, 7)
        reservation, _ = reservation_create(
            agenda=agenda, debut=at(mercredi, "10:00"), nom="Tôt", prenom="", email="t@example.org"
        )
        client.force_login(make_user(Role.AGENT))
        planning = client.get(
            reverse("booking:planning"), {"agenda": str(agenda.uuid), "jour": mercredi.isoformat()}
        )
        ligne = planning.text[planning.text.index(f'id="rdv-{reservation.uuid}"') :].split("</tr>")[0]
        assert "Arrivé" not in ligne and "Présence à noter le jour du rendez-vous" in ligne
        response = client.post(
            reverse("booking:marquer", args=[reservation.uuid]), {"statut": "honoree"}, follow=True
        )
        assert "La présence se note à partir du jour du rendez-vous" in response.text
        detail = client.get(reverse("booking:agent_reservation", args=[reservation.uuid])).text
        assert 'value="honoree"' not in detail
        reservation.refresh_from_db()
        assert reservation.statut == Statut.CONFIRMEE


def test_agent_cancels_with_a_reason_and_a_confirmation_then_undoes(client, make_user, agenda, settings):
    """« Annuler… » opens a confirmation page asking for the reason (kept when missing, error next to
    the field); confirming cancels, the planning count drops, the message waits; « Rétablir » within
    the window restores it and the count; after the window it is refused (issue 15, item 3)."""
    from pacte.models import JournalEntry, Notification

    from .conftest import at

    settings.BOOKING_ANNULATION_DELAI_SECONDES = 120
    with time_machine.travel(LUNDI_MATIN, tick=False) as clock:
        jour = dt.date(2027, 7, 6)
        reservation, _ = reservation_create(
            agenda=agenda, debut=at(jour, "10:00"), nom="Durand", prenom="Léa", telephone="06 12 34 56 78"
        )
        agent = make_user(Role.AGENT)
        client.force_login(agent)
        planning_url = f"{reverse('booking:planning')}?agenda={agenda.uuid}&jour={jour}"
        assert "1 rendez-vous (hors annulés)" in client.get(planning_url).text
        url = reverse("booking:agent_annuler", args=[reservation.uuid])
        page = client.get(url, {"suite": planning_url})
        assert "Motif de l&#x27;annulation" in page.text and "2 minutes" in page.text
        assert "par SMS au 06 12 34 56 78" in page.text
        erreur = client.post(url, {"motif": "  ", "suite": planning_url})
        assert erreur.status_code == 200 and "Indiquez pourquoi le rendez-vous est annulé" in erreur.text
        reservation.refresh_from_db()
        assert reservation.statut == Statut.CONFIRMEE
        response = client.post(url, {"motif": "La personne a appelé", "suite": planning_url})
        assert response.status_code == 302 and response["Location"] == planning_url
        page = client.get(planning_url).text
        assert (
            "0 rendez-vous (hors annulés)" in page and "Vous pouvez le rétablir jusqu&#x27;à 08 h 02" in page
        )
        assert "Rétablir" in page and "Possible jusqu'à 08:02" in page
        reservation.refresh_from_db()
        assert reservation.statut == Statut.ANNULEE and reservation.motif_annulation == "La personne a appelé"
        assert Notification.objects.get(cle__startswith="booking:annulation:").statut == "pending"

        clock.shift(dt.timedelta(seconds=60))
        retablir = reverse("booking:agent_retablir", args=[reservation.uuid])
        response = client.post(retablir, {"suite": planning_url}, follow=True)
        assert (
            "Le rendez-vous est rétabli" in response.text and "1 rendez-vous (hors annulés)" in response.text
        )
        reservation.refresh_from_db()
        assert reservation.statut == Statut.CONFIRMEE
        assert Notification.objects.get(cle__startswith="booking:annulation:").statut == "cancelled"
        actions = set(JournalEntry.objects.for_object(reservation).values_list("action", "actor"))
        assert {
            ("booking.reservation_cancel", agent.pk),
            ("booking.reservation_restore", agent.pk),
        } <= actions

        client.post(url, {"motif": "Finalement oui"})
        clock.shift(dt.timedelta(seconds=121))
        response = client.post(retablir, follow=True)
        assert "Le délai pour rétablir ce rendez-vous est passé" in response.text
        assert "Rétablir" not in client.get(planning_url).text
        reservation.refresh_from_db()
        assert reservation.statut == Statut.ANNULEE


def test_planning_query_count_does_not_grow(client, make_user, make_agenda, django_assert_max_num_queries):
    """The planning day view has a constant number of queries."""
    from pacte.booking.demo import reservations_demo

    agenda = make_agenda(capacite=30)
    client.force_login(make_user(Role.AGENT))
    jour = timezone.localtime(prochain_creneau(agenda, pour_agent=True).debut).date()
    params = {"agenda": str(agenda.uuid), "jour": jour.isoformat(), "vue": "semaine"}
    reservations_demo(agenda, 5, jours_passes=1, jours_futurs=7)
    client.get(reverse("booking:planning"), params)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("booking:planning"), params)
    reservations_demo(agenda, 200, jours_passes=1, jours_futurs=7, seed=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("booking:planning"), params)


def test_agent_moves_and_cancels_on_behalf(client, make_user, booked):
    """The agent moves then cancels a booking from its detail page; the notifications are listed (G5)."""
    reservation, _ = booked
    client.force_login(make_user(Role.AGENT))
    url = reverse("booking:agent_reservation", args=[reservation.uuid])
    page = client.get(
        url, {"action": "deplacer", "jour": timezone.localtime(reservation.debut).date().isoformat()}
    )
    choice = re.findall(r'name="creneau" value="([^"]+)"', page.text)[0]
    assert client.post(url, {"action": "deplacer", "creneau": choice}).status_code == 302
    assert client.post(url, {"action": "annuler", "motif": "Appel de l'usager"}).status_code == 404
    annuler = reverse("booking:agent_annuler", args=[reservation.uuid])
    assert annuler in client.get(url).text
    assert client.post(annuler, {"motif": "Appel de l'usager"}).status_code == 302
    reservation.refresh_from_db()
    assert reservation.statut == Statut.ANNULEE and reservation.motif_annulation == "Appel de l'usager"
    detail = client.get(url)
    assert "En attente d&#x27;envoi" in detail.text or "Envoyé" in detail.text


def test_espace_tiles_for_agents_only(client, make_user):
    """'Mon espace' shows the booking tiles to agents, not to élus."""
    client.force_login(make_user(Role.AGENT))
    assert "Planning du jour" in client.get("/espace/").text
    client.force_login(make_user(Role.ELU))
    assert "Planning du jour" not in client.get("/espace/").text


@pytest.mark.parametrize(
    ("telephone", "email", "promis", "jamais"),
    [
        ("04 72 10 30 30", "", "Aucune confirmation ne peut vous être envoyée", "SMS"),
        ("04 72 10 30 30", "jeanne@example.org", "par courriel à jeanne@example.org.", "SMS"),
        ("06 12 34 56 78", "", "par SMS au 06 12 34 56 78", "courriel"),
        (
            "06 12 34 56 78",
            "jeanne@example.org",
            "par courriel à jeanne@example.org et par SMS au 06 12 34 56 78",
            "Aucune confirmation",
        ),
    ],
)
def test_confirmation_page_says_what_will_really_be_sent(
    client, agenda, slot, sms_outbox, telephone, email, promis, jamais, django_capture_on_commit_callbacks
):
    """The confirmation never promises an SMS to a landline: the page follows the sending policy."""
    url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(client.get(url).text, telephone=telephone, email=email))
    page = client.get(response["Location"]).text
    encadre = page[page.index('class="encadre encadre--succes"') :].split("</div>")[0]
    # As a word: a random reference such as RDV-37TSMS must not read as a promise of an SMS.
    assert promis in encadre and not re.search(rf"\b{re.escape(jamais)}\b", encadre)
    assert bool(sms_outbox) == telephone.startswith("06")


def _book_with_email(client, agenda, slot, host, django_capture_on_commit_callbacks):
    url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            form_data(client.get(url, HTTP_HOST=host).text, email="jeanne@example.org"),
            HTTP_HOST=host,
        )
    from django.core import mail

    return mail.outbox[-1].body


def test_links_follow_the_served_address_in_development(
    client, agenda, slot, settings, django_capture_on_commit_callbacks
):
    """DEBUG without SITE_URL (`make run PORT=8801`): the emailed link points to :8801, not a dead :8000."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    settings.SITE_URL_FROM_REQUEST = True
    body = _book_with_email(client, agenda, slot, "127.0.0.1:8801", django_capture_on_commit_callbacks)
    assert "http://127.0.0.1:8801/reservation/gerer/" in body and ":8000" not in body


def test_links_ignore_the_host_header_in_production(
    client, agenda, slot, settings, django_capture_on_commit_callbacks
):
    """Production: SITE_URL is explicit; a request's Host header never changes the links."""
    settings.SITE_URL = "https://pacte.lyon.fr"
    settings.SITE_URL_FROM_REQUEST = False
    body = _book_with_email(client, agenda, slot, "127.0.0.1:8801", django_capture_on_commit_callbacks)
    assert "https://pacte.lyon.fr/reservation/gerer/" in body and "8801" not in body


def test_cancelling_for_a_landline_only_person_asks_the_agent_to_call(
    client, make_user, agenda, slot, sms_outbox
):
    """Cancelled on behalf of someone with only a landline: no SMS; an « appel à passer » appears on
    the agents' home and the booking's log; the agent notes a no-answer, then the call (journaled)."""
    from pacte.models import JournalEntry, Notification

    reservation, _ = reservation_create(
        agenda=agenda, debut=slot.debut, nom="Fixe", prenom="Jeanne", telephone="04 72 10 30 30"
    )
    agent = make_user(Role.AGENT)
    client.force_login(agent)
    url = reverse("booking:agent_reservation", args=[reservation.uuid])
    annuler = reverse("booking:agent_annuler", args=[reservation.uuid])
    response = client.post(annuler, {"motif": "Fermeture"}, follow=True)
    assert "appelez la personne pour la prévenir" in response.text
    assert sms_outbox == [] and not Notification.objects.filter(canal="sms").exists()
    accueil = client.get(reverse("booking:agent_accueil")).text
    assert "Personnes à appeler" in accueil and reservation.reference in accueil
    tache = Notification.objects.get(canal="appel")
    detail = client.get(url).text
    assert "Appel à passer" in detail and "Appel passé" in detail  # the state and the button
    client.post(url, {"tache": str(tache.uuid), "tache_action": "sans_reponse"})
    assert "sans réponse le" in client.get(url).text
    client.post(url, {"tache": str(tache.uuid), "tache_action": "fait"})
    tache.refresh_from_db()
    assert tache.statut == "sent" and tache.etat.startswith("Appel passé le ")
    assert "Personnes à appeler" not in client.get(reverse("booking:agent_accueil")).text
    assert JournalEntry.objects.filter(action="notification.tache_faite", actor=agent).exists()


def test_a_task_of_another_booking_cannot_be_marked_from_this_one(
    client, make_user, agenda, make_agenda, slot
):
    """The task buttons act only on the tasks of the booking shown (scope of the page)."""
    from pacte.booking.services import reservation_cancel
    from pacte.models import Notification

    a, _ = reservation_create(agenda=agenda, debut=slot.debut, nom="A", prenom="", telephone="0472103030")
    autre = make_agenda(titre="Autre")
    b, _ = reservation_create(
        agenda=autre, debut=prochain_creneau(autre).debut, nom="B", prenom="", telephone="0472103031"
    )
    reservation_cancel(reservation=a, motif="x")
    tache_a = Notification.objects.about(a).get(canal="appel")
    client.force_login(make_user(Role.AGENT))
    page = client.post(
        reverse("booking:agent_reservation", args=[b.uuid]),
        {"tache": str(tache_a.uuid), "tache_action": "fait"},
        follow=True,
    )
    assert "n&#x27;existe pas ou n&#x27;est pas la vôtre" in page.text
    tache_a.refresh_from_db()
    assert tache_a.statut == "pending"


def test_agent_books_for_a_caller_reachable_by_post_only(client, make_user, make_agenda):
    """Issue 19.1: no email, a landline and a postal address → the confirmation is a letter to post
    (with the reference, never a secret link on paper); an address without a postcode is refused in
    French next to the field, keeping what was typed."""
    from pacte.models import Notification
    from pacte.notifications import notification_text

    agenda = make_agenda()
    slot = prochain_creneau(agenda)
    client.force_login(make_user(Role.AGENT, lieu=agenda.lieu))
    url = reverse("booking:agent_reserver", args=[agenda.uuid])
    page = client.get(url, {"creneau": slot.cle})
    assert 'autocomplete="street-address"' in page.text
    data = {
        "canal": "telephone",
        "nom": "Papier",
        "prenom": "Jean",
        "telephone": "04 72 10 30 30",
        "email": "",
        "adresse_postale": "12 rue de la Paix, Lyon",
        "cle_idempotence": cle(page.text),
        "creneau": slot.cle,
    }
    refused = client.post(f"{url}?creneau={slot.cle}", data)
    assert refused.status_code == 200 and "avec le code postal et la ville" in refused.text
    assert "12 rue de la Paix, Lyon" in refused.text and not Reservation.objects.exists()
    data["adresse_postale"] = "12 rue de la Paix\n69003 Lyon"
    assert client.post(f"{url}?creneau={slot.cle}", data).status_code == 302
    booked = Reservation.objects.get(nom="Papier")
    (lettre,) = Notification.objects.about(booked)
    assert lettre.canal == "courrier" and lettre.destinataire == "Jean Papier\n12 rue de la Paix\n69003 Lyon"
    from pacte.encryption import decrypt

    html = decrypt(lettre.corps_html)
    assert booked.reference in html and "/reservation/" not in html and "fichier joint" not in html
    assert booked.reference in notification_text(lettre)


def test_editing_the_hours_or_a_closure_shows_at_once_on_the_cached_day_page(
    client, agenda, slot_day, django_assert_max_num_queries
):
    """The agenda, rules and closures are cached across requests (#18.2): the day page costs 1
    query once they are, and an agent's edit of the hours or a new closure shows on the next request."""
    from pacte.booking.models import Fermeture

    url = reverse("booking:agenda", args=[agenda.uuid])
    day = slot_day  # a future day: today's 9:00 slot is gone once it is 9:00 in Lyon
    params = {"jour": day.isoformat()}
    assert ">09:00<" in client.get(url, params).text.replace(" ", "")
    with django_assert_max_num_queries(1):  # counters: agenda, rules and closures from the cache
        client.get(url, params)
    regle = agenda.regles.get(jour_semaine=day.weekday())
    regle.heure_debut = dt.time(10)
    regle.save()
    html = client.get(url, params).text.replace(" ", "")
    assert ">09:00<" not in html and ">10:00<" in html
    Fermeture.objects.create(
        agenda=agenda, debut=at(day, "00:00"), fin=at(day + dt.timedelta(days=1), "00:00")
    )
    assert ">10:00<" not in client.get(url, params).text.replace(" ", "")


def test_citizen_booking_journey_query_budget(client, agenda, slot, django_assert_max_num_queries):
    """The booking journey's budgets (#18.1, #18.2): a new visitor's form (slot hold, session
    created), its reload, and the booking POST with its confirmation page stay within a fixed
    number of queries."""
    url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
    # The agenda (first read: not cached yet), no hold looked up (a new visitor has none), the hold
    # in one statement, the session written in the same transaction and not again by the
    # middleware: 3 statements and 6 savepoint commands (the test's transaction around them).
    with django_assert_max_num_queries(9):
        page = client.get(url)
    with django_assert_max_num_queries(2):  # the session, the hold: nothing written
        client.get(url)
    # No outbox pre-check, one-statement session saves; then (#18.1, 23 -> 17) no savepoint around
    # the insert, the identity locks in one statement, the hold converted in one, and the page
    # after the booking writes no session.
    with django_assert_max_num_queries(17):
        response = client.post(url, form_data(page.text), follow=True)
    assert response.status_code == 200 and Reservation.objects.filter(statut=Statut.CONFIRMEE).count() == 1


def test_the_blank_form_fields_are_rendered_once_and_a_refused_form_keeps_its_input(make_agenda):
    """The blank booking form's fields are rendered once per process (#18.2): the next visitor's page
    renders no field template and shows the same fields, with their own idempotency key; a refused
    form renders its fields again, with the input kept and the error next to the field."""
    from django.test import Client

    from pacte.rendu import forget_all

    agenda = make_agenda(capacite=3)
    slot = prochain_creneau(agenda)
    url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
    forget_all()
    first, second = Client().get(url), Client().get(url)
    assert "components/field.html" in [t.name for t in first.templates]
    assert "components/field.html" not in [t.name for t in second.templates]

    def fields(html):
        return re.search(r'name="cle_idempotence"[^>]*>(.*)</form>', html, re.S).group(1)

    assert fields(first.text) == fields(second.text) and 'autocomplete="family-name"' in fields(second.text)
    assert cle(first.text) != cle(second.text)
    refused = Client().post(url, form_data(second.text, nom="Dupont-Martin", telephone="12"))
    assert "components/field.html" in [t.name for t in refused.templates]
    assert 'value="Dupont-Martin"' in refused.text and "champ--erreur" in refused.text


def test_the_day_page_fragments_are_kept_and_never_show_a_taken_or_freed_slot_late(client, agenda, slot):
    """The day page's week and slots are rendered once per process for what they show (#18.2): the
    same page again renders neither template, and a hold, a booking, a release and a
    cancellation show on the very next page, htmx fragment included (never a stale grid)."""
    from django.test import Client

    from pacte.booking.services import reservation_cancel, retenue_release, retenue_take
    from pacte.rendu import forget_all

    forget_all()
    day_url = reverse("booking:agenda", args=[agenda.uuid]) + f"?jour={timezone.localtime(slot.debut).date()}"
    slot_url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])

    def shown(**headers):
        page = Client().get(day_url, headers=headers)
        names = [t.name for t in page.templates]
        return slot_url in page.text, "booking/includes/creneaux.html" in names, page

    assert shown()[:2] == (True, True)
    free, rendered, page = shown()
    assert (free, rendered) == (True, False)
    assert "booking/includes/semaine.html" not in [t.name for t in page.templates]
    retenue_take(
        agenda=agenda, debut=slot.debut, cle="autre-visiteur", en_ligne=True, duree=dt.timedelta(minutes=10)
    )
    assert shown()[0] is False and shown(**{"HX-Request": "true"})[0] is False
    retenue_release(agenda=agenda, debut=slot.debut, cle="autre-visiteur")
    assert shown()[:2] == (True, False)  # the grid shown before the hold, kept: the same content
    reservation, _ = reservation_create(
        agenda=agenda, debut=slot.debut, nom="Prise", prenom="A", email="a@example.org"
    )
    assert shown()[0] is False
    reservation_cancel(reservation=reservation)
    assert shown()[0] is True and shown(**{"HX-Request": "true"})[0] is True


def test_the_cached_agenda_follows_its_lieu_and_its_activity_at_once(client, agenda, slot):
    """The public agenda and its lieu come from the reference cache (#18.2): a renamed lieu shows
    on the next request, a deactivated agenda is a 404 at once, on the day page and the form."""
    url = reverse("booking:agenda", args=[agenda.uuid])
    form_url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
    assert agenda.lieu.nom in client.get(url).text
    lieu = agenda.lieu
    lieu.nom = "Mairie renommée pour le test"
    lieu.save()
    assert "Mairie renommée pour le test" in client.get(url).text
    assert "Mairie renommée pour le test" in client.get(form_url).text
    agenda.is_active = False
    agenda.save()
    assert client.get(url).status_code == 404 and client.get(form_url).status_code == 404


def test_the_day_page_reads_the_reference_versions_in_one_round_trip(client, agenda, slot):
    """The day page's agenda and calendar come from the reference cache after one read of their
    versions (#18.2), not one read per name."""
    from tests.pacte.test_cache_reference import counting_reads

    url = reverse("booking:agenda", args=[agenda.uuid]) + f"?jour={timezone.localtime(slot.debut).date()}"
    client.get(url)
    with counting_reads() as reads:
        assert client.get(url).status_code == 200
    assert reads["get_many"] == 1 and not [key for key in reads["get"] if key.startswith("pacte:ref:")]


def test_the_kept_form_summary_follows_a_translated_title_at_once(agenda, slot):
    """The booking form's summary is kept per process for what it shows (`{% une_fois %}`, #18.2):
    an agenda's English title, added or edited, shows on the next English page."""
    from django.test import Client
    from django.utils import translation

    visitor = Client()
    # Restores the thread's language after: the English requests leave English active in it.
    with translation.override("en"):
        url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
        assert 'lang="fr">Carte d&#x27;identité et passeport</span>' in visitor.get(url).text
        agenda.titre_en = "Identity card and passport"
        agenda.save()
        assert "<strong>Identity card and passport</strong>" in visitor.get(url).text
        agenda.titre_en = "ID card and passport"
        agenda.save()
        assert "<strong>ID card and passport</strong>" in visitor.get(url).text
