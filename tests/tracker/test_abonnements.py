"""Following an action by email: double opt-in, one-click unsubscribe, updates through the outbox."""

import datetime as dt
import re

import pytest
from django.core import mail

from pacte.models import Notification
from pacte.notifications import notification_text
from pacte.roles import Role
from pacte.tracker import services
from pacte.tracker.enums import Statut
from pacte.tracker.models import Abonnement, Action

pytestmark = pytest.mark.django_db

EMAIL = "camille@example.org"


def _body(notification):
    """The text of a queued message, or of the email it became once sent (the outbox purges it)."""
    notification.refresh_from_db()
    if notification.corps:
        return notification_text(notification)
    sent = [m for m in mail.outbox if m.to == [notification.destinataire] and m.subject == notification.sujet]
    return sent[-1].body


def _link(notification, name):
    match = re.search(rf"(/pacte/abonnement/{name}/[\w-]+/)", _body(notification))
    assert match, _body(notification)
    return match.group(1)


def _subscribe(client, code="A1", email=EMAIL):
    return client.post(f"/pacte/actions/{code}/suivre/", {"email": email})


def _confirmed(client, code="A1", email=EMAIL):
    _subscribe(client, code, email)
    notification = Notification.objects.filter(destinataire=email).latest("pk")
    client.post(_link(notification, "confirmer"))
    return Abonnement.objects.get(action__code=code, email=email)


def test_subscription_needs_the_confirmation_link(client):
    """Subscribing queues one confirmation email; GET on the link shows a button; POST confirms."""
    response = _subscribe(client)
    assert response.status_code == 302 and response.url == "/pacte/actions/A1/suivre/envoye/"
    abonnement = Abonnement.objects.get()
    assert abonnement.confirmed_at is None
    notification = Notification.objects.get(destinataire=EMAIL)
    assert "Confirmez" in notification.sujet
    link = _link(notification, "confirmer")
    assert link.split("/")[-2] not in (abonnement.confirmation_hash, abonnement.desabonnement_hash)
    page = client.get(link)
    assert page.status_code == 200 and "Confirmer" in page.text
    abonnement.refresh_from_db()
    assert abonnement.confirmed_at is None, "a GET (mail scanner) must not confirm"
    assert client.post(link).status_code == 302
    abonnement.refresh_from_db()
    assert abonnement.confirmed_at is not None
    assert client.get("/pacte/abonnement/confirmer/inconnu/").status_code == 404


def test_the_answer_never_reveals_whether_an_address_already_follows(client):
    """Subscribing an address that already follows gives the same redirect; no new subscription."""
    _confirmed(client)
    first = Notification.objects.count()
    response = _subscribe(client)
    assert response.status_code == 302 and response.url == "/pacte/actions/A1/suivre/envoye/"
    assert Abonnement.objects.count() == 1
    assert Notification.objects.count() == first + 1
    assert "déjà" in _body(Notification.objects.latest("pk"))


def test_bad_email_is_reported_next_to_the_field_and_kept(client):
    """An invalid address re-renders the action page with a French message and the typed value."""
    response = _subscribe(client, email="pas-une-adresse")
    assert response.status_code == 200
    assert "pas valide" in response.text and 'value="pas-une-adresse"' in response.text
    assert not Abonnement.objects.exists()


def test_subscriptions_are_rate_limited_per_ip(client, settings):
    """Beyond the hourly limit per IP, requests are refused with a clear message and nothing queued."""
    from django.core.cache import cache

    cache.clear()
    settings.RATELIMIT_ENABLED = True
    settings.RATELIMITS = {**settings.RATELIMITS, "abonnement": "2/h"}
    for n in range(2):
        assert _subscribe(client, email=f"p{n}@example.org").status_code == 302
    response = _subscribe(client, email="p3@example.org")
    assert response.status_code == 429 and "Trop de demandes" in response.text
    assert 'value="p3@example.org"' in response.text
    assert Abonnement.objects.count() == 2


def test_status_change_and_new_milestone_email_confirmed_followers_once(
    client, make_user, django_capture_on_commit_callbacks, mailoutbox
):
    """Confirmed followers get one email per event with a one-click unsubscribe link; unconfirmed get none."""
    abonnement = _confirmed(client)
    _subscribe(client, email="pas-confirme@example.org")
    referent = make_user(Role.ADMIN)
    action = Action.objects.get(code="A1")
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        services.action_update(action=action, actor=referent, statut=Statut.EN_COURS, avancement=30)
    statut_mail = Notification.objects.exclude(
        pk__lte=Notification.objects.order_by("pk")[before - 1].pk
    ).get()
    assert (
        statut_mail.destinataire == EMAIL
        and "En cours" in _body(statut_mail)
        and "À engager" in _body(statut_mail)
    )
    assert any(m.to == [EMAIL] and "En cours" in m.subject for m in mailoutbox)
    # Progress alone is not a status change: no email.
    services.action_update(action=action, actor=referent, statut=Statut.EN_COURS, avancement=50)
    assert Notification.objects.count() == before + 1
    jalon = services.jalon_add(
        action=action, actor=referent, date_on=dt.date(2026, 5, 4), titre="Première étape"
    )
    jalon_mail = Notification.objects.latest("pk")
    assert jalon_mail.cle == f"tracker:jalon-{jalon.pk}:abonnement-{abonnement.pk}:email"
    assert "Première étape" in _body(jalon_mail)
    # Idempotent: the same event notified twice queues nothing new.
    services.abonnes_notify(
        action=action,
        evenement=f"jalon-{jalon.pk}",
        message="tracker/jalon",
        sujet="x",
        context={"jalon": jalon},
    )
    assert Notification.objects.count() == before + 2
    # Unpublished milestones are not announced.
    services.jalon_add(
        action=action, actor=referent, date_on=dt.date(2026, 5, 5), titre="Brouillon", is_published=False
    )
    assert Notification.objects.count() == before + 2
    # One-click unsubscribe from the email: GET shows a button, POST deletes the address.
    link = _link(jalon_mail, "desabonner")
    assert client.get(link).status_code == 200
    assert Abonnement.objects.filter(pk=abonnement.pk).exists()
    assert client.post(link).status_code == 302
    assert not Abonnement.objects.filter(pk=abonnement.pk).exists()
    assert client.get(link).status_code == 404


