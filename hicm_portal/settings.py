"""
HICM Portal settings: one module, configured by environment variables.

Every variable is documented in `.env.example` and in the README. SQLite is used when
DATABASE_URL is unset, so the portal runs out of the box; production sets DATABASE_URL to
PostgreSQL. With DEBUG off the portal refuses to start without a SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from hicm_portal import spreadsheets
from hicm_portal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random value "
            "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=1 on a development machine."
        )
    # Development only: DEBUG is on, so this key can never reach production.
    SECRET_KEY = "django-insecure-development-only-key-never-used-with-debug-off"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The address people reach the portal at; used for links in e-mails sent outside a request.
PORTAL_URL = env_str("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = "HICM Portal"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "import_export",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "axes",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "hicm_portal",
    "assessments",
    "improvement_plans",
    "casestudies",
    "home",
    "regions",
    "accounts",
    "api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the session and the user: those who must have a second factor set it up first.
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hicm_portal.middleware.PortalCSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes must come last: it turns a lock-out into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hicm_portal.urls"
WSGI_APPLICATION = "hicm_portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "hicm_portal.context_processors.portal",
            ],
        },
    },
    {
        # Only the BCF return's body and its charts (hicm_portal/jinja_env.py says why).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "hicm_portal.jinja_env.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: wait for a writer rather than failing at once, and keep persistent connections off.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # Take the write lock when a transaction starts: a transaction that has read and then
    # writes would otherwise fail at once with "database is locked" while another holds it.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "hicm_portal.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a reset link lasts a day
INVITATION_VALID_DAYS = 7

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "HICM Portal <no-reply@hicm-portal.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work (django-tasks): documents and e-mail. "immediate" runs each task at once, in
# the process that asks for it, so `make run` and the tests need no other process; production
# sets TASKS_BACKEND=database and runs `manage.py db_worker` beside the web processes.
TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}; got {TASKS_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": TASK_BACKENDS[TASKS_BACKEND]}}
# The longest a document may take to build. The worst permitted document builds well within it
# (tests/documents); one still building after this is shown as failed, to be tried again.
DOCUMENT_TIMEOUT_SECONDS = env_int("DOCUMENT_TIMEOUT_SECONDS", 120)
# An e-mail the mail server refused or could not take is tried again, waiting
# EMAIL_RETRY_SECONDS, then twice as long each time (at most an hour), up to EMAIL_MAX_ATTEMPTS.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 24)
EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 60)
for _name in ("DOCUMENT_TIMEOUT_SECONDS", "EMAIL_MAX_ATTEMPTS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more; got {globals()[_name]}")

# Security: on by environment, so a developer's http://127.0.0.1 keeps working.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=False)
CSRF_FAILURE_VIEW = "hicm_portal.views.csrf_failure"  # a GOV.UK page, not Django's plain one
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# A session ends after SESSION_IDLE_MINUTES without a request: a signed-in person's requests
# renew it, writing it at most once a minute (accounts.middleware.SessionRenewalMiddleware).
# Pages warn two minutes before (static/js/timeout-warning.js); the server's expiry is the rule,
# with or without JavaScript.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
if SESSION_IDLE_MINUTES < 3:  # the warning comes two minutes before the end
    raise ImproperlyConfigured(f"SESSION_IDLE_MINUTES must be 3 or more: {SESSION_IDLE_MINUTES}")
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_RENEWAL = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# A strict Content Security Policy: scripts only from us or with this response's nonce,
# no inline styles. The admin's import pages are relaxed in hicm_portal.middleware.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# django-axes: lock out an address and account pair after repeated failed logins.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "hicm_portal.security.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Sign-in: password, single sign-on (OpenID Connect) and the second factor (django-allauth) ---
# The sign-in page is /accounts/login/ (accounts.sign_in_views): a button for each single sign-on
# provider, and the password form. Nobody gains an account by signing in: single sign-on finds
# the invited person by their verified e-mail address (accounts.adapters).
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_NOTIFICATIONS = False  # the portal sends its own security e-mails
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # matching by e-mail is the adapter's, verified only
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # the provider's button posts, with the CSRF token
# PASSWORD_SIGNIN=off: only site administrators may sign in with a password; everybody else
# uses single sign-on.
PASSWORD_SIGNIN_STAFF_ONLY = not env_bool("PASSWORD_SIGNIN", default=True)


def _oidc_providers() -> list[dict]:
    """OpenID Connect providers from OIDC_1_*, OIDC_2_*, … (the first missing number ends the
    list), as django-allauth's apps. Each needs ID, NAME, ISSUER, CLIENT_ID and SECRET."""
    apps = []
    number = 1
    while env_str(f"OIDC_{number}_ID"):
        values = {
            key: env_str(f"OIDC_{number}_{key}").strip()
            for key in ("ID", "NAME", "ISSUER", "CLIENT_ID", "SECRET")
        }
        missing = [f"OIDC_{number}_{key}" for key, value in values.items() if not value]
        if missing:
            raise ImproperlyConfigured(
                f"Single sign-on provider {number} needs {', '.join(missing)}"
            )
        if not all(c.isalnum() or c in "-_" for c in values["ID"]):
            raise ImproperlyConfigured(
                f"OIDC_{number}_ID must be letters, digits, - or _; got {values['ID']!r}"
            )
        apps.append(
            {
                "provider_id": values["ID"],
                "name": values["NAME"],
                "client_id": values["CLIENT_ID"],
                "secret": values["SECRET"],
                "settings": {"server_url": values["ISSUER"], "oauth_pkce_enabled": True},
            }
        )
        number += 1
    return apps


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": _oidc_providers()}
}

