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
from tests.demarches.horaires import appels

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
# A Wednesday evening without a clock change nearby: requests made in the last days were made on
# working days, so their promises follow their order. Made on a weekend (a Sunday-night request is
# promised before a Friday-morning one) or across the autumn clock change (« a day ago » is then
# 25 hours on the wall clock), the queue tests depended on the day they ran.
MERCREDI_SOIR = dt.datetime(2027, 7, 7, 18, 0, tzinfo=PARIS)


def _demande(now=None, telephone="06 12 34 56 78", creneaux_preferes=("lun_matin",), **kwargs):
    return services.demande_rappel_create(
        nom="Jeanne Fictive",
        telephone=telephone,
        objet="Aide pour une pré-demande de passeport",
        creneaux_preferes=creneaux_preferes,
        now=now,
        **kwargs,
    )


def test_promise_is_two_business_days_skipping_weekend_and_holidays():
    """Promise = 2 business days, to the end of the half-day: Thursday 24 Dec 2026 10:00 → Tuesday
    29 Dec, end of the morning (25 Dec holiday, weekend)."""
    created = dt.datetime(2026, 12, 24, 10, 0, tzinfo=PARIS)
    demande = _demande(now=created)
    assert timezone.localtime(demande.promesse_at, PARIS) == dt.datetime(2026, 12, 29, 12, 30, tzinfo=PARIS)
    assert demande.promesse_texte == "mardi 29 décembre, dans la matinée"
    friday = _demande(now=dt.datetime(2026, 11, 6, 15, 0, tzinfo=PARIS))
    # Monday 9, Tuesday 10 (11 November is a holiday, but after the promise)
    assert timezone.localtime(friday.promesse_at, PARIS) == dt.datetime(2026, 11, 10, 17, 0, tzinfo=PARIS)
    assert friday.promesse_texte == "mardi 10 novembre, dans l'après-midi"


def test_promise_from_an_evening_request_starts_at_the_next_opening():
    """Issue 15.6: a request at 20 h 41 on Tuesday 1 Dec is promised for Friday 4 Dec « dans la
    matinée » (the clock starts Wednesday 8 h 30), never « à 20 h 41 »; lunchtime counts from 13 h 30."""
    soir = _demande(now=dt.datetime(2026, 12, 1, 20, 41, tzinfo=PARIS))
    assert timezone.localtime(soir.promesse_at, PARIS) == dt.datetime(2026, 12, 4, 12, 30, tzinfo=PARIS)
    assert soir.promesse_texte == "vendredi 4 décembre, dans la matinée"
    midi = _demande(now=dt.datetime(2026, 12, 1, 12, 45, tzinfo=PARIS))
    assert timezone.localtime(midi.promesse_at, PARIS) == dt.datetime(2026, 12, 3, 17, 0, tzinfo=PARIS)
    samedi = _demande(now=dt.datetime(2026, 12, 5, 10, 0, tzinfo=PARIS))
    assert samedi.promesse_texte == "mercredi 9 décembre, dans la matinée"


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
        for at in appels(3):
            services.tentative_record(demande=demande, agent=agent, resultat="injoignable", at=at)
    demande.refresh_from_db()
    assert demande.statut == StatutRappel.ABANDONNEE and demande.repli == Repli.SMS
    assert any("sans vous joindre" in sms["body"] for sms in sms_outbox)


def test_attempts_count_only_spaced_and_inside_the_line_hours(make_user, settings, sms_outbox):
    """Issue 15.6: three failed calls within one minute at 20 h 45 count for nothing; calls closer
    than RAPPEL_ECART_MIN_MINUTES to the last counted one count once; spaced calls in opening hours
    trigger the fallback."""
    agent = make_user(Role.AGENT)
    demande = _demande(now=dt.datetime(2026, 11, 30, 18, 0, tzinfo=PARIS))
    for minute in (45, 45, 46):
        soir = dt.datetime(2026, 12, 1, 20, minute, tzinfo=PARIS)
        services.tentative_record(demande=demande, agent=agent, resultat="injoignable", at=soir)
    demande.refresh_from_db()
    assert demande.statut == StatutRappel.EN_COURS and services.comptes(demande) == 0
    matin = dt.datetime(2026, 12, 2, 9, 0, tzinfo=PARIS)
    for minutes in (0, 1, 30):  # one counted call, two too close to it
        at = matin + dt.timedelta(minutes=minutes)
        services.tentative_record(demande=demande, agent=agent, resultat="injoignable", at=at)
    demande.refresh_from_db()
    assert demande.statut == StatutRappel.EN_COURS and services.comptes(demande) == 1
    settings.RAPPEL_ECART_MIN_MINUTES = 60
    for heure in (10, 14):
        at = dt.datetime(2026, 12, 2, heure, 0, tzinfo=PARIS)
        services.tentative_record(demande=demande, agent=agent, resultat="injoignable", at=at)
    demande.refresh_from_db()
    assert demande.statut == StatutRappel.ABANDONNEE and demande.repli == Repli.SMS


