from django.apps import AppConfig


class RapportConfig(AppConfig):
    """A sub-app of `mediation` with its own label, models and migrations (the annual report)."""

    name = "mediation.rapport"
    label = "rapport"
    verbose_name = "Rapport annuel du médiateur"
    default_auto_field = "django.db.models.BigAutoField"
