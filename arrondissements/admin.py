from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import DemandeAppui, Engagement, Message, ReponseType


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["urgence", "jours_ouvres", "rappel_jours_avant"]


@admin.register(ReponseType)
class ReponseTypeAdmin(admin.ModelAdmin):
    list_display = ["titre", "direction"]
    list_filter = ["direction"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    readonly_fields = ["auteur", "is_direction", "nature", "texte", "created_at"]


@admin.register(DemandeAppui)
class DemandeAppuiAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "objet", "arrondissement", "direction", "statut", "echeance"]
    list_filter = ["statut", "urgence", "arrondissement", "direction"]
    search_fields = ["reference", "objet"]
    readonly_fields = [f.name for f in DemandeAppui._meta.fields]
    inlines = [MessageInline]