def test_detail_page_says_which_calls_do_not_count(client, make_user):
    """The agent sees, next to a call outside the line's hours, that it does not count."""
    agent = make_user(Role.AGENT)
    demande = _demande()
    soir = dt.datetime(2026, 12, 1, 20, 45, tzinfo=PARIS)
    services.tentative_record(demande=demande, agent=agent, resultat="injoignable", at=soir)
    client.force_login(agent)
    page = client.get(reverse("demarches:rappel_detail", args=[demande.uuid])).text
    assert "ne compte pas dans les essais (en dehors des horaires de la ligne)" in page


def test_preferred_moments_guide_the_queue_order():
    """Issue 15.6: on Tuesday morning, « mardi matin » requests come first, then those without a
    preference, then the others; each group by deadline. Outside the line's hours: by deadline."""
    base = dt.datetime(2026, 11, 23, 9, 0, tzinfo=PARIS)
    ancien_jeudi = _demande(now=base, creneaux_preferes=["jeu_apres_midi"])
    sans = _demande(now=base + dt.timedelta(days=1), creneaux_preferes=[])
    mardi = _demande(now=base + dt.timedelta(days=2), creneaux_preferes=["lun_matin", "mar_matin"])
    mardi_matin = dt.datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
    assert list(selectors.demande_rappel_file(now=mardi_matin)) == [mardi, sans, ancien_jeudi]
    dimanche = dt.datetime(2026, 11, 29, 10, 0, tzinfo=PARIS)
    assert list(selectors.demande_rappel_file(now=dimanche)) == [ancien_jeudi, sans, mardi]


def test_fallback_letter_for_a_landline_and_configurable_n(make_user, settings):
    """With a landline, the fallback is a letter task for the agent; N is configurable."""
    settings.RAPPEL_TENTATIVES_MAX = 2
    agent = make_user(Role.AGENT)
    demande = _demande(telephone="04 72 10 30 30")
    premier, second = appels(2)
    services.tentative_record(demande=demande, agent=agent, resultat="injoignable", at=premier)
    demande.refresh_from_db()
    assert demande.statut == StatutRappel.EN_COURS
    services.tentative_record(demande=demande, agent=agent, resultat="message_laisse", at=second)
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
            for at in appels(3):
                services.tentative_record(demande=demande, agent=agent, resultat="injoignable", at=at)
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
    # Four people asking at the same moment (the same person twice would be one request).
    late = _demande(now=now - dt.timedelta(days=10), telephone="06 12 34 56 71")
    services.tentative_record(demande=late, agent=None, resultat="joint", at=now - dt.timedelta(days=1))
    _overdue = _demande(now=now - dt.timedelta(days=10), telephone="06 12 34 56 72")
    fallback = _demande(now=now - dt.timedelta(days=10), telephone="06 12 34 56 73")
    for at in appels(3, jour=(now - dt.timedelta(days=9)).date()):
        services.tentative_record(demande=fallback, agent=None, resultat="injoignable", at=at)
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


def test_a_callback_form_sent_twice_asks_once(client, make_user):
    """« Envoyer » pressed twice (a slow line, a second tab): one request, one confirmation SMS, and
    the second browser lands on the same confirmation; a different subject, or the same one asked
    again later, is a new request. The same for an agent registering a caller."""
    url = reverse("demarches:rappel_demande")
    donnees = {"nom": "Zoë Œdipe", "telephone": "06 12 34 56 78", "objet": "PACS"}
    premier = client.post(url, donnees)
    second = client.post(url, {**donnees, "telephone": "+33 6 12 34 56 78"})
    demande = DemandeRappel.objects.get()
    assert premier.url == second.url == reverse("demarches:rappel_confirmation", args=[demande.uuid])
    assert Notification.objects.filter(object_id=demande.pk, canal="sms").count() == 1
    client.post(url, {**donnees, "objet": "Carte d'identité"})
    assert DemandeRappel.objects.count() == 2
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        client.post(url, donnees)
    assert DemandeRappel.objects.count() == 3

    client.force_login(make_user(Role.AGENT))
    agent = reverse("demarches:rappel_agent_nouvelle")
    client.post(agent, {**donnees, "nom": "Ali Haddad"})
    client.post(agent, {**donnees, "nom": "Ali Haddad"})
    assert DemandeRappel.objects.filter(canal=CanalRappel.AGENT).count() == 1


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
