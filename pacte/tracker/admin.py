"""Admin of the Pacte tracker. Edits go through the services so followers are told (no signals)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from pacte.traductions_admin import TraduisibleAdmin

from . import services
from .csvio import actions_csv_response
from .models import Abonnement, Action, Axe, IndicateurSaisi, Jalon, MesureIndicateur, Orientation
from .workflows import TABLE, refus_phrase


@admin.register(Orientation)
class OrientationAdmin(TraduisibleAdmin):
    list_display = ["titre", "code", "ordre"]


@admin.register(Axe)
class AxeAdmin(TraduisibleAdmin):
    list_display = ["titre", "orientation", "ordre"]
    list_filter = ["orientation"]


class JalonInline(admin.TabularInline):
    model = Jalon
    extra = 0
    fields = ["date_on", "titre", "note", "preuve_url", "is_published"]


@admin.action(description="Exporter les actions sélectionnées (CSV, format d'import)")
def exporter_csv(modeladmin, request, queryset):
    return actions_csv_response(queryset, filename="actions-pacte.csv")


class ActionAdminForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["statut"]  # the admin passes its own field list; this form only adds the check

    def clean_statut(self):
        """A status move outside the workflow's table is refused next to the field."""
        statut = self.cleaned_data["statut"]
        initial = self.instance.statut if self.instance.pk else None
        if initial and statut != initial and not TABLE.allows(initial, statut):
            raise ValidationError(refus_phrase(initial, statut))
        return statut


@admin.register(Action)
class ActionAdmin(TraduisibleAdmin, SimpleHistoryAdmin):
    form = ActionAdminForm
    list_display = [
        "code",
        "titre",
        "orientation",
        "direction",
        "statut",
        "avancement",
        "certitude",
        "is_published",
    ]
    list_filter = ["orientation", "statut", "certitude", "is_published", "direction"]
    search_fields = ["code", "titre", "description"]
    inlines = [JalonInline]
    actions = [exporter_csv]
    change_list_template = "tracker/admin/action_change_list.html"

    def save_model(self, request, obj, form, change):
        services.action_save(
            action=obj, actor=request.user, message=f"Action {obj.code} modifiée dans l'administration"
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Jalon:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for jalon in formset.deleted_objects:
            jalon.delete()
        for jalon in instances:
            services.jalon_save(jalon=jalon, actor=request.user)
        formset.save_m2m()


class MesureInline(admin.TabularInline):
    model = MesureIndicateur
    extra = 1


@admin.register(IndicateurSaisi)
class IndicateurSaisiAdmin(admin.ModelAdmin):
    list_display = ["titre", "action", "unite"]
    list_filter = ["action__orientation"]
    inlines = [MesureInline]


@admin.register(Abonnement)
class AbonnementAdmin(admin.ModelAdmin):
    list_display = ["action", "created_at", "confirmed_at"]
    list_filter = ["action"]
    fields = ["action", "email", "created_at", "confirmed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
