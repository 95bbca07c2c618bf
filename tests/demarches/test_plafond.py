"""Fair access when slots are scarce (#19.3): a démarche's maximum of active future bookings per
person, enforced by the booking engine for citizens and agents, with the agent's journaled override."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from demarches.enums import TypeAlternative
from demarches.models import Demarche
from pacte.booking.models import Agenda, RegleOuverture, Reservation, Retenue, Statut
from pacte.booking.selectors import prochains_creneaux
from pacte.booking.services import (
    PlafondAtteint,
    identite_of,
    reservation_cancel,
    reservation_create,
    reservations_anonymise,
)
from pacte.journal import JournalEntry
from pacte.models import Lieu, Notification
from pacte.roles import Role
from tests.concurrency import run_concurrently

ELOISE = dict(nom="Dupont", prenom="Éloïse", telephone="06 12 34 56 78", email="eloise@example.org")


def _agenda(slug: str, titre: str = "Carte d'identité et passeport") -> Agenda:
    agenda = Agenda.objects.create(
        lieu=Lieu.objects.get(slug=slug),
        titre=titre,
        kind="demarches",
        duree_creneau=30,
        capacite=2,
        places_agents=1,
        # An hour's notice: the first free slot never starts while a (slow, browser) test books it.
        delai_min_heures=1,
        horizon_jours=30,
    )
    for jour in range(7):
        RegleOuverture.objects.create(
            agenda=agenda, jour_semaine=jour, heure_debut=dt.time(8), heure_fin=dt.time(18)
        )
    return agenda


@pytest.fixture
def demarche(db):
    """« Titres d'identité » with counters at two lieux, at most 1 future booking per person."""
    demarche = Demarche.objects.get(code="titres_identite")
    demarche.rdv_max_par_personne = 1
    demarche.save(update_fields=["rdv_max_par_personne"])
    guichet = demarche.alternatives.get(type=TypeAlternative.GUICHET)
    guichet.agendas.add(_agenda("hotel-de-ville"), _agenda("mairie-du-6e-arrondissement"))
    return demarche


def _agendas(demarche) -> list[Agenda]:
    return list(Agenda.objects.filter(alternatives__demarche=demarche).order_by("pk"))


def _slots(agenda, n=3):
    return prochains_creneaux(agenda, nombre=n)


def _book(agenda, index=0, **person):
    return reservation_create(agenda=agenda, debut=_slots(agenda)[index].debut, **person)[0]


def test_identity_folds_names_phones_and_emails():
    """« Éloïse » and « ELOISE », 06…, +33 6… and 0033 6… are the same person; a name counts only
    with both prénom and nom."""
    assert identite_of(nom="Dupont", prenom="Éloïse").nom == identite_of(nom="DUPONT", prenom="eloise").nom
    assert (
        identite_of(nom="Le Cœur", prenom="Jean-Luc").nom == identite_of(nom="lecoeur", prenom="jean luc").nom
    )
    assert identite_of(nom="Dupont", prenom="").nom == ""
    assert identite_of(email=" Eloise@Example.ORG ").email == "eloise@example.org"


@pytest.mark.parametrize(
    "autre",
    [
        dict(nom="Autre", prenom="Personne", telephone="+33 6 12 34 56 78"),
        dict(nom="Autre", prenom="Personne", telephone="0033612345678"),
        dict(nom="Autre", prenom="Personne", telephone="06.12.34.56.78"),
        dict(nom="Autre", prenom="Personne", email="ELOISE@Example.org"),
        dict(nom="DUPONT", prenom="eloise", telephone="06 98 76 54 32"),
        dict(nom="Dupont", prenom="Eloïse", email="autre@example.org"),
    ],
    ids=["+33", "0033", "points", "email-casse", "nom-replie", "trema"],
)
def test_a_second_online_booking_of_the_same_person_is_refused(demarche, autre):
    """Same phone (any format), same email (any case) or same folded prénom + nom: refused, on the
    other lieu's counter of the same démarche too, with the citizen's wording."""
    premier, second = _agendas(demarche)
    _book(premier, **ELOISE)
    with pytest.raises(PlafondAtteint) as refus:
        _book(second, **autre)
    assert refus.value.messages == [
        "Vous avez déjà un rendez-vous pour cette démarche. Retrouvez-le avec le lien reçu par SMS "
        "ou par courriel, ou appelez Lyon en direct au 04 72 10 30 30."
    ]
    assert Reservation.objects.count() == 1


