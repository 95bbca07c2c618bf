from django.contrib import admin

from .models import Arrondissement, Consentement, Direction, JournalEntry, Lieu, Notification, Profil
from .traductions_admin import TraduisibleAdmin


@admin.register(Arrondissement)
class ArrondissementAdmin(admin.ModelAdmin):
    list_display = ["numero", "nom", "mairie_adresse", "telephone", "is_verified"]


@admin.register(Lieu)
class LieuAdmin(TraduisibleAdmin):
    list_display = ["nom", "type", "arrondissement", "is_active", "is_verified"]
    list_filter = ["type", "arrondissement", "is_active", "is_verified"]
    search_fields = ["nom", "adresse"]
    prepopulated_fields = {"slug": ["nom"]}


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["sigle", "nom", "responsable", "is_indicative", "is_active"]
    search_fields = ["sigle", "nom"]


@admin.register(Profil)
class ProfilAdmin(admin.ModelAdmin):
    """Partners (role « partenaire ») get their organisation and its type here."""

    list_display = ["user", "direction", "arrondissement", "fonction_elu", "lieu", "organisation"]
    list_filter = ["type_organisation"]
    list_select_related = ["user", "direction", "arrondissement", "lieu"]


@admin.register(Consentement)
class ConsentementAdmin(admin.ModelAdmin):
    """Support: the agreements partners recorded, read-only (they are evidence)."""

    list_display = ["created_at", "reference", "nature", "organisation", "forme", "expire_on"]
    list_filter = ["nature", "forme"]
    search_fields = ["reference", "organisation"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "object_type", "object_id"]
    list_filter = ["action"]
    search_fields = ["object_id", "message"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Delivery support: metadata and status only. A body carries a secret link meant for its
    recipient alone (#13.5): the admin never shows it, not even encrypted."""

    list_display = ["created_at", "canal", "destinataire", "sujet", "statut", "tentatives"]
    list_filter = ["canal", "statut"]
    search_fields = ["destinataire", "sujet", "object_id"]
    fields = [
        f.name
        for f in Notification._meta.fields
        if f.name not in ("id", "corps", "corps_html", "pieces_jointes")
    ] + ["contenu"]
    readonly_fields = fields

    @admin.display(description="Contenu")
    def contenu(self, obj) -> str:
        if obj.corps:
            return "Masqué : chiffré, lisible par son seul destinataire ; effacé une fois remis."
        return "Effacé une fois le message remis (ou annulé)."

    def get_queryset(self, request):
        # Messages about a confidential file (a médiation case) name the person: not shown here.
        from .confidentiel import confidential_labels

        return super().get_queryset(request).exclude(object_type__in=confidential_labels())
