"""The Celery application.

Configuration comes from Django settings under the ``CELERY_`` namespace. With no
``REDIS_URL`` the quick start runs every task inline (``task_always_eager``), so the app
works on one machine with no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")

app = Celery("prudence")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
