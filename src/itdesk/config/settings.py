"""Django settings for ITDesk, read from the environment (12-factor)."""

from __future__ import annotations

import os
import zoneinfo
from pathlib import Path

import dj_database_url

from itdesk.config.env import (
    ConfigurationError,
    data_dir,
    env_bool,
    env_int,
    env_list,
    env_str,
    secret_key,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()
PRODUCTION = env_bool("ITDESK_PRODUCTION", False)
TESTING = env_bool("ITDESK_TESTING", False)

SECRET_KEY = secret_key(production=PRODUCTION, directory=DATA_DIR)
DEBUG = env_bool("DEBUG", False) and not PRODUCTION
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"] if not PRODUCTION else [])
if PRODUCTION and (not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS):
    raise ConfigurationError("ALLOWED_HOSTS must list this server's host names when ITDESK_PRODUCTION is on")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("ITDESK_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "huey.contrib.djhuey",
    "itdesk.core",
    "itdesk.accounts",
    "itdesk.tickets",
    "itdesk.sla",
    "itdesk.notifications",
    "itdesk.search",
    "itdesk.kb",
    "itdesk.channels.mail",
    "itdesk.channels.im",
    "itdesk.channels.webhooks",
    "itdesk.web",
]

ITDESK_QUERY_COUNT_HEADER = env_bool("ITDESK_QUERY_COUNT_HEADER", False)
MIDDLEWARE = [
    "itdesk.core.middleware.QueryCountMiddleware",  # X-ITDesk-Queries, only when the setting above is on
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "itdesk.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "itdesk.config.urls"
WSGI_APPLICATION = "itdesk.config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

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
            ],
        },
    },
]

# --- Database: SQLite (WAL) in the data directory unless DATABASE_URL says otherwise.
_database_url = env_str("DATABASE_URL")
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url)}
    except Exception as exc:  # dj_database_url raises several types for bad URLs
        raise ConfigurationError(f"DATABASE_URL is not a valid database URL: {exc}") from None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "itdesk.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue on the
    # busy timeout instead of failing with "database is locked" when they upgrade a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        # wal_autocheckpoint: copy the log into the database every 10,000 pages (40 MB), not every 1,000.
        # The pages every intake rewrites (the newest index leaves, the counters) are then copied once per
        # checkpoint instead of once per few tickets, and the fsyncs are ten times rarer: a ticket create
        # cost 0.25 ms less on average, and one in ten no longer paid a checkpoint.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000;"
            " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456;"
            " PRAGMA wal_autocheckpoint=10000;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("ITDESK_TEST_SQLITE") or None}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep connections between requests (a fresh SQLite connection starts with a cold page cache).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("ITDESK_CONN_MAX_AGE", 600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time
LANGUAGE_CODE = env_str("ITDESK_LANGUAGE", "zh-hans").lower()
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ConfigurationError(f"ITDESK_LANGUAGE must be one of zh-hans, en; got {LANGUAGE_CODE!r}")
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ConfigurationError(f"TIME_ZONE {TIME_ZONE!r} is not a known IANA time zone") from None
USE_I18N = True
USE_TZ = True