def test_other_people_cancelled_and_past_bookings_do_not_count(demarche):
    """Another person books freely; a cancelled booking frees the person's right; a past one too;
    without a cap (empty) nothing is refused."""
    agenda = _agendas(demarche)[0]
    premiere = _book(agenda, **ELOISE)
    _book(agenda, 1, nom="Martin", prenom="Paul", telephone="06 99 88 77 66")
    reservation_cancel(reservation=premiere, motif="test")
    deuxieme = _book(agenda, 0, **ELOISE)
    Reservation.objects.filter(pk=deuxieme.pk).update(
        debut=timezone.now() - dt.timedelta(hours=2), fin=timezone.now() - dt.timedelta(hours=1)
    )
    _book(agenda, 2, **ELOISE)
    with pytest.raises(PlafondAtteint):
        _book(agenda, 1, **ELOISE)
    demarche.rdv_max_par_personne = None
    demarche.save(update_fields=["rdv_max_par_personne"])
    _book(agenda, 1, **ELOISE)
    assert Reservation.objects.filter(telephone="+33612345678", statut=Statut.CONFIRMEE).count() == 3


def test_the_maximum_can_be_more_than_one(demarche):
    """With a maximum of 2, the third active booking is refused."""
    demarche.rdv_max_par_personne = 2
    demarche.save(update_fields=["rdv_max_par_personne"])
    agenda = _agendas(demarche)[0]
    _book(agenda, 0, **ELOISE)
    _book(agenda, 1, **ELOISE)
    with pytest.raises(PlafondAtteint) as refus:
        _book(agenda, 2, **ELOISE)
    assert refus.value.nombre == 2


def test_agendas_of_other_demarches_are_not_capped(demarche):
    """An agenda no capped démarche offers (an écrivain public's permanence) is never refused."""
    autre = _agenda("hotel-de-ville", titre="Écrivain public")
    autre.kind = "ecrivains"
    autre.save(update_fields=["kind"])
    _book(_agendas(demarche)[0], **ELOISE)
    _book(autre, **ELOISE)
    _book(autre, 1, **ELOISE)


def test_agent_is_refused_then_overrides_with_a_reason_journaled(demarche, make_user):
    """An agent booking for a caller gets the agents' wording; with a reason the booking goes
    through and the journal keeps who, why, and the count."""
    agent = make_user(Role.AGENT)
    agenda = _agendas(demarche)[0]
    _book(agenda, **ELOISE)
    slot = _slots(agenda)[1]
    with pytest.raises(PlafondAtteint) as refus:
        reservation_create(agenda=agenda, debut=slot.debut, agent=agent, nom="Dupont", prenom="Eloise")
    assert "Cette personne a déjà 1 rendez-vous à venir" in refus.value.messages[0]
    reservation, _token = reservation_create(
        agenda=agenda,
        debut=slot.debut,
        agent=agent,
        nom="Dupont",
        prenom="Eloise",
        telephone="+33612345678",
        plafond_motif="Rendez-vous pour sa fille",
    )
    entry = JournalEntry.objects.get(action="booking.plafond_depasse")
    assert entry.actor == agent
    assert entry.object_id == str(reservation.pk)
    assert "Rendez-vous pour sa fille" in entry.message
    assert entry.data == {"plafond": 1, "a_venir": 1, "libelle": demarche.titre}
    # A citizen cannot pass a reason: it is ignored.
    with pytest.raises(PlafondAtteint):
        reservation_create(agenda=agenda, debut=_slots(agenda)[2].debut, plafond_motif="moi", **ELOISE)


def test_the_folded_identity_is_erased_with_the_booking(demarche):
    """Retention erases the folded name and email with the rest."""
    reservation = _book(_agendas(demarche)[0], **ELOISE)
    assert (reservation.nom_replie, reservation.email_replie) == ("eloisedupont", "eloise@example.org")
    Reservation.objects.filter(pk=reservation.pk).update(
        debut=timezone.now() - dt.timedelta(days=200),
        fin=timezone.now() - dt.timedelta(days=200, minutes=-30),
    )
    assert reservations_anonymise() == 1
    reservation.refresh_from_db()
    assert (reservation.nom_replie, reservation.email_replie, reservation.telephone) == ("", "", "")


@pytest.mark.django_db(transaction=True)
def test_one_person_racing_in_six_tabs_gets_one_booking(demarche):
    """Six concurrent bookings of one person on six different slots (different connections, released
    together): exactly one passes the cap of 1; the others are refused, never an error."""
    agenda = _agendas(demarche)[0]
    slots = prochains_creneaux(agenda, nombre=6)
    formats = ["06 12 34 56 78", "+33612345678", "0033 6 12 34 56 78"]

    def tab(i):
        return lambda: (
            reservation_create(
                agenda=agenda,
                debut=slots[i].debut,
                nom="DUPONT" if i % 2 else "Dupont",
                prenom="Éloïse",
                telephone=formats[i % 3],
            )[0].reference
        )

    results = run_concurrently([(f"onglet{i}", tab(i)) for i in range(6)], refused=(PlafondAtteint,))
    assert sorted(results.values()).count("pris") == 5, results
    assert Reservation.objects.filter(statut=Statut.CONFIRMEE).count() == 1


