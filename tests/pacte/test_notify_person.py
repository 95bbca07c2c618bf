"""Reaching a person (pacte.notifications.notify_person): one policy, plain text, encrypted, purged."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core import mail
from django.db import connection
from django.urls import reverse

from pacte import encryption
from pacte.models import Canal, Notification, StatutNotification
from pacte.notifications import (
    Personne,
    canaux,
    canaux_phrase,
    notification_cancel,
    notification_send,
    notification_text,
    notify_person,
    outbox_flush,
    tache_action,
    tache_faite,
    tache_sans_reponse,
)
from pacte.phones import phone_is_mobile

pytestmark = pytest.mark.django_db

EMAIL = "usager@example.org"
SECRET = "jeton-secret-Zq8xYv3Kp0"  # stands for a secret link's token


def _saisine(nom="Dupont"):
    """Just what the médiation acknowledgement template reads (no database row needed)."""
    return SimpleNamespace(prenom="", nom=nom, reference="MED-TEST01", echeance_reponse=dt.date(2026, 3, 2))


def _notify(personne, *, repli=None, nom="Dupont", cle=None):
    return notify_person(
        personne=personne,
        message="mediation/accuse",
        context={"saisine": _saisine(nom), "lien": f"https://pacte.example/mediateur/suivi/{SECRET}/"},
        sujet="Votre demande au médiateur",
        cle=cle,
        repli=repli,
    )


# --- The policy ----------------------------------------------------------------------------------

POLICY = [
    # (what the person gave, channels without fallback, channels with a call fallback)
    pytest.param(dict(email=EMAIL), ["email"], ["email"], id="email-only"),
    pytest.param(dict(telephone="06 12 34 56 78"), ["sms"], ["sms"], id="mobile-06"),
    pytest.param(dict(telephone="07 51 23 45 67"), ["sms"], ["sms"], id="mobile-07"),
    pytest.param(dict(telephone="+33612345678"), ["sms"], ["sms"], id="mobile-+33-6"),
    pytest.param(dict(telephone="+262692123456"), ["sms"], ["sms"], id="mobile-reunion"),
    pytest.param(dict(telephone="04 72 10 30 30"), [], ["appel"], id="landline-only"),
    pytest.param(dict(telephone="09 12 34 56 78"), [], ["appel"], id="voip-09-only"),
    pytest.param(dict(telephone="08 00 12 34 56"), [], ["appel"], id="freephone-only"),
    pytest.param(dict(email=EMAIL, telephone="0612345678"), ["email", "sms"], ["email", "sms"], id="both"),
    pytest.param(dict(email=EMAIL, telephone="0472103030"), ["email"], ["email"], id="email-and-landline"),
    pytest.param(dict(), [], ["courrier"], id="none"),
    pytest.param(dict(adresse="1 rue X, 69001 Lyon"), [], ["courrier"], id="postal-address-only"),
    pytest.param(dict(telephone="+4915112345678"), ["sms"], ["sms"], id="foreign-mobile-de"),
    pytest.param(dict(telephone="+447911123456"), ["sms"], ["sms"], id="foreign-mobile-uk"),
    pytest.param(dict(telephone="+12025550143"), [], ["appel"], id="north-america-unknown-type"),
]


@pytest.mark.parametrize(("contacts", "sans_repli", "avec_appel"), POLICY)
def test_policy_matrix(contacts, sans_repli, avec_appel, sms_outbox, django_capture_on_commit_callbacks):
    """SMS only to mobiles, email when given, both when both, a task for the agents otherwise."""
    personne = Personne(nom="Jeanne", **contacts)
    assert canaux(personne) == sans_repli
    assert canaux(personne, repli=Canal.APPEL) == avec_appel
    with django_capture_on_commit_callbacks(execute=True):
        rows = _notify(personne, repli=Canal.APPEL)
    assert [r.canal for r in rows] == avec_appel
    assert bool(sms_outbox) == ("sms" in avec_appel)
    assert len(mail.outbox) == ("email" in avec_appel)
    if sms_outbox:
        assert phone_is_mobile(sms_outbox[0]["to"])


def test_without_fallback_nothing_is_queued_for_a_landline(sms_outbox, django_capture_on_commit_callbacks):
    """A message with no fallback sends nothing to a landline (and no SMS ever)."""
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(Personne(telephone="0472103030")) == []
    assert Notification.objects.count() == 0 and sms_outbox == []


def test_channels_in_words_for_the_page():
    """The page says what will really happen, from the same policy."""
    assert canaux_phrase(Personne(email=EMAIL, telephone="0612345678")) == (
        f"par courriel à {EMAIL} et par SMS au 06 12 34 56 78"
    )
    assert canaux_phrase(Personne(telephone="0472103030")) == ""
    assert canaux_phrase(Personne(telephone="0472103030"), repli=Canal.APPEL) == (
        "par un appel d'un agent au 04 72 10 30 30"
    )


def test_a_call_fallback_without_any_phone_becomes_a_letter():
    """No phone to call: the task is a letter, addressed to what the agent knows."""
    rows = _notify(Personne(nom="Jeanne", adresse="1 rue X, 69001 Lyon"), repli=Canal.APPEL)
    assert [(r.canal, r.destinataire) for r in rows] == [("courrier", "Jeanne\n1 rue X, 69001 Lyon")]


# --- Plain text ----------------------------------------------------------------------------------


def test_plain_text_bodies_are_never_html_escaped(sms_outbox, django_capture_on_commit_callbacks):
    """« d'accord & <b> » arrives as typed in the email and the SMS, never as `d&#x27;accord`."""
    nom = "d'accord & <b>"
    with django_capture_on_commit_callbacks(execute=True):
        _notify(Personne(email=EMAIL, telephone="0612345678"), nom=nom)
    body = mail.outbox[0].body
    assert nom in body
    assert "&#x27;" not in body and "&amp;" not in body and "&lt;" not in body
    assert "&#x27;" not in sms_outbox[0]["body"]


