from django.core.management.base import BaseCommand

from nonrecours.rollup import rollup_rebuild


class Command(BaseCommand):
    help = "Recalcule le cumul mensuel des statistiques du non-recours à partir des observations."

    def handle(self, *args, **options):
        self.stdout.write(f"Cumul mensuel recalculé : {rollup_rebuild()} lignes.")
