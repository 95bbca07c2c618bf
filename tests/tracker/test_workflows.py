"""The workflow of a Pacte action: the full transition matrix through the kernel, and every way in
(back office, CSV import, admin form) refuses a move outside the table in French."""

from __future__ import annotations

import itertools

import pytest

from pacte.models import Direction, JournalEntry
from pacte.roles import Role
from pacte.tracker import services
from pacte.tracker.admin import ActionAdminForm
from pacte.tracker.csvio import actions_csv_export, actions_csv_import
from pacte.tracker.enums import Statut as S
from pacte.tracker.models import Action
from pacte.tracker.workflows import TABLE
from pacte.workflows import TransitionInterdite

pytestmark = pytest.mark.django_db

ALLOWED = {
    (S.A_ENGAGER, S.EN_COURS),
    (S.A_ENGAGER, S.REALISEE),
    (S.A_ENGAGER, S.ABANDONNEE),
    (S.EN_COURS, S.A_ENGAGER),
    (S.EN_COURS, S.REALISEE),
    (S.EN_COURS, S.ABANDONNEE),
    (S.REALISEE, S.EN_COURS),
    (S.ABANDONNEE, S.A_ENGAGER),
    (S.ABANDONNEE, S.EN_COURS),
}


def _a12(statut, avancement=40):
    Action.objects.filter(code="A12").update(
        statut=statut, avancement=100 if statut == S.REALISEE else avancement
    )
    return Action.objects.get(code="A12")


def test_table_is_the_documented_one():
    """A realised action is never abandoned or sent back to « à engager »; an abandoned one is not realised."""
    assert TABLE.pairs() == ALLOWED


@pytest.mark.parametrize("de,vers", [p for p in itertools.product(S.values, S.values) if p[0] != p[1]])
def test_matrix(de, vers, make_user):
    """Every status change: allowed ones are saved with one journal entry; others save nothing."""
    referent = make_user(Role.REFERENT)
    action = _a12(de)
    avancement = 100 if vers == S.REALISEE else 55
    if (de, vers) in ALLOWED:
        services.action_update(action=action, actor=referent, statut=vers, avancement=avancement)
        fresh = Action.objects.get(pk=action.pk)
        assert (fresh.statut, fresh.avancement) == (vers, avancement)
        [entry] = JournalEntry.objects.for_object(action).filter(action="tracker.action_modifiee")
        assert (entry.data["de"], entry.data["vers"], entry.data["statut"]) == (de, vers, [de, vers])
        assert entry.actor == referent
    else:
        with pytest.raises(TransitionInterdite):
            services.action_update(action=action, actor=referent, statut=vers, avancement=avancement)
        fresh = Action.objects.get(pk=action.pk)
        assert (fresh.statut, fresh.avancement) == (de, 100 if de == S.REALISEE else 40)
        assert not JournalEntry.objects.for_object(action).exists()


def test_back_office_refuses_a_forbidden_move_next_to_the_field(client, make_user):
    """Abandoning a realised action from the back office shows a French error and keeps the form."""
    action = _a12(S.REALISEE)
    Action.objects.filter(pk=action.pk).update(direction=Direction.objects.get(sigle="DDT"))
    client.force_login(make_user(Role.REFERENT, direction=Direction.objects.get(sigle="DDT")))
    response = client.post(
        "/pacte/gestion/actions/A12/",
        {"formulaire": "avancement", "avancement-statut": "abandonnee", "avancement-avancement": 100},
    )
    assert response.status_code == 200
    assert "Le statut ne peut pas passer de « Réalisée » à « Abandonnée »." in response.text
    assert Action.objects.get(pk=action.pk).statut == S.REALISEE


def test_csv_import_reports_a_forbidden_move_by_line_and_imports_nothing(make_user):
    """An import that would abandon a realised action names the line and changes nothing."""
    _a12(S.REALISEE)
    a12 = Action.objects.get(code="A12")
    before = actions_csv_export()
    content = f"code,orientation,titre,statut\nA12,{a12.orientation.code},{a12.titre},abandonnee\n"
    rapport = actions_csv_import(content=content, actor=make_user(Role.ADMIN))
    assert rapport.erreurs == [(2, "Le statut ne peut pas passer de « Réalisée » à « Abandonnée ».")]
    assert actions_csv_export() == before


def test_admin_form_refuses_a_forbidden_move():
    """The admin's change form puts the refusal next to the status field."""
    action = _a12(S.ABANDONNEE)
    form = ActionAdminForm(data={"statut": S.REALISEE}, instance=action)
    assert not form.is_valid()
    assert form.errors["statut"] == ["Le statut ne peut pas passer de « Abandonnée » à « Réalisée »."]
    assert ActionAdminForm(data={"statut": S.EN_COURS}, instance=action).is_valid()
