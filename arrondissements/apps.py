from django.apps import AppConfig


class ArrondissementsConfig(AppConfig):
    name = "arrondissements"
    verbose_name = "Arrondissements — demandes d'appui"
