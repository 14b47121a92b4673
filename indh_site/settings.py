"""Settings for the INDH Khénifra application.

Everything that differs between a laptop, CI and production comes from the
environment (see .env.example). With no environment at all the app runs in
development mode on an embedded SQLite database under var/.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from indh_site.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "simple_history",
    "indh_site.apps.AxesConfig",  # django-axes, with a translated name
    "cooperatives",
    "funding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses what the middleware below and the views wrote (so listed before them); only when
    # COMPRESS_RESPONSES is on. After WhiteNoise: static files come compressed already.
    "indh_site.compression.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, plus ?lang= redirects and unkept redirects of unprefixed addresses (indh_site/language.py).
    "indh_site.language.LocaleMiddleware",
    # After LocaleMiddleware, so a 429 speaks the caller's language; before CSRF, auth and the views.
    "funding.ratelimit.ApiRateLimitMiddleware",
    # A NUL byte in an admin address is a 400 (PostgreSQL cannot compare text with it).
    "indh_site.admin_guard.AdminQueryStringGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

# HTML, JSON and CSV answers gzip-compressed for clients that accept it; turn off when the reverse
# proxy compresses (indh_site/compression.py).
COMPRESS_RESPONSES = env_bool("COMPRESS_RESPONSES", True)
if not COMPRESS_RESPONSES:
    MIDDLEWARE.remove("indh_site.compression.TextGZipMiddleware")

ROOT_URLCONF = "indh_site.urls"
WSGI_APPLICATION = "indh_site.wsgi.application"

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
                "django.template.context_processors.i18n",
                "indh_site.context_processors.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite under var/ is the embedded default; postgres://… (psycopg 3) in CI and
# production.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'indh.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A persistent connection buys nothing on SQLite and keeps the file locked.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "indh"}}

# --- Authentication -----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out account is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# The lockout page is an admin page in the official's language (429), not a bare text answer.
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_LOCKOUT_CALLABLE = "indh_site.lockout.lockout_response"
# Same client address as the API rate limit (REMOTE_ADDR, or the proxy's last X-Forwarded-For hop).
AXES_CLIENT_IP_CALLABLE = "indh_site.ratelimit.client_address"

ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"

# --- Languages ----------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("ar", _("Arabic")), ("fr", _("French")), ("en", _("English"))]
# One catalogue per area of the application, so each area's translations can be
# kept (and reviewed) on their own; Django merges them, the first listed winning.
LOCALE_AREAS = ("core", "imports", "dashboard", "access", "review", "register", "about", "territory")
LOCALE_PATHS = [BASE_DIR / "locale" / area for area in LOCALE_AREAS]
USE_I18N = True
# Dates day first in every language (15/03/2025), input and display: indh_site/formats/<language>/.
FORMAT_MODULE_PATH = ["indh_site.formats"]
TIME_ZONE = "Africa/Casablanca"
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security -----------------------------------------------------------------
# Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_ENABLED=1 so Django
# trusts X-Forwarded-Proto; SECURE_SSL_REDIRECT may then be left on or handed to the proxy.
if env_bool("SECURE_PROXY_SSL_HEADER_ENABLED", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): everything from our own origin, no inline script, style
# attribute or event handler (tests/test_security.py checks our pages and the admin's). Images may be
# data: URIs (the admin's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Behind a reverse proxy, the client's address is the last hop of X-Forwarded-For (rate limit, login
# lockout). Only turn on when a proxy you control always sets that header: otherwise clients forge it.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
# Open-data API (/api/…): requests per minute per client address; 0 turns the limit off (the default in
# development and tests, where every request comes from 127.0.0.1).
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 0 if DEBUG else 120)
# The provinces this installation serves (codes): the map shows them first, and a commune named in a
# workbook is looked for among them before the rest of the kingdom (two communes may share a name).
HOME_PROVINCES = env_list("HOME_PROVINCES", ["KHN"])
# 360Giving: the publisher's prefix of every grant and recipient identifier in /api/v1/360giving.json.
THREESIXTYGIVING_PREFIX = env_str("THREESIXTYGIVING_PREFIX", "360G-INDH-KHN")
# The open data's licence, named on the about page and in the API's answers.
OPEN_DATA_LICENCE = {
    "name": env_str("OPEN_DATA_LICENCE_NAME", "Creative Commons Attribution 4.0 International (CC BY 4.0)"),
    "url": env_str("OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/"),
}
# The address readers write to about the data (the about page); empty: the page names the Division.
CONTACT_EMAIL = env_str("CONTACT_EMAIL", "")
if not DEBUG and not SECURE_HSTS_PRELOAD:
    # Preloading is a one-way commitment for the whole domain; leave it to the operator.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

# --- Uploads and imports ------------------------------------------------------
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
# django-import-export keeps an upload between preview and confirmation. MediaStorage puts it
# in the default storage (MEDIA_ROOT, shared by every app server; define STORAGES["import_export"]
# to use another), not in one server's /tmp. The admin deletes it once confirmed or refused.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
# Import and export are permissions of their own ("import_project", "export_holder"…).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Logging ------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # django-axes announces its version on every start, which clutters command output.
    "loggers": {"axes.apps": {"level": "WARNING"}},
}
