"""G1 check: every published e-service has at least one active alternative. Exits 1 otherwise."""

from django.core.management.base import BaseCommand, CommandError

from demarches.models import Demarche


class Command(BaseCommand):
    help = "Vérifie que chaque démarche en ligne publiée a au moins une alternative active (G1)."

    def handle(self, *args, **options):
        violations = list(Demarche.objects.sans_alternative().order_by("titre"))
        total = Demarche.objects.publiees().count()
        if violations:
            for demarche in violations:
                self.stderr.write(
                    f"G1 non respectée : « {demarche.titre} » ({demarche.slug}) n'a aucune alternative active."
                )
            raise CommandError(
                f"{len(violations)} démarche(s) publiée(s) sans alternative active sur {total}."
            )
        self.stdout.write(
            f"G1 respectée : les {total} démarches publiées ont au moins une alternative active."
        )
