from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pacte.traductions_admin import TraduisibleAdmin

from .models import (
    Agenda,
    CompteurCreneau,
    Fermeture,
    InscriptionAttente,
    OffreCreneau,
    RegleOuverture,
    Reservation,
    Retenue,
)


class RegleOuvertureInline(admin.TabularInline):
    model = RegleOuverture
    extra = 1


class FermetureInline(admin.TabularInline):
    model = Fermeture
    fk_name = "agenda"
    fields = ["debut", "fin", "motif"]
    extra = 0


@admin.register(Agenda)
class AgendaAdmin(TraduisibleAdmin, SimpleHistoryAdmin):
    list_display = ["titre", "lieu", "kind", "capacite", "places_agents", "duree_creneau", "is_active"]
    list_filter = ["kind", "is_active", "lieu__arrondissement"]
    search_fields = ["titre", "lieu__nom"]
    readonly_fields = ["uuid"]
    inlines = [RegleOuvertureInline, FermetureInline]


@admin.register(Fermeture)
class FermetureAdmin(admin.ModelAdmin):
    list_display = ["debut", "fin", "agenda", "lieu", "motif"]
    list_filter = ["lieu"]
    date_hierarchy = "debut"


@admin.register(Reservation)
class ReservationAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "debut", "agenda", "nom", "canal", "statut"]
    list_filter = ["statut", "canal", "agenda__kind"]
    search_fields = ["reference", "nom", "telephone", "email"]
    date_hierarchy = "debut"
    readonly_fields = [
        "statut",  # changed only through pacte.booking.services (capacity counters, journal)
        "uuid",
        "reference",
        "token_hash",
        "token_expire_at",
        "cle_idempotence",
        "compte_en_ligne",
        "rappel_envoye_at",
        "annulee_at",
        "anonymisee_at",
        "created_at",
    ]
    raw_id_fields = ["cree_par"]

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: deleting would desynchronise the capacity counters


class RetenueInline(admin.TabularInline):
    """The holds counted in the slot's places (read only: they end through the booking services)."""

    model = Retenue
    fields = ["en_ligne", "expire_at", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CompteurCreneau)
class CompteurCreneauAdmin(admin.ModelAdmin):
    inlines = [RetenueInline]
    list_display = [
        "agenda",
        "debut",
        "places_prises",
        "capacite",
        "places_prises_en_ligne",
        "capacite_en_ligne",
    ]
    list_filter = ["agenda__lieu"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(InscriptionAttente)
class InscriptionAttenteAdmin(admin.ModelAdmin):
    list_display = ["nom", "agenda", "date_souhaitee", "canal", "statut", "created_at"]
    list_filter = ["statut", "canal", "agenda__kind"]
    readonly_fields = ["statut"]  # changed only through pacte.booking.attente (workflows.py)


@admin.register(OffreCreneau)
class OffreCreneauAdmin(admin.ModelAdmin):
    list_display = ["inscription", "agenda", "debut", "statut", "expire_at"]
    list_filter = ["statut"]
    readonly_fields = ["statut"]  # changed only through pacte.booking.attente (workflows.py)
    exclude = ["token_hash"]
