from django.apps import AppConfig


def _contexte(agenda) -> dict:
    """The waiting list's pages and messages of a permanence: its page and its list's form."""
    from django.urls import reverse

    from .models import Permanence

    permanence = Permanence.objects.filter(agenda=agenda).first()
    if permanence is None:
        return {}
    return {
        "permanence": permanence,
        "retour_url": reverse("ecrivains:permanence", args=[permanence.uuid]),
        "reinscription_url": reverse("ecrivains:inscription", args=[permanence.uuid]),
    }


class EcrivainsConfig(AppConfig):
    name = "ecrivains"
    verbose_name = "Écrivains publics"

    def ready(self):
        from django.db.models import Q
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from pacte.booking.hooks import Attente, register_agenda_owners, register_attente

        from .models import AGENDA_KIND, Permanence
        from .selectors import agendas_owned_by

        # The engine's waiting list, in the écrivains' words and with their offer page.
        register_attente(
            AGENDA_KIND,
            Attente(
                messages="ecrivains",
                sujets={
                    "inscription": _("Vous êtes sur la liste d'attente"),
                    "offre": _("Une place s'est libérée chez l'écrivain public"),
                },
                offre_url=lambda token: reverse("ecrivains:offre", args=[token]),
                contexte=_contexte,
                ouvert=lambda agenda: Permanence.objects.filter(agenda=agenda, is_active=True).exists(),
                fermes=lambda: Q(permanence__is_active=False),
            ),
        )
        # The engine's agent pages show an écrivain public only the agendas of their permanences.
        register_agenda_owners("ecrivains", agendas_owned_by)
