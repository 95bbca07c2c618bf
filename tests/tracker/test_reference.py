"""Reference load of the sourced actions."""

import io

import pytest
from django.core.management import call_command

from pacte.tracker.enums import Certitude, Statut
from pacte.tracker.models import Action, Axe, Orientation

pytestmark = pytest.mark.django_db


def test_reference_loads_the_18_sourced_actions_with_their_certainty():
    """The CSV gives 18 actions in 3 orientations; provenance and certainty are kept."""
    assert Action.objects.count() == 18
    assert list(Orientation.objects.values_list("code", flat=True)) == [
        "accessibilite",
        "proximite",
        "adaptabilite",
    ]
    a1 = Action.objects.get(code="A1")
    assert "alternative systématique" in a1.titre
    assert a1.certitude == Certitude.SOURCEE and a1.source == "https://lyon.fr/node/868116"
    assert a1.axe.titre == "Se mobiliser face à l'illectronisme sans injonction au tout-numérique"
    assert Action.objects.get(code="A13").certitude == Certitude.A_CONFIRMER
    assert Action.objects.get(code="A13").statut_source == "discours"
    assert Action.objects.get(code="A11").certitude == Certitude.A_CONFIRMER
    assert Axe.objects.count() == 2


def test_reference_load_is_idempotent_and_keeps_what_the_city_maintains():
    """Loading twice creates nothing and writes no history; status and pilot set later are kept."""
    a1 = Action.objects.get(code="A1")
    a1.statut, a1.avancement = Statut.EN_COURS, 40
    a1.save()
    history = Action.history.count()
    call_command("load_reference", stdout=io.StringIO())
    assert Action.objects.count() == 18 and Axe.objects.count() == 2
    assert Action.history.count() == history
    a1.refresh_from_db()
    assert (a1.statut, a1.avancement) == (Statut.EN_COURS, 40)


def test_demo_seed_marks_invented_milestones_and_is_repeatable():
    """Invented milestones say « exemple de démonstration »; sourced ones carry their link; twice is safe."""
    from pacte.demo import seed as seed_accounts
    from pacte.tracker import demo
    from pacte.tracker.models import Jalon

    seed_accounts()
    demo.seed()
    count = Jalon.objects.count()
    demo.seed()
    assert Jalon.objects.count() == count > 0
    for jalon in Jalon.objects.all():
        assert jalon.preuve_url or "(exemple de démonstration)" in jalon.note
