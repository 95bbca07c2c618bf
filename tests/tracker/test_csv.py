"""CSV import/export of the actions: all or nothing, errors by line, same format both ways."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pacte.roles import Role
from pacte.tracker.csvio import actions_csv_export, actions_csv_import, actions_csv_parse
from pacte.tracker.enums import Statut
from pacte.tracker.models import Action

pytestmark = pytest.mark.django_db

HEADER = (
    "code,orientation,axe,titre,statut_source,source,direction,statut,avancement,debut_on,cible_on,publiee\n"
)
GOOD = (
    HEADER
    + "A1,accessibilite,,Garantir une alternative à chaque démarche en ligne,sourcee,https://lyon.fr/node/868116,DPC,en_cours,60,2022-09-01,2026-12-31,oui\n"
    + "P9,proximite,Être plus proche,Une nouvelle action de proximité,discours,,DDT,a_engager,0,,,oui\n"
)
ONE_BAD_LINE = (
    HEADER
    + "A1,accessibilite,,Titre modifié,sourcee,https://lyon.fr/node/868116,DPC,en_cours,60,2022-09-01,2026-12-31,oui\n"
    + "P9,proximite,,Une nouvelle action,discours,,DDT,a_engager,0,,,oui\n"
    + "D9,adaptabilite,,Action mal remplie,sourcee,pas-une-url,XYZ,termine,150,2026-31-12,,peut-etre\n"
)


def test_a_file_with_one_bad_line_reports_it_by_line_and_imports_nothing(make_user):
    """Line 4 is wrong in several ways: every problem is named in French, and no line is imported."""
    admin = make_user(Role.ADMIN)
    before = actions_csv_export()
    rapport = actions_csv_import(content=ONE_BAD_LINE.encode(), actor=admin)
    assert not rapport.ok
    assert [numero for numero, _ in rapport.erreurs] == [4]
    message = rapport.erreurs[0][1]
    for fragment in (
        "pas-une-url",
        "direction « XYZ » est inconnue",
        "statut « termine »",
        "0 à 100",
        "AAAA-MM-JJ",
        "oui ou non",
    ):
        assert fragment in message
    assert actions_csv_export() == before
    assert not Action.objects.filter(code__in=["P9", "D9"]).exists()


def test_a_good_file_creates_and_updates_actions(make_user):
    """A valid file updates A1, creates P9 with its new axe, and journals the import."""
    from pacte.models import JournalEntry

    rapport = actions_csv_import(content=GOOD, actor=make_user(Role.ADMIN))
    assert rapport.ok and (rapport.nb_creations, rapport.nb_mises_a_jour) == (1, 1)
    a1 = Action.objects.get(code="A1")
    assert (a1.statut, a1.avancement, a1.direction.sigle) == (Statut.EN_COURS, 60, "DPC")
    p9 = Action.objects.get(code="P9")
    assert p9.axe.titre == "Être plus proche" and p9.certitude == "a_confirmer" and p9.numero == 9
    assert JournalEntry.objects.filter(action="tracker.import_csv").count() == 1


def test_duplicate_codes_semicolons_and_missing_columns_are_reported():
    """Duplicates point to the first line; semicolon files are read; missing columns are named."""
    content = "code;orientation;titre\nA1;accessibilite;Un\nA1;accessibilite;Deux\n"
    rapport = actions_csv_parse(content)
    assert rapport.erreurs == [(3, "Le code A1 figure déjà ligne 2.")]
    rapport = actions_csv_parse("code,titre\nA1,Un\n")
    assert rapport.erreurs[0][0] == 1 and "orientation" in rapport.erreurs[0][1]
    assert (
        "UTF-8"
        in actions_csv_parse("code,orientation,titre\nA1,accessibilite,Caf\xe9\n".encode("latin-1")).erreurs[
            0
        ][1]
    )


def test_export_then_import_is_a_round_trip(make_user):
    """Exporting, importing the export, and exporting again gives the same file; the reference CSV imports too."""
    admin = make_user(Role.ADMIN)
    actions_csv_import(content=GOOD, actor=admin)
    first = actions_csv_export()
    assert first.splitlines()[0].startswith("code,orientation,axe,titre,statut_source,source")
    assert actions_csv_import(content=first, actor=admin).ok
    assert actions_csv_export() == first
    from pacte.reference import DATA_DIR

    assert actions_csv_parse((DATA_DIR / "actions-pacte.csv").read_bytes()).ok


def test_admin_import_page_previews_then_confirms_and_refuses_a_bad_file(client, make_user):
    """Upload → preview (nothing saved) → confirm imports; a bad file shows the line report."""
    client.force_login(make_user(Role.ADMIN))
    bad = SimpleUploadedFile("actions.csv", ONE_BAD_LINE.encode(), content_type="text/csv")
    response = client.post("/pacte/gestion/import/", {"fichier": bad})
    assert response.status_code == 200
    assert "Rien n'a été importé" in response.text and "Ligne 4" in response.text
    assert client.post("/pacte/gestion/import/confirmer/").status_code == 302
    assert not Action.objects.filter(code="P9").exists()
    good = SimpleUploadedFile("actions.csv", GOOD.encode(), content_type="text/csv")
    response = client.post("/pacte/gestion/import/", {"fichier": good})
    assert "Confirmer l'import" in response.text
    assert not Action.objects.filter(code="P9").exists()
    response = client.post("/pacte/gestion/import/confirmer/")
    assert response.status_code == 302 and response.url == "/pacte/gestion/"
    assert Action.objects.filter(code="P9").exists()
    export = client.get("/pacte/gestion/export.csv")
    assert export["Content-Type"].startswith("text/csv") and b"P9,proximite" in b"".join(
        export.streaming_content
    )


def test_admin_changelist_action_exports_selected_actions(client, make_user):
    """The admin action « Exporter » returns the selected actions in the import format."""
    admin = make_user(Role.ADMIN, username="superadmin")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert "/pacte/gestion/import/" in client.get("/admin/tracker/action/").text
    pk = Action.objects.get(code="D1").pk
    response = client.post(
        "/admin/tracker/action/", {"action": "exporter_csv", "_selected_action": [pk], "index": 0}
    )
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 2 and lines[1].startswith("D1,adaptabilite")


@pytest.mark.parametrize("role", [Role.REFERENT, Role.AGENT])
def test_import_and_export_are_for_administrators_only(client, make_user, role):
    """Other roles get 403 on the import and export pages."""
    client.force_login(make_user(role))
    assert client.get("/pacte/gestion/import/").status_code == 403
    assert client.get("/pacte/gestion/export.csv").status_code == 403


def test_absent_columns_leave_values_unchanged(make_user):
    """A file with only code, orientation, titre changes the title and keeps axis, source and status."""
    a1 = Action.objects.get(code="A1")
    axe, source = a1.axe, a1.source
    rapport = actions_csv_import(
        content="code,orientation,titre\nA1,accessibilite,Nouveau titre\n", actor=make_user(Role.ADMIN)
    )
    assert rapport.ok
    a1.refresh_from_db()
    assert (a1.titre, a1.axe, a1.source, a1.statut) == ("Nouveau titre", axe, source, Statut.A_ENGAGER)
