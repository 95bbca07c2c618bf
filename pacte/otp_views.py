"""The second authentication step for staff: verification, enrolment, the account's security page."""

from __future__ import annotations

import base64
import io
import time
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from .journal import journal_record
from .securite import (
    LAST_SEEN,
    backup_codes_regenerate,
    device_change_guard,
    devices_of,
    has_confirmed_device,
    password_confirmed,
    totp_device_confirm,
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code de vérification",
        max_length=16,
        help_text="Les 6 chiffres affichés par votre application d'authentification, ou un code de secours.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class MotDePasseForm(forms.Form):
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _next_url(request, default: str = "/espace/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site: anything else (a view name, a bare word) would be passed to
    # redirect(), which tries it as a URL name and fails with a 500.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["GET", "POST"])
def verification(request):
    """Ask the TOTP (or a backup) code of a signed-in, unverified staff member."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            journal_record(action="securite.2fa_verifiee", actor=request.user, message=type(device).__name__)
            return redirect(_next_url(request))
        form.add_error("code", "Ce code n'est pas valide. Vérifiez l'heure de votre téléphone et réessayez.")
    return render(request, "registration/otp_verification.html", {"form": form, "next": _next_url(request)})


def _qr_data_uri(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    buffer = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@require_http_methods(["GET", "POST"])
def configuration(request):
    """Enrol an authenticator app (QR code and key), confirm it with a code, then show backup codes once.

    First enrolment right after the password; replacing an app needs the current second factor
    and a fresh password (`device_change_guard`), checked before any secret is generated or shown.
    """
    guard = device_change_guard(request)
    if guard is not None:
        return guard
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="Application d'authentification", confirmed=False
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            codes = totp_device_confirm(request=request, device=device)
            otp_login(request, device)
            request.session[LAST_SEEN] = time.time()
            return render(
                request, "registration/otp_codes_secours.html", {"codes": codes, "next": _next_url(request)}
            )
        form.add_error("code", "Ce code n'est pas valide. Scannez à nouveau le QR code et réessayez.")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "registration/otp_configuration.html",
        {"form": form, "qr": _qr_data_uri(device.config_url), "secret": secret, "next": _next_url(request)},
    )


@require_safe
def securite_compte(request):
    """The account's security page: its authenticator app, backup codes left, and the actions."""
    if has_confirmed_device(request.user) and not request.user.is_verified():
        # Every action here needs the second factor (even where 2FA is optional): ask it first.
        return redirect(f"{reverse('otp_verification')}?{urlencode({'next': request.path})}")
    return render(request, "registration/securite_compte.html", devices_of(request.user))


@require_POST
def codes_secours_regenerer(request):
    """Issue new backup codes (shown once); the old ones stop working."""
    guard = device_change_guard(request, next_url=reverse("securite_compte"))
    if guard is not None:
        return guard
    codes = backup_codes_regenerate(request=request)
    return render(
        request, "registration/otp_codes_secours.html", {"codes": codes, "next": reverse("securite_compte")}
    )


@require_http_methods(["GET", "POST"])
def confirmer_mot_de_passe(request):
    """Re-authentication: the password again before a sensitive change (counted by django-axes)."""
    form = MotDePasseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=request.user.get_username(), password=form.cleaned_data["password"]
        )
        if user is not None and user.pk == request.user.pk:
            password_confirmed(request)
            return redirect(_next_url(request, default=reverse("securite_compte")))
        form.add_error("password", "Mot de passe incorrect. Vérifiez votre saisie et réessayez.")
    return render(
        request,
        "registration/confirmer_mot_de_passe.html",
        {"form": form, "next": _next_url(request, default=reverse("securite_compte"))},
    )


@require_POST
def prolonger_session(request):
    """Keep a staff session alive (the idle-timeout warning's « Rester connecté » button)."""
    request.session[LAST_SEEN] = time.time()
    if request.headers.get("HX-Request") or request.headers.get("X-Requested-With"):
        return HttpResponse(status=204)
    messages.success(request, "Votre session est prolongée.")
    return redirect(_next_url(request))
