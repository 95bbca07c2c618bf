from django.apps import AppConfig


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = "Médiation"

    def ready(self):
        from pacte.confidentiel import register_confidential

        from .models import DemandePosition, Document, Message, Saisine, Transition

        # Case files: read only through the médiation pages, each read journaled (G6).
        register_confidential(Saisine, DemandePosition, Message, Document, Transition)
