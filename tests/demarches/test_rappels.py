"""The callback queue: promise in business days, ordering, attempts, fallback, kept-promise measure."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from demarches import indicateurs, selectors, services
from demarches.enums import CanalRappel, Repli, StatutRappel
from demarches.models import DemandeRappel, Demarche
from pacte.models import Notification
from pacte.roles import Role

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
# A Wednesday evening without a clock change nearby: requests made in the last days were made on
# working days, so their promises follow their order. Made on a weekend (a Sunday-night request is
# promised before a Friday-morning one) or across the autumn clock change (« a day ago » is then
# 25 hours on the wall clock), the queue tests depended on the day they ran.
MERCREDI_SOIR = dt.datetime(2027, 7, 7, 18, 0, tzinfo=PARIS)


def _demande(now=None, telephone="06 12 34 56 78", **kwargs):
    return services.demande_rappel_create(
        nom="Jeanne Fictive",
        telephone=telephone,
        objet="Aide pour une pré-demande de passeport",
        creneaux_preferes=["lun_matin"],
        now=now,
        **kwargs,
    )


def test_promise_is_two_business_days_skipping_weekend_and_holidays():
    """Promise = 2 business days: Thursday 24 Dec 2026 10:00 → Tuesday 29 Dec (25 Dec holiday, weekend)."""
    created = dt.datetime(2026, 12, 24, 10, 0, tzinfo=PARIS)
    demande = _demande(now=created)
    assert timezone.localtime(demande.promesse_at, PARIS) == dt.datetime(2026, 12, 29, 10, 0, tzinfo=PARIS)
    friday = _demande(now=dt.datetime(2026, 11, 6, 15, 0, tzinfo=PARIS))
    # Monday 9, Tuesday 10 (11 November is a holiday, but after the promise)
    assert timezone.localtime(friday.promesse_at, PARIS).date() == dt.date(2026, 11, 10)


def test_promise_delay_is_configurable(settings):
    """RAPPEL_DELAI_JOURS_OUVRES changes the promise."""
    settings.RAPPEL_DELAI_JOURS_OUVRES = 5
    demande = _demande(now=dt.datetime(2026, 11, 2, 9, 0, tzinfo=PARIS))  # Monday
    assert timezone.localtime(demande.promesse_at, PARIS).date() == dt.date(2026, 11, 9)


def test_invalid_phone_is_refused():
    """A phone number that is not valid is refused with a French message."""
    with pytest.raises(ValidationError, match="numéro de téléphone"):
        _demande(telephone="12")


def test_confirmation_sms_and_email_go_through_the_outbox(
    django_capture_on_commit_callbacks, sms_outbox, mailoutbox
):
    """The request is confirmed by SMS (mobile) and email through the outbox."""
    with django_capture_on_commit_callbacks(execute=True):
        demande = _demande(email="jeanne@example.org")
    assert Notification.objects.filter(object_id=str(demande.pk)).count() == 2
    assert any(demande.reference in sms["body"] for sms in sms_outbox)
    assert demande.reference in mailoutbox[0].body


@time_machine.travel(MERCREDI_SOIR, tick=False)
def test_queue_is_ordered_by_deadline_then_age_overdue_first():
    """The queue lists open requests by promised deadline (overdue first), then age; closed ones leave."""
    now = timezone.now()
    recent = _demande(now=now)
    old = _demande(now=now - dt.timedelta(days=10))
    middle = _demande(now=now - dt.timedelta(days=1))
    closed = _demande(now=now - dt.timedelta(days=20))
    services.tentative_record(demande=closed, agent=None, resultat="joint")
    file = list(selectors.demande_rappel_file())
    assert file == [old, middle, recent]
    assert file[0].is_en_retard and not file[-1].is_en_retard


def test_attempts_then_joint_closes_the_request(make_user):
    """Injoignable, message laissé, then joint: three attempts logged, request done."""
    agent = make_user(Role.AGENT)
    demande = _demande()
    services.demande_rappel_take(demande=demande, agent=agent)
    services.tentative_record(demande=demande, agent=agent, resultat="injoignable")
    services.tentative_record(
        demande=demande, agent=agent, resultat="message_laisse", note="Message sur répondeur"
    )
    demande.refresh_from_db()
    assert demande.statut == StatutRappel.EN_COURS
    services.tentative_record(demande=demande, agent=agent, resultat="joint")
    demande.refresh_from_db()
    assert demande.statut == StatutRappel.JOINT and demande.clos_at
    assert demande.tentatives.count() == 3
    with pytest.raises(ValidationError, match="close"):
        services.tentative_record(demande=demande, agent=agent, resultat="joint")


def test_fallback_sms_after_n_failures_on_a_mobile(make_user, sms_outbox, django_capture_on_commit_callbacks):
    """After 3 failed attempts on a mobile number, an SMS is sent and the request is closed."""
    agent = make_user(Role.AGENT)
    demande = _demande()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            services.tentative_record(demande=demande, agent=agent, resultat="injoignable")
    demande.refresh_from_db()
    assert demande.statut == StatutRappel.ABANDONNEE and demande.repli == Repli.SMS
    assert any("sans vous joindre" in sms["body"] for sms in sms_outbox)


def test_fallback_letter_for_a_landline_and_configurable_n(make_user, settings):
    """With a landline, the fallback is a letter task for the agent; N is configurable."""
    settings.RAPPEL_TENTATIVES_MAX = 2
    agent = make_user(Role.AGENT)
    demande = _demande(telephone="04 72 10 30 30")
    services.tentative_record(demande=demande, agent=agent, resultat="injoignable")
    demande.refresh_from_db()
    assert demande.statut == StatutRappel.EN_COURS
    services.tentative_record(demande=demande, agent=agent, resultat="message_laisse")
    demande.refresh_from_db()
    assert demande.repli == Repli.COURRIER and demande.statut == StatutRappel.ABANDONNEE
    assert list(selectors.courriers_a_envoyer()) == [demande]
    services.courrier_repli_mark_sent(demande=demande, agent=agent)
    assert list(selectors.courriers_a_envoyer()) == []


def test_fallback_for_a_landline_with_an_email_is_the_email_and_the_letter_shows_on_the_detail(
    make_user, client, sms_outbox, django_capture_on_commit_callbacks
):
    """Landline + email: the fallback is the email (no letter, no SMS). Landline only: the detail
    page shows the letter to print and « Courrier envoyé » marks it in the delivery log."""
    agent = make_user(Role.AGENT)
    avec_email = _demande(telephone="04 72 10 30 30", email="jeanne@example.org")
    seul = _demande(telephone="04 72 10 30 31")
    with django_capture_on_commit_callbacks(execute=True):
        for demande in (avec_email, seul):
            for _ in range(3):
                services.tentative_record(demande=demande, agent=agent, resultat="injoignable")
    avec_email.refresh_from_db()
    assert avec_email.repli == Repli.EMAIL and sms_outbox == []
    assert list(selectors.courriers_a_envoyer()) == [seul]
    client.force_login(agent)
    url = reverse("demarches:rappel_detail", args=[seul.uuid])
    detail = client.get(url).text
    assert "Courrier à envoyer" in detail and "Texte du courrier" in detail and seul.reference in detail
    client.post(reverse("demarches:rappel_courrier", args=[seul.uuid]))
    assert "Courrier envoyé le " in client.get(url).text
    assert list(selectors.courriers_a_envoyer()) == []


def test_promise_kept_measure_on_a_small_dataset():
    """Kept = joint before the deadline; due = closed or deadline passed; open ones not yet due are excluded."""
    now = timezone.now()
    kept = _demande(now=now - dt.timedelta(days=10))
    services.tentative_record(
        demande=kept, agent=None, resultat="joint", at=now - dt.timedelta(days=10, hours=-1)
    )
    late = _demande(now=now - dt.timedelta(days=10))
    services.tentative_record(demande=late, agent=None, resultat="joint", at=now - dt.timedelta(days=1))
    _overdue = _demande(now=now - dt.timedelta(days=10))
    fallback = _demande(now=now - dt.timedelta(days=10))
    for _ in range(3):
        services.tentative_record(
            demande=fallback, agent=None, resultat="injoignable", at=now - dt.timedelta(days=9)
        )
    _not_due = _demande(now=now)
    mesure = selectors.rappel_promesse_mesure()
    assert (
        mesure["total"] == 4 and mesure["tenues"] == 1 and mesure["en_retard"] == 1 and mesure["replis"] == 1
    )
    assert indicateurs.rappels_promesse_tenue() == 25.0
    future = (now + dt.timedelta(days=5)).date()
    assert indicateurs.rappels_promesse_tenue(debut=future) is None


def test_alternative_indicator_changes_when_an_alternative_is_deactivated():
    """demarches_alternative_garantie drops from 100 % when an e-service loses its last alternative."""
    from pacte.tracker.registry import all_indicateurs

    indicateur = all_indicateurs()["demarches_alternative_garantie"]
    assert indicateur.valeur() == 100.0
    Demarche.objects.get(code="pacs").alternatives.update(is_active=False)
    assert indicateur.valeur() == pytest.approx(100 * 13 / 14, abs=0.1)


# --- Views -----------------------------------------------------------------------------------


def test_citizen_requests_a_callback_without_account(client):
    """Public form: a callback request is saved, the confirmation shows the reference and the promise."""
    demarche = Demarche.objects.get(code="pacs")
    url = reverse("demarches:rappel_demande") + "?demarche=pacs"
    bad = client.post(url, {"nom": "Jeanne", "telephone": "abc", "objet": "PACS"})
    assert bad.status_code == 200 and "pas valide" in bad.text and 'value="Jeanne"' in bad.text
    response = client.post(
        url,
        {
            "nom": "Jeanne Fictive",
            "telephone": "0612345678",
            "objet": "PACS",
            "creneaux_preferes": ["mar_matin"],
        },
    )
    demande = DemandeRappel.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "demarches:rappel_confirmation", args=[demande.uuid]
    )
    assert demande.demarche == demarche and demande.canal == CanalRappel.EN_LIGNE
    assert demande.creneaux_preferes == ["mar_matin"]
    page = client.get(response.url)
    assert demande.reference in page.text and "2 jours ouvrés" in page.text
    client.cookies.clear()
    assert client.get(response.url).status_code == 404  # another browser cannot read it


def test_agent_queue_permissions(client, make_user):
    """Queue pages: agents only (403 for other roles); unknown request → 404."""
    demande = _demande()
    for role, expected in [(Role.AGENT, 200), (Role.ELU, 403), (Role.MEDIATEUR, 403)]:
        client.force_login(make_user(role))
        assert client.get(reverse("demarches:rappel_file")).status_code == expected
        assert client.get(reverse("demarches:rappel_detail", args=[demande.uuid])).status_code == expected
    client.force_login(make_user(Role.AGENT))
    import uuid

    assert client.get(reverse("demarches:rappel_detail", args=[uuid.uuid4()])).status_code == 404
    client.logout()
    assert client.get(reverse("demarches:rappel_file")).status_code == 302


def test_agent_works_the_queue_through_views(client, make_user):
    """An agent takes a request, logs two failures then joint; bad input is refused without a 500."""
    agent = make_user(Role.AGENT)
    client.force_login(agent)
    demande = _demande()
    assert demande.reference in client.get(reverse("demarches:rappel_file")).text
    client.post(reverse("demarches:rappel_prendre", args=[demande.uuid]))
    demande.refresh_from_db()
    assert demande.statut == StatutRappel.EN_COURS and demande.agent == agent
    url = reverse("demarches:rappel_tentative", args=[demande.uuid])
    assert client.post(url, {"resultat": "n_importe"}).status_code == 400
    for resultat in ["injoignable", "message_laisse", "joint"]:
        assert client.post(url, {"resultat": resultat}).status_code == 302
    demande.refresh_from_db()
    assert demande.statut == StatutRappel.JOINT
    assert demande.reference not in client.get(reverse("demarches:rappel_file")).text


def test_agent_creates_a_request_for_a_caller(client, make_user):
    """An agent records a request for a caller: canal agent, created_by set."""
    agent = make_user(Role.AGENT)
    client.force_login(agent)
    demarche = Demarche.objects.get(code="mariage")
    response = client.post(
        reverse("demarches:rappel_agent_nouvelle"),
        {"demarche": str(demarche.pk), "nom": "Paul Fictif", "telephone": "0478000000", "objet": "Dossier"},
    )
    demande = DemandeRappel.objects.get()
    assert response.status_code == 302
    assert demande.canal == CanalRappel.AGENT and demande.created_by == agent and demande.demarche == demarche


def test_queue_query_count_is_constant(client, make_user, django_assert_max_num_queries):
    """The queue page runs a bounded number of queries whatever the number of requests."""
    client.force_login(make_user(Role.AGENT))
    for _ in range(3):
        _demande()
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("demarches:rappel_file"))
    for _ in range(30):
        services.tentative_record(demande=_demande(), agent=None, resultat="injoignable")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("demarches:rappel_file"))


def test_engagement_measure_page(client, make_user):
    """The promise-kept page shows the share for agents and coordination."""
    client.force_login(make_user(Role.COORDINATION))
    response = client.get(reverse("demarches:rappel_engagement"))
    assert response.status_code == 200 and "Promesse de rappel tenue" in response.text


@time_machine.travel(MERCREDI_SOIR, tick=False)
def test_queue_is_paginated_by_50(client, make_user):
    """The queue shows 50 requests per page, the most urgent first, with a link to the next page."""
    client.force_login(make_user(Role.AGENT))
    now = timezone.now()
    demandes = [_demande(now=now - dt.timedelta(hours=i)) for i in range(55)]
    first = client.get(reverse("demarches:rappel_file")).content.decode()
    assert (
        first.count('href="/demarches/rappels/')
        - first.count("/rappels/nouvelle/")
        - first.count("/rappels/engagement/")
        == 50
    )
    assert demandes[-1].reference in first and demandes[0].reference not in first
    assert "55 demandes à traiter" in first and "Page suivante" in first
    second = client.get(reverse("demarches:rappel_file"), {"page": 2}).content.decode()
    assert demandes[0].reference in second
