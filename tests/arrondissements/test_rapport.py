"""The commitments report: figures equal hand-computed values; CSV = page; PDF readable; constant queries."""

import csv
import datetime as dt
import html as html_lib
import io
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from arrondissements.rapport import rapport_build, trimestres

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 4, 15, 10, tzinfo=dt.UTC)
Q1 = "debut=2026-01-01&fin=2026-03-31"


def _utc(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=dt.UTC)


@pytest.fixture
def dataset(make_demande):
    """Five requests in Q1 2026 and one older overdue one (see the expected figures below)."""
    h = dt.timedelta(hours=1)
    c1, c2, c4 = _utc(2026, 1, 5), _utc(2026, 1, 12), _utc(2026, 3, 2)
    make_demande(
        created_at=c1,
        statut="repondue",
        premiere_reponse_at=c1 + 24 * h,
        resolue_at=c1 + 48 * h,
        is_dans_delai=True,
    )
    make_demande(
        created_at=c2,
        statut="cloturee",
        premiere_reponse_at=c2 + 10 * h,
        resolue_at=c2 + 96 * h,
        is_dans_delai=False,
    )
    make_demande(created_at=_utc(2026, 2, 2), statut="prise_en_charge", echeance=dt.date(2026, 2, 16))
    make_demande(
        arrondissement="a2",
        direction="de",
        created_at=c4,
        statut="repondue",
        premiere_reponse_at=c4 + 2 * h,
        resolue_at=c4 + 2 * h,
        is_dans_delai=True,
    )
    make_demande(
        arrondissement="a2", direction="de", created_at=_utc(2026, 3, 30), echeance=dt.date(2026, 4, 30)
    )
    make_demande(created_at=_utc(2025, 12, 1), statut="nouvelle", echeance=dt.date(2025, 12, 15))


def _figures(ligne):
    return (
        ligne.recues,
        ligne.evaluables,
        ligne.dans_delai,
        ligne.taux,
        ligne.mediane_premiere_reponse_j,
        ligne.mediane_resolution_j,
        ligne.en_retard,
    )


def test_figures_equal_hand_computed_values(dataset, lieux):
    """Received, within commitment, %, medians (business days) and overdue match a hand computation:
    6e: first responses after 1 and 0 business days, answers after 2 and 4 (Mon 12 → Fri 16 Jan)."""
    with time_machine.travel(TODAY, tick=False):
        rapport = rapport_build(debut=dt.date(2026, 1, 1), fin=dt.date(2026, 3, 31))
    arr = {ligne.cle: ligne for ligne in rapport.par_arrondissement}
    assert len(arr) == 9
    assert _figures(arr[lieux["a6"].pk]) == (3, 3, 1, 33.3, 0.5, 3.0, 2)
    assert _figures(arr[lieux["a2"].pk]) == (2, 1, 1, 100.0, 0.0, 0.0, 0)
    assert _figures(
        arr[lieux["a2"].pk + 1 if lieux["a2"].pk + 1 != lieux["a6"].pk else lieux["a2"].pk + 2]
    ) == (0, 0, 0, None, None, None, 0)
    directions = {ligne.cle: ligne for ligne in rapport.par_direction}
    assert set(directions) == {lieux["dev"].pk, lieux["de"].pk}  # silent directions stay out
    assert _figures(directions[lieux["dev"].pk]) == (3, 3, 1, 33.3, 0.5, 3.0, 2)
    assert _figures(directions[lieux["de"].pk]) == (2, 1, 1, 100.0, 0.0, 0.0, 0)
    assert _figures(rapport.total) == (5, 4, 2, 50.0, 0.0, 2.0, 2)


def test_median_first_response_never_exceeds_the_median_full_response(make_demande):
    """Issue 15.11: both medians are over the same answered requests. Two requests closed within
    2 h without a separate first response, and two open ones with a first response after 5 days,
    used to give a first-response median (120 h) above the full-response one (2 h)."""
    h = dt.timedelta(hours=1)
    for day in (5, 6):
        c = _utc(2026, 1, day)
        make_demande(created_at=c, statut="cloturee", resolue_at=c + 2 * h, is_dans_delai=True)
    for day in (7, 8):
        c = _utc(2026, 1, day)
        make_demande(created_at=c, statut="prise_en_charge", premiere_reponse_at=c + 120 * h)
    with time_machine.travel(TODAY, tick=False):
        total = rapport_build(debut=dt.date(2026, 1, 1), fin=dt.date(2026, 3, 31)).total
    assert (total.mediane_premiere_reponse_j, total.mediane_resolution_j) == (0.0, 0.0)


