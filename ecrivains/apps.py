from django.apps import AppConfig


class EcrivainsConfig(AppConfig):
    name = "ecrivains"
    verbose_name = "Écrivains publics"
