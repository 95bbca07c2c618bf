"""Médiation in the Django admin: only the proposals (public accountability).

Saisines, demandes de position, messages and documents are confidential files: they are read only
through the médiation pages, which journal every read (G6). The admin has no journaled read path
(change page, history, list search, related-object pages), so it does not show them at all; the
team's own pages cover support needs. See pacte/confidentiel.py.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Proposition


@admin.register(Proposition)
class PropositionAdmin(SimpleHistoryAdmin):
    list_display = ["numero", "titre", "direction", "statut", "annee"]
    list_filter = ["statut", "annee"]
    readonly_fields = ["statut"]
    exclude = ["saisines"]  # the linked cases stay on the journaled médiation pages
