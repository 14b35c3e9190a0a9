"""Settings for the test suite: tasks run immediately, fast hashing, no secrets required."""

from __future__ import annotations

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES

TANDEM_REQUIRE_SECRETS = False
SECRET_KEY = "tandem-test-secret-key"  # noqa: S105
META_APP_SECRET = "test-app-secret"  # noqa: S105
META_INSTAGRAM_APP_SECRET = "test-instagram-app-secret"  # noqa: S105
META_VERIFY_TOKEN = "test-verify-token"  # noqa: S105
# A Fernet key made for the tests only (32 url-safe base64 bytes).
TANDEM_ENCRYPTION_KEYS = ["dGFuZGVtLXRlc3Qta2V5LTAwMDAwMDAwMDAwMDAwMDA="]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not os.environ.get(
    "DATABASE_URL"
):
    # In-memory for speed unless a live server test needs a file (pytest-django handles it).
    DATABASES["default"] = {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
