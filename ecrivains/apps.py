from django.apps import AppConfig


class EcrivainsConfig(AppConfig):
    name = "ecrivains"
    verbose_name = "Écrivains publics"

    def ready(self):
        from pacte.booking.hooks import register_place_freed_listener

        from .services import on_place_freed

        # The waiting list: a place freed on an écrivains agenda is offered to the next person.
        register_place_freed_listener(on_place_freed)