# --- views -----------------------------------------------------------------------------------------


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_public_form_refusal_keeps_what_was_typed_and_points_to_the_recovery(demarche, client):
    """The refused citizen sees the message at the top of the form, their text kept, a link to get
    their link again and the phone number; nothing of the existing booking is shown."""
    agenda = _agendas(demarche)[0]
    existante = _book(agenda, **ELOISE)
    slot = _slots(agenda)[1]
    url = reverse("booking:formulaire", args=[agenda.uuid, slot.cle])
    client.get(url)
    assert Retenue.objects.filter(compteur__agenda=agenda).count() == 1  # held while typing (#19.2)
    response = client.post(
        url, {"cle_idempotence": "", "nom": "DUPONT", "prenom": "eloise", "telephone": "06 98 76 54 32"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Vous avez déjà un rendez-vous pour cette démarche." in html
    assert html.index("Vous avez déjà un rendez-vous") < html.index('id="id_nom"')
    assert 'value="DUPONT"' in html and 'value="06 98 76 54 32"' in html
    assert reverse("booking:retrouver") in html
    assert existante.reference not in html
    # The slot held while the form was filled is given back: the refused person keeps no place.
    assert not Retenue.objects.filter(compteur__agenda=agenda).exists()
    assert "+33612345678" not in html and 'value="06 12 34 56 78"' not in html
    assert Reservation.objects.count() == 1


def test_recovery_by_contact_sends_a_new_link_to_the_contact_on_file_only(demarche, client):
    """« Retrouver mon rendez-vous »: the phone given (any format) renews the booking's link and
    sends it to the booking's own contact; an unknown contact gets the very same page."""
    reservation = _book(_agendas(demarche)[0], **ELOISE)
    ancien = reservation.token_hash
    url = reverse("booking:retrouver")
    assert client.get(url).status_code == 200
    avant = Notification.objects.about(reservation).count()
    inconnu = client.post(url, {"telephone": "06 00 00 00 01"})
    connu = client.post(url, {"telephone": "+33 6 12 34 56 78"})
    assert inconnu.status_code == connu.status_code == 200
    assert _main(inconnu) == _main(connu)
    reservation.refresh_from_db()
    assert reservation.token_hash != ancien
    nouveaux = Notification.objects.about(reservation).count() - avant
    assert nouveaux >= 1  # the SMS to the booking's own mobile (and the email on file)
    assert client.post(url, {}).status_code == 400


def test_agent_form_offers_the_override_then_books_with_a_reason(demarche, client, make_user):
    """The agent's form shows the refusal and the override checkbox; checked without a reason it
    asks for one next to the field; with it, the booking is made and journaled."""
    agent = make_user(Role.AGENT)
    client.force_login(agent)
    agenda = _agendas(demarche)[0]
    _book(agenda, **ELOISE)
    slot = _slots(agenda)[1]
    url = reverse("booking:agent_reserver", args=[agenda.uuid]) + f"?creneau={slot.cle}"
    data = {
        "creneau": slot.cle,
        "canal": "telephone",
        "nom": "Dupont",
        "prenom": "Éloïse",
        "cle_idempotence": "",
    }
    refus = client.post(url, data)
    html = refus.content.decode()
    assert "Cette personne a déjà 1 rendez-vous à venir" in html
    assert 'name="depasser_plafond"' in html and 'value="Dupont"' in html
    sans_motif = client.post(url, {**data, "depasser_plafond": "on"})
    assert (
        "Indiquez pourquoi la personne a besoin d&#x27;un rendez-vous de plus." in sans_motif.content.decode()
    )
    ok = client.post(url, {**data, "depasser_plafond": "on", "plafond_motif": "Son fils aussi"})
    assert ok.status_code == 302
    assert Reservation.objects.filter(nom_replie="eloisedupont", statut=Statut.CONFIRMEE).count() == 2
    assert JournalEntry.objects.filter(action="booking.plafond_depasse", actor=agent).count() == 1


def test_the_cap_is_editable_in_the_admin(demarche, admin_client):
    """The démarche's admin page shows the maximum field with its explanation."""
    html = admin_client.get(reverse("admin:demarches_demarche_change", args=[demarche.pk])).content.decode()
    assert 'name="rdv_max_par_personne"' in html
    assert "rendez-vous à venir par personne (maximum)" in html.lower()
