"""The report's figures: equal to the seeded data, deterministic, computed in a constant number of queries."""

from __future__ import annotations

import statistics

import pytest

from mediation.rapport.statistiques import statistiques_annee

from .conftest import ANNEE, LIGNES, create_saisine

pytestmark = pytest.mark.django_db


def _par(rows, key="cle"):
    return {r[key]: (r["n"], r["n_prec"]) for r in rows}


def test_counts_by_dimension_equal_the_seeded_year(annee_seedee):
    """Channels, requester types, themes, months, outcomes equal counts made by hand from the seed."""
    stats = statistiques_annee(ANNEE)
    for index, key in ((2, "par_canal"), (3, "par_type"), (4, "par_theme")):
        cur, prev = annee_seedee.attendu(ANNEE, index), annee_seedee.attendu(ANNEE - 1, index)
        got = _par(stats[key])
        for value in set(cur) | set(prev):
            assert got[value] == (cur[value], prev[value]), (key, value)
        assert sum(n for n, _ in got.values()) == len([x for x in LIGNES if x[0] == ANNEE])
    mois = _par(stats["par_mois"])
    assert mois[1] == (2, 0) and mois[4] == (0, 1) and mois[12] == (1, 0)
    issues = _par(stats["issues"])
    assert issues["accord"] == (2, 1) and issues["desistement"] == (0, 1)
    motifs = _par(stats["motifs_irrecevabilite"])
    assert motifs["decision_justice"] == (1, 0) and motifs["hors_competence"] == (0, 1)
    assert _par(stats["reorientations"])["metropole"] == (1, 0)
    directions = _par(stats["par_direction"], "libelle")
    assert list(directions)[0].startswith("Direction") and stats["par_direction"][0]["cle"] == "DEV"
    assert stats["par_direction"][0]["n"] == 3
    assert any(r["libelle"] == "Non renseigné" and r["n"] == 1 for r in stats["par_arrondissement"])


def test_key_figures_rates_and_medians(annee_seedee):
    """Admissibility rate, élu share, medians (days) are those of the seeded year."""
    cles = statistiques_annee(ANNEE)["cles"]["annee"]
    assert cles["total"] == 11
    assert (cles["recevables"], cles["irrecevables"], cles["reorientees"]) == (6, 2, 2)
    assert cles["taux_recevabilite"] == 60.0
    assert cles["part_elu"] == round(100 * 3 / 11, 1)
    accuse = [x[11] for x in LIGNES if x[0] == ANNEE and x[11] is not None]
    cloture = [x[12] for x in LIGNES if x[0] == ANNEE and x[12] is not None]
    assert cles["median_accuse_jours"] == round(statistics.median(accuse), 1)
    assert cles["median_cloture_jours"] == round(statistics.median(cloture), 1)
    prec = statistiques_annee(ANNEE)["cles"]["precedente"]
    assert prec["total"] == 3 and prec["median_cloture_jours"] == 16.0


def test_proposals_of_the_year_and_follow_up(annee_seedee):
    """Proposals of the year by direction and status, and the follow-up of earlier ones."""
    p = statistiques_annee(ANNEE)["propositions"]
    assert p["annee_total"] == 3 and p["anterieures_total"] == 2
    assert p["anterieures_mises_en_oeuvre"] == 1 and p["anterieures_acceptees"] == 1
    assert [x["numero"] for x in p["liste"]] == ["P-2025-01", "P-2025-02", "P-2025-03"]
    dev = next(d for d in p["annee_par_direction"] if d["sigle"] == "DEV")
    assert dev["par_statut"] == [1, 1, 0, 0] and dev["total"] == 2


def test_same_data_gives_the_same_figures(annee_seedee):
    """Two computations on the same data are identical (deterministic order)."""
    assert statistiques_annee(ANNEE) == statistiques_annee(ANNEE)


def test_number_of_queries_does_not_grow_with_data(annee_seedee, django_assert_num_queries):
    """The figures take the same number of queries with 14 or 54 saisines."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        statistiques_annee(ANNEE)
    for i, ligne in enumerate(LIGNES * 3, start=100):
        create_saisine(i, ligne)
    with django_assert_num_queries(len(small)):
        statistiques_annee(ANNEE)
