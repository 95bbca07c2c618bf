"""Staff session security: idle timeout and the second factor (TOTP with django-otp).

- An authenticated session idle for more than STAFF_IDLE_TIMEOUT seconds is ended on its next
  request (logout flushes the server-side session) and the person signs in again.
- When STAFF_2FA_REQUIRED is on (production default), a signed-in but unverified session can only
  reach the verification page — and the enrolment page only while the account has no confirmed
  device (first enrolment).
- Changing the second factor of an account that already has one (a new authenticator app, new
  backup codes) needs a verified session *and* a password typed in the last STAFF_REAUTH_SECONDS
  (`device_change_guard`), whatever STAFF_2FA_REQUIRED says. Every change is journaled and emailed
  to the account, so a change the owner did not make does not go unnoticed.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .journal import journal_record
from .notifications import Personne, notify_person

LAST_SEEN = "pacte_derniere_activite"
PASSWORD_CONFIRMED_AT = "pacte_mot_de_passe_confirme"
BACKUP_CODES = 10
BACKUP_DEVICE_NAME = "Codes de secours"


def _always_open(path: str) -> bool:
    prefixes = [
        reverse("otp_verification"),
        reverse("deconnexion"),
        settings.STATIC_URL,
    ]
    return any(path.startswith(p) for p in prefixes)


def _second_step_redirect(request, target: str, next_url: str | None = None):
    query = urlencode({"next": next_url or request.get_full_path()})
    return redirect(f"{reverse(target)}?{query}")


class StaffSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > settings.STAFF_IDLE_TIMEOUT:
                logout(request)
                messages.info(
                    request, "Votre session a expiré après une période d'inactivité. Reconnectez-vous."
                )
                return redirect(f"{reverse('connexion')}?{urlencode({'next': request.get_full_path()})}")
            if last is None or now - last > 30:
                request.session[LAST_SEEN] = now
            if settings.STAFF_2FA_REQUIRED and not user.is_verified() and not _always_open(request.path):
                if user_has_device(user):
                    return _second_step_redirect(request, "otp_verification")
                # No device yet: the enrolment page is the only other page this session may open.
                if not request.path.startswith(reverse("otp_configuration")):
                    return _second_step_redirect(request, "otp_configuration")
        return self.get_response(request)


def session_started(sender, request, user, **kwargs):
    """Start the idle clock when a staff member signs in; the password was just typed."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LAST_SEEN] = now
        request.session[PASSWORD_CONFIRMED_AT] = now


# ---------------------------------------------------------------------------------------------
# Changing the second factor


def password_confirmed(request) -> None:
    """Record that the signed-in person has just typed their password again (re-authentication)."""
    request.session[PASSWORD_CONFIRMED_AT] = time.time()


def password_is_fresh(request) -> bool:
    """True when the password was typed in the last STAFF_REAUTH_SECONDS in this session."""
    confirmed_at = request.session.get(PASSWORD_CONFIRMED_AT)
    return confirmed_at is not None and time.time() - confirmed_at <= settings.STAFF_REAUTH_SECONDS


def has_confirmed_device(user) -> bool:
    """True when the account already has a working second factor (an app or backup codes)."""
    return user_has_device(user, confirmed=True)


def device_change_guard(request, *, next_url: str | None = None):
    """None when this session may change the account's second factor, else the redirect to follow.

    First enrolment (no confirmed device) is open to the signed-in account. Otherwise the session
    must be verified with the current second factor, then the password must be fresh.
    """
    user = request.user
    if not has_confirmed_device(user):
        return None
    if not user.is_verified():
        return _second_step_redirect(request, "otp_verification", next_url)
    if not password_is_fresh(request):
        return _second_step_redirect(request, "securite_confirmer", next_url)
    return None


def devices_of(user) -> dict:
    """The account's second factor for its security page: apps and the number of backup codes left."""
    return {
        "applications": list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")),
        "codes_restants": StaticToken.objects.filter(device__user=user, device__confirmed=True).count(),
    }


def _device_change_record(*, user, action: str, what: str, request=None) -> None:
    """Journal a second-factor change and tell the account by email (through the outbox)."""
    data = {}
    if request is not None:
        data["ip"] = request.META.get("REMOTE_ADDR", "")
    journal_record(action=action, actor=user, obj=user, message=what, data=data)
    notify_person(
        personne=Personne(email=user.email),
        sujet="Vérification en deux étapes modifiée sur votre compte",
        message="pacte/securite_deux_etapes",
        context={
            "user": user,
            "what": what,
            "quand": timezone.localtime().strftime("%d/%m/%Y à %H:%M"),
            "page": reverse("securite_compte"),
        },
        obj=user,
    )


def _backup_codes_replace(user) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_DEVICE_NAME)
    if not static.confirmed:
        static.confirmed = True
        static.save(update_fields=["confirmed"])
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    static.token_set.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def totp_device_confirm(*, request, device: TOTPDevice) -> list[str]:
    """Confirm a newly scanned app, retire the account's other apps, issue new backup codes.

    The caller has checked `device_change_guard` and the code. Returns the backup codes, to be
    shown once. Journaled (`securite.2fa_activee` the first time, `securite.2fa_appareil_remplace`
    afterwards) and emailed to the account.
    """
    user = request.user
    with transaction.atomic():
        first = not has_confirmed_device(user)
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _backup_codes_replace(user)
        if first:
            action, what = "securite.2fa_activee", "activation de la vérification en deux étapes"
        else:
            action, what = "securite.2fa_appareil_remplace", "nouvelle application d'authentification"
        _device_change_record(user=user, action=action, what=what, request=request)
    return codes


def backup_codes_regenerate(*, request) -> list[str]:
    """Replace the account's backup codes (the old ones stop working). Journaled and emailed."""
    user = request.user
    with transaction.atomic():
        codes = _backup_codes_replace(user)
        _device_change_record(
            user=user,
            action="securite.2fa_codes_regeneres",
            what="nouveaux codes de secours (les anciens ne fonctionnent plus)",
            request=request,
        )
    return codes
