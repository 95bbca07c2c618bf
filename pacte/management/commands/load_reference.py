from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Charge les données de référence (territoire, directions, catalogues) ; idempotent."

    def handle(self, *args, **options):
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.reference")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.reference":
                    raise
                continue
            module.load(stdout=self.stdout)
