"""Django project configuration: settings from environment variables, URLs, WSGI/ASGI."""
