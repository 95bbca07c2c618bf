from django.core.management.base import BaseCommand

from pacte import traductions
from pacte.discovery import app_modules


class Command(BaseCommand):
    help = "Charge les données de référence (territoire, directions, catalogues) ; idempotent."

    def handle(self, *args, **options):
        for module in app_modules("reference"):
            module.load(stdout=self.stdout)
        # Rows loaded before their translations existed get them (data/reference/traductions.csv).
        traductions.completer()
