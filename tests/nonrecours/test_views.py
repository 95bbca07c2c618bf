"""Views: public statistics = DB counts with suppression, CSV = page, roles, journal, quick form."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from nonrecours.models import Dispositif, Observation, ObservationDispositif
from nonrecours.rollup import rollup_rebuild
from nonrecours.services import observation_record
from nonrecours.stats import annees_publiees, publications
from pacte.models import Arrondissement, JournalEntry, Lieu
from pacte.roles import Role

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _bulk(n, *, type_odenore="non_connaissance", numero=7, code="rsa", demarche="", day=TODAY):
    arr = Arrondissement.objects.get(numero=numero) if numero else None
    disp = Dispositif.objects.get(code=code)
    obs = Observation.objects.bulk_create(
        Observation(
            observed_on=day,
            source="ccas",
            type_odenore=type_odenore,
            arrondissement=arr,
            demarche_slug=demarche,
        )
        for _ in range(n)
    )
    ObservationDispositif.objects.bulk_create(
        ObservationDispositif(
            observation=o,
            dispositif=disp,
            observed_on=day,
            type_odenore=type_odenore,
            arrondissement=arr,
            has_demarche=bool(demarche),
        )
        for o in obs
    )
    rollup_rebuild()


@pytest.fixture
def donnees():
    _bulk(40, type_odenore="non_connaissance", numero=7, code="rsa")
    _bulk(25, type_odenore="non_demande", numero=8, code="css", demarche="demande-css")
    _bulk(3, type_odenore="non_reception", numero=1, code="domiciliation")
    _bulk(30, type_odenore="non_reception", numero=8, code="rsa")


def _csv(response):
    """Rows of an export: open data is comma-separated UTF-8, the analysts' file is for spreadsheets."""
    data = b"".join(response.streaming_content)
    if data.startswith("\ufeff".encode()):
        return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    return list(csv.DictReader(io.StringIO(data.decode())))


def _cell(rows, tableau, ligne, colonne):
    return next(
        r["effectif"]
        for r in rows
        if r["tableau"].startswith(tableau) and r["ligne"] == ligne and r["colonne"] == colonne
    )


def _published_numbers(pub):
    """Every number of the public tables: (table, row, column, shown text)."""
    out = []
    for tableau in pub.tableaux:
        for row in tableau.rows:
            out += [(tableau.titre, row["label"], c, cell.display) for c, cell in enumerate(row["cells"])]
            out.append((tableau.titre, row["label"], "total", row["total"].display))
        out += [(tableau.titre, "total", c, cell.display) for c, cell in enumerate(tableau.col_totals)]
        out.append((tableau.titre, "total", "total", tableau.total.display))
    return out


def test_public_page_counts_equal_db_with_suppression(client, donnees):
    """Public figures equal database counts, small counts show « < 11 », nothing small is published."""
    response = client.get(reverse("nonrecours:statistiques"))
    assert response.status_code == 200
    pub = response.context["pub"]
    assert pub.annee == TODAY.year
    disp = pub.par_dispositif
    codes = {d.nom: d.code for d in Dispositif.objects.all()}
    types = ["non_connaissance", "non_demande", "non_reception", "non_proposition", ""]
    for label, cells in zip(disp.row_labels, disp.cells, strict=True):
        for type_code, cell in zip(types, cells, strict=True):
            db = ObservationDispositif.objects.filter(
                dispositif__code=codes[label], type_odenore=type_code
            ).count()
            assert cell.value == db
            assert cell.display == ("< 11" if 0 < db < 11 else "secret" if cell.hidden else str(db))
    dom_row = disp.row_labels.index(Dispositif.objects.get(code="domiciliation").nom)
    assert disp.cells[dom_row][2].display == "< 11"
    assert sum(row[2].hidden for row in disp.cells) >= 2  # secondary suppression in the column
    assert pub.total.value == Observation.objects.count()
    assert not [n for n in _published_numbers(pub) if n[3].isdigit() and 0 < int(n[3]) < 11]
    assert "&lt; 11" in response.text and "secret" in response.text


def test_csv_equals_page(client, donnees):
    """The open-data CSV holds exactly the published cells of the page (same suppression)."""
    pub = client.get(reverse("nonrecours:statistiques")).context["pub"]
    rows = _csv(client.get(reverse("nonrecours:statistiques_csv")))
    expected = []
    for tableau in pub.tableaux:
        for row in tableau.rows:
            expected += [(tableau.titre, row["label"], c.csv) for c in row["cells"]] + [
                (tableau.titre, row["label"], row["total"].csv)
            ]
        expected += [(tableau.titre, "Total", c.csv) for c in tableau.col_totals]
        expected.append((tableau.titre, "Total", tableau.total.csv))
    assert [(r["tableau"], r["ligne"], r["effectif"]) for r in rows] == expected
    assert {r["annee"] for r in rows} == {str(TODAY.year)}
    assert _cell(rows, "Situations par arrondissement", "Lyon 1er", "Non-réception") == "< 11"
    assert not any(r["effectif"].isdigit() and 0 < int(r["effectif"]) < 11 for r in rows)


