from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "pacte.tracker"
    label = "tracker"
    verbose_name = "Suivi du Pacte"
