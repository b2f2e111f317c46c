"""Django settings. Every value comes from the environment (``CD_*``); see docs/operations.md."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if not raw:
        return default
    return raw.lower() in {"1", "true", "yes", "on"}


# Under pytest the settings switch to test mode (immediate jobs, fast hashing, file test DB).
TESTING = _env_bool("CD_TESTING", "pytest" in sys.modules)

DATA_DIR = Path(_env("CD_DATA_DIR", "./data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use CD_SECRET_KEY, else a key generated once and kept in the data dir."""
    configured = _env("CD_SECRET_KEY")
    if configured:
        return configured
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    # O_EXCL so that two processes starting together agree on one key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_bool("CD_DEBUG", False)
ALLOWED_HOSTS = [h for h in _env("CD_ALLOWED_HOSTS", "*").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in _env("CD_CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    # Listed so /api/v1/docs serves its bundled Swagger UI; otherwise ninja links a CDN (self-hosted, offline).
    "ninja",
    "complaintdesk.core",
    "complaintdesk.accounts",
    "complaintdesk.customers",
    "complaintdesk.tickets",
    "complaintdesk.forms",
    "complaintdesk.workflows",
    "complaintdesk.rules",
    "complaintdesk.sla",
    "complaintdesk.notifications",
    "complaintdesk.insights",
    "complaintdesk.improvement",
    "complaintdesk.transfer",
    "complaintdesk.reports",
    "complaintdesk.bundles",
    "complaintdesk.savedviews",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "complaintdesk.core.middleware.ApiErrorShapeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "complaintdesk.core.middleware.RejectNulMiddleware",
    "complaintdesk.core.middleware.ChannelMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "complaintdesk.urls"
WSGI_APPLICATION = "complaintdesk.wsgi.application"
ASGI_APPLICATION = "complaintdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DEFAULT_SQLITE_PATH = DATA_DIR / "complaintdesk.sqlite3"
DATABASE_URL = _env("CD_DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}")
# Tests choose their database with CD_TEST_DATABASE_URL (PostgreSQL run of `make test`).
if _env("CD_TEST_DATABASE_URL") and TESTING:
    DATABASE_URL = _env("CD_TEST_DATABASE_URL")

_db: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True))
if TESTING:
    # Live-server tests answer each request on a new thread; a persistent connection per thread would
    # outlive it and exhaust PostgreSQL's max_connections over a long browser-test run.
    _db["CONN_MAX_AGE"] = 0
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE transactions take the write lock up
    # front so concurrent writers queue on busy_timeout instead of failing with
    # "database is locked" when a deferred transaction tries to upgrade its lock.
    _db["CONN_MAX_AGE"] = 0 if TESTING else 600
    _db["CONN_HEALTH_CHECKS"] = False
    _db["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=30000;"
            "PRAGMA foreign_keys=ON;PRAGMA cache_size=-20000"
        ),
    }
    _db["TEST"] = {"NAME": str(DATA_DIR / (_env("CD_TEST_DB_NAME") or "test_complaintdesk.sqlite3"))}
    IS_POSTGRES = False
else:
    _db.setdefault("OPTIONS", {})
    # The ticket list and detail queries LEFT JOIN 7-8 lookup tables (select_related). With the
    # default join_collapse_limit (8) PostgreSQL searches every join order: 30-60 ms of planning
    # per query, 10-50x the execution time. The written order (ticket first) is the right plan
    # for them; 4 keeps the planner free for short joins (bench/list.py measures it). It is sent
    # as a startup option; behind PgBouncer (which refuses startup options) set
    # CD_PG_JOIN_COLLAPSE_LIMIT= (empty) and use ALTER ROLE ... SET join_collapse_limit = 4.
    _collapse = _env("CD_PG_JOIN_COLLAPSE_LIMIT", "4")
    _pg_options = str(_db["OPTIONS"].get("options", ""))
    if _collapse and "join_collapse_limit" not in _pg_options:
        _db["OPTIONS"]["options"] = f"{_pg_options} -c join_collapse_limit={int(_collapse)}".strip()
    if _env("CD_TEST_DB_NAME"):
        _db["TEST"] = {"NAME": _env("CD_TEST_DB_NAME")}
    IS_POSTGRES = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Hashing cost is irrelevant to what tests check; argon2 stays the production hasher.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/admin/login/"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- i18n / time ----------------------------------------------------------------------------
