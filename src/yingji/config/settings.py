"""Django settings. Everything a deployment changes comes from YINGJI_* environment variables (see README)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import js_lib_bootstrap5
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from django.utils.translation import gettext_lazy as _

from yingji.config import env as _env

ENV = _env.load()
PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = ENV.var_dir

SECRET_KEY = ENV.secret_key
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins or [f"http://{h}:8000" for h in ALLOWED_HOSTS]

INSTALLED_APPS = [
    "yingji.core.adminsite.YingjiAdminConfig",  # django.contrib.admin, read-only, behind the platform login
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files, so /api/v1/docs works offline
    "yingji.core",
    "yingji.resources",
    "yingji.notifications",
    "yingji.supervision",
    "yingji.incidents",
    "yingji.risk",
    "yingji.alerts",
    "yingji.monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yingji.core.middleware.RequestIdMiddleware",
    "yingji.core.middleware.ApiErrorShapeMiddleware",
    "yingji.core.middleware.DomainErrorPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yingji.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yingji.core.middleware.BadInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "yingji.config.urls"
WSGI_APPLICATION = "yingji.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "yingji.core.context_processors.shell",
            ],
        },
    },
]


def _database(url: str) -> dict:
    db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["ENGINE"] = "yingji.core.sqlite_backend"  # PostgreSQL's integer ranges (see its docstring)
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # Connections are kept (60 s, as on PostgreSQL): opening one costs the PRAGMAs each time, and closing
        # the last one checkpoints the whole WAL into the database inside the request (8 % of an ingest batch).
        db["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN: two writers queue instead of deadlocking, and
            # read-then-write sequences (stock, audit chain) are serialised as on PostgreSQL.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
        # Tests use a file, not the shared-cache memory database: that one locks whole tables and ignores
        # the busy timeout, so concurrency tests would test SQLite's test mode instead of SQLite.
        db["TEST"] = {"NAME": str(Path(db["NAME"]).with_name("test_" + Path(db["NAME"]).name))}
    return db


DATABASES = {"default": _database(ENV.database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if ENV.redis_url:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": ENV.redis_url}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "yingji_cache",
            # Login throttling keeps its counters here: culling live rows (the default above 300) would
            # hand out fresh login attempts, so the table is allowed to grow; expired rows still go.
            "OPTIONS": {"MAX_ENTRIES": 1_000_000},
        }
    }

LANGUAGE_CODE = ENV.language
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = ENV.time_zone
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from the finders; it only wants the folder
STATICFILES_DIRS = [
    ("vendor/leaflet", xstatic.pkg.leaflet.BASE_DIR),
    ("vendor/leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
    # Bootstrap 5.3 from its PyPI package (docs/decisions/0025-bootstrap-ui-shell.md).
    ("vendor/bootstrap", Path(js_lib_bootstrap5.__file__).parent / "static" / "js-lib-bootstrap5"),
]
# Serve straight from the finders: no collectstatic step before `yingji demo` or `yingji serve`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
SESSION_COOKIE_HTTPONLY = True
# Behind HTTPS in production: cookies only over TLS (off by default so the demo works on plain http).
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = ENV.secure_cookies
if ENV.secure_cookies:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

YINGJI = {
    "TILE_URL": ENV.tile_url,
    "TILE_ATTRIBUTION": ENV.tile_attribution,
    "TILE_CRS": ENV.tile_crs,
    "MQTT_URL": ENV.mqtt_url,
    "LOGIN_ATTEMPTS": ENV.login_attempts,
    "LOGIN_WINDOW_S": ENV.login_window_s,
    "TRUSTED_PROXIES": ENV.trusted_proxies,
    # Kernel settings, read here directly (see README): the audit key lives outside the database.
    "AUDIT_KEY": os.environ.get("YINGJI_AUDIT_KEY", ""),
    "AUDIT_CHECKPOINT_URL": os.environ.get("YINGJI_AUDIT_CHECKPOINT_URL", ""),
    "ATTACHMENT_MAX_MB": float(os.environ.get("YINGJI_ATTACHMENT_MAX_MB", "20") or 20),
    "ATTACHMENT_TYPES": [t.strip() for t in os.environ.get(
        "YINGJI_ATTACHMENT_TYPES", "jpg,jpeg,png,gif,webp,pdf,docx,xlsx,doc,xls,txt,csv,zip,mp4").split(",") if t.strip()],
}

# Live fragments (the inbox badge …) re-poll this often; each poll is a conditional GET (ETag → 304).
YINGJI_LIVE_POLL_S = 15
YINGJI_JOBS = {
    "REDIS_URL": ENV.redis_url,
    "PATH": VAR_DIR / "jobs.sqlite3",
    "IMMEDIATE": ENV.jobs_immediate,
}
YINGJI_NOTIFY = {
    "SITE_URL": ENV.site_url,
    "SMS_GATEWAY_URL": ENV.sms_gateway_url,
    "SMS_GATEWAY_TOKEN": ENV.sms_gateway_token,
    "WEBHOOK_SECRET": ENV.webhook_secret or SECRET_KEY,
    "RETRY_BASE_S": 30,
    "MAX_ATTEMPTS": 6,
}
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = ENV.email_from
if ENV.email_url:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    globals().update(_env.email_settings(ENV.email_url))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"yingji": {"level": "INFO"}},
}
