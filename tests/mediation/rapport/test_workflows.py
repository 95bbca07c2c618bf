"""Annual report workflows: the full transition matrices of a PDF version and of the report."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from mediation.rapport import services
from mediation.rapport.enums import StatutRapport, StatutVersion
from mediation.rapport.models import RapportAnnuel, VersionRapport
from mediation.rapport.workflows import GENERATION_PERIMEE, RAPPORT_TABLE, VERSION_TABLE
from pacte.models import JournalEntry
from tests.workflow_matrix import assert_cell

pytestmark = pytest.mark.django_db

V = StatutVersion
VERSION_ALLOWED = {
    (V.EN_ATTENTE, V.EN_COURS),
    (V.EN_ATTENTE, V.ECHEC),
    (V.EN_COURS, V.PRET),
    (V.EN_COURS, V.ECHEC),
    (V.EN_COURS, V.EN_COURS),  # only once the running one is stale (guard)
    (V.ECHEC, V.EN_ATTENTE),
}


def test_tables_are_the_documented_ones():
    """A ready version is final; a failed one goes back to the queue; a report stays published."""
    assert VERSION_TABLE.pairs() == VERSION_ALLOWED
    assert RAPPORT_TABLE.pairs() == {
        (StatutRapport.EN_PREPARATION, StatutRapport.PUBLIE),
        (StatutRapport.PUBLIE, StatutRapport.PUBLIE),
    }


@pytest.fixture
def version():
    rapport = RapportAnnuel.objects.create(annee=2025)
    return VersionRapport.objects.create(rapport=rapport, numero=1, demande_cle="k" * 32)


@pytest.mark.parametrize("de,vers", list(itertools.product(V.values, V.values)))
def test_version_matrix(de, vers, version):
    """Every pair of version statuses through the kernel (a running version taken back only when stale)."""
    perime = timezone.now() - GENERATION_PERIMEE - dt.timedelta(minutes=1)
    assert_cell(version, de, vers, VERSION_TABLE, allowed=VERSION_ALLOWED, setup={"started_at": perime})


def test_a_running_version_is_claimed_again_only_when_stale(version):
    """A redelivered task does not steal a generation that is still running."""
    VersionRapport.objects.filter(pk=version.pk).update(statut=V.EN_COURS, started_at=timezone.now())
    assert services._claim(version.pk) is False
    VersionRapport.objects.filter(pk=version.pk).update(
        started_at=timezone.now() - GENERATION_PERIMEE - dt.timedelta(seconds=1)
    )
    assert services._claim(version.pk) is True
    version.refresh_from_db()
    assert version.statut == V.EN_COURS and version.tentatives == 1


def test_broker_down_fails_a_pending_version_but_not_a_running_one(version, monkeypatch):
    """Without a broker a pending version is marked « échec »; one a worker already runs is left alone."""
    from mediation.rapport import tasks

    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.version_generate_task, "delay", down)
    VersionRapport.objects.filter(pk=version.pk).update(statut=V.EN_COURS, started_at=timezone.now())
    services._enqueue(version.pk)
    assert VersionRapport.objects.get(pk=version.pk).statut == V.EN_COURS
    VersionRapport.objects.filter(pk=version.pk).update(statut=V.EN_ATTENTE)
    services._enqueue(version.pk)
    version.refresh_from_db()
    assert version.statut == V.ECHEC and "indisponible" in version.erreur


def test_publishing_a_newer_version_is_journaled_again(version, make_user):
    """Each publication is journaled on the report, the first one and the ones replacing it."""
    from pacte.roles import Role

    mediateur = make_user(Role.MEDIATEUR)
    VersionRapport.objects.filter(pk=version.pk).update(statut=V.PRET)
    services.version_publish(version=version, actor=mediateur)
    second = VersionRapport.objects.create(rapport=version.rapport, numero=2, demande_cle="m" * 32)
    VersionRapport.objects.filter(pk=second.pk).update(statut=V.PRET)
    services.version_publish(version=second, actor=mediateur)
    rapport = RapportAnnuel.objects.get(pk=version.rapport_id)
    assert rapport.statut == StatutRapport.PUBLIE
    entries = JournalEntry.objects.for_object(rapport).filter(action="rapport.publie")
    assert sorted(e.data["de"] for e in entries) == ["en_preparation", "publie"]