OLD_FILTERS = [
    {"type": "non_reception"},
    {"type": "non_qualifie", "arrondissement": "1"},
    {"arrondissement": "8"},
    {"dispositif": "domiciliation"},
    {"dispositif": "css", "arrondissement": "8", "type": "non_demande"},
    {"debut": "2020-T1", "fin": "2020-T1", "pas": "mois"},
]


@pytest.mark.parametrize("params", OLD_FILTERS)
def test_no_query_recomputes_a_figure(client, donnees, params):
    """The differencing attack of issue 13: « all types » vs « one type » (or one arrondissement, one
    right, one period) recomputed small counts. Every public query now shows the same fixed tables:
    a visitor's parameters other than the year change nothing, on the page and in the CSV."""
    url, csv_url = reverse("nonrecours:statistiques"), reverse("nonrecours:statistiques_csv")
    reference = _published_numbers(client.get(url).context["pub"])
    assert _published_numbers(client.get(url, params).context["pub"]) == reference
    assert _csv(client.get(csv_url, params)) == _csv(client.get(csv_url))


def test_year_is_the_only_filter_and_works_without_js(client, donnees):
    """The year is chosen in a plain GET form; another year has its own fixed tables."""
    response = client.get(reverse("nonrecours:statistiques"), {"annee": TODAY.year - 1})
    pub = response.context["pub"]
    assert pub.annee == TODAY.year - 1 and pub.total.display == "0"
    assert 'name="annee"' in response.text and 'name="type"' not in response.text


def test_bad_filter_values_do_not_crash(client, donnees):
    """Unknown filter values give a French error and the current year, never a 500."""
    for value in ("zzz", "1900", "-1", "2025.5"):
        response = client.get(reverse("nonrecours:statistiques"), {"annee": value})
        assert response.status_code == 200
        assert "Sélectionnez un choix valide" in response.text
        assert response.context["pub"].annee == TODAY.year
    assert client.get(reverse("nonrecours:statistiques_csv"), {"annee": "zzz"}).status_code == 200


def test_public_page_works_when_the_cache_is_down(client, donnees, settings):
    """The cache only saves computing time: without it the page shows the same figures."""
    reference = _published_numbers(client.get(reverse("nonrecours:statistiques")).context["pub"])
    # Django's setting_changed handler rebuilds the cache connections.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get(reverse("nonrecours:statistiques"))
    assert response.status_code == 200
    assert _published_numbers(response.context["pub"]) == reference


def test_analyst_sees_raw_and_export_is_journaled(client, make_user, donnees):
    """Analysts see unsuppressed figures; their CSV export is journaled."""
    client.force_login(make_user(Role.ANALYSTE))
    response = client.get(reverse("nonrecours:analyse"))
    disp = response.context["stats"].par_dispositif
    dom_row = disp.row_labels.index(Dispositif.objects.get(code="domiciliation").nom)
    assert disp.cells[dom_row][2].display == "3"
    rows = _csv(client.get(reverse("nonrecours:analyse_csv")))
    assert _cell(rows, "Situations par arrondissement", "Lyon 1er", "Non-réception") == "3"
    assert JournalEntry.objects.filter(action="nonrecours.export").count() == 1


@pytest.mark.parametrize(
    ("role", "signaler", "analyse"),
    [
        (Role.AGENT, 200, 403),
        (Role.ECRIVAIN, 200, 403),
        (Role.MEDIATEUR, 200, 403),
        (Role.ANALYSTE, 200, 200),
        (Role.REFERENT, 403, 403),
        (Role.ELU, 403, 403),
        (Role.COORDINATION, 403, 403),
        (Role.CONSEILLER, 403, 403),
    ],
)
def test_role_matrix(client, make_user, role, signaler, analyse):
    """Quick form for agents, écrivains, médiateurs, analysts; analysis and catalogue for analysts only."""
    client.force_login(make_user(role))
    assert client.get(reverse("nonrecours:signaler")).status_code == signaler
    assert client.get(reverse("nonrecours:mes_signalements")).status_code == signaler
    assert client.get(reverse("nonrecours:analyse")).status_code == analyse
    assert client.get(reverse("nonrecours:analyse_csv")).status_code == analyse
    assert client.get(reverse("nonrecours:dispositifs")).status_code == analyse
    assert client.get(reverse("nonrecours:statistiques")).status_code == 200


