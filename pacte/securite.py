"""Staff session security: idle timeout and the second factor (TOTP with django-otp).

- An authenticated session idle for more than STAFF_IDLE_TIMEOUT seconds is ended on its next
  request (logout flushes the server-side session) and the person signs in again.
- When STAFF_2FA_REQUIRED is on (production default), a signed-in but unverified session can only
  reach the second-step pages: verification if the account has a device, enrolment otherwise.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN = "pacte_derniere_activite"


def _exempt(path: str) -> bool:
    prefixes = [
        reverse("otp_verification"),
        reverse("otp_configuration"),
        reverse("deconnexion"),
        reverse("sante"),
        settings.STATIC_URL,
    ]
    return any(path.startswith(p) for p in prefixes)


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
            if settings.STAFF_2FA_REQUIRED and not user.is_verified() and not _exempt(request.path):
                from django_otp import user_has_device

                target = "otp_verification" if user_has_device(user) else "otp_configuration"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def session_started(sender, request, user, **kwargs):
    """Start the idle clock when a staff member signs in."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = time.time()