# --- Files: static assets are vendored and served by WhiteNoise; uploads live outside the web root.
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = Path(env_str("ITDESK_MEDIA_DIR") or DATA_DIR / "attachments")
# No route serves this path: attachments are only ever served through the access-checked download views.
MEDIA_URL = "/attachments-are-not-served-directly/"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
ITDESK_ATTACHMENT_MAX_BYTES = env_int("ITDESK_ATTACHMENT_MAX_MB", 20) * 1024 * 1024
ITDESK_ATTACHMENT_EXTENSIONS = env_list(
    "ITDESK_ATTACHMENT_EXTENSIONS",
    [
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "webp",
        "pdf",
        "txt",
        "log",
        "csv",
        "json",
        "xml",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "zip",
        "7z",
        "gz",
        "eml",
        "msg",
    ],
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("ITDESK_SECURE_COOKIES", PRODUCTION)
if env_bool("ITDESK_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- E-mail (outgoing goes through the notifications outbox)
EMAIL_HOST = env_str("EMAIL_HOST")
# With no mail server configured (a first run, a demo), mail is written to files in the data directory
# instead of failing against a server that is not there; production needs EMAIL_HOST.
EMAIL_BACKEND = env_str("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST or PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = str(DATA_DIR / "sent-mail")
if PRODUCTION and not EMAIL_HOST and EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    raise ConfigurationError("EMAIL_HOST must name the SMTP server when ITDESK_PRODUCTION is on")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ITDesk <itdesk@localhost>")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ConfigurationError("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")

# --- Jobs: Huey on SQLite in the data directory, or on Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
HUEY = {
    "name": env_str("ITDESK_QUEUE_NAME", "itdesk"),
    "immediate": TESTING and not env_bool("ITDESK_REAL_QUEUE", False),
    "utc": True,
    "consumer": {"workers": env_int("ITDESK_WORKERS", 2), "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "itdesk.core.queue.SqliteHuey", "filename": str(DATA_DIR / "queue.sqlite3")})

# --- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "itdesk.accounts.authentication.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "itdesk.core.api.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "itdesk.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {"login": env_str("ITDESK_LOGIN_RATE", "10/min")},
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")
SPECTACULAR_SETTINGS = {
    "TITLE": "ITDesk API",
    "DESCRIPTION": "The ITDesk service desk API. Errors are JSON objects with a stable `code`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "itdesk.tickets.choices.Status",
        "ArticleStatusEnum": "itdesk.kb.choices.ArticleStatus",
    },
}

# --- ITDesk process settings
ITDESK_NUMBER_PATTERN = env_str("ITDESK_NUMBER_PATTERN", "")  # empty: use the admin-configured pattern
# Counts of large result sets (a desk's open queue: tens of thousands) are kept this many seconds; smaller
# counts are always exact (core.counting).
ITDESK_EXACT_COUNT_BELOW = env_int("ITDESK_EXACT_COUNT_BELOW", 10_000)
ITDESK_LARGE_COUNT_SECONDS = env_int("ITDESK_LARGE_COUNT_SECONDS", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The Huey consumer adds its own handler to "huey"; not propagating keeps its lines from printing twice.
    "loggers": {"django.db.backends": {"level": "INFO"}, "huey": {"level": "INFO", "propagate": False}},
}

# ---------------------------------------------------------------- channels
# Secrets kept in the database (mailbox passwords, IM app secrets, webhook secrets) are encrypted with a
# key derived from this setting (default: SECRET_KEY). Rotating it needs re-entering those secrets.
ITDESK_FIELD_ENCRYPTION_KEY = env_str("ITDESK_FIELD_ENCRYPTION_KEY") or SECRET_KEY

# -- mail channel (e-mail in)
ITDESK_MAIL_MAX_MESSAGE_BYTES = env_int("ITDESK_MAIL_MAX_MESSAGE_MB", 30) * 1024 * 1024  # larger: quarantined
ITDESK_MAIL_MAX_PARTS = env_int("ITDESK_MAIL_MAX_PARTS", 200)
ITDESK_MAIL_MAX_ATTACHMENTS = env_int("ITDESK_MAIL_MAX_ATTACHMENTS", 20)
ITDESK_MAIL_KEEP_RAW = env_bool("ITDESK_MAIL_KEEP_RAW", False)  # also keep the raw of processed messages
ITDESK_MAIL_IMAP_TIMEOUT = env_int("ITDESK_MAIL_IMAP_TIMEOUT", 30)  # seconds per IMAP network operation

# -- notifications (e-mail out, preferences)
# Message-IDs of ITDesk's mail (signed, one thread per ticket) use this domain; default: the domain of
# DEFAULT_FROM_EMAIL. Replies go to ITDESK_MAIL_REPLY_TO (the intake mailbox; default DEFAULT_FROM_EMAIL).
ITDESK_MAIL_MESSAGE_ID_DOMAIN = env_str("ITDESK_MAIL_MESSAGE_ID_DOMAIN", "")
ITDESK_MAIL_REPLY_TO = env_str("ITDESK_MAIL_REPLY_TO", "") or DEFAULT_FROM_EMAIL
# Outbox: attempts before a message is marked failed (back-off 30 s doubling, at most 6 h between
# attempts), and how long a worker's claim on a message lasts (at least 3 x EMAIL_TIMEOUT).
ITDESK_OUTBOX_MAX_ATTEMPTS = env_int("ITDESK_OUTBOX_MAX_ATTEMPTS", 12)
ITDESK_OUTBOX_LEASE_SECONDS = env_int("ITDESK_OUTBOX_LEASE_SECONDS", 600)
if ITDESK_OUTBOX_MAX_ATTEMPTS < 1 or ITDESK_OUTBOX_LEASE_SECONDS < 1:
    raise ConfigurationError("ITDESK_OUTBOX_MAX_ATTEMPTS and ITDESK_OUTBOX_LEASE_SECONDS must be positive")

# -- IM channel
ITDESK_IM_TIMEOUT = env_int("ITDESK_IM_TIMEOUT", 10)  # seconds per call to an IM platform's API
ITDESK_IM_MAX_BODY_BYTES = env_int("ITDESK_IM_MAX_BODY_KB", 256) * 1024  # larger callbacks are refused

# -- webhooks
# Outgoing calls (webhooks, IM bots) only reach public addresses; list host names, IPs or CIDR networks
# here (comma-separated) to allow internal receivers, e.g. "hooks.corp.example,10.20.0.0/16".
ITDESK_OUTBOUND_ALLOWLIST = env_list("ITDESK_OUTBOUND_ALLOWLIST", [])
ITDESK_WEBHOOK_TIMEOUT = env_int("ITDESK_WEBHOOK_TIMEOUT", 10)  # seconds per delivery attempt
ITDESK_WEBHOOK_MAX_ATTEMPTS = env_int("ITDESK_WEBHOOK_MAX_ATTEMPTS", 8)
ITDESK_INBOUND_WEBHOOK_MAX_BYTES = env_int("ITDESK_INBOUND_WEBHOOK_MAX_KB", 256) * 1024
ITDESK_INBOUND_WEBHOOK_RATE = env_int(
    "ITDESK_INBOUND_WEBHOOK_RATE", 120
)  # requests per minute per source; 0: off
