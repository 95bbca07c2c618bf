"""Settings of the app, read with defaults (pacte/settings.py is not edited)."""

from django.conf import settings

#: Response commitment in business days by urgency, used when no Engagement row overrides it.
DELAIS_DEFAUT = getattr(settings, "ARRONDISSEMENTS_DELAIS", {"urgente": 2, "prioritaire": 5, "normale": 10})
#: How many business days before the deadline the référents get a reminder.
RAPPEL_JOURS_DEFAUT = getattr(settings, "ARRONDISSEMENTS_RAPPEL_JOURS", 2)
#: Upload limits for attachments.
MAX_FICHIERS = getattr(settings, "ARRONDISSEMENTS_MAX_FICHIERS", 5)
