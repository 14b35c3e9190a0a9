"""Tandem settings, driven by the environment only (see ``config/env.py`` and ``.env.example``).

Two runtime profiles (DESIGN.md): *embedded* — SQLite under ``var/`` holding data and the task
queue — and *production* — ``DATABASE_URL`` pointing at PostgreSQL, ``REDIS_URL`` for the cache.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.get_str("TANDEM_VAR_DIR") or BASE_DIR / "var")

DEBUG = env.get_bool("DEBUG", default=False)

# Secrets. With DEBUG off, a missing secret stops the start (see ``_refuse_insecure_production``).
_DEVELOPMENT_SECRET_KEY = "tandem-development-only-secret-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.get_str("SECRET_KEY") or _DEVELOPMENT_SECRET_KEY
META_APP_SECRET = env.get_str("META_APP_SECRET") or ""
META_INSTAGRAM_APP_SECRET = env.get_str("META_INSTAGRAM_APP_SECRET") or ""
META_VERIFY_TOKEN = env.get_str("META_VERIFY_TOKEN") or ""
META_GRAPH_URL = env.get_str("META_GRAPH_URL") or "https://graph.facebook.com"
META_GRAPH_VERSION = env.get_str("META_GRAPH_VERSION") or "v21.0"
TANDEM_ENCRYPTION_KEYS = env.get_list("TANDEM_ENCRYPTION_KEYS", default=[])

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "tandem.core",
    "tandem.accounts",
    "tandem.organisation",
    "tandem.compliance",
    "tandem.connectors",
    "tandem.inbox",
    "tandem.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tandem.core.middleware.PreferredLanguageMiddleware",
    "tandem.organisation.middleware.ActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.organisation.context_processors.actor",
                "tandem.connectors.context_processors.account_alerts",
            ],
        },
    },
]

# Database: SQLite under var/ by default. WAL, IMMEDIATE transactions and a busy timeout let the
# web process and the worker share the file without "database is locked" errors.
_SQLITE_DEFAULT = f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}"
DATABASE_URL = env.get_str("DATABASE_URL") or _SQLITE_DEFAULT
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASE_URL == _SQLITE_DEFAULT:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The webhook INSERT runs as a prepared statement (``tandem.core.db``); Django's own queries
    # are never prepared (client-side binding). Off behind a pooler in transaction mode that
    # does not keep prepared statements (PgBouncer before 1.21).
    if env.get_bool("TANDEM_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

REDIS_URL = env.get_str("REDIS_URL") or ""
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tandem",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (tandem.accounts.throttling): failures counted per e-mail and per address.
LOGIN_FAILURES_PER_ACCOUNT = env.get_int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.get_int("LOGIN_FAILURES_PER_ADDRESS", default=30)
LOGIN_LOCKOUT_MINUTES = env.get_int("LOGIN_LOCKOUT_MINUTES", default=15)

# French first, English available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10  # a working day
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env.get_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Background work: django-tasks on the database (DESIGN.md «Architecture»).
# How long a worker's claim on a webhook event lasts: if the worker dies while processing it,
# the ``process_events`` sweep takes the event again once the claim has expired. Processing an
# event takes milliseconds; the claim must outlast the slowest processing by far.
TANDEM_EVENT_PROCESSING_LEASE_SECONDS = env.get_int(
    "TANDEM_EVENT_PROCESSING_LEASE_SECONDS", default=300, minimum=5
)
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "event": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "event"}},
    "root": {"handlers": ["console"], "level": env.get_str("LOG_LEVEL") or "INFO"},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}


def missing_production_secrets() -> list[str]:
    """The secrets a real deployment needs that are not set (checked at start, DEBUG off)."""
    return [
        name
        for name, value in (
            ("SECRET_KEY", SECRET_KEY if SECRET_KEY != _DEVELOPMENT_SECRET_KEY else ""),
            ("META_APP_SECRET", META_APP_SECRET),
            ("META_VERIFY_TOKEN", META_VERIFY_TOKEN),
            ("TANDEM_ENCRYPTION_KEYS", ",".join(TANDEM_ENCRYPTION_KEYS)),
        )
        if not value
    ]


# Checked in tandem.core.apps.CoreConfig.ready(); the test settings turn it off.
TANDEM_REQUIRE_SECRETS = not DEBUG
