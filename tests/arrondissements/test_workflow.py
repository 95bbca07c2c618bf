"""The demande d'appui workflow: the full transition matrix and the commitment timestamps."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from arrondissements.enums import Action, Statut
from arrondissements.services import demande_act
from arrondissements.workflows import TABLE, TRANSITIONS, actions_for, demande_transition
from pacte.models import JournalEntry
from pacte.workflows import TransitionInterdite

pytestmark = pytest.mark.django_db

EXPECTED = {
    # action: {from status: to status}; every other status is forbidden.
    "prendre_en_charge": {"nouvelle": "prise_en_charge"},
    "assigner": {
        "nouvelle": "prise_en_charge",
        "prise_en_charge": "prise_en_charge",
        "en_attente_elu": "en_attente_elu",
    },
    "demander_precisions": {"nouvelle": "en_attente_elu", "prise_en_charge": "en_attente_elu"},
    "transferer": {"nouvelle": "nouvelle", "prise_en_charge": "nouvelle", "en_attente_elu": "nouvelle"},
    "repondre": {"nouvelle": "repondue", "prise_en_charge": "repondue", "en_attente_elu": "repondue"},
    "cloturer": {
        "nouvelle": "cloturee",
        "prise_en_charge": "cloturee",
        "en_attente_elu": "cloturee",
        "repondue": "cloturee",
    },
    "completer": {"en_attente_elu": "prise_en_charge"},
    "rouvrir": {"repondue": "prise_en_charge"},
}
ELU_ACTIONS = {"completer", "rouvrir"}


def _kwargs(action, people, lieux):
    return {
        "motif": "Texte",
        "assignee": people["ref_dev2"] if action == "assigner" else None,
        "direction": lieux["de"] if action == "transferer" else None,
    }


@pytest.mark.parametrize("action", list(EXPECTED))
@pytest.mark.parametrize("statut", [s.value for s in Statut])
def test_transition_matrix(action, statut, people, lieux, make_demande):
    """Each (action, status) pair is allowed exactly as the table says and lands on the right status."""
    demande = make_demande(statut=statut)
    actor = people["elu6b"] if action in ELU_ACTIONS else people["ref_dev"]
    if statut in EXPECTED[action]:
        demande_transition(demande, action=action, actor=actor, **_kwargs(action, people, lieux))
        demande.refresh_from_db()
        assert demande.statut == EXPECTED[action][statut]
        entry = JournalEntry.objects.for_object(demande).get()
        assert entry.data["de"] == statut and entry.data["vers"] == demande.statut and entry.actor == actor
    else:
        with pytest.raises(TransitionInterdite):
            demande_transition(demande, action=action, actor=actor, **_kwargs(action, people, lieux))
        demande.refresh_from_db()
        assert demande.statut == statut


def test_table_matches_expected_matrix():
    """The module's table is the documented matrix (no silent extra move)."""
    assert {a: dict(t.moves) for a, t in TRANSITIONS.items()} == EXPECTED


def test_status_table_is_every_move_of_some_action():
    """The kernel's status graph for demandes d'appui is exactly the moves the actions make."""
    assert TABLE.pairs() == {(de, vers) for moves in EXPECTED.values() for de, vers in moves.items()}


@pytest.mark.parametrize("action", list(EXPECTED))
def test_wrong_side_is_refused(action, people, lieux, make_demande):
    """Direction actions need a référent of the addressed direction; élu actions an élu of the arrondissement."""
    statut = next(iter(EXPECTED[action]))
    demande = make_demande(statut=statut)
    outsiders = [people["ref_de"], people["elu2"], people["coord"], people["agent"]]
    outsiders.append(people["elu6"] if action not in ELU_ACTIONS else people["ref_dev"])
    for outsider in outsiders:
        with pytest.raises(PermissionDenied):
            demande_transition(demande, action=action, actor=outsider, **_kwargs(action, people, lieux))


def test_actions_for_lists_only_allowed_actions(people, make_demande):
    """The detail page offers the direction's actions to the référent and the élu's to the élu."""
    demande = make_demande(statut="en_attente_elu")
    assert actions_for(people["ref_dev"], demande) == ["assigner", "transferer", "repondre", "cloturer"]
    assert actions_for(people["elu6b"], demande) == ["completer"]
    assert actions_for(people["coord"], demande) == []
    assert actions_for(people["elu2"], demande) == []


