"""Muster settings: one module, every value read from the environment.

With no environment at all this is the embedded default (SQLite, in-memory
channel layer, Celery tasks run in-process, e-mail to the console). Pointing
``DATABASE_URL``, ``REDIS_URL`` and ``EMAIL_URL`` at real services gives the
production / scale-out shape without any other change.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext
import environ

# Lets generic Django classes (ModelAdmin[Member], QuerySet[Community]) be subscripted at runtime.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# HTTPS-only behaviour (SSL redirect, secure cookies, HSTS) follows DEBUG unless
# told otherwise; tests and the embedded server run over plain HTTP.
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "django-insecure-embedded-default-only-for-local-development"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("MUSTER_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.postgres",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "guardian",
    "taggit",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "muster",
    "verification",
    "communities",
    "notices",
    "library",
    "messaging",
    "discussions",
    "wiki",
    "blueprint",
    "partnerships",
    "saved",
    "tags",
    "members",
    "subscriptions",
    "search",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "muster.middleware.NoStoreForSignedInMiddleware",
    "muster.middleware.VisitMiddleware",
    "verification.middleware.VettingGateMiddleware",
]

ROOT_URLCONF = "muster.urls"
WSGI_APPLICATION = "muster.wsgi.application"
ASGI_APPLICATION = "muster.asgi.application"

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
                "muster.context_processors.site",
                "muster.context_processors.notifications",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The server's request threads and the page's socket write at once: wait for the lock
    # instead of failing, and let readers read while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so the server processes that tests start read the same data;
    # one per test run, so runs side by side do not share it.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str(
            "MUSTER_SQLITE_TEST_NAME", default=str(Path(tempfile.gettempdir()) / f"muster-test-{os.getpid()}.sqlite3")
        )
    }
else:
    database_options = DATABASES["default"].setdefault("OPTIONS", {})
    # Every statement here answers a page: PostgreSQL's JIT compiler, meant for long reports, spends 100 to
    # 300 ms compiling a search whose plan it over-estimates (docs/performance.md, "Search").
    database_options["options"] = "-c jit=off"
    if env.bool("DATABASE_POOL", default=DATABASES["default"]["CONN_MAX_AGE"] == 0):
        # ASGI runs each request on a thread of its own, where persistent connections leak; a pool per
        # process hands every thread (and the sockets' one) an open connection instead of a new one per call.
        database_options["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=10),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # "pubsub" (Redis PUBLISH, one message per group send) or "core" (a Redis list per
    # channel); docs/performance.md compares them: pubsub is the default by those figures.
    CHANNEL_LAYER_BACKENDS = {
        "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "core": "channels_redis.core.RedisChannelLayer",
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": CHANNEL_LAYER_BACKENDS[env.str("MUSTER_CHANNEL_LAYER", default="pubsub")],
            # Redis publish/subscribe ignores database numbers: the prefix keeps two
            # installations on one Redis (or two test runs) apart, as the database does.
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"muster{urlsplit(REDIS_URL).path.strip('/') or '0'}"},
        }
    }
    CACHES = {
        "default": {
            # One Redis connection pool per process, not one per websocket (muster/cache.py).
            "BACKEND": "muster.cache.ProcessRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "muster",
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: with no broker configured, tasks run in-process (embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL) or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's worker closes the database connection before and after every task (and, with a pool, the pool)
# unless told to keep it for this many tasks: a new connection per task cost more than indexing a message.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=100)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "verification-expiry-sweep": {
        "task": "verification.tasks.sweep_verification_expiry",
        "schedule": timedelta(hours=6),
    },
    "subscriptions-send-due-digests": {
        "task": "subscriptions.tasks.send_due_digests",
        "schedule": timedelta(minutes=5),
    },
    "subscriptions-send-immediate-updates": {
        "task": "subscriptions.tasks.send_due_immediate_updates",
        "schedule": timedelta(minutes=1),
    },
    "discussions-announce-scheduled-blog-posts": {
        "task": "discussions.tasks.announce_scheduled_blog_posts",
        "schedule": timedelta(minutes=5),
    },
    "partnerships-announce-overdue-tasks": {
        "task": "partnerships.tasks.announce_overdue_tasks",
        "schedule": timedelta(hours=1),
    },
}

AUTH_USER_MODEL = "verification.Member"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django.contrib.sites (for allauth) keeps its one row; e-mail takes the site's name and links from
# SITE_URL instead (muster/site_identity.py, verification/adapters.py), so the row's example.com never shows.
SITE_ID = 1
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# Confirming the address (a POST from the e-mail's link, in the browser that signed up) signs the new member in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# Failed sign-ins (verification/sign_in_throttle.py, docs/operations.md "Failed sign-ins"): counted per
# address and account together, never per account or per address alone, so nobody can lock a member out.
# After 5 failures in a row from one address on one account, each further try from there waits twice as
# long as the last (2 s … 15 min); a run of failures on an account e-mails the member at 10 and needs a
# password reset at 100.
MUSTER_SIGN_IN_FREE_FAILURES = env.int("MUSTER_SIGN_IN_FREE_FAILURES", default=5)
MUSTER_SIGN_IN_MAX_DELAY_SECONDS = env.int("MUSTER_SIGN_IN_MAX_DELAY_SECONDS", default=15 * 60)
MUSTER_SIGN_IN_NOTICE_FAILURES = env.int("MUSTER_SIGN_IN_NOTICE_FAILURES", default=10)
# NIST SP 800-63B: no more than 100 consecutive failures before the account needs another way in.
MUSTER_SIGN_IN_CEILING = min(env.int("MUSTER_SIGN_IN_CEILING", default=100), 100)
# Every sign-in try from one address, right or wrong: bounds password hashing and spraying over many
# accounts, and is generous enough for an agency whose members all sign in from one shared address.
MUSTER_SIGN_IN_TRIES_PER_ADDRESS_MINUTE = env.int("MUSTER_SIGN_IN_TRIES_PER_ADDRESS_MINUTE", default=120)
ACCOUNT_RATE_LIMITS = {
    "login": f"{MUSTER_SIGN_IN_TRIES_PER_ADDRESS_MINUTE}/m/ip",
    # Off: allauth keys it per account (a lock anyone can set off) and per address; it also
    # limits allauth.mfa's codes per account. verification.sign_in_throttle replaces both.
    "login_failed": None,
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
ACCOUNT_ADAPTER = "verification.adapters.MemberAccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Muster] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# The Account page lists a member's signed-in sessions and signs out the others (allauth.usersessions).
# A session is recorded when the member signs in; tracking every request ("last seen") is off, since it
# would write on every page view. Its middleware only does that tracking, so it is not installed.
USERSESSIONS_TRACK_ACTIVITY = False
MFA_TOTP_ISSUER = "Muster"
MFA_FORMS = {
    "authenticate": "verification.adapters.ThrottledAuthenticateForm",
    "reauthenticate": "verification.adapters.ThrottledReauthenticateForm",
}
# Guardian's anonymous user needs a username field; Muster never grants to anonymous.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = True

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
# A relay that accepts and then stalls must not hold a worker (and its row locks) for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Muster <no-reply@muster.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[Muster] "

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production serves hashed, compressed files built by ``collectstatic``; development
# and tests read straight from the source folders.
STATIC_MANIFEST = env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Uploaded files live outside any public URL; they are only ever served by
# permission-checked views.
MEDIA_ROOT = env.path("MUSTER_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media-is-never-served-directly/"

# Security. Production (DEBUG off) passes ``check --deploy --fail-level WARNING``.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("MUSTER_SESSION_AGE_SECONDS", default=60 * 60 * 12)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_PROXY", default=False) else None
)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", "ws:", "wss:"] if not HTTPS else ["'self'", "wss:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# "Hurricanes" and "hurricanes" are one tag.
TAGGIT_CASE_INSENSITIVE = True

# Communities: when true, communities that members (not staff) create wait for staff approval.
MUSTER_COMMUNITY_APPROVAL = env.bool("MUSTER_COMMUNITY_APPROVAL", default=False)

# Uploads: the size limit, and ClamAV's clamd ("host:port" or a Unix socket path; empty: not scanned).
MUSTER_UPLOAD_MAX_BYTES = env.int("MUSTER_UPLOAD_MAX_BYTES", default=25 * 1024 * 1024)
# The largest request body any page accepts (an upload and its form): a larger one is refused from its
# Content-Length without being read (muster/asgi.py; under Daphne, muster/server.py). Each page's own limit is
# smaller (muster/request_limits.py).
MUSTER_REQUEST_MAX_BYTES = MUSTER_UPLOAD_MAX_BYTES + 1024 * 1024
MUSTER_CLAMAV_ADDRESS = env.str("MUSTER_CLAMAV_ADDRESS", default="")

# Chat: the longest message, and how many messages a member may send per window of seconds.
MUSTER_MESSAGE_MAX_CHARS = env.int("MUSTER_MESSAGE_MAX_CHARS", default=4000)
MUSTER_CHAT_RATE = (env.int("MUSTER_CHAT_RATE_COUNT", default=20), env.int("MUSTER_CHAT_RATE_SECONDS", default=10))
# Open sockets re-read their member's access at least this often, in case a change went unannounced.
MUSTER_LIVE_ACCESS_REFRESH_SECONDS = env.float("MUSTER_LIVE_ACCESS_REFRESH_SECONDS", default=60.0)
# Seconds the websockets' database thread keeps its connection open (muster.socket_db).
MUSTER_SOCKET_CONN_MAX_AGE = env.int("MUSTER_SOCKET_CONN_MAX_AGE", default=600)

# Vetting.
# The REST API (docs/api.md): tokens, limits, pages.
MUSTER_API_TOKEN_DAYS = env.int("MUSTER_API_TOKEN_DAYS", default=90)
MUSTER_API_TOKEN_MAX_DAYS = min(env.int("MUSTER_API_TOKEN_MAX_DAYS", default=365), 365)
MUSTER_API_MAX_BODY_BYTES = env.int("MUSTER_API_MAX_BODY_BYTES", default=64 * 1024)
MUSTER_API_MAX_PAGE_SIZE = env.int("MUSTER_API_MAX_PAGE_SIZE", default=100)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsMember", "api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle", "api.throttling.MemberRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("MUSTER_API_TOKEN_RATE", default="600/min"),
        "member": env.str("MUSTER_API_MEMBER_RATE", default="1200/min"),
    },
    "DEFAULT_PAGINATION_CLASS": "api.pagination.QueryCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.MusterAutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Muster API",
    "DESCRIPTION": "Read and post to Muster from your own tools, through the same access rule as the site. "
    "See docs/api.md for tokens, scopes, limits and errors.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

MUSTER_VERIFICATION_DAYS = env.int("MUSTER_VERIFICATION_DAYS", default=365)
MUSTER_SPONSOR_LINK_DAYS = env.int("MUSTER_SPONSOR_LINK_DAYS", default=14)
MUSTER_EXPIRY_REMINDER_DAYS = (30, 7)
# A lapsed member is told once, if the sweep sees the lapse within this window.
MUSTER_EXPIRED_NOTICE_WINDOW_DAYS = 7

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("MUSTER_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
