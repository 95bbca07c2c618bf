from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pacte import traductions
from pacte.discovery import app_modules


class Command(BaseCommand):
    help = "Charge un jeu de démonstration fictif (comptes, dossiers, rendez-vous). Jamais en production."
    # `make run` and `make stack` run `migrate` just before, which ran the system checks: not twice
    # (they import every URL module, a good part of the command's start-up).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Multiplie les volumes (benchmarks).")
        parser.add_argument("--force", action="store_true", help="Autorise hors mode développement.")

    def handle(self, *args, scale, force, **options):
        if not (settings.DEMO_ACCOUNTS or force):
            raise CommandError("Les données de démonstration sont réservées au mode développement (DEBUG=1).")
        # One transaction: one commit instead of one per row (SQLite syncs the disk at each).
        with transaction.atomic():
            call_command("load_reference", stdout=self.stdout)
            for module in app_modules("demo"):
                module.seed(scale=scale, stdout=self.stdout)
            traductions.completer()  # the demo's agendas and lieux, like the reference
