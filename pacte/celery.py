"""The Celery application. Each app may declare a `BEAT_SCHEDULE` dict in its `tasks.py`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacte.settings")

app = Celery("pacte")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Each worker beats into Redis so that /sante/pret/ knows one is alive (pacte.sante).
app.steps["worker"].add("pacte.sante:WorkerHeartbeat")


@app.on_after_finalize.connect
def _collect_beat_schedules(sender, **kwargs):
    """Merge every app's BEAT_SCHEDULE into the beat configuration."""
    from pacte.discovery import app_modules

    schedule = dict(sender.conf.beat_schedule or {})
    for module in app_modules("tasks"):
        schedule.update(getattr(module, "BEAT_SCHEDULE", {}))
    sender.conf.beat_schedule = schedule
