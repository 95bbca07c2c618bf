"""Every table of the portal at 320 px (issue 15, item 10; WCAG 1.4.10): no cell narrower than its
content, no number broken over two lines (« 222 » never shows as « 22 / 2 »), a table wider than the
screen scrolls inside a named, focusable region, never the page. Public and staff pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from pacte.roles import Role
from tests.a11y import assert_accessible
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser

LUNDI_MATIN = dt.datetime(2027, 7, 5, 6, 0, tzinfo=dt.UTC)  # Monday 8:00 in Lyon

# For each visible table: cells whose content overflows them, numbers on more than one line, and a
# table wider than its container outside a scroll region (tabindex 0, role region, a name).
PROBLEMES_JS = """() => {
  const problemes = [];
  const decrire = (el) => (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
  for (const table of document.querySelectorAll('main table')) {
    const region = table.closest('.tableau-defilant');
    if (!region || region.getAttribute('tabindex') !== '0' || region.getAttribute('role') !== 'region'
        || !region.getAttribute('aria-label')) {
      problemes.push('tableau hors région défilante : ' + decrire(table.caption || table));
    }
    for (const cell of table.querySelectorAll('th, td')) {
      const box = cell.getBoundingClientRect();
      const thead = cell.closest('thead');
      if (box.width <= 2 || (thead && getComputedStyle(thead).position === 'absolute')) continue;  // visually hidden (the header row of stacked cards)
      if (cell.scrollWidth > cell.clientWidth + 1) {
        problemes.push(`cellule plus étroite que son contenu (${cell.scrollWidth} > ${cell.clientWidth}) : ` + decrire(cell));
      }
      for (const nombre of (cell.matches('.nombre') ? [cell] : cell.querySelectorAll('.nombre, .telephone, .heure'))) {
        const range = document.createRange();
        range.selectNodeContents(nombre);
        const lignes = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lignes.size > 1) problemes.push('nombre coupé sur ' + lignes.size + ' lignes : ' + decrire(nombre));
      }
    }
  }
  const debord = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  if (debord > 1) problemes.push(`la page défile de côté de ${debord} px`);
  return problemes;
}"""


def _verifier(page, url: str, *, nom: str, tables_min: int = 1) -> list[str]:
    page.set_viewport_size({"width": 320, "height": 900})
    response = page.goto(url)
    assert response.status == 200, url
    assert page.locator("main table").count() >= tables_min, url
    problemes = [f"{url} : {p}" for p in page.evaluate(PROBLEMES_JS)]
    screenshot(page, f"tableaux-320-{nom}")
    assert_accessible(page, widths=(320,))
    return problemes


def test_every_table_fits_320_px_public_pages(page, live_server):
    """Public tables (non-recours observatory with three-digit counts, callback promise, contact,
    personal data, the Pacte tracker, the médiateur's proposals) at 320 px."""
    from tests.nonrecours.test_views import _bulk

    _bulk(222, code="rsa", numero=7)
    _bulk(1234, code="rsa", numero=3, type_odenore="non_reception")
    problemes = []
    for nom, path in [
        ("non-recours", "/non-recours/"),
        ("contact", "/contact/"),
        ("donnees-personnelles", "/donnees-personnelles/"),
        ("engagement", "/demarches/engagement/"),
        ("pacte", "/pacte/"),
    ]:
        problemes += _verifier(page, live_server.url + path, nom=nom)
    assert not problemes, "\n".join(problemes)


def test_every_table_fits_320_px_agent_pages(page, live_server, make_user, login):
    """Staff tables (the day's planning as stacked cards, the callback queue, the search results,
    a booking's messages, the callback promise) at 320 px."""
    from demarches import services as demarches_services
    from pacte.booking.models import Agenda, RegleOuverture
    from pacte.booking.services import reservation_create
    from pacte.models import Lieu
    from tests.booking.conftest import at

    with time_machine.travel(LUNDI_MATIN, tick=True):
        jour = dt.date(2027, 7, 5)
        agenda = Agenda.objects.create(
            lieu=Lieu.objects.get(slug="mairie-du-6e-arrondissement"),
            titre="Carte d'identité et passeport",
            capacite=3,
            delai_min_heures=0,
        )
        RegleOuverture.objects.create(
            agenda=agenda, jour_semaine=0, heure_debut=dt.time(9), heure_fin=dt.time(12)
        )
        reservation, _ = reservation_create(
            agenda=agenda,
            debut=at(jour, "10:00"),
            nom="Dupont-Desmarais de la Villardière",
            prenom="Marie-Christine",
            telephone="06 12 34 56 78",
            email="marie-christine.dupont-desmarais@example.org",
            besoins=["acces_plain_pied", "interprete_lsf"],
        )
        reservation_create(
            agenda=agenda, debut=at(jour, "10:30"), nom="Ba", prenom="", telephone="0472103030"
        )
        demarches_services.demande_rappel_create(
            nom="Paul Fictif",
            telephone="0612345678",
            objet="Question sur la cantine de l'école élémentaire",
            creneaux_preferes=["mardi_matin"],
        )
        login(page, make_user(Role.AGENT, lieu=agenda.lieu))
        base = live_server.url
        problemes = []
        for nom, path in [
            ("planning", f"/reservation/agent/planning/?agenda={agenda.uuid}&jour={jour}"),
            (
                "planning-semaine",
                f"/reservation/agent/planning/?agenda={agenda.uuid}&jour={jour}&vue=semaine",
            ),
            ("recherche", "/reservation/agent/?q=Dupont"),
            ("rendez-vous", f"/reservation/agent/rendez-vous/{reservation.uuid}/"),
            ("file-rappels", "/demarches/rappels/"),
            ("rappel-engagement", "/demarches/rappels/engagement/"),
        ]:
            problemes += _verifier(page, base + path, nom=nom)
        assert not problemes, "\n".join(problemes)
