"""The staff security pages in Chromium: usable without JavaScript, accessible and valid."""

from __future__ import annotations

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html

pytestmark = pytest.mark.browser


def _code(device) -> str:
    totp = TOTP(device.bin_key)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_enrol_then_manage_the_second_factor_without_javascript(page_nojs, live_server, make_user, settings):
    """No JS: first enrolment, then the security page regenerates backup codes after the password."""
    settings.STAFF_2FA_REQUIRED = True
    page = page_nojs
    user = make_user(Role.AGENT)
    page.goto(f"{live_server.url}/espace/connexion/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "motdepasse-de-test-123")
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/espace/securite/deux-etapes/" in url)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.fill("#id_code", _code(device))
    page.click("main button[type=submit]")
    assert page.locator("h1").inner_text() == "Vérification en deux étapes activée"
    first = set(page.locator("ul.codes-secours code").all_inner_texts())
    assert len(first) == 10

    page.goto(f"{live_server.url}/espace/")
    page.click("text=Vérification en deux étapes (application, codes de secours)")
    assert "Il vous reste 10 codes de secours" in page.content()
    # Pretend the password was typed long ago: the change asks for it again.
    settings.STAFF_REAUTH_SECONDS = 0
    page.click("text=Générer de nouveaux codes de secours")
    page.wait_for_url(lambda url: "/espace/securite/confirmer/" in url)
    settings.STAFF_REAUTH_SECONDS = 300
    page.fill("#id_password", "motdepasse-de-test-123")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/espace/securite/")
    page.click("text=Générer de nouveaux codes de secours")
    expect(page.locator("ul.codes-secours code")).to_have_count(10)
    second = set(page.locator("ul.codes-secours code").all_inner_texts())
    assert len(second) == 10 and not first & second
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == second


def test_security_pages_are_accessible_and_valid(page, live_server, make_user, login, settings):
    """Verification, security page, password confirmation, enrolment: 0 axe violations, valid HTML."""
    settings.STAFF_2FA_REQUIRED = True
    user = make_user(Role.MEDIATEUR)
    device = TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    login(page, user)
    sources = {}
    response = page.goto(f"{live_server.url}/espace/verification/")
    sources["verification"] = response.text()
    assert_accessible(page)
    page.fill("#id_code", _code(device))
    page.click("main form button[type=submit] >> nth=0")
    page.wait_for_url(f"{live_server.url}/espace/")
    for path in ("/espace/securite/", "/espace/securite/confirmer/", "/espace/securite/deux-etapes/"):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1
        assert_accessible(page)
        sources[path] = response.text()
    assert_valid_html(sources)
