"""Second factor: the enrolment page cannot be used to skip it, and every device change is guarded."""

from __future__ import annotations

import re
import time

import pytest
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pacte.models import JournalEntry, Notification
from pacte.notifications import notification_text
from pacte.roles import Role
from tests.mediation.factories import saisine_new

pytestmark = pytest.mark.django_db
PASSWORD = "motdepasse-de-test-123"


def _code(key: bytes) -> str:
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _login(client, user):
    response = client.post("/espace/connexion/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.status_code


def _enrolled(user) -> tuple[TOTPDevice, list[str]]:
    """A user who already set up an authenticator app and has backup codes."""
    device = TOTPDevice.objects.create(user=user, name="Téléphone de la victime", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="Codes de secours")
    codes = [StaticToken.random_token() for _ in range(10)]
    static.token_set.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return device, codes


def _codes_of(user) -> set[str]:
    return set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def _verified(client) -> bool:
    return bool(client.session.get("otp_device_id"))


@override_settings(STAFF_2FA_REQUIRED=True)
def test_password_alone_cannot_enrol_a_new_device_and_skip_the_second_factor(client, make_user):
    """The issue's attack: password login, enrolment page, code from the shown secret → still locked out."""
    victim = make_user(Role.MEDIATEUR)
    device, codes = _enrolled(victim)
    saisine = saisine_new()
    _login(client, victim)

    page = client.get("/espace/securite/deux-etapes/")
    html = page.content.decode()
    # The attacker looks for the secret on the page; with one, they compute a valid code and post it.
    secret = re.search(r'class="cle-otp">([A-Z2-7]+)<', html)
    if secret:
        import base64

        key = base64.b32decode(secret.group(1) + "=" * (-len(secret.group(1)) % 8))
        client.post("/espace/securite/deux-etapes/", {"code": _code(key)})
    assert page.status_code == 302 and page["Location"].startswith("/espace/verification/")
    assert secret is None

    assert not _verified(client)
    assert list(TOTPDevice.objects.filter(user=victim, confirmed=True)) == [device]
    assert _codes_of(victim) == set(codes)
    for url in (
        f"/mediateur/equipe/saisines/{saisine.uuid}/",
        "/mediateur/equipe/saisines/export.csv",
        "/mediateur/equipe/saisines/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/espace/verification/"), url
    assert not JournalEntry.objects.filter(action="mediation.lecture").exists()


@override_settings(STAFF_2FA_REQUIRED=True)
def test_password_alone_cannot_regenerate_backup_codes_or_open_the_security_page(client, make_user):
    """Unverified: the security page and its actions all lead to the verification step, nothing changes."""
    victim = make_user(Role.AGENT)
    _, codes = _enrolled(victim)
    _login(client, victim)
    for method, url in (("get", "/espace/securite/"), ("post", "/espace/securite/codes-de-secours/")):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/espace/verification/"), url
    assert _codes_of(victim) == set(codes)


@pytest.mark.parametrize("two_factor_required", [True, False])
def test_device_change_needs_a_verified_session_even_when_2fa_is_optional(
    client, make_user, settings, two_factor_required
):
    """With a confirmed device, enrolment and backup-code regeneration need the second factor first."""
    settings.STAFF_2FA_REQUIRED = two_factor_required
    victim = make_user(Role.AGENT)
    _, codes = _enrolled(victim)
    _login(client, victim)
    response = client.get("/espace/securite/deux-etapes/")
    assert response.status_code == 302 and response["Location"].startswith("/espace/verification/")
    response = client.post("/espace/securite/codes-de-secours/")
    assert response.status_code == 302 and response["Location"].startswith("/espace/verification/")
    assert TOTPDevice.objects.filter(user=victim).count() == 1
    assert _codes_of(victim) == set(codes)


@override_settings(STAFF_2FA_REQUIRED=True, STAFF_REAUTH_SECONDS=300)
def test_a_verified_but_stale_session_must_confirm_the_password_before_a_device_change(client, make_user):
    """A stolen verified session (no password) cannot replace the device or the backup codes."""
    user = make_user(Role.MEDIATEUR)
    device, codes = _enrolled(user)
    _login(client, user)
    client.post("/espace/verification/", {"code": _code(device.bin_key)})
    assert _verified(client)
    session = client.session
    session["pacte_mot_de_passe_confirme"] = time.time() - 3600
    session.save()

    response = client.get("/espace/securite/deux-etapes/")
    assert response.status_code == 302 and response["Location"].startswith("/espace/securite/confirmer/")
    response = client.post("/espace/securite/codes-de-secours/")
    assert response.status_code == 302 and response["Location"].startswith("/espace/securite/confirmer/")
    assert _codes_of(user) == set(codes)

    wrong = client.post(
        "/espace/securite/confirmer/", {"password": "pas-le-bon", "next": "/espace/securite/"}
    )
    assert wrong.status_code == 200 and "incorrect" in wrong.content.decode()
    ok = client.post("/espace/securite/confirmer/", {"password": PASSWORD, "next": "/espace/securite/"})
    assert ok.status_code == 302 and ok["Location"] == "/espace/securite/"
    done = client.post("/espace/securite/codes-de-secours/")
    new_codes = re.findall(r"<code>(\w+)</code>", done.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    assert _codes_of(user) == set(new_codes)
    assert _verified(client)
    assert JournalEntry.objects.filter(action="securite.2fa_codes_regeneres", actor=user).count() == 1
    mail = Notification.objects.get(destinataire=user.email)
    texte = notification_text(mail)
    assert "codes de secours" in texte and new_codes[0] not in texte


@override_settings(STAFF_2FA_REQUIRED=True)
def test_replacing_the_device_with_a_verified_fresh_session(client, make_user):
    """Verified + fresh password: a new app replaces the old one, which stops working; journaled, emailed."""
    user = make_user(Role.AGENT)
    old, codes = _enrolled(user)
    _login(client, user)
    client.post("/espace/verification/", {"code": _code(old.bin_key)})
    page = client.get("/espace/securite/deux-etapes/")
    assert page.status_code == 200 and 'class="cle-otp"' in page.content.decode()
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/espace/securite/deux-etapes/", {"code": _code(new.bin_key)})
    assert done.status_code == 200
    assert list(TOTPDevice.objects.filter(user=user)) == [new] and TOTPDevice.objects.get().confirmed
    assert _verified(client) and client.get("/espace/").status_code == 200
    assert not StaticToken.objects.filter(device__user=user, token__in=codes).exists()
    entry = JournalEntry.objects.get(action="securite.2fa_appareil_remplace")
    assert entry.actor == user
    assert Notification.objects.filter(destinataire=user.email, sujet__icontains="deux étapes").count() == 1


@override_settings(STAFF_2FA_REQUIRED=True)
def test_first_enrolment_is_journaled_and_emailed(client, make_user):
    """An account without a device enrols right after its password; the change is journaled and emailed."""
    user = make_user(Role.ECRIVAIN)
    _login(client, user)
    response = client.get("/espace/")
    assert response["Location"].startswith("/espace/securite/deux-etapes/")
    client.get(response["Location"])
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/espace/securite/deux-etapes/", {"code": _code(device.bin_key)})
    assert len(re.findall(r"<code>(\w+)</code>", done.content.decode())) == 10
    assert JournalEntry.objects.filter(action="securite.2fa_activee", actor=user).count() == 1
    assert Notification.objects.filter(destinataire=user.email).count() == 1


@override_settings(STAFF_2FA_REQUIRED=True)
def test_security_page_lists_devices_without_showing_secrets(client, make_user):
    """The staff security page shows the app, the number of backup codes left and the actions (no JS)."""
    user = make_user(Role.AGENT)
    device, codes = _enrolled(user)
    _login(client, user)
    client.post("/espace/verification/", {"code": codes[0]})
    html = client.get("/espace/securite/").content.decode()
    assert "Téléphone de la victime" in html and "9 codes de secours" in html
    assert device.key not in html and codes[1] not in html
    assert (
        'action="/espace/securite/codes-de-secours/"' in html
        and 'href="/espace/securite/deux-etapes/?next=/espace/securite/"' in html
    )
