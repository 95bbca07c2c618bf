"""Intake, acknowledgement, uploads, requests for position and reminders, retention, indicators."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from mediation import indicateurs, services
from mediation.enums import Issue, StatutProposition, StatutSaisine
from mediation.forms import SaisinePubliqueForm
from mediation.models import DemandePosition, Document, Message, Proposition, Saisine
from mediation.workflows import proposition_transition, saisine_transition
from pacte.models import Direction
from pacte.roles import Role
from tests.mediation.factories import PDF, saisine_new, upload

pytestmark = pytest.mark.django_db


def _form_data(**extra):
    data = {
        "requerant_type": "particulier",
        "nom": "Martin",
        "email": "a@example.org",
        "theme": "autre",
        "recit": "Texte",
        "demarche_prealable": "oui",
        "decision_justice": "non",
        "consentement": "on",
    }
    data.update(extra)
    return data


def test_acknowledgement_has_reference_and_secret_link(django_capture_on_commit_callbacks):
    """A new saisine gets an acknowledgement with its reference and a follow-up link; only the hash is stored."""
    with django_capture_on_commit_callbacks(execute=True):
        saisine = saisine_new()
    assert saisine.accuse_at is not None
    assert saisine.token not in saisine.token_hash
    body = mail.outbox[-1].body
    assert saisine.reference in body and f"/mediateur/suivi/{saisine.token}/" in body
    assert services.saisine_by_token(saisine.token) == saisine
    assert services.saisine_by_token("faux") is None


def test_upload_refuses_fake_pdf_by_content():
    """A file named .pdf that is not a PDF is refused with a French message."""
    form = SaisinePubliqueForm(_form_data(), {"pieces_jointes": [upload(content=b"MZ\x90 not a pdf")]})
    assert not form.is_valid()
    assert "n'est pas un PDF" in " ".join(form.errors["pieces_jointes"])


def test_upload_refuses_too_big_and_too_many(settings):
    """Size and count limits are enforced."""
    big = upload(content=PDF + b"0" * (5 * 1024 * 1024))
    form = SaisinePubliqueForm(_form_data(), {"pieces_jointes": [big]})
    assert not form.is_valid() and "dépasse" in " ".join(form.errors["pieces_jointes"])
    form = SaisinePubliqueForm(_form_data(), {"pieces_jointes": [upload() for _ in range(6)]})
    assert not form.is_valid() and "au plus" in " ".join(form.errors["pieces_jointes"])


def test_public_form_accepts_a_real_pdf_and_requires_consent_and_contact():
    """A real PDF passes; consent and at least one contact are required."""
    assert SaisinePubliqueForm(_form_data(), {"pieces_jointes": [upload()]}).is_valid()
    form = SaisinePubliqueForm(_form_data(consentement="", email=""))
    assert not form.is_valid() and {"consentement", "email"} <= set(form.errors)


def test_demande_position_puts_case_in_formal_mediation_and_reminds_when_overdue(
    make_user, django_capture_on_commit_callbacks
):
    """A request for position moves a recevable case to formal instruction; overdue ones are reminded once per interval."""
    direction = Direction.objects.get(sigle="DEV")
    referent = make_user(Role.REFERENT, direction=direction)
    mediateur = make_user(Role.MEDIATEUR)
    saisine = saisine_new()
    saisine_transition(saisine=saisine, vers=StatutSaisine.RECEVABLE, actor=mediateur)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        demande = services.demande_position_send(
            saisine=saisine, direction=direction, question="Q ?", actor=mediateur
        )
    saisine.refresh_from_db()
    assert saisine.statut == StatutSaisine.EN_INSTRUCTION and saisine.niveau == "mediation_formelle"
    assert [m.to for m in mail.outbox] == [[referent.email]]
    later = demande.echeance + dt.timedelta(days=1)
    assert services.demandes_position_remind(today=later) == 1
    assert services.demandes_position_remind(today=later) == 0
    assert DemandePosition.objects.get(pk=demande.pk).relances == 1
    services.demande_position_answer(demande=demande, reponse="Accord du service", actor=referent)
    assert services.demandes_position_remind(today=later + dt.timedelta(days=30)) == 0


def test_retention_anonymises_old_closed_cases_including_history(
    make_user, tmp_path, settings, django_capture_on_commit_callbacks
):
    """Closed cases past retention lose identity, free text, messages and files, also in history; statistics stay."""
    settings.MEDIA_ROOT = tmp_path
    mediateur = make_user(Role.MEDIATEUR)
    saisine = saisine_new(nom="Dupont", recit="Secret")
    services.saisine_update(saisine=saisine, actor=mediateur, elu_detail="M. le maire")
    document = services.document_add(saisine=saisine, upload=upload())
    path = document.fichier.path
    services.message_add(saisine=saisine, corps="Note privée", actor=mediateur, is_interne=True)
    saisine_transition(saisine=saisine, vers=StatutSaisine.RECEVABLE, actor=mediateur)
    saisine_transition(
        saisine=saisine,
        vers=StatutSaisine.CLOTUREE,
        actor=mediateur,
        motif="Dupont d'accord",
        issue=Issue.ACCORD,
    )
    recent = saisine_new(nom="Durand")
    assert services.saisines_anonymise_expired() == 0
    Saisine.objects.filter(pk=saisine.pk).update(cloturee_at=timezone.now() - dt.timedelta(days=365 * 5 + 2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.saisines_anonymise_expired() == 1
    saisine.refresh_from_db()
    assert saisine.is_anonymised and saisine.nom == "" and saisine.recit == "" and saisine.email == ""
    assert (saisine.theme, saisine.canal, saisine.issue) == ("salubrite_tranquillite", "telephone", "accord")
    assert (
        not Message.objects.filter(saisine=saisine).exists()
        and not Document.objects.filter(saisine=saisine).exists()
    )
    import os

    assert not os.path.exists(path)
    history = saisine.history.all()
    assert history.count() >= 3
    assert not history.exclude(nom="").exists() and not history.exclude(recit="").exists()
    assert not history.exclude(elu_detail="").exists()
    assert not saisine.transitions.exclude(motif="").exists()
    assert Saisine.objects.get(pk=recent.pk).nom == "Durand"


def test_proposition_workflow(make_user):
    """formulée → acceptée (with answer) → mise en œuvre (date, evidence); refusée is final."""
    from pacte.workflows import TransitionInterdite

    mediateur = make_user(Role.MEDIATEUR)
    direction = Direction.objects.get(sigle="DEV")
    p = services.proposition_create(
        titre="T", texte="X", direction=direction, saisines=[saisine_new()], actor=mediateur
    )
    with pytest.raises(TransitionInterdite):
        proposition_transition(proposition=p, vers=StatutProposition.MISE_EN_OEUVRE, actor=mediateur)
    proposition_transition(
        proposition=p, vers=StatutProposition.ACCEPTEE, actor=mediateur, reponse_direction="Oui"
    )
    proposition_transition(
        proposition=p,
        vers=StatutProposition.MISE_EN_OEUVRE,
        actor=mediateur,
        mise_en_oeuvre_on=timezone.localdate(),
        preuve="https://lyon.fr/x",
    )
    assert Proposition.objects.get(pk=p.pk).statut == StatutProposition.MISE_EN_OEUVRE


def test_indicators_on_a_small_dataset(make_user):
    """D1 counts saisines and the share closed with accord; D2 counts implemented proposals."""
    mediateur = make_user(Role.MEDIATEUR)
    for issue in (Issue.ACCORD, Issue.DESACCORD, Issue.ACCORD_PARTIEL, Issue.DESISTEMENT):
        s = saisine_new()
        saisine_transition(saisine=s, vers=StatutSaisine.RECEVABLE, actor=mediateur)
        saisine_transition(saisine=s, vers=StatutSaisine.CLOTUREE, actor=mediateur, issue=issue)
    saisine_new()
    assert indicateurs.saisines_traitees() == 5
    assert indicateurs.part_accord() == 50.0
    direction = Direction.objects.get(sigle="DEV")
    p = services.proposition_create(titre="T", texte="X", direction=direction, actor=mediateur)
    assert indicateurs.propositions_mises_en_oeuvre() == 0
    proposition_transition(proposition=p, vers="acceptee", actor=mediateur, reponse_direction="Oui")
    proposition_transition(
        proposition=p,
        vers="mise_en_oeuvre",
        actor=mediateur,
        mise_en_oeuvre_on=timezone.localdate(),
        preuve="x",
    )
    assert indicateurs.propositions_mises_en_oeuvre() == 1
