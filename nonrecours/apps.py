from django.apps import AppConfig


class NonrecoursConfig(AppConfig):
    name = "nonrecours"
    verbose_name = "Observatoire du non-recours (CCAS)"