def test_text_is_required_for_a_question(people, make_demande):
    """Asking the élu, transferring, answering and closing need a text."""
    demande = make_demande()
    with pytest.raises(ValueError):
        demande_transition(demande, action="demander_precisions", actor=people["ref_dev"], motif="  ")


def test_waiting_for_the_elu_pauses_the_clock(people, make_demande):
    """Business days spent waiting for the élu's details are added to the deadline."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False):  # Monday
        demande = make_demande(created_at=timezone.now())
        assert demande.echeance == dt.date(2026, 3, 16)
        demande_transition(demande, action="demander_precisions", actor=people["ref_dev"], motif="Adresse ?")
        assert demande.premiere_reponse_at == timezone.now()
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC), tick=False):  # Thursday
        demande_transition(demande, action="completer", actor=people["elu6b"], motif="12 rue X")
    demande.refresh_from_db()
    assert demande.echeance == dt.date(2026, 3, 19)  # 3 business days later
    assert demande.statut == "prise_en_charge" and demande.attente_depuis is None


def test_transfer_keeps_the_deadline_and_restarts_reminders(people, lieux, make_demande):
    """A transfer keeps the élu's deadline, clears the assignee and restarts reminder and escalation."""
    demande = make_demande(statut="prise_en_charge", assignee=people["ref_dev"])
    demande.relance_envoyee_at = demande.escalade_at = timezone.now()
    demande.save()
    echeance = demande.echeance
    demande_act(
        demande,
        action="transferer",
        actor=people["ref_dev"],
        texte="Relève des écoles",
        direction=lieux["de"],
    )
    demande.refresh_from_db()
    assert (demande.direction, demande.echeance, demande.statut) == (lieux["de"], echeance, "nouvelle")
    assert demande.assignee is None and demande.relance_envoyee_at is None and demande.escalade_at is None
    assert "Relève des écoles" in demande.messages.get().texte


def test_answer_fixes_the_measure_and_reopening_does_not_rewrite_it(people, make_demande):
    """The first answer sets resolue_at and the verdict; a reopening gives a new deadline only."""
    created = timezone.now() - dt.timedelta(days=30)
    demande = make_demande(created_at=created, statut="prise_en_charge")
    demande_transition(demande, action="repondre", actor=people["ref_dev"], motif="Fait")
    resolue, verdict = demande.resolue_at, demande.is_dans_delai
    assert verdict is False and demande.premiere_reponse_at == resolue
    demande_transition(demande, action="rouvrir", actor=people["elu6"], motif="Pas fait")
    demande_transition(demande, action="repondre", actor=people["ref_dev"], motif="Cette fois")
    demande.refresh_from_db()
    assert (demande.resolue_at, demande.is_dans_delai) == (resolue, verdict)
    assert demande.echeance > timezone.localdate()


def test_take_charge_assigns_to_the_actor_and_assign_needs_a_colleague(people, make_demande):
    """Taking charge assigns the référent; assigning outside the direction is refused in French."""
    from django.core.exceptions import ValidationError

    demande = make_demande()
    demande_act(demande, action=Action.PRENDRE_EN_CHARGE, actor=people["ref_dev"])
    assert demande.assignee == people["ref_dev"] and demande.premiere_reponse_at is None
    with pytest.raises(ValidationError):
        demande_act(demande, action=Action.ASSIGNER, actor=people["ref_dev"], assignee=people["ref_de"])
    demande_act(demande, action=Action.ASSIGNER, actor=people["ref_dev"], assignee=people["ref_dev2"])
    assert demande.assignee == people["ref_dev2"]


def test_history_records_each_change(people, make_demande):
    """django-simple-history keeps a row per change with its reason."""
    demande = make_demande()
    demande_transition(demande, action="prendre_en_charge", actor=people["ref_dev"])
    assert demande.history.count() == 2
    assert demande.history.first().history_change_reason.startswith("prendre_en_charge")
