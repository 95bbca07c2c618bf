from django.contrib import admin

from pacte.traductions_admin import TraduisibleAdmin

from .models import (
    EcrivainPublic,
    FicheSeance,
    Langue,
    Permanence,
    SeanceAnnulee,
    Theme,
)


@admin.register(Theme)
class ThemeAdmin(TraduisibleAdmin):
    list_display = ["libelle", "code", "ordre"]


@admin.register(Langue)
class LangueAdmin(TraduisibleAdmin):
    list_display = ["libelle", "code", "ordre"]


@admin.register(EcrivainPublic)
class EcrivainPublicAdmin(admin.ModelAdmin):
    list_display = ["__str__", "structure", "is_active"]
    filter_horizontal = ["themes", "langues"]
    raw_id_fields = ["user"]


@admin.register(Permanence)
class PermanenceAdmin(admin.ModelAdmin):
    """A permanence points to a booking agenda (kind "ecrivains") created in the engine's admin."""

    list_display = ["__str__", "is_active", "is_aller_vers", "horaires_indicatifs", "is_verified"]
    list_filter = ["is_active", "is_aller_vers", "agenda__lieu__arrondissement"]
    filter_horizontal = ["ecrivains", "themes", "langues"]
    raw_id_fields = ["agenda"]


@admin.register(SeanceAnnulee)
class SeanceAnnuleeAdmin(admin.ModelAdmin):
    list_display = ["permanence", "date", "motif", "reservations_annulees"]
    readonly_fields = ["fermeture", "reservations_annulees", "annulee_par"]


@admin.register(FicheSeance)
class FicheSeanceAdmin(admin.ModelAdmin):
    list_display = ["permanence", "date", "issue", "autonomie", "duree_minutes", "droit_non_reclame"]
    list_filter = ["issue", "autonomie", "droit_non_reclame"]
