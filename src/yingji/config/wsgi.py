"""WSGI entry point: `yingji serve` runs this under gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.config.settings")
application = get_wsgi_application()
