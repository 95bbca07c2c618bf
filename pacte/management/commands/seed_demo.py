from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pacte import traductions
from pacte.discovery import app_modules


class Command(BaseCommand):
    help = "Charge un jeu de démonstration fictif (comptes, dossiers, rendez-vous). Jamais en production."
    # No system checks here: the server started next runs them (they import every URL module, a
    # good part of a command's start-up), and `--migrate` saves another Django start-up.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=1, help="Multiplie les volumes (benchmarks).")
        parser.add_argument("--force", action="store_true", help="Autorise hors mode développement.")
        parser.add_argument("--migrate", action="store_true", help="Applique d'abord les migrations.")

    def handle(self, *args, scale, force, migrate, **options):
        if not (settings.DEMO_ACCOUNTS or force):
            raise CommandError("Les données de démonstration sont réservées au mode développement (DEBUG=1).")
        if migrate:  # `make run` and `make stack`: one Django start-up for both steps
            call_command("migrate", interactive=False, stdout=self.stdout)
        # One transaction: one commit instead of one per row (SQLite syncs the disk at each).
        with transaction.atomic():
            call_command("load_reference", stdout=self.stdout)
            for module in app_modules("demo"):
                module.seed(scale=scale, stdout=self.stdout)
            traductions.completer()  # the demo's agendas and lieux, like the reference