LANGUAGE_CODE = _env("CD_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = _env("CD_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True  # stored in UTC, shown in TIME_ZONE
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# The web app's build (frontend/ -> complaintdesk/static/app/, see docs/ui.md); absent on a Python-only checkout.
STATICFILES_DIRS = [d for d in [BASE_DIR / "static"] if d.is_dir()]
# Vite puts a content hash in every asset name: browsers may cache them for good.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/static/app/assets/"
MEDIA_ROOT = Path(_env("CD_MEDIA_DIR", str(DATA_DIR / "media"))).resolve()
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if TESTING:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
ATTACHMENT_MAX_BYTES = int(_env("CD_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- jobs -----------------------------------------------------------------------------------
REDIS_URL = _env("CD_REDIS_URL")
_huey_immediate = _env_bool("CD_JOBS_IMMEDIATE", TESTING)
if REDIS_URL:
    HUEY: dict[str, Any] = {
        "huey_class": "huey.RedisHuey",
        "name": "complaintdesk",
        "url": REDIS_URL,
        "immediate": _huey_immediate,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "complaintdesk",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": _huey_immediate,
    }
HUEY["consumer"] = {"workers": int(_env("CD_WORKER_THREADS", "2")), "worker_type": "thread"}

CACHES: dict[str, Any] = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

# --- security -------------------------------------------------------------------------------
# Key for encrypting sensitive fields at rest; derived from SECRET_KEY when not set.
FIELD_ENCRYPTION_KEY = _env("CD_FIELD_ENCRYPTION_KEY")
# Public intake (anonymous web form): submissions per client IP and minute, and the largest body.
PUBLIC_SUBMISSIONS_PER_MINUTE = int(_env("CD_PUBLIC_SUBMISSIONS_PER_MINUTE", "10"))
PUBLIC_SUBMISSION_MAX_BYTES = int(_env("CD_PUBLIC_SUBMISSION_MAX_BYTES", str(64 * 1024)))
# Live evaluation while a visitor types (formulas, conditional fields, messages): debounced by the page.
PUBLIC_EVALUATIONS_PER_MINUTE = int(_env("CD_PUBLIC_EVALUATIONS_PER_MINUTE", "240"))
PUBLIC_UPLOADS_PER_MINUTE = int(_env("CD_PUBLIC_UPLOADS_PER_MINUTE", "30"))
PUBLIC_UPLOAD_MAX_BYTES = int(_env("CD_PUBLIC_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))

# --- notifications (outgoing email over SMTP; docs/notifications.md) -------------------------------
EMAIL_HOST = _env("CD_SMTP_HOST")  # empty: email is not configured (deliveries are recorded as skipped)
EMAIL_PORT = int(_env("CD_SMTP_PORT", "25"))
EMAIL_HOST_USER = _env("CD_SMTP_USER")
EMAIL_HOST_PASSWORD = _env("CD_SMTP_PASSWORD")
EMAIL_USE_TLS = _env_bool("CD_SMTP_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = _env("CD_SMTP_FROM", "complaintdesk@localhost")
PUBLIC_URL = _env("CD_PUBLIC_URL").rstrip("/")  # links in notifications (https://complaints.example.com)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _env("CD_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Configured here so run_huey adds no second handler; one line per task run is noise at
        # INFO (the consumer's start-up and failures still show). CD_JOB_LOG_LEVEL=INFO to trace.
        "huey": {"handlers": ["console"], "level": _env("CD_JOB_LOG_LEVEL", "WARNING"), "propagate": False},
        # SpiffWorkflow logs every task state change at INFO (thousands of lines for the demo alone).
        "spiff": {"level": _env("CD_ENGINE_LOG_LEVEL", "WARNING")},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
