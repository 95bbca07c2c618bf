"""Background work of the écrivains publics module: none of its own. The waiting list's offers
expire and its entries are purged by the booking engine's tasks (`pacte.booking.tasks`)."""

BEAT_SCHEDULE: dict = {}
