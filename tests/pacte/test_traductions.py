"""Every citizen-facing string is in the catalogues, translated in every language (#17).

- Templates: each template is either a staff page (AGENTS: French only, reviewed list), a citizen
  template not translated yet (PAS_ENCORE_TRADUITS: the visible gap, it must only shrink — a file
  leaves it as soon as it has no French left outside the translation tags), or a translated
  citizen template: no text outside `{% translate %}`/`{% blocktranslate %}` (Django's Lexer).
- Citizen forms (CITOYENS_PY): no French literal as a label, help text, error message or
  ValidationError outside gettext.
- Catalogues: every message of the translated templates and citizen modules is in each language's
  catalogue with a translation (not empty, not fuzzy, same placeholders: `msgfmt --check`);
  every entry of the catalogues is translated, except those whose sources are all listed in
  SOURCES_PAS_ENCORE_TRADUITES (models and enums not translated yet); the header says « à relire
  par la Ville » until a person validates the translations.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation.template import templatize

from tests.catalogues import MOT, entrees, francais_hors_catalogue

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
LANGUES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
A_RELIRE = "à relire par la Ville"

# Staff pages: French only, whatever the URL (pacte.langues). Reviewed: each is reached only by a
# view that requires an account, or is a staff part of a page.
AGENTS = [
    "arrondissements/*",
    "booking/agent_*.html",
    "booking/emails/flux_agenda_cree.txt",
    "booking/taches/*",  # the agents' call: the words to say come translated from the message
    "booking/attente_agent.html",
    "booking/planning.html",
    "booking/partenaire_*.html",
    "booking/includes/offres_a_appeler.html",
    "components/consentement.html",  # a partner's booking for a person
    "components/messages_envoyes.html",  # the delivery log agents read
    "demarches/rappel_agent_nouvelle.html",
    "demarches/rappel_detail.html",
    "demarches/rappel_engagement.html",
    "demarches/rappel_file.html",
    "demarches/rappel_partenaire.html",
    "ecrivains/coordination.html",
    "ecrivains/fiche_form.html",
    "ecrivains/liste_attente.html",
    "ecrivains/mon_espace.html",
    "ecrivains/passage_form.html",
    "ecrivains/seance_annuler.html",
    "ecrivains/includes/rdv_table.html",
    "mediation/demande_detail.html",
    "mediation/emails/demande_position.txt",
    "mediation/emails/position_recue.txt",
    "mediation/emails/proposition.txt",
    "mediation/emails/relance.txt",
    "mediation/direction.html",
    "mediation/proposition_detail.html",
    "mediation/proposition_list.html",
    "mediation/saisine_detail.html",
    "mediation/saisine_list.html",
    "mediation/saisine_nouvelle.html",
    "mediation/includes/select.html",  # the team's status change (saisine_detail)
    "mediation/rapport/conseil.html",  # the médiateur's and council members' list (an account)
    "mediation/rapport/liste.html",
    "mediation/rapport/preparer.html",
    "mediation/rapport/vignette.html",
    "nonrecours/analyse.html",
    "nonrecours/dispositif_form.html",
    "nonrecours/dispositifs.html",
    "nonrecours/mes_signalements.html",
    "nonrecours/_stats.html",  # the analysts' filters and figures (analyse.html)
    "nonrecours/signaler.html",
    "pacte/courriers.html",
    "pacte/emails/securite_deux_etapes.txt",
    # The agents' printout of the letters: each letter is its message, translated; the envelope
    # window stays French for La Poste.
    "pacte/pdf/courriers.html",
    "pacte/mon_espace.html",
    "pacte/partenaire_accueil.html",
    "pacte/partenaire_reservation.html",
    "registration/*",
    "tracker/admin/*",
    "tracker/gestion*.html",
]

# The easy-to-read version (« français facile », pacte.facile) is French by nature.
FRANCAIS_FACILE = ["facile/*"]

# Official documents that stay in French whatever the page's language: the médiateur's annual
# report is his report to the city council (a legal act, published as one signed PDF with its
# SHA-256). The translated pages link to it with hreflang="fr" and say it is in French.
DOCUMENTS_EN_FRANCAIS = ["mediation/rapport/pdf.html", "mediation/rapport/pdf/*"]

# Citizen templates not translated yet: this list must only shrink (#17).
PAS_ENCORE_TRADUITS = [
    # Pages.
]

# Python modules whose labels, help texts and error messages citizens read. Classes listed in
# CLASSES_AGENTS (« module:Class ») are staff forms (French only).
CITOYENS_PY = [
    "pacte/forms.py",
    "pacte/secret_links.py",
    "pacte/booking/forms.py",
    "pacte/uploads.py",
    "demarches/forms.py",
    "ecrivains/forms.py",
    "mediation/forms.py",
    "pacte/tracker/forms.py",
]
CLASSES_AGENTS = {
    "pacte/forms.py:ConnexionForm",
    "pacte/booking/forms.py:AgentReservationForm",
    "pacte/booking/forms.py:AnnulationForm",
    "pacte/booking/forms.py:RechercheForm",
    "demarches/forms.py:TentativeForm",
    "ecrivains/forms.py:AnnulationSeanceForm",
    "ecrivains/forms.py:FicheForm",
    "ecrivains/forms.py:PassageForm",
    "ecrivains/forms.py:PeriodeForm",
    "mediation/forms.py:DemandePositionForm",
    "mediation/forms.py:DocumentForm",
    "mediation/forms.py:FiltresForm",
    "mediation/forms.py:MessageForm",
    "mediation/forms.py:MiseEnOeuvreForm",
    "mediation/forms.py:NonRecoursForm",
    "mediation/forms.py:PropositionForm",
    "mediation/forms.py:PropositionReponseForm",
    "mediation/forms.py:QualificationForm",
    "mediation/forms.py:ReponsePositionForm",
    "mediation/forms.py:SaisineAgentForm",
    "mediation/forms.py:TransitionForm",
    "mediation/forms.py:UserChoiceField",
    "pacte/tracker/forms.py:AvancementForm",
    "pacte/tracker/forms.py:ImportForm",
    "pacte/tracker/forms.py:JalonForm",
    "pacte/tracker/forms.py:MesureForm",
}

# Sources whose catalogue entries are not translated yet (models' and enums' labels: the admin is
# French; the labels citizens read from them are translated with the pages that show them).
SOURCES_PAS_ENCORE_TRADUITES = [
    "arrondissements/*",
    "ecrivains/enums.py",  # the écrivain's session record (staff)
    "ecrivains/models.py",
    "mediation/models.py",
    "mediation/rapport/enums.py",
    "mediation/rapport/models.py",
    "nonrecours/*",
    "pacte/models.py",
    "pacte/tracker/models.py",  # verbose names: the admin (French)
]


def _correspond(chemin: str, motifs: list[str]) -> bool:
    return any(fnmatch.fnmatch(chemin, motif) for motif in motifs)


def _gabarits() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*") if p.is_file())


def _traduits() -> list[str]:
    return [
        g
        for g in _gabarits()
        if not _correspond(g, AGENTS + FRANCAIS_FACILE + DOCUMENTS_EN_FRANCAIS)
        and not _correspond(g, PAS_ENCORE_TRADUITS)
    ]


def test_the_lists_name_existing_templates_and_agent_pages_stay_apart():
    gabarits = _gabarits()
    for motif in AGENTS + PAS_ENCORE_TRADUITS + DOCUMENTS_EN_FRANCAIS:
        assert any(fnmatch.fnmatch(g, motif) for g in gabarits), f"{motif} : aucun gabarit"
    deux_fois = [g for g in PAS_ENCORE_TRADUITS if "*" not in g and _correspond(g, AGENTS)]
    assert not deux_fois, f"à la fois agent et citoyen : {deux_fois}"


def test_translated_citizen_templates_have_no_french_outside_the_catalogues():
    fautes = [
        f"templates/{g}:{ligne}: {texte}"
        for g in _traduits()
        for ligne, texte in francais_hors_catalogue(TEMPLATES / g)
    ]
    assert not fautes, "texte hors {% translate %} :\n" + "\n".join(fautes)


def test_templates_not_yet_translated_still_hold_french():
    """A template translated in full leaves PAS_ENCORE_TRADUITS (so the list only shrinks)."""
    deja = [
        motif
        for motif in PAS_ENCORE_TRADUITS
        if "*" not in motif and not francais_hors_catalogue(TEMPLATES / motif)
    ]
    assert not deja, f"déjà traduits, à retirer de PAS_ENCORE_TRADUITS : {deja}"


# --- citizen forms ---------------------------------------------------------------------------------

TEXTES_PY = {
    "label",
    "help_text",
    "empty_label",
    "message",
    "error_messages",
    "default_error_messages",
    "labels",
    "help_texts",
    "contact_message",
    "HONEYPOT_MESSAGE",
}


# A template's name (notify_person(message="pacte/nouveau_lien")): a path, not text people read.
GABARIT = re.compile(r"[\w.-]+(/[\w.-]+)+")


def _litteraux_francais(noeud) -> list[ast.Constant]:
    if isinstance(noeud, ast.Constant) and isinstance(noeud.value, str) and MOT.search(noeud.value):
        return [] if GABARIT.fullmatch(noeud.value) else [noeud]
    if isinstance(noeud, ast.Dict):
        return [c for v in noeud.values for c in _litteraux_francais(v)]
    if isinstance(noeud, ast.JoinedStr | ast.BinOp):
        return [c for enfant in ast.iter_child_nodes(noeud) for c in _litteraux_francais(enfant)]
    return []


def _francais_en_dur(source: Path) -> list[str]:
    arbre = ast.parse(source.read_text())
    fautes = []

    def visiter(noeud, classe=None):
        if isinstance(noeud, ast.ClassDef) and classe is None:
            classe = noeud.name  # the outer class: a staff form's Meta is staff too
        if f"{source.relative_to(ROOT)}:{classe}" not in CLASSES_AGENTS:
            trouves = []
            if isinstance(noeud, ast.keyword) and noeud.arg in TEXTES_PY:
                trouves = _litteraux_francais(noeud.value)
            elif isinstance(noeud, ast.Assign):
                for cible in noeud.targets:
                    nom = (
                        getattr(cible, "attr", None)
                        or getattr(cible, "id", None)
                        or getattr(getattr(cible, "value", None), "attr", None)
                    )
                    if nom in TEXTES_PY:
                        trouves += _litteraux_francais(noeud.value)
            elif isinstance(noeud, ast.Call):
                nom = getattr(noeud.func, "attr", None) or getattr(noeud.func, "id", None)
                if nom == "ValidationError" and noeud.args:
                    trouves = _litteraux_francais(noeud.args[0])
                elif (
                    nom == "add_error"
                    and len(noeud.args) > 1
                    or (
                        nom == "setdefault"
                        and len(noeud.args) > 1
                        and getattr(noeud.args[0], "value", None) in TEXTES_PY
                    )
                ):
                    trouves = _litteraux_francais(noeud.args[1])
            fautes.extend(f"{source.relative_to(ROOT)}:{c.lineno}: {c.value!r}" for c in trouves)
        for enfant in ast.iter_child_nodes(noeud):
            visiter(enfant, classe)

    visiter(arbre)
    return fautes


def test_citizen_forms_have_no_french_outside_gettext():
    fautes = [faute for module in CITOYENS_PY for faute in _francais_en_dur(ROOT / module)]
    assert not fautes, "texte hors gettext :\n" + "\n".join(fautes)


# --- catalogues ------------------------------------------------------------------------------------


def _catalogue(code: str) -> Path:
    return ROOT / "locale" / code / "LC_MESSAGES" / "django.po"


XGETTEXT = [
    "xgettext",
    "--language=Python",
    "--from-code=UTF-8",
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
    "--output=-",
]


def _messages_citoyens() -> set[tuple[str | None, str]]:
    """(context, msgid) of every message of the translated templates and citizen modules, extracted
    as `makemessages` does (templatize, then xgettext)."""
    with tempfile.TemporaryDirectory() as dossier:
        fichiers = []
        for i, g in enumerate(_traduits()):
            fichier = Path(dossier) / f"{i}.py"
            fichier.write_text(templatize((TEMPLATES / g).read_text(), origin=g))
            fichiers.append(str(fichier))
        fichiers += [str(ROOT / module) for module in CITOYENS_PY]
        pot = subprocess.run([*XGETTEXT, *fichiers], capture_output=True, text=True, check=True).stdout
        chemin = Path(dossier) / "citoyens.pot"
        chemin.write_text(pot or 'msgid ""\nmsgstr ""\n')
        _, lues = entrees(chemin)
    return {(e.msgctxt, e.msgid) for e in lues}


@pytest.fixture(scope="module")
def messages_citoyens():
    assert shutil.which("xgettext"), "GNU gettext manque : deploy/system-deps run"
    return _messages_citoyens()


def test_citizen_messages_are_extracted(messages_citoyens):
    assert ("Aller au contenu",) in {(m,) for _, m in messages_citoyens}


@pytest.mark.parametrize("code", LANGUES)
def test_every_citizen_message_is_translated(code, messages_citoyens):
    _, lues = entrees(_catalogue(code))
    traduites = {(e.msgctxt, e.msgid) for e in lues if e.traduite}
    manquantes = sorted(m for _, m in messages_citoyens - traduites)
    assert not manquantes, (
        f"{len(manquantes)} message(s) sans traduction en « {code} » (makemessages puis traduire) :\n"
        + "\n".join(manquantes)
    )


@pytest.mark.parametrize("code", LANGUES)
def test_catalogue_entries_are_translated_and_marked_for_review(code):
    entete, lues = entrees(_catalogue(code))
    assert "fuzzy" not in entete.flags
    assert f"Language: {code}\\n" in "".join(entete.msgstr).replace("\n", "\\n")
    assert any(A_RELIRE in c for c in entete.commentaires), "l'en-tête dit « à relire par la Ville »"
    manquantes = [
        e.msgid
        for e in lues
        if not e.traduite
        and not (
            e.references
            and all(_correspond(r.rsplit(":", 1)[0], SOURCES_PAS_ENCORE_TRADUITES) for r in e.references)
        )
    ]
    assert not manquantes, f"sans traduction en « {code} » :\n" + "\n".join(manquantes)
    # Same placeholders as the French, valid plural forms (GNU msgfmt).
    subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(_catalogue(code))], check=True, capture_output=True
    )


def test_sources_not_yet_translated_still_have_untranslated_entries():
    """A source translated in full leaves SOURCES_PAS_ENCORE_TRADUITES (so the list only shrinks)."""
    _, lues = entrees(_catalogue("en"))
    restantes = {r.rsplit(":", 1)[0] for e in lues if not e.traduite for r in e.references}
    deja = [m for m in SOURCES_PAS_ENCORE_TRADUITES if not any(fnmatch.fnmatch(r, m) for r in restantes)]
    assert not deja, f"déjà traduites, à retirer de SOURCES_PAS_ENCORE_TRADUITES : {deja}"
