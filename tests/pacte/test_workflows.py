"""The status-workflow kernel (`pacte.workflows.transition`): lock, stale objects, journal, log."""

from __future__ import annotations

import itertools
import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from pacte.models import JournalEntry
from pacte.tracker.enums import Statut
from pacte.tracker.models import Action
from pacte.workflows import Table, TransitionInterdite, TransitionLog, transition
from tests.workflow_matrix import assert_cell

pytestmark = pytest.mark.django_db

A, E, R, X = Statut.A_ENGAGER, Statut.EN_COURS, Statut.REALISEE, Statut.ABANDONNEE

# A table of the test's own (the tracker's real one lives in pacte/tracker/workflows.py).
TABLE = Table(
    moves={A: {E, X}, E: {R, X, E}, R: set(), X: {A: lambda obj, actor: obj.avancement == 0}},
    labels=Statut,
    journal="test.transition",
)


@pytest.fixture
def action():
    obj = Action.objects.order_by("pk").first()
    Action.objects.filter(pk=obj.pk).update(statut=A, avancement=0)
    obj.refresh_from_db()
    return obj


def _entries(obj):
    return list(JournalEntry.objects.for_object(obj).filter(action="test.transition"))


def test_allowed_move_saves_status_and_journals(action, make_user):
    """An allowed move saves the status and writes one journal entry (de, vers, who)."""
    agent = make_user("referent_direction")
    returned = transition(action, E, TABLE, agent, data={"code": "c1"})
    assert returned is action and action.statut == E
    assert Action.objects.get(pk=action.pk).statut == E
    [entry] = _entries(action)
    assert entry.data == {"de": A, "vers": E, "code": "c1"} and entry.actor == agent
    assert entry.message == "À engager → En cours"


def test_forbidden_move_raises_and_writes_nothing(action):
    """A pair outside the table raises TransitionInterdite (with a French message) and writes nothing."""
    with pytest.raises(TransitionInterdite) as exc:
        transition(action, R, TABLE)
    assert (exc.value.de, exc.value.vers) == (A, R)
    assert str(exc.value) == "Passage de « À engager » à « Réalisée » impossible."
    assert Action.objects.get(pk=action.pk).statut == A and _entries(action) == []


def test_custom_refusal_message(action):
    """The caller may word the refusal, with the labels of both statuses."""
    with pytest.raises(TransitionInterdite, match="Pas de « Réalisée » depuis « À engager »"):
        transition(action, R, TABLE, refus="Pas de « {vers} » depuis « {de} »")


@pytest.mark.parametrize("de,vers", list(itertools.product(Statut.values, Statut.values)))
def test_full_matrix_of_the_test_table(de, vers, action):
    """Every (from, to) pair behaves as the table says (the guard's condition met)."""
    assert_cell(action, de, vers, TABLE, allowed=TABLE.pairs(), setup={"avancement": 0})


def test_stale_object_never_wins(action):
    """The table is checked against the row re-read under the lock, not the object in memory."""
    stale = Action.objects.get(pk=action.pk)  # « à engager » in memory
    Action.objects.filter(pk=action.pk).update(statut=R)  # someone else finished it meanwhile
    with pytest.raises(TransitionInterdite) as exc:
        transition(stale, X, TABLE)  # à engager → abandonnée is allowed, réalisée → abandonnée is not
    assert exc.value.de == R
    assert Action.objects.get(pk=action.pk).statut == R


def test_only_named_fields_are_written(action):
    """update_fields: a column another writer changed is kept; unsaved in-memory edits are not saved."""
    stale = Action.objects.get(pk=action.pk)
    Action.objects.filter(pk=action.pk).update(titre="Titre changé ailleurs")
    stale.partenaires = "jamais enregistré"
    transition(stale, E, TABLE, fields={"avancement": 10})
    fresh = Action.objects.get(pk=action.pk)
    assert (fresh.statut, fresh.avancement, fresh.titre) == (E, 10, "Titre changé ailleurs")
    assert fresh.partenaires != "jamais enregistré"
    assert stale.titre == "Titre changé ailleurs"  # the caller's object is refreshed


def test_auto_now_fields_follow_the_status(action):
    """The model's auto_now columns are saved with the status."""
    before = Action.objects.get(pk=action.pk).updated_at
    transition(action, E, TABLE)
    assert Action.objects.get(pk=action.pk).updated_at > before


def test_apply_changes_more_fields_on_the_locked_row(action):
    """`apply` sees the locked row and the status it came from; its fields are saved too."""
    seen = []

    def apply(locked, de):
        seen.append((de, locked.statut))
        locked.avancement = 50
        return ["avancement"]

    transition(action, E, TABLE, apply=apply)
    assert seen == [(A, E)] and Action.objects.get(pk=action.pk).avancement == 50


