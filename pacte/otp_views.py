"""The second authentication step for staff: TOTP enrolment, verification, backup codes."""

from __future__ import annotations

import base64
import io
import time

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .journal import journal_record
from .securite import LAST_SEEN


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code de vérification",
        max_length=16,
        help_text="Les 6 chiffres affichés par votre application d'authentification, ou un code de secours.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/espace/"


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
    """Enrol a TOTP device (QR code and key), confirm it with a code, then show backup codes once."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="Application d'authentification", confirmed=False
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            static, _ = StaticDevice.objects.get_or_create(user=user, name="Codes de secours")
            static.token_set.all().delete()
            codes = [StaticToken.random_token() for _ in range(10)]
            static.token_set.bulk_create([StaticToken(device=static, token=c) for c in codes])
            otp_login(request, device)
            request.session[LAST_SEEN] = time.time()
            journal_record(action="securite.2fa_activee", actor=user)
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


@require_POST
def prolonger_session(request):
    """Keep a staff session alive (the idle-timeout warning's « Rester connecté » button)."""
    request.session[LAST_SEEN] = time.time()
    if request.headers.get("HX-Request") or request.headers.get("X-Requested-With"):
        from django.http import HttpResponse

        return HttpResponse(status=204)
    messages.success(request, "Votre session est prolongée.")
    return redirect(_next_url(request))
