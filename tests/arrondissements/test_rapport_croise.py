"""The direction × arrondissement table of the commitments report (issue 15, item 13): computation in
business days across a weekend and French public holidays, CSV, PDF text, role scoping, no per-agent
figure."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess

import pytest
import time_machine
from django.utils import timezone

from arrondissements.rapport import rapport_build
from pacte.calendrier import business_days_between, is_holiday

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)
PERIODE = "debut=2026-04-01&fin=2026-06-30"


def _paris(y, m, d, h=10):
    return timezone.make_aware(dt.datetime(y, m, d, h))


@pytest.fixture
def mai(make_demande):
    """Five requests around the May 2026 bank holidays (Friday 1 and Friday 8 May)."""
    assert is_holiday(dt.date(2026, 5, 1)) and is_holiday(dt.date(2026, 5, 8))
    # DEV × 6e: Thu 30 Apr → Mon 4 May (4 calendar days, 1 business day: holiday + weekend),
    # Wed 6 May → Mon 11 May (5 calendar days, 2 business days: Thu 7; Fri 8 is a holiday).
    for recue, reponse in (((2026, 4, 30), (2026, 5, 4, 15)), ((2026, 5, 6), (2026, 5, 11, 9))):
        make_demande(
            created_at=_paris(*recue), statut="repondue", resolue_at=_paris(*reponse), is_dans_delai=True
        )
    # DEV × 2e: Mon 4 May → Tue 5 May (1), late.
    make_demande(
        arrondissement="a2",
        created_at=_paris(2026, 5, 4),
        statut="cloturee",
        resolue_at=_paris(2026, 5, 5, 17),
        is_dans_delai=False,
    )
    # DE × 6e: answered the same day (0).
    make_demande(
        direction="de",
        created_at=_paris(2026, 5, 15, 9),
        statut="repondue",
        premiere_reponse_at=_paris(2026, 5, 15, 11),
        resolue_at=_paris(2026, 5, 15, 16),
        is_dans_delai=True,
    )
    # DE × 2e: open, not yet due.
    make_demande(
        arrondissement="a2", direction="de", created_at=_paris(2026, 5, 20), echeance=dt.date(2026, 6, 30)
    )


def _build(**kwargs):
    with time_machine.travel(TODAY, tick=False):
        return rapport_build(debut=dt.date(2026, 4, 1), fin=dt.date(2026, 6, 30), **kwargs)


def test_cross_table_counts_shares_and_business_day_medians(mai, lieux):
    """Each direction × arrondissement pair: received, within commitment, share and median answer in
    business days (weekend and 1/8 May skipped), where calendar days would give 4 and 5."""
    assert business_days_between(dt.date(2026, 4, 30), dt.date(2026, 5, 4)) == 1
    rapport = _build()
    croise = {
        (ligne.libelle, ligne.sous_libelle): (
            ligne.recues,
            ligne.evaluables,
            ligne.dans_delai,
            ligne.taux,
            ligne.mediane_resolution_j,
        )
        for ligne in rapport.par_direction_arrondissement
    }
    dev, de = lieux["dev"].nom, lieux["de"].nom
    assert croise == {
        (dev, "6e arrondissement"): (2, 2, 2, 100.0, 1.5),
        (dev, "2e arrondissement"): (1, 1, 0, 0.0, 1.0),
        (de, "6e arrondissement"): (1, 1, 1, 100.0, 0.0),
        (de, "2e arrondissement"): (1, 0, 0, None, None),
    }
    # Rows sorted by direction, then arrondissement number.
    ordre = [(ligne.libelle, ligne.sous_libelle) for ligne in rapport.par_direction_arrondissement]
    assert ordre == sorted(ordre, key=lambda k: (k[0], int(k[1].split("e")[0])))
    # The separate tables use the same business days.
    directions = {ligne.cle: ligne for ligne in rapport.par_direction}
    assert directions[lieux["dev"].pk].mediane_resolution_j == 1.0  # 1, 2, 1
    assert rapport.total.mediane_resolution_j == 1.0  # 0, 1, 1, 2
    assert rapport.total.mediane_premiere_reponse_j == 1.0


def _csv(client, url):
    with time_machine.travel(TODAY, tick=False):
        response = client.get(url)
    data = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data), delimiter=";"))


def test_csv_has_the_cross_rows_and_no_agent(mai, people, lieux, client):
    """The CSV holds one « Direction × arrondissement » row per pair, medians in business days, and no
    person's name anywhere."""
    client.force_login(people["coord"])
    rows = _csv(client, f"/arrondissements/rapport/export.csv?{PERIODE}")
    assert rows[0][6:8] == ["Médiane première réponse (jours ouvrés)", "Médiane réponse (jours ouvrés)"]
    croise = {r[1]: r for r in rows if r[0] == "Direction × arrondissement"}
    cle = f"{lieux['dev'].nom} — 6e arrondissement"
    assert croise[cle][2:8] == ["2", "2", "2", "100.0", "1.5", "1.5"]
    assert len(croise) == 4
    text = "\n".join(";".join(r) for r in rows)
    for user in people.values():
        assert user.username not in text and (not user.last_name or user.last_name not in text)