# The second factor: an authenticator app (TOTP) and recovery codes; no security keys.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SERVICE_NAME
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "accounts.second_factor_forms.AuthenticateForm",
    "activate_totp": "accounts.second_factor_forms.ActivateTOTPForm",
}
# Accounts are made by invitation to an address the person proved by using it.
MFA_ALLOW_UNVERIFIED_EMAIL = True
# Site administrators, facilitators and regional and national viewers who sign in with a password
# must set up an authenticator app before anything else (accounts.middleware).
SECOND_FACTOR_REQUIRED = env_bool("SECOND_FACTOR_REQUIRED", default=True)

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Admin exports in CSV and XLSX only, through the portal's one formula-safe writer.
EXPORT_FORMATS = spreadsheets.EXPORT_FORMATS
# The admin's import previews wait in the database for their owner, and expire (the default
# keeps them in /tmp for ever); hicm_portal.uploads says why.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "hicm_portal.uploads.PendingUploadStorage"

# Uploads: every import is refused past these limits, checked before and while it is read
# (hicm_portal.uploads). Its size, before the request body is read; its size unpacked (an
# .xlsx is a zip); its rows; how long a preview waits for its confirmation.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
UPLOAD_MAX_UNPACKED_BYTES = env_int("UPLOAD_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)
UPLOAD_MAX_ROWS = env_int("UPLOAD_MAX_ROWS", 5_000)
UPLOAD_PREVIEW_MINUTES = env_int("UPLOAD_PREVIEW_MINUTES", 60)
for _name in ("UPLOAD_MAX_BYTES", "UPLOAD_MAX_UNPACKED_BYTES", "UPLOAD_MAX_ROWS",
              "UPLOAD_PREVIEW_MINUTES"):  # fmt: skip
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more; got {globals()[_name]}")
# The fields of a form other than its files: far more than the longest text a form takes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": env_str("AXES_LOG_LEVEL", "WARNING")},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}


# --- The read API (api/): Django REST framework and drf-spectacular ---------------------------
# A person's access token (Authorization: Bearer …) or their signed-in session; JSON only (the
# browsable renderer's inline script would break the CSP); read-only but for posting progress.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
# Requests per token (or signed-in person), e.g. "600/hour"; over it the API answers 429.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/hour")
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
_count, _, _period = API_THROTTLE_RATE.partition("/")
if not (_count.isdigit() and int(_count) > 0 and _period in ("second", "minute", "hour", "day")):
    raise ImproperlyConfigured(
        f"API_THROTTLE_RATE must be a number of requests per second, minute, hour or day, like "
        f"600/hour; got {API_THROTTLE_RATE!r}"
    )
for _name in ("API_TOKEN_DAYS", "API_PAGE_SIZE"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be 1 or more; got {globals()[_name]}")
if API_TOKEN_DAYS > 366:  # accounts.token_services.MAX_DAYS: a token lasts a year at most
    raise ImproperlyConfigured(f"API_TOKEN_DAYS must be 366 or fewer; got {API_TOKEN_DAYS}")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AccessTokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PagePagination",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "HICM Portal API",
    "DESCRIPTION": (
        "Read what you may read in the portal, and post progress on actions you may update. "
        "Send a personal access token (made on your Account page) as `Authorization: Bearer "
        "<token>`. The API answers as the pages do: a thing you may not know of is 404, one you "
        "may see but not use is 403. Blind rating holds: before a round is revealed you read "
        "only your own partner's ratings."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI's files from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "persistAuthorization": False},
    "COMPONENT_SPLIT_REQUEST": True,
}
