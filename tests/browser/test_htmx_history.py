"""Back after every htmx navigation shows a whole page (header, one h1, footer), never a bare fragment.

htmx pushes the URL of each filtered list or chosen day; with its history cache off, pressing Back
re-requests that URL as a history restore, and the answer replaces the whole <body>. The answer
must therefore be the page (pacte.htmx.render_page), and every answer varies on HX-Request so that
no cache serves the fragment to a normal visit.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from ecrivains.models import Langue, Theme
from ecrivains.services import Regle, permanence_create
from mediation.rapport.enums import StatutVersion
from mediation.rapport.models import RapportAnnuel, VersionRapport
from pacte.booking.demo import agenda_demo
from pacte.models import Lieu
from pacte.roles import Role

pytestmark = pytest.mark.browser


def assert_whole_page(page, h1: str):
    """The page has its header, exactly one h1 (the expected one), its main region and its footer."""
    assert page.locator("header.entete").count() == 1, page.content()[:500]
    assert page.locator("footer.pied").count() == 1
    assert page.locator("main#contenu").count() == 1
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text() == h1


def _wait_htmx(page):
    page.wait_for_function("() => !document.querySelector('.htmx-request')")


def go_back_restored(page):
    """Press Back to a URL htmx pushed, and wait until htmx has swapped the server's answer in."""
    page.evaluate(
        """() => {
            window.__restaure = false;
            document.addEventListener('htmx:historyRestore', () => { window.__restaure = true; }, {once: true});
        }"""
    )
    page.go_back()
    page.wait_for_function("() => window.__restaure === true")


def test_back_after_filtering_the_demarches(page, live_server):
    """Two searches in the catalogue, then Back twice: whole pages, with the first search's results."""
    page.goto(f"{live_server.url}/demarches/")
    h1 = page.locator("h1").inner_text()
    page.fill("#id_q", "passeport")
    page.click("button:has-text('Chercher')")
    page.wait_for_url("**q=passeport**")
    page.wait_for_selector("#resultats-titre:has-text('trouvée')")
    page.fill("#id_q", "carte grise")
    page.click("button:has-text('Chercher')")
    page.wait_for_url(lambda url: "q=carte" in url)
    _wait_htmx(page)
    go_back_restored(page)
    page.wait_for_url("**q=passeport**")
    page.wait_for_selector("#resultats")
    assert_whole_page(page, h1)
    assert "passeport" in page.locator("#resultats").inner_text().lower()
    go_back_restored(page)
    page.wait_for_url(f"{live_server.url}/demarches/")
    page.wait_for_selector("#resultats")
    assert_whole_page(page, h1)


def test_back_after_filtering_the_pacte_actions(page, live_server):
    """Filtering the tracker's actions (change of a select), then Back: the whole page."""
    page.goto(f"{live_server.url}/pacte/actions/")
    h1 = page.locator("h1").inner_text()
    options = page.locator("#id_orientation option").evaluate_all(
        "els => els.map(e => e.value).filter(Boolean)"
    )
    page.select_option("#id_orientation", options[0])
    page.wait_for_url("**orientation=**")
    _wait_htmx(page)
    page.select_option("#id_orientation", options[1])
    page.wait_for_url(f"**orientation={options[1]}**")
    _wait_htmx(page)
    go_back_restored(page)
    page.wait_for_url(f"**orientation={options[0]}**")
    page.wait_for_selector("#resultats")
    assert_whole_page(page, h1)


