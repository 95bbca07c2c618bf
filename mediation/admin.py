from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DemandePosition, Proposition, Saisine


@admin.register(Saisine)
class SaisineAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "canal", "theme", "statut", "recue_at", "is_anonymised"]
    list_filter = ["statut", "canal", "theme"]
    search_fields = ["reference"]
    readonly_fields = ["statut", "token_hash", "token_expire_at"]  # status: mediation.workflows only


@admin.register(Proposition)
class PropositionAdmin(SimpleHistoryAdmin):
    list_display = ["numero", "titre", "direction", "statut", "annee"]
    list_filter = ["statut", "annee"]
    readonly_fields = ["statut"]


@admin.register(DemandePosition)
class DemandePositionAdmin(SimpleHistoryAdmin):
    list_display = ["saisine", "direction", "echeance", "repondue_at", "relances"]
