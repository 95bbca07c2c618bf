from django.apps import AppConfig


class EcrivainsConfig(AppConfig):
    name = "ecrivains"
    verbose_name = "Écrivains publics"

    def ready(self):
        from pacte.booking.hooks import register_agenda_owners, register_place_freed_listener

        from .selectors import agendas_owned_by
        from .services import on_place_freed

        # The waiting list: a place freed on an écrivains agenda is offered to the next person.
        register_place_freed_listener(on_place_freed)
        # The engine's agent pages show an écrivain public only the agendas of their permanences.
        register_agenda_owners("ecrivains", agendas_owned_by)
