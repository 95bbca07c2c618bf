"""Staff security: second factor, brute-force lockout, idle timeout, session rotation, headers, rate limits."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from pacte.models import CompteurLimite, Notification
from pacte.ratelimit import hit
from pacte.retention import kernel_purge
from pacte.roles import Role
from pacte.securite import LAST_SEEN

pytestmark = pytest.mark.django_db
PASSWORD = "motdepasse-de-test-123"


def _totp(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def _login(client, user):
    return client.post("/espace/connexion/", {"username": user.username, "password": PASSWORD})


@override_settings(STAFF_2FA_REQUIRED=True)
def test_unverified_staff_is_sent_to_enrolment_then_verification(client, make_user):
    """Without a device: enrolment; with one: verification; only a valid TOTP opens the space."""
    user = make_user(Role.MEDIATEUR)
    _login(client, user)
    response = client.get("/espace/")
    assert response.status_code == 302 and response["Location"].startswith("/espace/securite/deux-etapes/")
    page = client.get(response["Location"])
    assert "data:image/svg+xml;base64," in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    bad = client.post("/espace/securite/deux-etapes/", {"code": "000000"})
    assert "pas valide" in bad.content.decode()
    # django-otp throttles after a failure; let the throttle delay pass.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    done = client.post("/espace/securite/deux-etapes/", {"code": _totp(device)})
    codes = re.findall(r"<code>(\w+)</code>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/espace/").status_code == 200
    # A new session must go through the verification step; a backup code works once.
    client.logout()
    _login(client, user)
    response = client.get("/plan-du-site/")
    assert response["Location"].startswith("/espace/verification/")
    assert client.get("/espace/").status_code == 302
    client.post("/espace/verification/", {"code": codes[0], "next": "/espace/"})
    assert client.get("/espace/").status_code == 200
    client.logout()
    _login(client, user)
    reused = client.post("/espace/verification/", {"code": codes[0]})
    assert "pas valide" in reused.content.decode()


def test_login_is_locked_after_repeated_failures(client, make_user):
    """django-axes locks user + IP after 5 failures, even with the right password then."""
    user = make_user(Role.AGENT)
    for _ in range(5):
        client.post("/espace/connexion/", {"username": user.username, "password": "faux"})
    response = client.post("/espace/connexion/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "temporairement bloquée" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_session_id_rotates_at_login_and_logout_kills_it(client, make_user):
    """The session key changes at login; logout deletes the server-side session."""
    from django.contrib.sessions.models import Session

    user = make_user(Role.AGENT)
    client.get("/espace/connexion/")
    client.session.save()
    before = client.session.session_key
    _login(client, user)
    after = client.session.session_key
    assert after != before and Session.objects.filter(session_key=after).exists()
    client.post("/espace/deconnexion/")
    assert not Session.objects.filter(session_key=after).exists()


@override_settings(STAFF_IDLE_TIMEOUT=60)
def test_idle_staff_session_expires(client, make_user):
    """After the idle timeout the next request signs the person out and asks to sign in again."""
    user = make_user(Role.AGENT)
    client.force_login(user)
    assert client.get("/espace/").status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - 120
    session.save()
    response = client.get("/espace/")
    assert response.status_code == 302 and response["Location"].startswith("/espace/connexion/")
    assert "_auth_user_id" not in client.session


def test_idle_warning_can_extend_the_session(client, make_user):
    """« Rester connecté » refreshes the activity time."""
    user = make_user(Role.AGENT)
    client.force_login(user)
    client.get("/espace/")
    session = client.session
    session[LAST_SEEN] = time.time() - 1000
    session.save()
    assert client.post("/espace/session/prolonger/", HTTP_X_REQUESTED_WITH="fetch").status_code == 204
    assert time.time() - client.session[LAST_SEEN] < 5


def test_responses_carry_an_enforced_nonce_csp_and_security_headers(client, make_user):
    """CSP is enforced with a nonce and no unsafe-inline; the scripts carry the nonce."""
    client.force_login(make_user(Role.AGENT))
    response = client.get("/espace/")
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@override_settings(
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_SSL_REDIRECT=True,
)
def test_production_cookies_and_hsts_on_real_responses(client, make_user):
    """Over HTTPS: Secure, HttpOnly, SameSite cookies and HSTS; plain HTTP is redirected."""
    assert client.get("/").status_code == 301
    user = make_user(Role.AGENT)
    client.get("/espace/connexion/", secure=True)
    response = client.post(
        "/espace/connexion/", {"username": user.username, "password": PASSWORD}, secure=True
    )
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["secure"] and session_cookie["httponly"] and session_cookie["samesite"] == "Lax"
    csrf_cookie = client.cookies["csrftoken"]
    assert csrf_cookie["secure"] and csrf_cookie["httponly"]
    assert "max-age=31536000" in client.get("/", secure=True)["Strict-Transport-Security"]


def test_rate_limit_counts_and_falls_back_to_the_database(settings):
    """Within the limit then refused; with the cache down, counted in PostgreSQL (fail open)."""
    cache.clear()
    assert all(hit("essai", "1.2.3.4", "3/h") for _ in range(3))
    assert not hit("essai", "1.2.3.4", "3/h")
    # Django's setting_changed handler rebuilds the cache connections.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    assert hit("essai-db", "5.6.7.8", "2/h") and hit("essai-db", "5.6.7.8", "2/h")
    assert not hit("essai-db", "5.6.7.8", "2/h")
    assert CompteurLimite.objects.get().nombre == 3


def test_kernel_purge_applies_retention(settings):
    """Old delivered notifications and stale counters are deleted; pending ones are kept."""
    old = timezone.now() - timedelta(days=200)
    sent = Notification.objects.create(
        canal="email", destinataire="a@b.c", corps="x", statut="sent", created_at=old
    )
    pending = Notification.objects.create(canal="email", destinataire="a@b.c", corps="x", created_at=old)
    CompteurLimite.objects.create(cle="k", fenetre=0, nombre=1)
    result = kernel_purge()
    assert result["notifications"] == 1 and result["rate_counters"] == 1
    assert not Notification.objects.filter(pk=sent.pk).exists()
    assert Notification.objects.filter(pk=pending.pk).exists()