# --- Encryption at rest and purge ------------------------------------------------------------------


def _raw(pk: int) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT corps, pieces_jointes::text FROM pacte_notification WHERE id = %s", [pk])
        return cursor.fetchone()


def test_raw_column_never_holds_the_secret_link():
    """What the database stores is ciphertext: the token appears nowhere in the raw row."""
    (row,) = _notify(Personne(email=EMAIL))
    corps, _ = _raw(row.pk)
    assert SECRET not in corps and "suivi" not in corps
    assert corps.startswith(encryption.PREFIX)
    assert SECRET in notification_text(row)


def test_body_is_purged_once_delivered_keeping_metadata():
    """After sending, body and attachments are gone; status, channel, subject and times stay."""
    (row,) = notify_person(
        personne=Personne(email=EMAIL),
        message="mediation/accuse",
        context={"saisine": _saisine(), "lien": f"https://x/{SECRET}/"},
        sujet="Sujet gardé",
        pieces_jointes=[{"filename": "a.ics", "mimetype": "text/calendar", "content_b64": "QQ=="}],
    )
    assert notification_send(notification_id=row.pk) == StatutNotification.SENT
    assert SECRET in mail.outbox[0].body  # it was delivered with its link
    row.refresh_from_db()
    assert (row.corps, row.pieces_jointes, row.statut, row.sujet) == ("", [], "sent", "Sujet gardé")
    assert row.sent_at and row.derniere_tentative_at and row.tentatives == 1
    assert SECRET not in "".join(_raw(row.pk))


def test_cancelled_message_is_purged_too():
    """A cancelled message will never be read: its body goes."""
    (row,) = _notify(Personne(email=EMAIL), cle="test:annule")
    assert notification_cancel(cle_prefix="test:annule") == 1
    row.refresh_from_db()
    assert row.statut == StatutNotification.CANCELLED and row.corps == ""


def test_failed_message_keeps_its_encrypted_body_for_the_retry(settings):
    """A delivery failure keeps the body (encrypted) so the retry can send it."""
    settings.MAILERS = {"default": {"BACKEND": "tests.pacte.broken_mail.Backend"}}
    (row,) = _notify(Personne(email=EMAIL))
    assert notification_send(notification_id=row.pk) == StatutNotification.PENDING
    row.refresh_from_db()
    assert row.corps.startswith(encryption.PREFIX) and SECRET in notification_text(row)


def test_key_rotation_reads_old_bodies_and_refuses_unknown_keys(settings):
    """A new key put first still opens bodies written with the old one; a foreign key opens nothing."""
    old = settings.NOTIFICATION_ENCRYPTION_KEYS[0]
    value = encryption.encrypt("message")
    settings.NOTIFICATION_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old]
    assert encryption.decrypt(value) == "message"
    assert encryption.decrypt(encryption.rotate(value)) == "message"
    settings.NOTIFICATION_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(InvalidToken):
        encryption.decrypt(value)


