"""The saisine workflow: the full transition matrix, required data, letters, logging."""

import datetime as dt
import itertools

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from mediation.enums import StatutSaisine as S
from mediation.models import Saisine, Transition
from mediation.workflows import TRANSITIONS, saisine_transition
from pacte.models import JournalEntry
from pacte.roles import Role
from pacte.workflows import TransitionInterdite
from tests.mediation.factories import saisine_new

pytestmark = pytest.mark.django_db

DATA = {
    S.IRRECEVABLE: {"motif_irrecevabilite": "sans_demarche_prealable"},
    S.REORIENTEE: {"organisme_reorientation": "defenseur_des_droits"},
    S.EN_INSTRUCTION: {"niveau": "premier_niveau"},
    S.PROPOSITION: {"motif": "Le service vous rembourse."},
    S.CLOTUREE: {"issue": "accord"},
    S.RECEVABLE: {},
    S.RECUE: {},
}
ALLOWED = {
    (S.RECUE, S.IRRECEVABLE),
    (S.RECUE, S.REORIENTEE),
    (S.RECUE, S.RECEVABLE),
    (S.RECEVABLE, S.EN_INSTRUCTION),
    (S.RECEVABLE, S.CLOTUREE),
    (S.EN_INSTRUCTION, S.PROPOSITION),
    (S.EN_INSTRUCTION, S.CLOTUREE),
    (S.PROPOSITION, S.CLOTUREE),
    (S.PROPOSITION, S.EN_INSTRUCTION),
}
PATHS = {
    S.RECUE: [],
    S.IRRECEVABLE: [S.IRRECEVABLE],
    S.REORIENTEE: [S.REORIENTEE],
    S.RECEVABLE: [S.RECEVABLE],
    S.EN_INSTRUCTION: [S.RECEVABLE, S.EN_INSTRUCTION],
    S.PROPOSITION: [S.RECEVABLE, S.EN_INSTRUCTION, S.PROPOSITION],
    S.CLOTUREE: [S.RECEVABLE, S.CLOTUREE],
}


def _move(saisine, vers, actor=None):
    data = dict(DATA[vers])
    motif = data.pop("motif", "")
    return saisine_transition(saisine=saisine, vers=vers, actor=actor, motif=motif, **data)


def _at(statut):
    saisine = saisine_new()
    for step in PATHS[statut]:
        _move(saisine, step)
    assert saisine.statut == statut
    return saisine


def test_table_matches_the_documented_workflow():
    """The transition table is exactly the documented one."""
    assert {(de, vers) for de, targets in TRANSITIONS.items() for vers in targets} == ALLOWED


@pytest.mark.parametrize("de,vers", list(itertools.product(S.values, S.values)))
def test_transition_matrix(de, vers, make_user):
    """Every pair of statuses: allowed ones change the status and log it; others are refused."""
    actor = make_user(Role.MEDIATEUR)
    saisine = _at(de)
    before = Transition.objects.filter(saisine=saisine).count()
    if (de, vers) in ALLOWED:
        _move(saisine, vers, actor)
        assert Saisine.objects.get(pk=saisine.pk).statut == vers
        last = Transition.objects.filter(saisine=saisine).last()
        assert (last.de, last.vers, last.par) == (de, vers, actor)
        assert JournalEntry.objects.filter(action="mediation.transition", object_id=str(saisine.pk)).exists()
    else:
        with pytest.raises(TransitionInterdite):
            _move(saisine, vers, actor)
        assert Saisine.objects.get(pk=saisine.pk).statut == de
        assert Transition.objects.filter(saisine=saisine).count() == before


@pytest.mark.parametrize(
    "vers,path",
    [
        (S.IRRECEVABLE, []),
        (S.REORIENTEE, []),
        (S.CLOTUREE, [S.RECEVABLE]),
        (S.PROPOSITION, [S.RECEVABLE, S.EN_INSTRUCTION]),
    ],
)
def test_required_data_is_enforced(vers, path):
    """Irrecevable needs a reason code, réorientée a body, clôturée an outcome, proposition a text."""
    saisine = saisine_new()
    for step in path:
        _move(saisine, step)
    with pytest.raises(ValidationError):
        saisine_transition(saisine=saisine, vers=vers, actor=None)
    assert Saisine.objects.get(pk=saisine.pk).statut == (path[-1] if path else S.RECUE)


def test_irrecevable_sends_the_letter_with_the_reason(django_capture_on_commit_callbacks):
    """Declaring a case irrecevable emails the requester a letter with the reason."""
    saisine = saisine_new()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _move(saisine, S.IRRECEVABLE)
    assert len(mail.outbox) == 1
    assert saisine.reference in mail.outbox[0].subject
    assert "démarche préalable" in mail.outbox[0].body.lower()


def test_closing_sets_date_and_outcome():
    """Clôturée records the outcome and the closing date."""
    saisine = _at(S.CLOTUREE)
    assert saisine.issue == "accord" and saisine.cloturee_at is not None


P_DATA = {
    "acceptee": {"reponse_direction": "Oui"},
    "refusee": {"reponse_direction": "Non"},
    "mise_en_oeuvre": {"mise_en_oeuvre_on": dt.date(2026, 3, 2), "preuve": "https://lyon.fr/x"},
    "formulee": {},
}
P_PATHS = {
    "formulee": [],
    "acceptee": ["acceptee"],
    "refusee": ["refusee"],
    "mise_en_oeuvre": ["acceptee", "mise_en_oeuvre"],
}
P_ALLOWED = {("formulee", "acceptee"), ("formulee", "refusee"), ("acceptee", "mise_en_oeuvre")}


@pytest.mark.parametrize("de,vers", list(itertools.product(P_PATHS, P_PATHS)))
def test_proposition_transition_matrix(de, vers, make_user):
    """Every pair of proposal statuses: allowed ones move and are journaled, others are refused."""
    from django.utils import timezone

    from mediation import services
    from mediation.models import Proposition
    from mediation.workflows import PROPOSITION_TABLE, proposition_transition
    from pacte.models import Direction

    assert PROPOSITION_TABLE.pairs() == P_ALLOWED
    mediateur = make_user(Role.MEDIATEUR)
    p = services.proposition_create(
        titre="T", texte="X", direction=Direction.objects.get(sigle="DEV"), actor=mediateur
    )
    for step in P_PATHS[de]:
        proposition_transition(proposition=p, vers=step, actor=mediateur, **P_DATA[step])
    if (de, vers) in P_ALLOWED:
        proposition_transition(proposition=p, vers=vers, actor=mediateur, **P_DATA[vers])
        assert Proposition.objects.get(pk=p.pk).statut == vers
        entry = JournalEntry.objects.for_object(p).filter(action="mediation.proposition").first()  # newest
        assert (entry.data, entry.actor) == ({"de": de, "vers": vers}, mediateur)
        assert entry.at <= timezone.now()
    else:
        with pytest.raises(TransitionInterdite):
            proposition_transition(proposition=p, vers=vers, actor=mediateur, **P_DATA[vers])
        assert Proposition.objects.get(pk=p.pk).statut == de
