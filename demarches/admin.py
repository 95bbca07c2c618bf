"""Admin of the catalogue: G1 is checked on the inline formset, then re-checked after saving."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from simple_history.admin import SimpleHistoryAdmin

from pacte.traductions_admin import TraduisibleAdmin, TraduisibleInline

from . import services
from .models import Alternative, DemandeRappel, Demarche, TentativeAppel


class AlternativeInlineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors) or not self.instance.is_published:
            return
        active = [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("is_active")
            and form.cleaned_data.get("type")
        ]
        if not active:
            raise ValidationError(
                "G1 : une démarche publiée doit garder au moins une alternative active (guichet, "
                "téléphone, rappel ou courrier). Ajoutez-en une ou décochez « publiée »."
            )


class AlternativeInline(TraduisibleInline):
    model = Alternative
    formset = AlternativeInlineFormSet
    extra = 0
    filter_horizontal = ["lieux", "agendas"]
    fields = [
        "type",
        "is_active",
        "lieux",
        "avec_rendez_vous",
        "agendas",
        "horaires",
        "telephone",
        "adresse_postale",
        "precisions",
        "ordre",
    ]


class DemarcheAdminForm(forms.ModelForm):
    class Meta:
        model = Demarche
        fields = [
            "slug",
            "code",
            "titre",
            "description",
            "qui_peut",
            "pieces",
            "cout",
            "delai",
            "url_en_ligne",
            "categorie",
            "direction",
            "rendez_vous_guichet",
            "rdv_max_par_personne",
            "is_published",
            "is_indicative",
            "traductions_a_relire",
            "texte_facile",
            "texte_facile_relu",
        ]

    def _post_clean(self):
        # The alternatives arrive with the inlines, validated after this form: G1 is checked there.
        self.instance._g1_deferred = True
        super()._post_clean()


class TexteFacileFiltre(admin.SimpleListFilter):
    """« Français facile » (#17.5): démarches without an easy text, or with one still to be read."""

    title = "français facile"
    parameter_name = "facile"

    def lookups(self, request, model_admin):
        return [
            ("absent", "Pas de texte facile"),
            ("relire", "À relire par la Ville"),
            ("relu", "Relu par la Ville"),
        ]

    def queryset(self, request, queryset):
        ecrit = queryset.exclude(texte_facile="")
        return {
            "absent": lambda: queryset.filter(texte_facile=""),
            "relire": lambda: ecrit.filter(texte_facile_relu=False),
            "relu": lambda: ecrit.filter(texte_facile_relu=True),
        }.get(self.value(), lambda: queryset)()


@admin.action(
    description="Marquer les textes en français facile comme relus par la Ville", permissions=["change"]
)
def marquer_facile_relu(modeladmin, request, queryset):
    n = 0
    for demarche in queryset.exclude(texte_facile="").filter(texte_facile_relu=False):
        demarche.texte_facile_relu = True
        demarche.save()  # signals: the reference caches and the history see it
        n += 1
    messages.success(request, f"Textes en français facile marqués comme relus : {n}.")


@admin.register(Demarche)
class DemarcheAdmin(TraduisibleAdmin, SimpleHistoryAdmin):
    traductions_liees = ("alternatives",)  # their hours and details, edited inline
    form = DemarcheAdminForm
    inlines = [AlternativeInline]
    list_display = [
        "titre",
        "categorie",
        "is_published",
        "is_indicative",
        "direction",
        "rdv_max_par_personne",
        "facile",
    ]
    list_filter = ["is_published", "is_indicative", "categorie", TexteFacileFiltre]
    actions = [marquer_facile_relu]
    search_fields = ["titre", "code", "description"]
    prepopulated_fields = {"slug": ["code"]}

    @admin.display(description="Français facile")
    def facile(self, obj):
        if not obj.texte_facile:
            return "pas de texte"
        return "relu" if obj.texte_facile_relu else "à relire par la Ville"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        demarche = form.instance
        try:
            services.demarche_g1_guard(demarche)
        except ValidationError as exc:
            # Belt and braces: never leave a published e-service without an alternative.
            services.demarche_unpublish(demarche=demarche, actor=request.user)
            messages.error(request, f"{exc.messages[0]} La démarche a été enregistrée sans être publiée.")

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class TentativeInline(admin.TabularInline):
    model = TentativeAppel
    extra = 0
    readonly_fields = ["at", "agent", "resultat", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DemandeRappel)
class DemandeRappelAdmin(SimpleHistoryAdmin):
    inlines = [TentativeInline]
    list_display = ["reference", "statut", "canal", "created_at", "promesse_at", "repli"]
    list_filter = ["statut", "canal", "repli"]
    search_fields = ["reference", "nom", "telephone"]
    readonly_fields = ["reference", "created_at", "promesse_at", "clos_at", "repli", "repli_at", "statut"]
