"""ASGI entry point (measured slower than WSGI here for Django; kept for deployments that need it)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.config.settings")
application = get_asgi_application()
