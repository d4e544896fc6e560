"""Chapterhouse settings: one file, read from environment variables.

Every variable is listed in `.env.example`. An integration turns on when its
variable is set (DATABASE_URL → PostgreSQL, REDIS_URL → Redis cache and channel
layer, EMAIL_URL/EMAIL_HOST → SMTP); without them everything runs embedded.
"""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets the classes that django-stubs makes generic be subscripted at run time too
# (forms.BaseFormSet[F], admin.TabularInline[M, P]). django-tasks depends on it.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("CHAPTERHOUSE_TESTING", False)
# With a known key anyone can forge sessions, password-reset and email-confirmation
# links: outside debug and the test suite the app server refuses to start without a
# real one (config/secret_key.py, called by asgi.py and wsgi.py).
DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-change-me-" + "x" * 30
SECRET_KEY = env("SECRET_KEY") or (DEVELOPMENT_SECRET_KEY if DEBUG or TESTING else "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")
SITE_NAME = env("SITE_NAME", "Chapterhouse")
SITE_ID = 1

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "treebeard",
    "channels",
    "django_htmx",
    "django_tasks",
    # Before django_tasks_db: its `db_worker` (with leases) replaces django-tasks-db's.
    "chapterhouse.worker",
    "django_tasks_db",
    # Django REST framework is used, not installed as an app: the API renders JSON only,
    # so its templates, static files and template tags serve nothing here, and the
    # template engine imports every installed app's tags in every worker (its tags
    # bring requests, PyYAML and Pygments, 8 MB; chapterhouse/tests/test_memory.py).
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    # Anymail, its checks imported when they run (config/anymail.py says why).
    "chapterhouse.config.anymail.AnymailConfig",
    "chapterhouse.places",
    "chapterhouse.chapters",
    "chapterhouse.members",
    "chapterhouse.notifications",
    "chapterhouse.audit",
    "chapterhouse.decisions",
    "chapterhouse.discussions",
    "chapterhouse.announcements",
    "chapterhouse.documents",
    "chapterhouse.conversations",
    "chapterhouse.inbound",
    "chapterhouse.chat",
    "chapterhouse.projects",
    "chapterhouse.mutualaid",
    "chapterhouse.polls",
    "chapterhouse.resources",
    "chapterhouse.events",
    "chapterhouse.blogs",
    "chapterhouse.moderation",
    "chapterhouse.activity",
    "chapterhouse.search",
    "chapterhouse.api",
    "chapterhouse.ops",
    "chapterhouse.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, holding a logout whatever the cache keeps (members.sessions).
    "chapterhouse.members.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "chapterhouse.members.middleware.PresenceMiddleware",
]

ROOT_URLCONF = "chapterhouse.config.urls"
WSGI_APPLICATION = "chapterhouse.config.wsgi.application"
ASGI_APPLICATION = "chapterhouse.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chapterhouse.members.context_processors.member",
                "chapterhouse.notifications.context_processors.unread",
                "chapterhouse.conversations.context_processors.unread",
                "chapterhouse.lib.pagecache.context",
            ],
            # `{% load chapterhouse %}` (the markdown filter); lib is not an app.
            "libraries": {"chapterhouse": "chapterhouse.lib.templatetags.chapterhouse"},
        },
    },
]

# Chapter pages for signed-out visitors are served from the cache for this long
# (chapterhouse.lib.pagecache); 0 turns it off. Off in tests unless a test sets it.
ANONYMOUS_PAGE_CACHE_SECONDS = int(env("ANONYMOUS_PAGE_CACHE_SECONDS", "0" if TESTING else "30"))
# The same for members: the page is kept per kind of visitor (belongs to the chapter,
# facilitates it…) with each member's own parts put in (lib.pagecache); 0 turns it off.
MEMBER_PAGE_CACHE_SECONDS = int(env("MEMBER_PAGE_CACHE_SECONDS", "0" if TESTING else "30"))

# Database: SQLite (WAL) by default, PostgreSQL when DATABASE_URL is set.
DATA_DIR = Path(env("DATA_DIR", str(PROJECT_DIR / "var")))
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'chapterhouse.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
elif DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool(
    "DATABASE_POOL", not TESTING
):
    # PostgreSQL: a pool of open connections per process (psycopg_pool). Opening a
    # connection costs more than rendering a chapter page, and under ASGI each request
    # runs in its own thread, so CONN_MAX_AGE would leave connections behind instead
    # of reusing them. The pool replaces CONN_MAX_AGE (Django refuses both). Off in
    # the test suite: its concurrency tests hold more connections at once than a pool.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(env("DATABASE_POOL_MIN_SIZE", "2")),
        "max_size": int(env("DATABASE_POOL_MAX_SIZE", "10")),
        # A request waits this long for a free connection, then fails (a 500).
        "timeout": float(env("DATABASE_POOL_TIMEOUT", "10")),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and real-time fan-out: local memory by default, Redis when REDIS_URL is set.
