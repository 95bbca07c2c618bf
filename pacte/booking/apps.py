from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "pacte.booking"
    label = "booking"
    verbose_name = "Moteur de réservation"

    def ready(self):
        from pacte.cache_reference import invalidate_on_change

        from .models import Agenda, Fermeture, RegleOuverture
        from .selectors import CALENDRIER

        # The calendar's reference part (rules, closures) is cached: any edit shows at once.
        invalidate_on_change(CALENDRIER, Agenda, RegleOuverture, Fermeture)

        from .attente import on_place_freed
        from .hooks import register_place_freed_listener

        # The waiting list of every agenda: a freed place is offered to the next person waiting.
        register_place_freed_listener(on_place_freed)
