"""Public pages: filters without JS, published only, history without agent names, query counts."""

import datetime as dt

import pytest

from pacte.models import Direction
from pacte.roles import Role
from pacte.tracker import services
from pacte.tracker.enums import Statut
from pacte.tracker.models import Action, Orientation

pytestmark = pytest.mark.django_db


def test_list_filters_by_orientation_status_and_direction(client, make_user):
    """GET filters narrow the list; the count is announced."""
    actor = make_user(Role.ADMIN)
    d1 = Action.objects.get(code="D1")
    d1.direction = Direction.objects.get(sigle="DDT")
    services.action_save(action=d1, actor=actor)
    services.action_update(action=d1, actor=actor, statut=Statut.REALISEE, avancement=100)
    response = client.get("/pacte/actions/")
    assert "18 actions publiées" in response.text
    response = client.get("/pacte/actions/?orientation=adaptabilite")
    assert "/pacte/actions/D1/" in response.text and "/pacte/actions/A1/" not in response.text
    response = client.get("/pacte/actions/?statut=realisee")
    assert "1 action correspond" in response.text and "/pacte/actions/D1/" in response.text
    response = client.get("/pacte/actions/?direction=DDT")
    assert "/pacte/actions/D1/" in response.text and "/pacte/actions/P2/" not in response.text
    assert client.get("/pacte/actions/?statut=nimporte").status_code == 200


def test_htmx_filter_returns_only_the_results_fragment(client):
    """With HX-Request the view returns the #resultats partial of the same template."""
    response = client.get("/pacte/actions/?orientation=proximite", headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<div id="resultats">') and "<html" not in response.text
    assert "/pacte/actions/P1/" in response.text


def test_unpublished_actions_are_hidden(client):
    """An unpublished action is absent from the list and its page is 404."""
    Action.objects.filter(code="A3").update(is_published=False)
    assert "/pacte/actions/A3/" not in client.get("/pacte/actions/").text
    assert client.get("/pacte/actions/A3/").status_code == 404
    assert client.get("/pacte/actions/a1/").status_code == 200


def test_history_shows_what_changed_and_when_but_no_agent(client, make_user):
    """The public history lists status changes and milestones, without the agent's name."""
    agent = make_user(Role.ADMIN, username="agent-secret")
    action = Action.objects.get(code="P1")
    services.action_update(action=action, actor=agent, statut=Statut.EN_COURS, avancement=20)
    services.jalon_add(
        action=action, actor=agent, date_on=dt.date(2026, 3, 1), titre="Réunion des directions"
    )
    response = client.get("/pacte/historique/")
    assert (
        "Action mise à jour" in response.text and "À engager" in response.text and "En cours" in response.text
    )
    assert "Nouveau jalon : « Réunion des directions »" in response.text
    assert (
        "agent-secret" not in response.text
        and "Nom" not in response.text.split("<main")[1].split("</main>")[0]
    )
    assert "Réunion des directions" in client.get("/pacte/actions/P1/").text


def test_list_and_action_pages_queries_do_not_grow_with_data(
    client, django_assert_max_num_queries, make_user
):
    """The list page's and action page's query counts stay flat when actions and milestones multiply."""
    actor = make_user(Role.ADMIN)
    with django_assert_max_num_queries(8) as small:
        client.get("/pacte/actions/")
    orientation = Orientation.objects.get(code="proximite")
    directions = list(Direction.objects.all())
    for n in range(40):
        Action.objects.create(
            code=f"P{100 + n}",
            numero=100 + n,
            orientation=orientation,
            titre=f"Action {n}",
            direction=directions[n % 5],
        )
    a1 = Action.objects.get(code="A1")
    for n in range(5):
        services.jalon_add(action=a1, actor=actor, date_on=dt.date(2026, 1, 1 + n), titre=f"Étape {n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/pacte/actions/")
    assert "58 actions publiées" in response.text
    # 12 for the page, plus at most 2 queries per live indicator and period (current + 4 quarters):
    # feature apps plug their indicators in, the budget follows their number, never the data volume.
    from pacte.tracker.registry import indicateurs_for_action

    budget = 12 + 2 * 5 * len(indicateurs_for_action("A1"))
    with django_assert_max_num_queries(budget) as first:
        client.get("/pacte/actions/A1/")
    for n in range(10):
        services.jalon_add(action=a1, actor=actor, date_on=dt.date(2026, 2, 1 + n), titre=f"Autre {n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/pacte/actions/A1/")
    with django_assert_max_num_queries(10):
        client.get("/pacte/")


def test_staff_home_and_menu_show_the_tracker(client, make_user):
    """The main menu has « Le Pacte »; a référent's home has the back office tile, an agent's does not."""
    assert 'href="/pacte/"' in client.get("/").text
    assert "/pacte/historique/" in client.get("/plan-du-site/").text
    client.force_login(make_user(Role.REFERENT))
    assert "/pacte/gestion/" in client.get("/espace/").text
    client.force_login(make_user(Role.AGENT))
    assert "/pacte/gestion/" not in client.get("/espace/").text


def test_open_data_csv_lists_published_actions_only(client):
    """/pacte/actions.csv is public and omits unpublished actions."""
    Action.objects.filter(code="A3").update(is_published=False)
    response = client.get("/pacte/actions.csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert response["Content-Type"].startswith("text/csv") and len(lines) == 18
    assert not any(line.startswith("A3,") for line in lines)
