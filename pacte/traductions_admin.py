"""The admin of translated content (#17.4): one field per language, what is missing, what awaits review.

`TraduisibleAdmin` (with `TraduisibleInline` for inlines) shows each translated field once per
language (« Titre [fr] », « Titre [en] »…: django-modeltranslation), a « Traductions » column (the
missing languages and fields, the languages « à relire par la Ville »), a filter on both, the
review flag as one checkbox per language, and an action that marks the selected objects' translations
as reviewed by a person of the City.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html_join
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline

from .traductions import autres_langues, manquante_q, manquantes


def _libelles(obj, champs) -> list[str]:
    return [str(obj._meta.get_field(champ).verbose_name) for champ in champs]


def etat(obj, liees: tuple[str, ...] = ()) -> str:
    """« en : manque description ; ar : à relire » — what a translator still has to do on `obj` and
    on the objects edited with it (`liees`: reverse relations, e.g. a démarche's alternatives)."""
    relire = set(getattr(obj, "traductions_a_relire", []) or [])
    trous = {code: _libelles(obj, champs) for code, champs in manquantes(obj).items()}
    for nom in liees:
        for enfant in getattr(obj, nom).all():
            for code, champs in manquantes(enfant).items():
                trous.setdefault(code, []).extend(
                    f"{libelle} ({enfant._meta.verbose_name})" for libelle in _libelles(enfant, champs)
                )
    parts = []
    for code, _nom in autres_langues():
        if trous.get(code):
            parts.append((code, f"manque {', '.join(trous[code])}"))
        elif code in relire:
            parts.append((code, "à relire"))
        else:
            parts.append((code, "relue"))
    return format_html_join(" ; ", '<span lang="{}">{}</span> : {}', ((c, c, t) for c, t in parts))


class TraductionFiltre(admin.SimpleListFilter):
    title = "traductions"
    parameter_name = "traduction"

    def __init__(self, request, params, model, model_admin):
        self.liees = getattr(model_admin, "traductions_liees", ())
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        choix = []
        for code, nom in autres_langues():
            choix.append((f"manque-{code}", f"{nom} : traduction manquante"))
            if hasattr(model_admin.model, "traductions_a_relire"):
                choix.append((f"relire-{code}", f"{nom} : à relire par la Ville"))
        return choix

    def queryset(self, request, queryset):
        valeur = self.value() or ""
        quoi, _, code = valeur.partition("-")
        if code not in dict(autres_langues()):
            return queryset
        if quoi == "manque":
            q = manquante_q(queryset.model, code)
            for nom in self.liees:
                relation = queryset.model._meta.get_field(nom)
                enfants = relation.related_model._default_manager.filter(
                    manquante_q(relation.related_model, code)
                )
                q |= Q(pk__in=enfants.values(relation.field.attname))
            return queryset.filter(q)
        if quoi == "relire":
            # Text match on the JSON list (`contains` on JSON is not in SQLite, used by `make run`).
            return queryset.filter(Q(traductions_a_relire__icontains=f'"{code}"'))
        return queryset


@admin.action(description="Marquer les traductions comme relues par la Ville", permissions=["change"])
def marquer_relues(modeladmin, request, queryset):
    n = 0
    for obj in queryset:
        if obj.traductions_a_relire:
            obj.traductions_a_relire = []
            obj.save()  # signals: the reference caches and the history see it
            n += 1
    messages.success(request, f"Traductions marquées comme relues : {n}.")


class TraduisibleAdmin(TranslationAdmin):
    """Mix in first: `class DemarcheAdmin(TraduisibleAdmin, SimpleHistoryAdmin)`. `traductions_liees`:
    reverse relations to translated objects edited inline, whose gaps show with their parent."""

    traductions_liees: tuple[str, ...] = ()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(*self.traductions_liees)

    def get_list_display(self, request):
        return [*super().get_list_display(request), "traductions"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), TraductionFiltre]

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if hasattr(model, "traductions_a_relire"):
            self.actions = [*(self.actions or ()), marquer_relues]

    @admin.display(description="Traductions")
    def traductions(self, obj):
        return etat(obj, self.traductions_liees)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "traductions_a_relire":
            return forms.TypedMultipleChoiceField(
                choices=autres_langues(),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=db_field.verbose_name,
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class TraduisibleInline(TranslationStackedInline):
    """An inline of a translated model (one field per language)."""


class TraduisibleTabularInline(TranslationTabularInline):
    """A tabular inline of a translated model (one field per language)."""
