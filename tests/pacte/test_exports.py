"""CSV exports: one writer (pacte.exports), formula cells neutralised in every export, streamed, no-store."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from pacte.exports import OPEN_DATA, SPREADSHEET, cell, cell_restore, csv_response, csv_text
from pacte.models import JournalEntry
from pacte.roles import Role

HOSTILE = '=HYPERLINK("http://evil.example","x")'


# --- the helper ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [HOSTILE, "+33 6 12", "-1+1", "@SUM(A1)", "\tcmd", "\rcmd", "＝1+1", "=", "-"],
)
def test_a_text_cell_that_reads_as_a_formula_is_neutralised_and_restored(value):
    """Text starting with = + - @ tab CR (or their full-width forms) gets an apostrophe; cell_restore undoes it."""
    assert cell(value) == "'" + value
    assert cell_restore(cell(value)) == value


@pytest.mark.parametrize("value", ["Martin", "'quoted", "a=b", " =1", "", "Ensemble"])
def test_ordinary_text_is_left_alone(value):
    """Only the first character counts; plain text and a lone apostrophe are unchanged both ways."""
    assert cell(value) == value
    assert cell_restore(value) == value


def test_numbers_and_none_are_written_as_they_are():
    """A negative number is a number, not a formula: it stays usable in a spreadsheet."""
    assert [cell(v) for v in (-3, 2.5, 0, None)] == [-3, 2.5, 0, ""]
    assert csv_text([[-3, None, "-3"]], ["a", "b", "c"], OPEN_DATA) == "a,b,c\r\n-3,,'-3\r\n"


def test_the_two_dialects():
    """Open data: UTF-8, comma, no BOM. Spreadsheet: UTF-8 BOM and semicolon (French Excel)."""
    rows = [["Lyon 1er", "été; hiver"]]
    assert csv_text(rows, ["lieu", "saison"], OPEN_DATA) == "lieu,saison\r\nLyon 1er,été; hiver\r\n"
    assert csv_text(rows, ["lieu", "saison"], SPREADSHEET) == '\ufefflieu;saison\r\nLyon 1er;"été; hiver"\r\n'


@pytest.mark.django_db
def test_csv_response_streams_lazily_sets_headers_and_journals_first(make_user):
    """Rows are read while the file is sent; the journal entry exists before the first byte."""
    consumed = []

    def rows():
        for n in range(3):
            consumed.append(n)
            yield [n, f"ligne {n}"]

    user = make_user(Role.ANALYSTE)
    response = csv_response(
        rows(),
        ["n", "texte"],
        "l'export été.csv",
        dialect=SPREADSHEET,
        journal={"action": "test.export", "actor": user, "data": {"lignes": 3}},
    )
    assert isinstance(response, StreamingHttpResponse) and consumed == []
    assert JournalEntry.objects.filter(action="test.export", actor=user, data={"lignes": 3}).exists()
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    body = b"".join(response.streaming_content)
    assert consumed == [0, 1, 2]
    assert body.decode("utf-8-sig") == "n;texte\r\n0;ligne 0\r\n1;ligne 1\r\n2;ligne 2\r\n"


# --- every export of the portal ---------------------------------------------------------------


def _hostile_arrondissements(make_user):
    """A direction whose name is a formula, with one request: it is a row label of the report."""
    from arrondissements.models import DemandeAppui
    from pacte.models import Arrondissement, Direction
    from pacte.secret_links import reference_new

    direction = Direction.objects.get(sigle="DEV")
    direction.nom = HOSTILE
    direction.save()
    arrondissement = Arrondissement.objects.get(numero=6)
    elu = make_user(Role.ELU, arrondissement=arrondissement, fonction_elu="maire")
    DemandeAppui.objects.create(
        reference=reference_new("DA"),
        arrondissement=arrondissement,
        direction=direction,
        auteur=elu,
        objet="Arrosage",
        categorie="espaces_verts",
        description="Description",
        urgence="normale",
        echeance=timezone.localdate(),
    )
    return make_user(Role.COORDINATION)


def _hostile_dispositif():
    """An analyst may name a right anything in the UI; twelve situations make its row public."""
    from nonrecours.models import Dispositif, Observation, ObservationDispositif
    from nonrecours.rollup import rollup_rebuild

    dispositif = Dispositif.objects.create(code="piege", nom=HOSTILE)
    observations = Observation.objects.bulk_create(
        Observation(source="ccas", type_odenore="non_connaissance") for _ in range(12)
    )
    ObservationDispositif.objects.bulk_create(
        ObservationDispositif(
            observation=o, dispositif=dispositif, observed_on=o.observed_on, type_odenore="non_connaissance"
        )
        for o in observations
    )
    rollup_rebuild()


def _hostile_nonrecours_public(make_user):
    _hostile_dispositif()
    return None


def _hostile_nonrecours_analyse(make_user):
    _hostile_dispositif()
    return make_user(Role.ANALYSTE)


def _hostile_action(published=True):
    from pacte.tracker.models import Action

    Action.objects.filter(code="A1").update(
        titre=HOSTILE, description="- première étape", is_published=published
    )


def _hostile_tracker_public(make_user):
    _hostile_action()
    return None


def _hostile_tracker_gestion(make_user):
    _hostile_action(published=False)
    return make_user(Role.ADMIN)


def _hostile_mediation(make_user):
    from tests.mediation.factories import saisine_new

    saisine_new(nom=HOSTILE, prenom="@prenom")
    return make_user(Role.MEDIATEUR)


EXPORTS = {
    "arrondissements:rapport_csv": (_hostile_arrondissements, SPREADSHEET),
    "nonrecours:statistiques_csv": (_hostile_nonrecours_public, OPEN_DATA),
    "nonrecours:analyse_csv": (_hostile_nonrecours_analyse, SPREADSHEET),
    "tracker:liste_csv": (_hostile_tracker_public, OPEN_DATA),
    "tracker:gestion_export": (_hostile_tracker_gestion, OPEN_DATA),
    "mediation:saisine_export": (_hostile_mediation, SPREADSHEET),
}


def _csv_url_names():
    """Every named URL of the portal whose route ends in .csv."""
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and str(p.pattern).endswith(".csv") and p.name:
                names.add(namespace + p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_csv_url_of_the_portal_is_checked_here():
    """A new CSV export cannot escape the formula test below."""
    assert _csv_url_names() == set(EXPORTS)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_export_neutralises_a_formula_and_streams_uncached(name, client, make_user):
    """A value =HYPERLINK(...) typed anywhere comes out as text in every CSV the portal serves."""
    from django.urls import reverse

    setup, dialect = EXPORTS[name]
    user = setup(make_user)
    if user is not None:
        client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert "no-store" in [d.strip() for d in response["Cache-Control"].split(",")]
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode()) == dialect.bom
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=dialect.delimiter))
    cells = [c for row in rows for c in row]
    assert "'" + HOSTILE in cells
    assert not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)
    assert not any(c.startswith("-") and not c.lstrip("-").replace(".", "").isdigit() for c in cells)


@pytest.mark.django_db
def test_the_tracker_import_reads_its_own_neutralised_export_back(make_user):
    """Round trip: a description starting with « - » is exported as '- … and imported as - …."""
    from pacte.tracker.csvio import actions_csv_export, actions_csv_import
    from pacte.tracker.models import Action

    _hostile_action()
    exported = actions_csv_export()
    assert "'- première étape" in exported
    Action.objects.filter(code="A1").update(titre="autre", description="autre")
    assert actions_csv_import(content=exported, actor=make_user(Role.ADMIN)).ok
    action = Action.objects.get(code="A1")
    assert (action.titre, action.description) == (HOSTILE, "- première étape")
