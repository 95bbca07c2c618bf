"""Live indicators: from the registry (fake provider here), the kernel's own, robust pages."""

import datetime as dt

import pytest

from pacte.roles import Role
from pacte.tracker import registry, services
from pacte.tracker.enums import Statut
from pacte.tracker.indicateurs import jalons_publies, part_actions_realisees
from pacte.tracker.models import Action
from pacte.tracker.registry import Indicateur
from pacte.tracker.selectors import trimestres

pytestmark = pytest.mark.django_db


def test_action_page_shows_the_live_value_and_follows_its_changes(client, fake_indicateurs):
    """A1's page shows the registry's current value, 4 quarters with a chart and table, and the feature link."""
    response = client.get("/pacte/actions/A1/")
    assert "Part des démarches en ligne avec une alternative garantie" in response.text
    assert "87,5 %" in response.text
    assert response.text.count("trimestre 2026") + response.text.count("trimestre 2025") >= 4
    assert "<svg" in response.text and "Données du graphique" in response.text
    assert 'href="/pacte/actions/"' in response.text
    assert len([c for c in fake_indicateurs["calls"] if c != (None, None)]) == 4
    fake_indicateurs["valeur"] = 62.0
    assert "62 %" in client.get("/pacte/actions/A1/").text
    assert "alternative garantie" not in client.get("/pacte/actions/A2/").text


def test_a_failing_or_empty_indicator_never_breaks_the_page(client, monkeypatch):
    """A provider that raises or returns None shows « non disponible », not a 500."""

    def broken(debut=None, fin=None):
        raise RuntimeError("table missing")

    fakes = {
        "casse": Indicateur(
            "casse", "Indicateur cassé", "%", broken, actions=("D1",), url_name="inconnu:vue"
        ),
        "vide": Indicateur(
            "vide", "Indicateur vide", "personnes", lambda d=None, f=None: None, actions=("D1",)
        ),
    }
    monkeypatch.setattr(registry, "all_indicateurs", lambda: fakes)
    response = client.get("/pacte/actions/D1/")
    assert response.status_code == 200
    assert response.text.count("non disponible") >= 2


def test_kernel_indicators_compute_from_the_tracker_data(make_user):
    """Share of published actions réalisées, and milestones published in a period."""
    assert part_actions_realisees() == 0
    actor = make_user(Role.ADMIN)
    for code in ("D1", "P2"):
        action = Action.objects.get(code=code)
        services.action_update(action=action, actor=actor, statut=Statut.REALISEE, avancement=100)
    Action.objects.filter(code="A13").update(is_published=False)
    assert part_actions_realisees() == round(100 * 2 / 17, 1)
    a1 = Action.objects.get(code="A1")
    services.jalon_add(action=a1, actor=actor, date_on=dt.date(2026, 2, 1), titre="Un")
    services.jalon_add(action=a1, actor=actor, date_on=dt.date(2026, 8, 1), titre="Deux")
    services.jalon_add(action=a1, actor=actor, date_on=dt.date(2026, 8, 2), titre="Caché", is_published=False)
    assert jalons_publies() == 2
    assert jalons_publies(dt.date(2026, 7, 1), dt.date(2026, 9, 30)) == 1
    assert {"tracker_part_actions_realisees", "tracker_jalons_publies"} <= set(registry.all_indicateurs())


def test_quarters_end_with_the_current_one_to_date():
    """The 4 periods are whole quarters, the last one cut at today."""
    periods = trimestres(dt.date(2026, 2, 10))
    assert [(d, f) for _, d, f in periods] == [
        (dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
        (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        (dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 2, 10)),
    ]
    assert periods[-1][0] == "1er trimestre 2026"


def test_overview_shows_the_pacte_wide_indicators(client):
    """/pacte/ shows the three orientations, counts by status and the kernel indicators."""
    response = client.get("/pacte/")
    for titre in ("Accessibilité", "Proximité", "Adaptabilité", "Part des actions du Pacte réalisées"):
        assert titre in response.text
    assert "À engager" in response.text