REDIS_URL = env("REDIS_URL")
# The longest chat message, in characters (chat.services.clean_text).
CHAT_MESSAGE_MAX_LENGTH = int(env("CHAT_MESSAGE_MAX_LENGTH", "4000"))
# Redis down, cut off or hung costs a request at most one wait of REDIS_TIMEOUT seconds;
# after a failure each process skips Redis for REDIS_RETRY_AFTER seconds (lib.cache).
REDIS_TIMEOUT = float(env("REDIS_TIMEOUT", "0.5"))
REDIS_RETRY_AFTER = float(env("REDIS_RETRY_AFTER", "5"))
# Without REDIS_URL (the in-memory channel layer, one per process), the notices socket
# polls the database this often for notices the task worker stored (notifications.consumers);
# 0 turns it off. With Redis it never polls.
LIVE_POLL_SECONDS = float(env("LIVE_POLL_SECONDS", "5"))
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis unreachable is a cache miss, not an error: pages keep working.
            "BACKEND": "chapterhouse.lib.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "chapterhouse"),
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
            "RETRY_AFTER": REDIS_RETRY_AFTER,
            # Rate limits and throttles keep counting in the database meanwhile.
            "FALLBACK": "fallback",
        },
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "members_fallback_cache",  # members.FallbackCacheEntry
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "chapterhouse"),
            # Counters live minutes; culling one would forget a count, so cull late.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
    }
    # Sessions are read from Redis and written through to the database: a signed-in
    # request saves a query, and with Redis down they are read from the database. A
    # logout holds even if Redis keeps a copy (members.sessions).
    SESSION_ENGINE = "chapterhouse.members.sessions"
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{
                    "address": REDIS_URL,
                    "socket_connect_timeout": REDIS_TIMEOUT,
                    # Above the layer's 5 s blocking receive; senders in pages are
                    # bounded by REDIS_TIMEOUT themselves (lib.realtime).
                    "socket_timeout": 5 + REDIS_TIMEOUT,
                }],
                "prefix": env("CACHE_KEY_PREFIX", "chapterhouse"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Background work: Django's Tasks API. Database-backed queue by default (an outbox:
# enqueued in the same transaction as the action); immediate in tests.
TASKS = {
    "default": {
        "BACKEND": env(
            "TASKS_BACKEND",
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend",
        ),
        "QUEUES": ["default", "email"],
    }
}
# The worker (manage.py db_worker, chapterhouse.worker) holds a lease on the task it
# runs and renews it every third of this; a task whose worker stopped renewing (killed,
# frozen, its machine lost) is queued again by any worker after this long, and at most
# half of it later. A task whose workers died TASK_MAX_CLAIMS times is marked failed.
TASK_LEASE_SECONDS = float(env("TASK_LEASE_SECONDS", "60"))
TASK_MAX_CLAIMS = int(env("TASK_MAX_CLAIMS", "5"))

# Accounts
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # django-rules, with the rules handed a lib.interface.Viewer.
    "chapterhouse.lib.interface.ViewerPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_SIGNUP_FORM_CLASS = "chapterhouse.members.forms.SignupForm"
ACCOUNT_FORMS = {"signup": "chapterhouse.members.signup.AtomicSignupForm"}
ACCOUNT_ADAPTER = "chapterhouse.members.adapters.AccountAdapter"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    # Answers to a survey by its public link (chapterhouse.polls), per client address.
    "survey_answer": env("SURVEY_ANSWER_RATE", "10/h/ip"),
}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# API tokens (members.ApiToken) end after this many days, or earlier: revoked, a new
# password, a new second factor.
API_TOKEN_DAYS = int(env("API_TOKEN_DAYS", "90"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# Email: console in development, a file backend if EMAIL_FILE_PATH is set, SMTP if EMAIL_HOST is.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Chapterhouse <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif env("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Seconds any one step of an SMTP exchange may take (connect, greeting, each command):
# a hung mail server costs the worker this long, then its emails wait for a retry.
EMAIL_TIMEOUT = float(env("EMAIL_TIMEOUT", "10"))
# Seconds to wait before each retry of an email that could not be sent (1 min, 5 min,
# 30 min, 2 h, 12 h, 24 h); when they run out the email is given up as not delivered
# (the member's notice and the admin say so).
EMAIL_RETRY_DELAYS = [
    float(delay) for delay in env_list("EMAIL_RETRY_DELAYS", "60,300,1800,7200,43200,86400")
]

# Replying by email (chapterhouse.inbound, README-reply-by-email.md): notice emails
# about something one can answer carry a signed Reply-To at this domain, and mail to it
# is posted as its author. Empty: off (no Reply-To, inbound mail refused).
REPLY_DOMAIN = env("REPLY_DOMAIN")
# Replies a member may post by email per hour; more are refused until the hour passes.
REPLY_RATE_PER_HOUR = int(env("REPLY_RATE_PER_HOUR", "30"))
# The largest inbound message accepted, in bytes (attachments are not kept).
REPLY_MAX_MESSAGE_BYTES = int(env("REPLY_MAX_MESSAGE_BYTES", str(10 * 1024 * 1024)))
# Where `manage.py receive_mail` listens (LMTP by default; --smtp for SMTP).
RECEIVE_MAIL_HOST = env("RECEIVE_MAIL_HOST", "127.0.0.1")
RECEIVE_MAIL_PORT = int(env("RECEIVE_MAIL_PORT", "8025"))
# An email provider's inbound webhook (django-anymail, at /anymail/<provider>/inbound/):
# the basic-auth secret in the webhook URL ("user:password") and, for Mailgun, the
# key its requests are signed with. Only the variables of the provider used are needed.
ANYMAIL = {
    key: value for key, value in {
        "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET"),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env("ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY"),
        "MAILGUN_API_KEY": env("ANYMAIL_MAILGUN_API_KEY"),
        "POSTMARK_SERVER_TOKEN": env("ANYMAIL_POSTMARK_SERVER_TOKEN"),
        "SENDGRID_API_KEY": env("ANYMAIL_SENDGRID_API_KEY"),
    }.items() if value
}

# Internationalisation
LANGUAGE_CODE = "en"
# Adding a language: README, "Adding a language". Arabic is written right to left.
LANGUAGES = [
    ("en", _("English")), ("es", _("Spanish")), ("fr", _("French")), ("pt", _("Portuguese")),
    ("de", _("German")), ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates without "p.m." (chapterhouse/formats/en/formats.py says why).
FORMAT_MODULE_PATH = ["chapterhouse.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# Static and uploaded files, served by WhiteNoise (static) and by the app (media) in the demo.
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "media")))
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
# Where `manage.py backup` writes its archives unless told (--dir). Copy them off the
# machine: a backup on the same disk is lost with it.
BACKUP_DIR = Path(env("BACKUP_DIR", str(DATA_DIR / "backups")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
AVATAR_MAX_BYTES = int(env("AVATAR_MAX_BYTES", str(2 * 1024 * 1024)))
# Files only their readers may fetch (private messages' images): never under MEDIA_ROOT,
# which is served to anyone; the app serves them after a permission check.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(DATA_DIR / "private")))
if PRIVATE_MEDIA_ROOT.resolve().is_relative_to(MEDIA_ROOT.resolve()):
    raise ImproperlyConfigured(
        f"PRIVATE_MEDIA_ROOT ({PRIVATE_MEDIA_ROOT}) is inside MEDIA_ROOT ({MEDIA_ROOT}), "
        "which is served to anyone: private messages' images would be public. "
        "Set PRIVATE_MEDIA_ROOT to a directory outside MEDIA_ROOT.")

# Private messages (chapterhouse.conversations).
MESSAGE_MAX_CHARS = int(env("MESSAGE_MAX_CHARS", "10000"))
MESSAGE_MAX_PARTICIPANTS = int(env("MESSAGE_MAX_PARTICIPANTS", "20"))
MESSAGE_IMAGE_MAX_BYTES = int(env("MESSAGE_IMAGE_MAX_BYTES", str(4 * 1024 * 1024)))
# Accounts younger than this many days start at most so many conversations an hour.
MESSAGE_NEW_ACCOUNT_DAYS = int(env("MESSAGE_NEW_ACCOUNT_DAYS", "3"))
MESSAGE_NEW_ACCOUNT_CONVERSATIONS_PER_HOUR = int(
    env("MESSAGE_NEW_ACCOUNT_CONVERSATIONS_PER_HOUR", "3")
)

# A chapter's library (chapterhouse.resources): the largest file a member may upload.
# Files go under PRIVATE_MEDIA_ROOT and are served after a permission check.
RESOURCE_FILE_MAX_BYTES = int(env("RESOURCE_FILE_MAX_BYTES", str(10 * 1024 * 1024)))

# Maps: the tile URL is configurable; empty means markers on a plain background.
MAP_TILE_URL = env("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env(
    "MAP_TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors"
)

# Security headers and the Content Security Policy (no unsafe-inline).
_tile_origin = ""
if MAP_TILE_URL.startswith("http"):
    from urllib.parse import urlsplit

    _split = urlsplit(MAP_TILE_URL.replace("{s}", "a"))
    _tile_origin = f"{_split.scheme}://{_split.netloc.replace('a.', '*.', 1)}"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"] + ([_tile_origin] if _tile_origin else []),
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool(
    "SECURE_SSL_REDIRECT", not DEBUG and not TESTING and env_bool("HTTPS", False)
)
SESSION_COOKIE_SECURE = env_bool("HTTPS", False)
CSRF_COOKIE_SECURE = env_bool("HTTPS", False)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
# Behind our own reverse proxies the client's address is the one the outermost of
# them appended to X-Forwarded-For; otherwise the header is the client's to forge and
# is never read (chapterhouse.lib.clientip, for every throttle and rate limit).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "1")) if BEHIND_PROXY else 0
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# REST API
REST_FRAMEWORK = {
    # Token first: a request without credentials then gets 401 + WWW-Authenticate: Token.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "chapterhouse.members.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    # JSON only: DRF's browsable pages use inline styles our CSP refuses; /api/docs/ browses.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's JSON parser, refusing deep nesting with a 400 (not a RecursionError's 500).
    "DEFAULT_PARSER_CLASSES": [
        "chapterhouse.lib.jsonparser.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.NamespaceVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_VERSION": "v1",  # the schema and docs (outside /api/v1/) describe v1
    "DEFAULT_PAGINATION_CLASS": "chapterhouse.api.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "chapterhouse.api.throttling.AnonRateThrottle",
        "chapterhouse.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
    # DRF's default (None) takes X-Forwarded-For as sent, whoever sent it.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Chapterhouse API",
    "DESCRIPTION": "Members, chapters, your own profile, proposals, ballots, decisions, "
                   "private messages, chat rooms, your notifications, events "
                   "and blogs.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # Named, so that another serializer's field "kind" does not collide with it.
    "ENUM_NAME_OVERRIDES": {
        "NotificationKindEnum": "chapterhouse.notifications.models.Kind",
        "AmendmentKindEnum": "chapterhouse.decisions.models.Amendment.Kind",
        # projects, mutual aid (issue #17)
        "GroupKindEnum": "chapterhouse.projects.models.Group.Kind",
        "TaskStatusEnum": "chapterhouse.projects.models.Task.Status",
        "AidEntryKindEnum": "chapterhouse.mutualaid.models.EntryKind",
        "AidEntryStatusEnum": "chapterhouse.mutualaid.models.Status",
        "AidCategoryEnum": "chapterhouse.mutualaid.models.Category",
        "GroupJoiningEnum": "chapterhouse.projects.models.Group.Joining",
        "ResourceVisibilityEnum": "chapterhouse.resources.models.Visibility",
        "LessonTopicEnum": "chapterhouse.resources.models.Topic",
        # A proposal's, named as before the others came.
        "StatusEnum": "chapterhouse.decisions.models.Proposal.Status",
        "EventAnswerEnum": "chapterhouse.events.models.Answer",
        "EventReplyEnum": "chapterhouse.events.api.REPLIES",
        # polls, moderation, documents (issue #18)
        "PollKindEnum": "chapterhouse.polls.models.PollKind",
        "PollQuestionKindEnum": "chapterhouse.polls.models.QuestionKind",
        "DocumentKindEnum": "chapterhouse.documents.models.Kind",
        "ModerationActionKindEnum": "chapterhouse.moderation.models.Action.Kind",
        "ModerationRoleEnum": "chapterhouse.moderation.models.Action.Role",
        # A decision's, named as before an appeal's outcome came.
        "OutcomeEnum": "chapterhouse.decisions.models.records.Decision.Outcome",
        "AppealOutcomeEnum": "chapterhouse.moderation.models.Appeal.Outcome",
        "ModerationDecisionEnum": "chapterhouse.moderation.serializers.DECISIONS",
        "AppealDecisionEnum": "chapterhouse.moderation.serializers.APPEAL_DECISIONS",
    },
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "chapterhouse.api.schema.document_errors",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}
