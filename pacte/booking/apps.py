from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "pacte.booking"
    label = "booking"
    verbose_name = "Moteur de réservation"
