"""« Mon agenda dans mon calendrier » in Chromium, with and without JavaScript: create the link
(shown once, copy button with JS, selectable field without), the feed answers, delete after the
confirmation step. axe-core at 1280 and 320 px (with JS) and the HTML checker on every state."""

from __future__ import annotations

import datetime as dt
import re

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pacte.booking.models import FluxAgenda, Reservation
from pacte.roles import Role
from tests.a11y import assert_accessible, assert_valid_html
from tests.browser.conftest import screenshot

from .conftest import at

pytestmark = pytest.mark.browser


def _journey(page, live_server, make_agenda, make_user, login, *, javascript: bool):
    def accessible(**kwargs):
        if javascript:  # axe-core runs in the page: the no-JS journey is checked by the HTML checker
            assert_accessible(page, **kwargs)

    agenda = make_agenda(titre="Carte d'identité et passeport")
    demain = timezone.localdate() + dt.timedelta(days=1)
    Reservation.objects.create(
        reference="RDV-NAV001",
        agenda=agenda,
        debut=at(demain, "09:00"),
        fin=at(demain, "09:30"),
        prenom="Zoë",
        nom="Œdipe",
        telephone="+33612345678",
        email="zoe@example.org",
    )
    agent = make_user(Role.AGENT, lieu=agenda.lieu)
    login(page, agent)
    sources = {}
    page.goto(f"{live_server.url}/espace/")
    page.get_by_role("link", name="Mon agenda dans mon calendrier").click()
    page.wait_for_url("**/reservation/agent/mon-calendrier/")
    assert page.locator("h1").inner_text() == "Mon agenda dans mon calendrier"
    sources["sans-lien"] = page.content()
    accessible()

    page.get_by_role("button", name="Créer mon lien").click()
    champ = page.get_by_label("Votre lien secret")
    champ.wait_for()
    lien = champ.input_value()
    assert lien.endswith(".ics") and "/reservation/agenda-agent/" in lien
    copier = page.get_by_role("button", name="Copier le lien")
    if javascript:
        copier.click()
        # The clipboard answers asynchronously: wait for the status line (it auto-retries).
        expect(page.locator(".copier__etat")).to_have_text(re.compile(r"^(Lien copié|Copie impossible)"))
    else:
        assert not copier.is_visible()  # without JS: no dead button, the field is there to select
    screenshot(page, f"flux-agenda-cree{'' if javascript else '-sans-js'}")
    sources["lien-cree"] = page.content()
    accessible()

    feed = page.request.get(lien.replace(lien.split("/reservation/")[0], live_server.url))
    assert feed.status == 200 and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    (event,) = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert str(event["summary"]) == "Carte d'identité et passeport — Zoë Œ. (RDV-NAV001)"

    page.goto(f"{live_server.url}/reservation/agent/mon-calendrier/")
    assert lien not in page.content()
    page.get_by_role("link", name="Supprimer le lien").click()
    page.get_by_role("button", name="Oui, supprimer le lien").wait_for()
    sources["confirmation"] = page.content()
    accessible()
    page.get_by_role("button", name="Oui, supprimer le lien").click()
    page.get_by_role("button", name="Créer mon lien").wait_for()
    assert "aucune application ne peut plus le lire" in page.locator("[role=status]").first.inner_text()
    sources["supprime"] = page.content()
    accessible(widths=(1280,))
    assert not FluxAgenda.objects.actifs().filter(user=agent).exists()
    assert page.request.get(lien.replace(lien.split("/reservation/")[0], live_server.url)).status == 404
    assert_valid_html(sources)


def test_agent_subscribes_then_deletes_the_link_with_javascript(
    page, live_server, make_agenda, make_user, login
):
    """With JS: create the link, copy it, the feed answers, delete it after confirming."""
    _journey(page, live_server, make_agenda, make_user, login, javascript=True)


def test_agent_subscribes_then_deletes_the_link_without_javascript(
    page_nojs, live_server, make_agenda, make_user, login
):
    """Without JS: the same journey, the field selectable instead of a copy button."""
    _journey(page_nojs, live_server, make_agenda, make_user, login, javascript=False)