def test_anonymous_is_sent_to_login_for_staff_pages(client):
    """Staff pages need an account; the statistics do not."""
    assert client.get(reverse("nonrecours:signaler")).status_code == 302
    assert client.get(reverse("nonrecours:statistiques_csv")).status_code == 200


def test_quick_form_prefills_and_records(client, make_user):
    """The form is pre-filled (source by role, arrondissement of the lieu) and records then redirects."""
    lieu = Lieu.objects.filter(arrondissement__numero=6).first()
    agent = make_user(Role.AGENT, lieu=lieu)
    client.force_login(agent)
    form = client.get(reverse("nonrecours:signaler")).context["form"]
    assert form.initial["source"] == "accueil_mairie" and form.initial["arrondissement"] == 6
    response = client.post(
        reverse("nonrecours:signaler"),
        {
            "dispositifs": ["rsa", "cheque_energie"],
            "type_odenore": "non_demande",
            "raisons": ["numerique"],
            "source": "accueil_mairie",
            "arrondissement": "6",
            "orientation": "mdms",
            "age_tranche": "",
            "menage": "",
            "situation": "",
            "observed_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 302 and "enregistre=" in response["Location"]
    obs = Observation.objects.get()
    assert obs.recorded_by == agent and obs.arrondissement.numero == 6
    assert sorted(obs.dispositifs.values_list("code", flat=True)) == ["cheque_energie", "rsa"]
    page = client.get(response["Location"])
    assert "Autre situation" in page.text and "enregistrée" in page.text


def test_quick_form_errors_in_french_values_kept(client, make_user):
    """Missing right and future date: French messages, typed values kept, nothing stored."""
    client.force_login(make_user(Role.ECRIVAIN))
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("nonrecours:signaler"),
        {
            "type_odenore": "non_reception",
            "raisons": ["langue"],
            "source": "ecrivain_public",
            "observed_on": future,
        },
    )
    assert response.status_code == 200
    assert "Cochez au moins un droit ou une aide." in response.text
    assert "La date ne peut pas être dans le futur." in response.text
    assert 'value="non_reception" id="id_type_odenore_2" checked' in response.text or (
        response.context["form"].data["type_odenore"] == "non_reception"
    )
    assert 'value="langue"' in response.text and future in response.text
    assert not Observation.objects.exists()


def test_follow_up_own_observation_only(client, make_user):
    """An agent records « droit ouvert » on their own observation (journaled); others get 404."""
    agent, other = make_user(Role.AGENT), make_user(Role.AGENT)
    obs = observation_record(source="accueil_mairie", dispositifs=["rsa"], actor=agent)
    client.force_login(other)
    url = reverse("nonrecours:suivi", args=[obs.pk])
    assert client.post(url, {"droit_ouvert": "oui"}).status_code == 404
    client.force_login(agent)
    page = client.get(reverse("nonrecours:mes_signalements"))
    assert f"situation-{obs.pk}" in page.text
    assert client.post(url, {"droit_ouvert": "oui"}).status_code == 302
    obs.refresh_from_db()
    assert obs.droit_ouvert == "oui" and obs.suivi_le is not None
    assert JournalEntry.objects.filter(action="nonrecours.suivi", object_id=str(obs.pk)).exists()
    client.post(url, {"droit_ouvert": "peut-etre"})
    obs.refresh_from_db()
    assert obs.droit_ouvert == "oui"


def test_analyst_edits_catalogue(client, make_user):
    """Analysts add, edit and deactivate rights (journaled); deactivated rights leave the quick form."""
    client.force_login(make_user(Role.ANALYSTE))
    response = client.post(
        reverse("nonrecours:dispositif_ajouter"),
        {
            "code": "bourse_college",
            "nom": "Bourse de collège",
            "porteur": "Éducation nationale",
            "lien": "pas une url",
            "is_active": "on",
        },
    )
    assert "Saisissez une adresse web complète" in response.text and "Bourse de collège" in response.text
    response = client.post(
        reverse("nonrecours:dispositif_ajouter"),
        {
            "code": "bourse_college",
            "nom": "Bourse de collège",
            "porteur": "Éducation nationale",
            "lien": "https://www.service-public.fr/",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    bourse = Dispositif.objects.get(code="bourse_college")
    client.post(
        reverse("nonrecours:dispositif_modifier", args=[bourse.pk]),
        {
            "code": "autre",
            "nom": "Bourse de collège (Éducation nationale)",
            "porteur": "EN",
            "lien": "",
            "is_active": "on",
        },
    )
    bourse.refresh_from_db()
    assert bourse.code == "bourse_college" and bourse.nom.endswith("nationale)")
    client.post(reverse("nonrecours:dispositif_activer", args=[bourse.pk]))
    bourse.refresh_from_db()
    assert not bourse.is_active
    form = client.get(reverse("nonrecours:signaler")).context["form"]
    assert "bourse_college" not in [c for c, _ in form.fields["dispositifs"].choices]
    actions = set(JournalEntry.objects.filter(object_id=str(bourse.pk)).values_list("action", flat=True))
    assert actions == {
        "nonrecours.dispositif_ajoute",
        "nonrecours.dispositif_modifie",
        "nonrecours.dispositif_desactive",
    }


def test_stats_page_query_count_constant(client, django_assert_max_num_queries):
    """The statistics page runs a fixed number of queries whatever the volume (cached or not), and
    only a year whose data changed is read and suppressed again."""
    _bulk(5)
    # Computing every year: catalogue, versions, arrondissements, two queries per published year.
    with django_assert_max_num_queries(3 + 2 * len(annees_publiees())):
        client.get(reverse("nonrecours:statistiques"))
    with django_assert_max_num_queries(2):  # unchanged data: catalogue and versions only
        client.get(reverse("nonrecours:statistiques"))
    for numero in range(1, 10):
        _bulk(30, numero=numero, code="css", type_odenore="non_demande", demarche="x")
    with django_assert_max_num_queries(3 + 2):  # only the current year is read again
        client.get(reverse("nonrecours:statistiques"), {"annee": TODAY.year - 1})
    with django_assert_max_num_queries(2):
        client.get(reverse("nonrecours:statistiques_csv"))


def test_espace_tiles_and_plan(make_user):
    """Tiles by role, a site-map entry and no main-menu entry."""
    from nonrecours import espace

    assert espace.NAV == [] and espace.PLAN
    assert len(espace.liens(make_user(Role.AGENT))) == 2
    assert len(espace.liens(make_user(Role.ANALYSTE))) == 3
    assert espace.liens(make_user(Role.ELU)) == []


def test_indicateurs_read_the_publication():
    """The tracker's figures of the observatory are figures of the publication (same secret)."""
    from nonrecours.indicateurs import observations_enregistrees, part_droit_ouvert, part_liee_demarche
    from pacte.tracker.registry import SECRET_STATISTIQUE
    from pacte.tracker.selectors import indicateur_live, trimestres

    _bulk(40, type_odenore="non_connaissance", numero=7, code="rsa")
    _bulk(25, type_odenore="non_demande", numero=8, code="css", demarche="demande-css")
    _bulk(30, type_odenore="non_reception", numero=8, code="rsa")
    *_, (_, debut, fin) = trimestres(TODAY)
    assert observations_enregistrees() == 95
    assert observations_enregistrees(debut, fin) == 95
    assert part_liee_demarche(debut, fin) == part_liee_demarche() == round(100 * 25 / 95, 1)
    # A period that is not one of the publication's has no value (it would be a new figure).
    assert observations_enregistrees(debut + dt.timedelta(days=1), fin) is None
    # A small cell appears: the tracker shows exactly what the page shows, never more.
    _bulk(3, type_odenore="non_reception", numero=1, code="domiciliation")
    pub = publications()[TODAY.year]
    quarter = (TODAY.month - 1) // 3
    total_cell, liees_cell = pub.par_trimestre.row_totals[quarter], pub.demarche.cells[quarter][0]
    expected_total = SECRET_STATISTIQUE if total_cell.hidden else total_cell.value
    assert observations_enregistrees(debut, fin) == expected_total
    if total_cell.hidden or liees_cell.hidden:
        assert part_liee_demarche(debut, fin) is SECRET_STATISTIQUE
    else:
        assert part_liee_demarche(debut, fin) == round(100 * liees_cell.value / total_cell.value, 1)
    # Everything in one quarter: its total is the year's total, shown on the page too.
    assert observations_enregistrees() == (SECRET_STATISTIQUE if pub.total.hidden else pub.total.value)
    # Share of rights opened: none below the threshold of followed-up situations.
    Observation.objects.filter(type_odenore="non_demande").update(droit_ouvert="oui")
    assert part_droit_ouvert() == 100.0
    Observation.objects.exclude(type_odenore="non_demande").update(droit_ouvert="")
    Observation.objects.filter(type_odenore="non_demande").exclude(
        pk__in=Observation.objects.filter(type_odenore="non_demande").values("pk")[:5]
    ).update(droit_ouvert="")
    assert part_droit_ouvert() is SECRET_STATISTIQUE
    # The tracker says why a value is missing, in words (and draws no bar for it).
    from pacte.tracker.registry import all_indicateurs

    live = indicateur_live(all_indicateurs()["nonrecours_droits_ouverts"], today=TODAY)
    assert live.affichage == "secret statistique (trop peu de situations)"
