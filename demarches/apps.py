from django.apps import AppConfig


class DemarchesConfig(AppConfig):
    name = "demarches"
    verbose_name = "Démarches et alternatives garanties"