def test_admin_never_shows_a_body(admin_client):
    """The admin change page and list show metadata and status, never the body (clear or encrypted)."""
    (row,) = _notify(Personne(email=EMAIL))
    cipher = row.corps
    pages = [
        admin_client.get(reverse("admin:pacte_notification_changelist")),
        admin_client.get(reverse("admin:pacte_notification_change", args=[row.pk])),
    ]
    search = admin_client.get(reverse("admin:pacte_notification_changelist"), {"q": SECRET})
    assert search.context["cl"].result_count == 0  # bodies are not searchable either
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert SECRET not in html and cipher[:40] not in html
    assert "Masqué" in pages[1].content.decode()
    assert EMAIL in pages[1].content.decode()


# --- Tasks for the agents ------------------------------------------------------------------------


def test_tasks_are_never_sent_and_are_done_by_an_agent(make_user, django_capture_on_commit_callbacks):
    """A call task is not sent by the worker or the flush; the agent logs a no-answer, then the call."""
    agent = make_user("agent_accueil")
    with django_capture_on_commit_callbacks(execute=True):
        (tache,) = _notify(Personne(nom="Jeanne", telephone="0472103030"), repli=Canal.APPEL)
    assert tache.etat == "Appel à passer"
    assert outbox_flush() == 0 and notification_send(notification_id=tache.pk) == "skipped"
    assert list(Notification.objects.taches_a_faire()) == [tache]
    tache = tache_sans_reponse(notification=tache, actor=agent)
    assert tache.etat.startswith("Appel à passer (sans réponse le ")
    tache = tache_faite(notification=tache, actor=agent)
    assert tache.etat.startswith("Appel passé le ") and tache.corps == ""
    assert tache_faite(notification=tache, actor=agent).sent_at == tache.sent_at  # twice: no change
    assert not Notification.objects.taches_a_faire().exists()
    from pacte.models import JournalEntry

    assert JournalEntry.objects.filter(action="notification.tache_faite", actor=agent).count() == 1


def test_a_letter_task_reads_courrier_envoye(make_user):
    """The delivery log of a letter says « Courrier envoyé le … » once posted."""
    agent = make_user("agent_accueil")
    (tache,) = _notify(Personne(nom="Jeanne"), repli=Canal.COURRIER)
    assert tache.etat == "Courrier à envoyer"
    assert SECRET in notification_text(tache)  # the agent prints the letter
    assert tache_faite(notification=tache, actor=agent).etat.startswith("Courrier envoyé le ")


def test_task_actions_are_scoped_by_the_callers_queryset(make_user):
    """A task outside the caller's scope, an email, or an unknown action is refused in French."""
    from django.core.exceptions import ValidationError

    agent = make_user("agent_accueil")
    (tache,) = _notify(Personne(nom="Jeanne"), repli=Canal.COURRIER)
    (email,) = _notify(Personne(email=EMAIL))
    with pytest.raises(ValidationError):
        tache_action(taches=Notification.objects.none(), uuid=str(tache.uuid), action="fait", actor=agent)
    with pytest.raises(ValidationError):
        tache_action(taches=Notification.objects.all(), uuid="pas-un-uuid", action="fait", actor=agent)
    with pytest.raises(ValidationError):
        tache_action(taches=Notification.objects.all(), uuid=str(email.uuid), action="fait", actor=agent)
    with pytest.raises(ValidationError):
        tache_action(taches=Notification.objects.all(), uuid=str(tache.uuid), action="x", actor=agent)
    done = tache_action(taches=Notification.objects.all(), uuid=str(tache.uuid), action="fait", actor=agent)
    assert done.statut == StatutNotification.SENT


def test_idempotency_key_is_per_channel():
    """The same logical message with the same key is queued once per channel."""
    personne = Personne(email=EMAIL, telephone="0612345678")
    first = _notify(personne, cle="k")
    second = _notify(personne, cle="k")
    assert [r.pk for r in first] == [r.pk for r in second]
    assert sorted(Notification.objects.values_list("cle", flat=True)) == ["k:email", "k:sms"]