def test_back_after_filtering_the_ecrivains_finder(page, live_server):
    """Filtering the écrivains publics by language, then Back: the whole page."""
    lieu = Lieu.objects.get(slug="mairie-du-5e-arrondissement")
    permanence_create(
        lieu=lieu,
        titre="Écrivain public — test de l'historique",
        regles=[Regle(dt.time(10), dt.time(12), jour=2)],
        capacite=1,
        places_agents=0,
        langues=Langue.objects.filter(code__in=["francais", "arabe"]),
        themes=Theme.objects.filter(code="caf"),
    )
    page.goto(f"{live_server.url}/ecrivains-publics/")
    h1 = page.locator("h1").inner_text()
    page.select_option("#id_langue", "arabe")
    page.wait_for_url("**langue=arabe**")
    _wait_htmx(page)
    page.select_option("#id_langue", "turc")
    page.wait_for_url("**langue=turc**")
    _wait_htmx(page)
    go_back_restored(page)
    page.wait_for_url("**langue=arabe**")
    page.wait_for_selector("#resultats")
    assert_whole_page(page, h1)
    assert "1 permanence" in page.locator("#resultats").inner_text()


def test_back_after_choosing_a_booking_day(page, live_server):
    """Choosing a day, then another, then Back: the whole booking page with the first day's slots."""
    agenda = agenda_demo(
        Lieu.objects.get(slug="hotel-de-ville"),
        "Historique des jours",
        "demarches",
        regles=[(j, "08:00", "20:00") for j in range(7)],
        capacite=1,
        places_agents=0,
        duree_creneau=30,
        delai_min_heures=0,
    )
    page.goto(f"{live_server.url}/reservation/{agenda.uuid}/")
    h1 = page.locator("h1").inner_text()
    days = page.locator(".jours a")
    assert days.count() >= 2
    days.nth(0).click()
    page.wait_for_url("**jour=**")
    _wait_htmx(page)
    first = page.url
    days.nth(1).click()
    page.wait_for_function(f"() => location.href !== {first!r}")
    _wait_htmx(page)
    go_back_restored(page)
    page.wait_for_url(first)
    page.wait_for_selector("#creneaux")
    assert_whole_page(page, h1)
    assert page.locator("#creneaux .creneaux a").count() > 0


def test_arrondissements_list_filter_then_back(page, live_server, login, make_user):
    """An élu filters the requests of their arrondissement, then goes Back: the whole page."""
    from pacte.models import Arrondissement

    elu = make_user(Role.ELU, arrondissement=Arrondissement.objects.get(numero=6), fonction_elu="maire")
    login(page, elu)
    page.goto(f"{live_server.url}/arrondissements/")
    h1 = page.locator("h1").inner_text()
    page.fill("#id_q", "arbre")
    page.click("button:has-text('Filtrer')")
    page.wait_for_url("**q=arbre**")
    _wait_htmx(page)
    page.fill("#id_q", "voirie")
    page.click("button:has-text('Filtrer')")
    page.wait_for_url("**q=voirie**")
    _wait_htmx(page)
    go_back_restored(page)
    page.wait_for_url("**q=arbre**")
    page.wait_for_selector("#resultats")
    assert_whole_page(page, h1)


def test_report_polling_then_back(page, live_server, login, make_user):
    """The report page polls its generation status with htmx; each poll answer varies on HX-Request,
    and after leaving the page, Back shows the whole page, not the last polled fragment."""
    mediateur = make_user(Role.MEDIATEUR)
    rapport = RapportAnnuel.objects.create(annee=2025)
    VersionRapport.objects.create(
        rapport=rapport, numero=1, statut=StatutVersion.EN_COURS, progression=40, demande_cle=uuid.uuid4().hex
    )
    polls = []
    page.on(
        "response",
        lambda r: (
            polls.append(r) if r.request.headers.get("hx-request") and "/rapports/2025/" in r.url else None
        ),
    )
    login(page, mediateur)
    page.goto(f"{live_server.url}/mediateur/rapports/2025/")
    h1 = page.locator("h1").inner_text()
    page.wait_for_timeout(4500)  # two polls, every 2 s
    assert polls, "the status section was not polled"
    assert all("HX-Request" in (p.headers.get("vary") or "") for p in polls)
    assert page.locator("#generation").count() == 1
    assert_whole_page(page, h1)
    page.goto(f"{live_server.url}/mediateur/rapports/")
    page.go_back()
    page.wait_for_url("**/rapports/2025/")
    assert_whole_page(page, h1)