def test_pdf_text_has_the_cross_table(mai, people, lieux, client, tmp_path):
    """pdftotext finds the section, each pair and the business-day wording."""
    client.force_login(people["coord"])
    with time_machine.travel(TODAY, tick=False):
        response = client.get(f"/arrondissements/rapport/export.pdf?{PERIODE}")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "rapport.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Par direction et par arrondissement" in text
    assert "jours ouvrés" in text
    section = text.split("Par direction et par arrondissement", 1)[1]
    assert "2e arrondissement" in section and "6e arrondissement" in section
    assert "2 sur 2" in section and "1,5" in section


def test_referent_sees_only_their_direction_elu_sees_all(mai, people, lieux, client):
    """A référent's cross table (page and CSV) holds only their direction; an élu sees every pair with
    their arrondissement highlighted; a role without the report gets no page."""
    client.force_login(people["ref_de"])
    rows = _csv(client, f"/arrondissements/rapport/export.csv?{PERIODE}")
    croise = [r[1] for r in rows if r[0] == "Direction × arrondissement"]
    assert croise and all(c.startswith(lieux["de"].nom) for c in croise)
    with time_machine.travel(TODAY, tick=False):
        page = client.get(f"/arrondissements/rapport/?{PERIODE}").content.decode()
    assert lieux["dev"].nom not in page.split("Par direction et par arrondissement", 1)[1]
    client.force_login(people["elu6"])
    rows = _csv(client, f"/arrondissements/rapport/export.csv?{PERIODE}")
    assert len([r for r in rows if r[0] == "Direction × arrondissement"]) == 4
    client.force_login(people["agent"])
    for suffix in ("", "export.csv", "export.pdf"):
        assert client.get(f"/arrondissements/rapport/{suffix}?{PERIODE}").status_code in (403, 404)


@pytest.mark.browser
def test_cross_table_is_accessible_at_1280_and_320(mai, people, page, live_server, login):
    """The report page with the cross table: caption, row headers, 0 axe violation at 1280 and 320 px
    (no horizontal scroll of the page), 0 HTML checker error, no figure broken inside at 320 px."""
    from tests.a11y import assert_accessible, assert_valid_html
    from tests.browser.conftest import screenshot

    login(page, people["coord"])
    response = page.goto(f"{live_server.url}/arrondissements/rapport/?{PERIODE}")
    table = page.locator("table", has=page.locator("caption", has_text="par direction et par arrondissement"))
    assert table.locator("tbody tr").count() == 4
    assert table.locator("tbody th[scope=row]").count() == 8
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 900})
    cells = table.locator("th, td").evaluate_all(
        """cells => cells.map(c => {
            const range = document.createRange();
            range.selectNodeContents(c);
            return [c.textContent.trim(), c.scrollWidth > c.clientWidth + 1, range.getBoundingClientRect().height];
        })"""
    )
    assert [text for text, clipped, _h in cells if clipped] == []
    line = table.locator("td.nombre").first.evaluate("c => parseFloat(getComputedStyle(c).lineHeight)")
    # Words never break inside (at most one line per word) and figures never wrap (« 2 sur 2 »).
    assert [(text, h) for text, _c, h in cells if h > len(text.split()) * line + 2] == []
    figures = table.locator("td.nombre").evaluate_all(
        "cells => cells.map(c => { const r = document.createRange(); r.selectNodeContents(c);"
        " return r.getBoundingClientRect().height; })"
    )
    assert max(figures) <= line + 2
    wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 1
    screenshot(page, "arrondissements-rapport-croise-320")
    assert_valid_html({"rapport-croise": response.text()})
