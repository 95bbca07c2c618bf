from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "pacte.booking"
    label = "booking"
    verbose_name = "Moteur de réservation"

    def ready(self):
        from pacte.cache_reference import invalidate_on_change
        from pacte.models import Arrondissement, Lieu

        from .models import Agenda, Fermeture, RegleOuverture
        from .selectors import AGENDAS_PUBLICS, CALENDRIER

        # The calendar's reference part (rules, closures) is cached: any edit shows at once.
        invalidate_on_change(CALENDRIER, Agenda, RegleOuverture, Fermeture)
        # So are the public agendas with their lieu (day page, form).
        invalidate_on_change(AGENDAS_PUBLICS, Agenda, Lieu, Arrondissement)

        from .attente import on_place_freed
        from .hooks import register_place_freed_listener

        # The waiting list of every agenda: a freed place is offered to the next person waiting.
        register_place_freed_listener(on_place_freed)