def test_a_refusal_inside_apply_rolls_everything_back(action):
    """A ValidationError raised by `apply` leaves status, fields and journal untouched."""

    def apply(locked, de):
        locked.avancement = 50
        raise ValidationError({"avancement": "Non."})

    with pytest.raises(ValidationError):
        transition(action, E, TABLE, apply=apply)
    fresh = Action.objects.get(pk=action.pk)
    assert (fresh.statut, fresh.avancement, _entries(action)) == (A, 0, [])


def test_check_runs_on_the_locked_row(action):
    """`check` (a permission on the fresh row) may refuse; nothing is written."""

    def check(locked):
        if locked.titre == "Titre changé ailleurs":
            raise PermissionDenied

    Action.objects.filter(pk=action.pk).update(titre="Titre changé ailleurs")
    with pytest.raises(PermissionDenied):
        transition(action, E, TABLE, check=check)
    assert Action.objects.get(pk=action.pk).statut == A and _entries(action) == []


def test_guard_of_a_move(action):
    """A move's guard (here: abandonnée → à engager only at 0 %) refuses like a missing pair."""
    Action.objects.filter(pk=action.pk).update(statut=X, avancement=30)
    with pytest.raises(TransitionInterdite):
        transition(action, A, TABLE)
    Action.objects.filter(pk=action.pk).update(avancement=0)
    transition(action, A, TABLE)
    assert action.statut == A
    assert TABLE.targets(X) == [A] and TABLE.targets(X, action) == [A]


def test_same_status_is_refused_unless_listed_or_idempotent(action):
    """A → A is refused; `idempotent=True` makes it a no-op; a listed self-move is saved and journaled."""
    with pytest.raises(TransitionInterdite):
        transition(action, A, TABLE)
    transition(action, A, TABLE, idempotent=True)
    assert _entries(action) == []
    transition(action, E, TABLE)
    transition(action, E, TABLE)  # en cours → en cours is in the table
    assert [e.data["vers"] for e in _entries(action)] == [E, E]


def test_target_by_current_status(action):
    """`to` may map the current status to the target (an action whose result depends on where it is)."""
    moves = {A: E, E: R}
    transition(action, moves, TABLE)
    transition(action, moves, TABLE)
    assert action.statut == R
    with pytest.raises(TransitionInterdite, match="depuis « Réalisée »"):
        transition(action, moves, TABLE)


def test_journal_is_in_the_same_transaction(action):
    """Rolling back the caller's transaction removes both the status change and its journal entry."""
    with pytest.raises(RuntimeError), transaction.atomic():
        transition(action, E, TABLE)
        raise RuntimeError
    assert Action.objects.get(pk=action.pk).statut == A and _entries(action) == []


def test_transition_log_row(make_user):
    """A table with a log writes one row per transition (de, vers, par, at, motif)."""
    from mediation.enums import StatutSaisine as S
    from mediation.models import Transition
    from tests.mediation.factories import saisine_new

    table = Table(
        moves={S.RECUE: {S.RECEVABLE}, **{s: set() for s in S.values if s != S.RECUE}},
        labels=S,
        journal="test.transition",
        log=TransitionLog(Transition, "saisine"),
    )
    saisine = saisine_new()
    mediateur = make_user("mediateur")
    transition(saisine, S.RECEVABLE, table, mediateur, motif="Pièces reçues")
    [log] = Transition.objects.filter(saisine=saisine)
    assert (log.de, log.vers, log.par, log.motif) == (S.RECUE, S.RECEVABLE, mediateur, "Pièces reçues")
    assert saisine.history.first().history_change_reason == "Pièces reçues"


def test_a_table_must_name_every_status():
    """A table missing a status, or naming an unknown one, is refused when it is built."""
    with pytest.raises(ValueError, match="missing"):
        Table(moves={A: {E}}, labels=Statut, journal="t")
    with pytest.raises(ValueError, match="unknown"):
        Table(moves={A: {"inconnu"}, E: set(), R: set(), X: set()}, labels=Statut, journal="t")


@pytest.mark.django_db(transaction=True)
def test_the_row_is_locked_while_another_transaction_holds_it(action):
    """A transition waits for a concurrent writer's lock, then sees what it committed (two connections)."""
    held, release = threading.Event(), threading.Event()

    def writer():
        try:
            with transaction.atomic():
                row = Action.objects.select_for_update().get(pk=action.pk)
                held.set()
                release.wait(5)
                Action.objects.filter(pk=row.pk).update(statut=R)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert held.wait(5)
    threading.Timer(0.5, release.set).start()
    started = time.monotonic()
    with pytest.raises(TransitionInterdite) as exc:
        transition(action, X, TABLE)  # allowed from « à engager », not from « réalisée »
    waited = time.monotonic() - started
    thread.join(5)
    assert exc.value.de == R and waited >= 0.4
    assert Action.objects.get(pk=action.pk).statut == R
