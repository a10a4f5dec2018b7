"""The Celery application. Tasks run on real workers when a broker is configured."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "datadeling.settings")

app = Celery("datadeling")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