def test_referent_report_is_limited_to_their_direction(dataset, people, client):
    """A référent's report counts only their direction's requests."""
    client.force_login(people["ref_de"])
    with time_machine.travel(TODAY, tick=False):
        rows = list(
            csv.reader(
                io.StringIO(
                    b"".join(
                        client.get(f"/arrondissements/rapport/export.csv?{Q1}").streaming_content
                    ).decode("utf-8-sig")
                ),
                delimiter=";",
            )
        )
    assert rows[-1][:6] == ["Ensemble", "Ensemble", "2", "1", "1", "100.0"]


def _page_rows(html):
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        cells = [
            html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        rows.append(cells)
    return rows


def test_csv_equals_page_and_elu_row_is_highlighted(dataset, people, client):
    """Every CSV figure is the one shown on the page; the élu's arrondissement row is highlighted."""
    client.force_login(people["elu6"])
    with time_machine.travel(TODAY, tick=False):
        page = client.get(f"/arrondissements/rapport/?{Q1}").content.decode()
        data = b"".join(client.get(f"/arrondissements/rapport/export.csv?{Q1}").streaming_content).decode(
            "utf-8-sig"
        )
    rows = list(csv.reader(io.StringIO(data), delimiter=";"))
    assert rows[0][0] == "Tableau" and len(rows) == 1 + 9 + 2 + 2 + 1
    page_rows = {r[0].replace(" le vôtre", ""): r for r in _page_rows(page) if len(r) == 7}
    croise = {f"{r[0]} — {r[1].replace(' le vôtre', '')}": r for r in _page_rows(page) if len(r) == 6}
    assert len(croise) == 2 + 1  # two pairs and the header row
    for tableau, libelle, recues, evaluables, dans_delai, taux, _premiere, reponse, retard in rows[1:]:
        if tableau == "Direction × arrondissement":
            shown = croise[libelle]
            assert shown[2:4] == [recues, f"{dans_delai} sur {evaluables}"]
            assert shown[4] == f"{taux} %".replace(".", ",") and shown[5] == reponse.replace(".0", "")
            continue
        shown = page_rows[libelle]
        assert shown[1] == recues and shown[2] == f"{dans_delai} sur {evaluables}" and shown[6] == retard
    assert "6e arrondissement" in page_rows and page_rows["6e arrondissement"][3] == "33,3 %"
    assert page_rows["6e arrondissement"][4:6] == ["0,5", "3"]
    assert "en jours ouvrés" in page
    assert re.search(r'class="ligne-mise-en-avant">\s*<th scope="row">6e arrondissement', page)


def test_pdf_is_generated_and_readable(dataset, people, client):
    """The PDF for the conférence des maires opens with pypdf and contains the figures and metadata."""
    client.force_login(people["coord"])
    with time_machine.travel(TODAY, tick=False):
        response = client.get(f"/arrondissements/rapport/export.pdf?{Q1}")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Engagements tenus" in text and "6e arrondissement" in text
    assert "33,3 %" in text and "1 sur 3" in text and "Direction des Espaces verts" in text
    assert "Engagements tenus" in reader.metadata.title
    assert "Ville de Lyon" in reader.metadata.author


def test_report_query_count_does_not_grow(people, make_demande, client):
    """The report page issues the same number of queries with 2 or 40 requests."""
    client.force_login(people["coord"])
    for _ in range(2):
        make_demande()
    with CaptureQueriesContext(connection) as small:
        assert client.get("/arrondissements/rapport/").status_code == 200
    for index in range(38):
        make_demande(arrondissement="a2" if index % 2 else "a6", direction="de" if index % 3 else "dev")
    with CaptureQueriesContext(connection) as large:
        client.get("/arrondissements/rapport/")
    assert len(large) == len(small) <= 14


def test_bad_period_is_explained_in_french(people, client):
    """An end date before the start date gets a French message, never a 500."""
    client.force_login(people["coord"])
    response = client.get("/arrondissements/rapport/?debut=2026-03-01&fin=2026-01-01")
    assert response.status_code == 200
    assert "La date de fin doit suivre la date de début." in response.content.decode()


def test_quarter_presets():
    """The presets are the current and three previous quarters."""
    assert trimestres(dt.date(2026, 2, 10)) == [
        ("T1 2026", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("T4 2025", dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        ("T3 2025", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        ("T2 2025", dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
    ]