def test_admin_edits_go_through_the_services_and_notify(client, make_user):
    """Saving the action in the admin with a new status and a new milestone emails the follower twice."""
    _confirmed(client, code="D2")
    admin = make_user(Role.ADMIN, username="root")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    action = Action.objects.get(code="D2")
    before = Notification.objects.count()
    data = {
        "code": "D2",
        "numero": action.numero,
        "orientation": action.orientation_id,
        "axe": "",
        "titre": action.titre,
        "description": "",
        "direction": "",
        "partenaires": "",
        "statut": Statut.REALISEE,
        "avancement": 100,
        "debut_on": "",
        "cible_on": "",
        "source": action.source,
        "statut_source": action.statut_source,
        "certitude": action.certitude,
        "is_published": "on",
        "jalons-TOTAL_FORMS": 1,
        "jalons-INITIAL_FORMS": 0,
        "jalons-MIN_NUM_FORMS": 0,
        "jalons-MAX_NUM_FORMS": 1000,
        "jalons-0-date_on": "2026-11-20",
        "jalons-0-titre": "Rapport présenté",
        "jalons-0-note": "",
        "jalons-0-preuve_url": "",
        "jalons-0-is_published": "on",
    }
    response = client.post(f"/admin/tracker/action/{action.pk}/change/", data)
    assert response.status_code == 302, response.text[:3000]
    sujets = list(Notification.objects.filter(pk__gt=0).order_by("pk").values_list("sujet", flat=True))[
        before:
    ]
    assert len(sujets) == 2
    assert "Réalisée" in sujets[0] and "nouvelle étape" in sujets[1]


def test_unconfirmed_subscriptions_are_forgotten_after_a_week(client, time_machine):
    """An address never confirmed is deleted after 7 days; a confirmed one is kept."""
    from pacte.tracker.tasks import abonnements_non_confirmes_purge_task

    time_machine.move_to("2026-01-01 10:00 +01:00")
    _confirmed(client, email="garde@example.org")
    _subscribe(client, email="oublie@example.org")
    time_machine.move_to("2026-01-05 10:00 +01:00")
    assert abonnements_non_confirmes_purge_task() == 0
    time_machine.move_to("2026-01-09 10:00 +01:00")
    assert abonnements_non_confirmes_purge_task() == 1
    assert list(Abonnement.objects.values_list("email", flat=True)) == ["garde@example.org"]


def test_the_unconfirmed_subscription_period_is_a_setting(client, time_machine, settings):
    """TRACKER_ABONNEMENT_NON_CONFIRME_JOURS (from the environment) sets the period."""
    from pacte.tracker.tasks import abonnements_non_confirmes_purge_task

    settings.TRACKER_ABONNEMENT_NON_CONFIRME_JOURS = 2
    time_machine.move_to("2026-01-01 10:00 +01:00")
    _subscribe(client, email="oublie@example.org")
    time_machine.move_to("2026-01-03 09:00 +01:00")
    assert abonnements_non_confirmes_purge_task() == 0
    time_machine.move_to("2026-01-03 11:00 +01:00")
    assert abonnements_non_confirmes_purge_task() == 1


def test_a_follower_who_subscribed_in_english_gets_english_emails(client, make_user):
    """Subscribed on /en/: the confirmation is in English with its link under /en/; the milestones
    announced later (by an agent's French page) reach them in English, unsubscribe link under /en/."""
    client.post("/en/pacte/actions/A1/suivre/", {"email": EMAIL})
    confirmation = Notification.objects.get(destinataire=EMAIL)
    assert (
        confirmation.langue == "en"
        and confirmation.sujet == "Confirm that you want to follow action A1 of the Pact"
    )
    assert "/en/pacte/abonnement/confirmer/" in _body(confirmation)
    client.post(_link(confirmation, "confirmer"))
    abonnement = Abonnement.objects.get(email=EMAIL)
    assert abonnement.langue == "en" and abonnement.confirmed_at is not None
    services.jalon_add(
        action=Action.objects.get(code="A1"),
        actor=make_user(Role.ADMIN),
        date_on=dt.date(2026, 5, 4),
        titre="Première étape",
    )
    jalon_mail = Notification.objects.latest("pk")
    assert jalon_mail.sujet == "Pact: a new step for action A1"
    assert _body(jalon_mail).startswith("Hello,") and "/en/pacte/abonnement/desabonner/" in _body(jalon_mail)
