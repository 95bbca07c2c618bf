"""Content from the database in the citizen's language (#17.4): démarches, lieux, agendas, Pacte actions.

- Each app declares the fields citizens read in its `translation.py` with `traduire(Model, champs)`
  (django-modeltranslation): `titre` gets the columns `titre_fr`, `titre_en`, `titre_ar` (one per
  `settings.LANGUAGES`); reading `obj.titre` gives the active language's text, the French one when
  that translation is missing. French is the source: it is required where the field was, and the
  original column keeps the text of the language the object was last saved in (French: staff
  pages are in French). The fields' history (simple_history) keeps the original column only.
- `traduction(obj, champ)`, in templates `{% traduit obj "champ" %}` (pacte.templatetags
  .traductions), also says when the text falls back to French on a page in another language: the
  passage is then marked `lang="fr"` (a screen reader switches voice; never an empty block).
- `manquantes(obj)`: the translations still missing, per language (shown in the admin).
- `Traduisible.traductions_a_relire`: the languages whose texts were written by the project, not by
  a person of the City, « à relire par la Ville ». The loaders set it, the admin shows it and clears
  it when a person has checked them (pacte.traductions_admin).
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, TranslationOptions, translator
from modeltranslation.utils import build_localized_fieldname, get_language

SOURCE = settings.LANGUAGE_CODE
# The translations the project wrote for the reference and demo content, « à relire par la Ville »:
# one row per French text, one column per language (data/reference/README.md).
MEMOIRE = Path(settings.BASE_DIR) / "data" / "reference" / "traductions.csv"


def autres_langues() -> list[tuple[str, str]]:
    """The languages content is translated into: every language of the site but French."""
    return [(code, nom) for code, nom in settings.LANGUAGES if code != SOURCE]


class Traduisible(models.Model):
    """A model with translated fields: which languages await a review by the City."""

    traductions_a_relire = models.JSONField(
        _("traductions à relire par la Ville"),
        default=list,
        blank=True,
        help_text=_(
            "Langues dont la traduction a été écrite par le projet, pas encore relue par une personne "
            "de la Ville. Décochez une langue quand sa traduction a été relue."
        ),
    )

    class Meta:
        abstract = True


def traduire(model: type[models.Model], champs: tuple[str, ...]) -> None:
    """Register `champs` of `model` as translated, French required where the field was required.

    A model with history (simple_history) historises the original column only: its history table was
    made before the translated columns existed."""
    options = type(
        f"{model.__name__}Traductions",
        (TranslationOptions,),
        {"fields": champs, "required_languages": (SOURCE,)},
    )
    translator.register(model, options)
    historique = getattr(model._meta, "simple_history_manager_attribute", None)
    if historique:
        # The very list simple_history reads when it records a change (HistoricalRecords.excluded_fields).
        exclus = getattr(model, historique).model._history_excluded_fields
        exclus.extend(
            build_localized_fieldname(champ, code) for champ in champs for code, _nom in settings.LANGUAGES
        )


def champs_traduits(model) -> tuple[str, ...]:
    """The translated fields of `model` (or of an instance's model), in declaration order."""
    try:
        return tuple(
            translator.get_options_for_model(model if isinstance(model, type) else type(model)).fields
        )
    except NotRegistered:
        return ()


@dataclass(frozen=True)
class Traduit:
    """A passage in the active language, or in French (`lang` = "fr") when it is not translated."""

    texte: str
    lang: str = ""

    def __str__(self) -> str:
        return self.texte

    def __bool__(self) -> bool:
        return bool(self.texte)

    @property
    def attr(self) -> SafeString:
        """` lang="fr"` for the element holding a passage shown in French, else nothing."""
        return format_html(' lang="{}"', self.lang) if self.lang else mark_safe("")  # noqa: S308

    def __html__(self) -> str:
        if self.lang:
            return format_html('<span lang="{}">{}</span>', self.lang, self.texte)
        return format_html("{}", self.texte)


def traduction(obj, champ: str) -> Traduit:
    """`obj.champ` in the active language; its French text marked `lang="fr"` if not translated."""
    if obj is None:
        return Traduit("")
    langue = get_language()
    texte = getattr(obj, build_localized_fieldname(champ, langue), None)
    if texte:
        return Traduit(str(texte))
    source = getattr(obj, build_localized_fieldname(champ, SOURCE), None) or ""
    return Traduit(str(source), SOURCE if source and langue != SOURCE else "")


def manquantes(obj) -> dict[str, list[str]]:
    """{language: [translated fields with a French text and no translation]}, languages with gaps only."""
    result = {}
    for code, _nom in autres_langues():
        champs = [
            champ
            for champ in champs_traduits(obj)
            if getattr(obj, build_localized_fieldname(champ, SOURCE), None)
            and not getattr(obj, build_localized_fieldname(champ, code), None)
        ]
        if champs:
            result[code] = champs
    return result


def manquante_q(model, code: str) -> models.Q:
    """The objects of `model` with at least one field in French and not in language `code`."""
    q = models.Q(pk__in=[])
    for champ in champs_traduits(model):
        source = build_localized_fieldname(champ, SOURCE)
        cible = build_localized_fieldname(champ, code)
        q |= (models.Q(**{f"{source}__isnull": False}) & ~models.Q(**{source: ""})) & (
            models.Q(**{f"{cible}__isnull": True}) | models.Q(**{cible: ""})
        )
    return q


def ecrire(obj, textes: dict[str, dict[str, str]], *, a_relire: bool = True) -> list[str]:
    """Fill `obj`'s translations from {language: {field: text}} where they are empty (what a person
    of the City wrote is never overwritten). Returns the attributes set (for `save(update_fields=…)`);
    the languages written are flagged « à relire » unless `a_relire` is False."""
    changes = []
    relire = list(getattr(obj, "traductions_a_relire", []) or [])
    for code, champs in textes.items():
        ecrit = False
        for champ, texte in champs.items():
            attribut = build_localized_fieldname(champ, code)
            if texte and not getattr(obj, attribut, None):
                setattr(obj, attribut, texte)
                changes.append(attribut)
                ecrit = True
        if ecrit and a_relire and code not in relire:
            relire.append(code)
    if changes and hasattr(obj, "traductions_a_relire") and relire != obj.traductions_a_relire:
        obj.traductions_a_relire = relire
        changes.append("traductions_a_relire")
    return changes


def colonnes(*chemins: str) -> list[str]:
    """Each path to a translated field (« agenda__titre ») and its column in every language, for
    `.only()` on a model that is not translated itself: its queryset does not add them, and reading a
    deferred translation would cost a query per object."""
    return [
        nom
        for chemin in chemins
        for nom in (chemin, *(build_localized_fieldname(chemin, code) for code, _nom in settings.LANGUAGES))
    ]


def recherche_q(champs: tuple[str, ...], mot: str) -> models.Q:
    """`mot` in one of the translated `champs`, in the page's language or in French (the text a
    page shows where a translation is missing, which a visitor may search for too)."""
    q = models.Q(pk__in=[])
    for champ in champs:
        for code in dict.fromkeys([get_language(), SOURCE]):
            q |= models.Q(**{f"{build_localized_fieldname(champ, code)}__icontains": mot})
    return q


@functools.cache
def memoire() -> dict[str, dict[str, str]]:
    """{French text: {language: its translation}} from `MEMOIRE`."""
    with MEMOIRE.open(encoding="utf-8", newline="") as handle:
        return {
            row[SOURCE]: {code: row.get(code) or "" for code, _nom in autres_langues()}
            for row in csv.DictReader(handle)
        }


def traductions_de(model, valeurs: dict) -> dict:
    """The columns to create an object of `model` with: for each translated field of `valeurs` (its
    French text), the French column and the translations the memory has, flagged « à relire »."""
    colonnes_ = {}
    relire = []
    for champ in champs_traduits(model):
        texte = valeurs.get(champ)
        if not texte:
            continue
        colonnes_[build_localized_fieldname(champ, SOURCE)] = texte
        for code, traduit in memoire().get(texte, {}).items():
            if traduit:
                colonnes_[build_localized_fieldname(champ, code)] = traduit
                if code not in relire:
                    relire.append(code)
    if relire and hasattr(model, "traductions_a_relire"):
        colonnes_["traductions_a_relire"] = relire
    return colonnes_


def completer() -> int:
    """Give every translated object the memory's translations it lacks (a database loaded before
    they existed); what a person wrote stays. One query per translated model when nothing is
    missing (`load_reference`, `seed_demo`). Returns the number of objects updated."""
    n = 0
    for model in translator.get_registered_models(abstract=False):
        champs = champs_traduits(model)
        for obj in model._default_manager.all():
            textes = {code: {} for code, _nom in autres_langues()}
            for champ in champs:
                for code, traduit in (
                    memoire().get(getattr(obj, build_localized_fieldname(champ, SOURCE)) or "", {}).items()
                ):
                    textes[code][champ] = traduit
            changes = ecrire(obj, textes)
            if changes:
                obj.save(update_fields=changes)
                n += 1
    return n


_TRIMESTRE = re.compile(r"^(\d)(?:er|e) trimestre (\d{4})$")


def libelle(texte) -> Traduit:
    """A fixed French label written by the code and kept as is (a cached publication, an open-data
    table: « Situations par trimestre », « 2e trimestre 2026 », « secret »), in the active language
    when the catalogues have it; otherwise the French, marked `lang="fr"` (a name from the database).
    Figures (« 12 », « < 11 ») are left alone."""
    texte = str(texte)
    langue = get_language() or SOURCE
    if langue == SOURCE or not re.search(r"[^\W\d_]", texte):
        return Traduit(texte)
    trimestre = _TRIMESTRE.match(texte)
    if trimestre:
        n, annee = trimestre.groups()
        modele = gettext("1er trimestre %(annee)s") if n == "1" else gettext("%(n)se trimestre %(annee)s")
        return Traduit(modele % {"n": n, "annee": annee})
    traduit = gettext(texte)
    return Traduit(traduit) if traduit != texte else Traduit(texte, SOURCE)
