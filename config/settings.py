"""Hearth settings, read from the environment (see README, "Configuration")."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static

from config import accounts_env

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "hearth-development-only-secret-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

INSTALLED_APPS = [
    "daphne",  # `manage.py runserver` serves ASGI (HTTP and WebSocket): live threads in `make run`
    "channels",
    "unfold",  # the admin's theme (issue 13), before the admin whose templates it replaces
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "axes",
    "cms",
    # Before strawberry_django, so `manage.py export_schema` is Hearth's (it takes no arguments).
    "schema",
    "strawberry_django",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.google",
    "allauth.headless",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into its answer
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
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

DEFAULT_SQLITE_PATH = BASE_DIR / "var" / "hearth.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DATABASE_VENDOR = "sqlite" if DATABASES["default"]["ENGINE"].endswith("sqlite3") else "other"
if DATABASE_VENDOR == "sqlite":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue on the busy timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASE_VENDOR = "postgresql"
    # The statement timeout is the request's time budget in the database.
    timeout_ms = env_int("HEARTH_STATEMENT_TIMEOUT_MS", 10_000)
    DATABASES["default"]["OPTIONS"] = {"options": f"-c statement_timeout={timeout_ms}"}

AUTH_USER_MODEL = "cms.User"
# Password sign-in (the admin) is throttled by django-axes: after HEARTH_ADMIN_LOGIN_FAILURES
# wrong passwords for one username from one address, that pair is refused (429) for
# HEARTH_ADMIN_LOGIN_COOLOFF_MINUTES, even with the right password, and no password is hashed.
# Attempts live in the database (shared by every worker) and are deleted after the cool-off.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend",
                           "django.contrib.auth.backends.ModelBackend",
                           "allauth.account.auth_backends.AuthenticationBackend"]
AXES_FAILURE_LIMIT = env_int("HEARTH_ADMIN_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HEARTH_ADMIN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "schema.http.auth.client_ip"  # the address Hearth's other limits use
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # nothing is stored for a successful sign-in
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first (Django's recommendation): memory-hard, and on these machines half the CPU of
# PBKDF2's 1,000,000 rounds, which every wrong admin password costs. Older hashes still verify
# and are rehashed with Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The site's language: its mails, allauth's pages and mails, the admin (Hearth's own texts in
# locale/, compiled by `manage.py compilemessages`; Django's and allauth's ship compiled).
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en-us")
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rate-limit counters live apart, so a flood of other cache entries cannot cull them.
CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                       "LOCATION": "hearth-ratelimit", "OPTIONS": {"MAX_ENTRIES": 100_000}}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
# Rate-limit counters and quotas may live in a Redis of their own (`noeviction`), apart from the
# caches (`allkeys-lru` with a `maxmemory`): see SECURITY.md.
HEARTH_RATELIMIT_REDIS_URL = os.environ.get("HEARTH_RATELIMIT_REDIS_URL", REDIS_URL)
if HEARTH_RATELIMIT_REDIS_URL:
    CACHES["ratelimit"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                           "LOCATION": HEARTH_RATELIMIT_REDIS_URL, "KEY_PREFIX": "ratelimit"}

# Live threads (issue 14): subscriptions over WebSocket through Django Channels. One process needs
# nothing more; with REDIS_URL every process shares one channel layer, so a write in any process
# reaches the subscribers of every process (each process has one channel in a post's group).
if REDIS_URL:
    CHANNEL_LAYERS = {"default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # BZPOPMIN waits up to 5 s: the socket must wait longer (redis-py's default is 5 s).
        "CONFIG": {"hosts": [{"address": os.environ.get("HEARTH_CHANNEL_LAYER_REDIS_URL",
                                                        REDIS_URL), "socket_timeout": 30}],
                   "prefix": "hearth-live", "capacity": env_int("HEARTH_LIVE_LAYER_CAPACITY", 1000),
                   "expiry": 60, "group_expiry": 86400},
    }}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer",
                                  "CONFIG": {"capacity": env_int("HEARTH_LIVE_LAYER_CAPACITY",
                                                                 1000)}}}
# Limits of the WebSocket endpoint (SECURITY.md): subscriptions per connection and per client IP
# (shared through Redis when REDIS_URL is set), a message's size, how long a connection may wait
# for connection_init, stay without a subscription, or leave a ping unanswered, and how many
# events may wait for a slow reader before it is disconnected.
HEARTH_LIVE_SUBSCRIPTIONS_PER_CONNECTION = env_int("HEARTH_LIVE_SUBSCRIPTIONS_PER_CONNECTION", 20)
HEARTH_LIVE_SUBSCRIPTIONS_PER_IP = env_int("HEARTH_LIVE_SUBSCRIPTIONS_PER_IP", 200)
HEARTH_LIVE_MAX_MESSAGE_BYTES = env_int("HEARTH_LIVE_MAX_MESSAGE_BYTES", 16_384)
HEARTH_LIVE_INIT_TIMEOUT_SECONDS = env_int("HEARTH_LIVE_INIT_TIMEOUT_SECONDS", 10)
HEARTH_LIVE_IDLE_SECONDS = env_int("HEARTH_LIVE_IDLE_SECONDS", 300)
HEARTH_LIVE_PING_SECONDS = env_int("HEARTH_LIVE_PING_SECONDS", 30)
HEARTH_LIVE_PING_TIMEOUT_SECONDS = env_int("HEARTH_LIVE_PING_TIMEOUT_SECONDS", 30)
HEARTH_LIVE_SEND_QUEUE = env_int("HEARTH_LIVE_SEND_QUEUE", 100)

# CORS for JAMstack origins. Credentials only ever go with an explicit list of origins.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_ALLOW_ALL_ORIGINS = "*" in CORS_ALLOWED_ORIGINS
if CORS_ALLOW_ALL_ORIGINS:
    CORS_ALLOWED_ORIGINS = []
CORS_ALLOW_CREDENTIALS = bool(CORS_ALLOWED_ORIGINS)
# GraphQL, and allauth's headless API (a site's own sign-in screens, an app's session token).
CORS_URLS_REGEX = r"^/(graphql/?|_allauth/.*)$"
CORS_ALLOW_HEADERS = ["content-type", "authorization", "x-visitor-token", "if-none-match",
                      "x-csrftoken", "x-session-token"]
CORS_ALLOW_METHODS = ["GET", "POST", "OPTIONS"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Production hardening; `manage.py check --deploy` is clean with DEBUG off and HTTPS in front.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# 1 MB, not 256 KB: the longest comment allowed (65,525 characters) in 4-byte emoji is 262 KB
# of JSON alone, and a valid comment must never be refused for its size.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("HEARTH_MAX_BODY_BYTES", 1024 * 1024)

# Comment rules (the contract's defaults; WordPress's limits, counted in characters).
HEARTH_COMMENT_FLOOD_SECONDS = env_int("HEARTH_COMMENT_FLOOD_SECONDS", 15)
HEARTH_COMMENT_MAX_LINKS = env_int("HEARTH_COMMENT_MAX_LINKS", 2)
# Decides what happens to a new or edited comment (refused, approved, held): see cms/moderation.py.
HEARTH_COMMENT_MODERATOR = os.environ.get("HEARTH_COMMENT_MODERATOR",
                                          "cms.moderation.DefaultCommentModerator")
HEARTH_COMMENT_EDIT_WINDOW_SECONDS = env_int("HEARTH_COMMENT_EDIT_WINDOW_SECONDS", 15 * 60)
# WordPress's "thread_comments_depth": the deepest a reply may sit (a top-level comment has depth
# 0). A reply to a comment at this depth is refused (INVALID, field parentId).
HEARTH_MAX_REPLY_DEPTH = env_int("HEARTH_MAX_REPLY_DEPTH", 10)
HEARTH_TRUSTED_PROXIES = env_list("HEARTH_TRUSTED_PROXIES")
HEARTH_MAX_NAME_LENGTH = 245
HEARTH_MAX_EMAIL_LENGTH = 100
HEARTH_MAX_URL_LENGTH = 200
HEARTH_MAX_COMMENT_LENGTH = 65_525
# A post body in characters: a long essay. Longer bodies are refused (INVALID).
HEARTH_MAX_POST_BODY_LENGTH = env_int("HEARTH_MAX_POST_BODY_LENGTH", 200_000)

# The speed engine: reads planned once per request and run without graphql-core's per-field
# machinery (schema/engine/fast_execution.py), and hot lookups compiled to SQL once per process
# (cms/prepared.py). Off, graphql-core's executor and querysets built per request give the same
# results, slower (CI runs the API tests both ways).
HEARTH_FAST_EXECUTION = env_bool("HEARTH_FAST_EXECUTION", True)
HEARTH_PREPARED_QUERIES = env_bool("HEARTH_PREPARED_QUERIES", True)

# GraphQL limits.
HEARTH_MAX_PAGE_SIZE = 100
HEARTH_DEFAULT_PAGE_SIZE = 20
HEARTH_MAX_QUERY_DEPTH = env_int("HEARTH_MAX_QUERY_DEPTH", 15)
HEARTH_MAX_ALIASES = env_int("HEARTH_MAX_ALIASES", 30)
HEARTH_MAX_TOKENS = env_int("HEARTH_MAX_TOKENS", 2_000)
HEARTH_MAX_NODES = env_int("HEARTH_MAX_NODES", 1_000)
# Top-level fields of one mutation request, fragments included: each is a write with its own
# validation and rendering; real clients send one. Moderators too (they skip only the rate limit).
HEARTH_MAX_MUTATION_FIELDS = env_int("HEARTH_MAX_MUTATION_FIELDS", 5)
# Characters of query text, refused before the lexer (which costs per character) runs. 150,000
# holds the longest comment (65,525 characters) inlined even if every character is escaped as
# two (`\n`, `\"`); larger values belong in variables.
HEARTH_MAX_QUERY_CHARS = env_int("HEARTH_MAX_QUERY_CHARS", 150_000)
# JSON values (objects, lists, keys, strings, numbers...) in a request body or GET's variables:
# graphql-core coerces inputs value by value. A post's tag list is the only list input.
HEARTH_MAX_VARIABLE_VALUES = env_int("HEARTH_MAX_VARIABLE_VALUES", 1_000)
# Selections (fields, fragment spreads, inline fragments) written in a document, fragments once:
# graphql-core compares same-named fields pairwise, so validation time grows with the square of
# this. 200 is twice the largest page the example blog and the demo read (about 90); the worst
# document within it validates in tens of milliseconds.
HEARTH_MAX_SELECTIONS = env_int("HEARTH_MAX_SELECTIONS", 200)
# `__schema` / `__type` fields per operation (each answers with much of the schema).
HEARTH_MAX_INTROSPECTION_FIELDS = env_int("HEARTH_MAX_INTROSPECTION_FIELDS", 2)
HEARTH_INTROSPECTION = env_bool("HEARTH_INTROSPECTION", True)
# Parsed and validated documents kept per process, by estimated bytes
# (schema/core/document_cache.py).
HEARTH_DOCUMENT_CACHE_BYTES = env_int("HEARTH_DOCUMENT_CACHE_BYTES", 8 * 1024 * 1024)

# Publish webhooks: request timeout, attempts before giving up, first retry delay (then x4 each).
HEARTH_WEBHOOK_TIMEOUT_SECONDS = env_int("HEARTH_WEBHOOK_TIMEOUT_SECONDS", 5)
HEARTH_WEBHOOK_MAX_ATTEMPTS = env_int("HEARTH_WEBHOOK_MAX_ATTEMPTS", 5)
HEARTH_WEBHOOK_BACKOFF_SECONDS = env_int("HEARTH_WEBHOOK_BACKOFF_SECONDS", 30)
# Off: endpoints resolving to loopback, private, link-local, multicast or reserved addresses are
# refused (SSRF). On only for a receiver on the same machine or network (development, tests).
HEARTH_WEBHOOK_ALLOW_PRIVATE = env_bool("HEARTH_WEBHOOK_ALLOW_PRIVATE", False)

# Draft preview: how long a preview token works, and the frontend route an admin link opens.
HEARTH_PREVIEW_TOKEN_SECONDS = env_int("HEARTH_PREVIEW_TOKEN_SECONDS", 60 * 60)
# In development the example blog Hearth serves at /blog/ shows the preview out of the box.
HEARTH_PREVIEW_URL = os.environ.get(
    "HEARTH_PREVIEW_URL", "/blog/?slug={slug}&preview={token}" if DEBUG
    else "http://localhost:3000/api/preview?slug={slug}&token={token}")

# CDN caching of anonymous GET queries (s-maxage), and how long persisted queries are kept.
HEARTH_CDN_MAX_AGE = env_int("HEARTH_CDN_MAX_AGE", 60)
# Anonymous reads kept server-side (0 turns it off; on only with REDIS_URL, a cache every process
# shares); writes purge what they change. Bytes: the largest answer kept, and what one client IP
# and everyone together may store per HEARTH_RESULT_CACHE_SECONDS.
HEARTH_RESULT_CACHE_SECONDS = env_int("HEARTH_RESULT_CACHE_SECONDS", 300)
HEARTH_RESULT_CACHE_MAX_ENTRY_BYTES = env_int("HEARTH_RESULT_CACHE_MAX_ENTRY_BYTES", 256 * 1024)
HEARTH_RESULT_CACHE_CALLER_BYTES = env_int("HEARTH_RESULT_CACHE_CALLER_BYTES", 4 * 1024 * 1024)
HEARTH_RESULT_CACHE_TOTAL_BYTES = env_int("HEARTH_RESULT_CACHE_TOTAL_BYTES", 32 * 1024 * 1024)
# Longer query texts (with their variables) are not registered as persisted queries.
HEARTH_MAX_CACHED_QUERY_CHARS = env_int("HEARTH_MAX_CACHED_QUERY_CHARS", 20_000)
# Persisted queries: their life, and the bytes one client IP and everyone together may register
# per life.
HEARTH_PERSISTED_QUERY_SECONDS = env_int("HEARTH_PERSISTED_QUERY_SECONDS", 24 * 3600)
HEARTH_PERSISTED_QUERY_CALLER_BYTES = env_int("HEARTH_PERSISTED_QUERY_CALLER_BYTES", 256 * 1024)
HEARTH_PERSISTED_QUERY_TOTAL_BYTES = env_int("HEARTH_PERSISTED_QUERY_TOTAL_BYTES",
                                             16 * 1024 * 1024)

# Where `manage.py install_playground` puts the self-hosted GraphiQL (never committed).
HEARTH_PLAYGROUND_DIR = Path(
    os.environ.get("HEARTH_PLAYGROUND_DIR", BASE_DIR / "var" / "playground"))

# The editor's desk (issue 13): days a trashed post is kept before `purge_trash` deletes it;
# the admin's theme (django-unfold) and the example blog's stylesheet, which the editor's live
# preview uses (served as /static/blog/style.css).
HEARTH_TRASH_DAYS = env_int("HEARTH_TRASH_DAYS", 30)
STATICFILES_DIRS = [("blog", BASE_DIR / "examples" / "blog")]
UNFOLD = {
    "SITE_TITLE": "Hearth admin",
    "SITE_HEADER": "Hearth",
    "SITE_SUBHEADER": "Content and moderation",
    "SITE_URL": "/",
    "SITE_SYMBOL": "local_fire_department",
    "SHOW_VIEW_ON_SITE": True,
    "COLORS": {"primary": {  # Tailwind's orange: a hearth, not the default purple
        "50": "oklch(98% .016 73.684)", "100": "oklch(95.4% .038 75.164)",
        "200": "oklch(90.1% .076 70.697)", "300": "oklch(83.7% .128 66.29)",
        "400": "oklch(75% .183 55.934)", "500": "oklch(70.5% .213 47.604)",
        "600": "oklch(64.6% .222 41.116)", "700": "oklch(55.3% .195 38.402)",
        "800": "oklch(47% .157 37.304)", "900": "oklch(40.8% .123 38.172)",
        "950": "oklch(26.6% .079 36.259)"}},
    "SIDEBAR": {"show_search": True, "show_all_applications": False},
    "STYLES": [lambda request: static("cms/desk.css")],
}

# Feeds and GraphQL over HTTP (issue 15): the frontend's addresses the Atom feeds link to; the
# trusted documents (persisted-documents.json, `manage.py load_trusted_documents`): the most text
# kept, and whether only they may run (production).
HEARTH_SITE_URL = os.environ.get("HEARTH_SITE_URL", "http://localhost:3000/")
HEARTH_POST_URL = os.environ.get("HEARTH_POST_URL", "http://localhost:3000/posts/{slug}")
HEARTH_TRUSTED_DOCUMENTS_MAX_CHARS = env_int("HEARTH_TRUSTED_DOCUMENTS_MAX_CHARS", 4_000_000)
HEARTH_TRUSTED_DOCUMENTS_ONLY = env_bool("HEARTH_TRUSTED_DOCUMENTS_ONLY", False)

# Per-caller mutation rate limits (requests per window), moderators exempt.
HEARTH_MUTATION_RATE_LIMIT = env_int("HEARTH_MUTATION_RATE_LIMIT", 60)
HEARTH_MUTATION_RATE_WINDOW_SECONDS = env_int("HEARTH_MUTATION_RATE_WINDOW_SECONDS", 60)

# Media: the image library (issue 13). Files go through Django's STORAGES (the file system under
# var/media by default; see README for S3-compatible storage with django-storages). Every name is
# content-addressed, so a file never changes under its URL and may be cached for a year.
MEDIA_ROOT = Path(os.environ.get("HEARTH_MEDIA_ROOT", BASE_DIR / "var" / "media"))
MEDIA_URL = os.environ.get("HEARTH_MEDIA_URL", "/media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Hearth serves MEDIA_URL itself only in development (or when told to); production serves it
# from the web server, a bucket or a CDN.
HEARTH_SERVE_MEDIA = env_bool("HEARTH_SERVE_MEDIA", DEBUG)
HEARTH_IMAGE_MAX_BYTES = env_int("HEARTH_IMAGE_MAX_BYTES", 10 * 1024 * 1024)
HEARTH_IMAGE_MAX_PIXELS = env_int("HEARTH_IMAGE_MAX_PIXELS", 40_000_000)
HEARTH_IMAGE_FORMATS = [f.upper() for f in env_list("HEARTH_IMAGE_FORMATS", "JPEG,PNG,WEBP,GIF")]
HEARTH_IMAGE_WIDTHS = sorted({int(w) for w in env_list("HEARTH_IMAGE_WIDTHS",
                                                      "320,640,960,1280,1920")})
# A multipart upload's whole body: the image and the operation around it. The JSON limit
# (HEARTH_MAX_BODY_BYTES) still bounds the operation's own fields.
HEARTH_UPLOAD_MAX_BODY_BYTES = env_int("HEARTH_UPLOAD_MAX_BODY_BYTES",
                                       HEARTH_IMAGE_MAX_BYTES + 64 * 1024)
# Reader accounts and sign-in with another site (issue 16): django-allauth, its HTML pages under
# /accounts/, its headless API under /_allauth/ and Hearth's GraphQL account mutations. Readers
# sign in with their e-mail address, which they must verify first; a first sign-in through
# another site creates or links an account by an address that site says it verified, never by
# another. See config/accounts.py (the adapters) and README, "Reader accounts".
ACCOUNT_ADAPTER = "config.accounts.ReaderAccountAdapter"
ACCOUNT_USER_DISPLAY = "config.accounts.user_display"
SOCIALACCOUNT_ADAPTER = "config.accounts.ReaderSocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_SIGNUP_FORM_CLASS = "config.account_forms.ReaderSignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Hearth] "
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = accounts_env.providers(os.environ)
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/accounts/profile/"
HEADLESS_FRONTEND_URLS = accounts_env.frontend_urls(os.environ.get("HEARTH_ACCOUNT_SITE_URL", ""))
# What is listed of a reactor (ReactionSummary.reactors): `{slug}` is the account's public slug;
# empty, profileUrl is null.
HEARTH_PROFILE_URL = os.environ.get("HEARTH_PROFILE_URL", "")
# Mutations that send account mail (signUp, requestPasswordReset): per address and
# per client IP, each per HEARTH_ACCOUNT_MAIL_WINDOW_SECONDS.
HEARTH_ACCOUNT_MAIL_PER_ADDRESS = env_int("HEARTH_ACCOUNT_MAIL_PER_ADDRESS", 3)
HEARTH_ACCOUNT_MAIL_PER_IP = env_int("HEARTH_ACCOUNT_MAIL_PER_IP", 20)
HEARTH_ACCOUNT_MAIL_WINDOW_SECONDS = env_int("HEARTH_ACCOUNT_MAIL_WINDOW_SECONDS", 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "hearth": {"handlers": ["console"], "level": "INFO"},
        "strawberry.execution": {"handlers": ["console"], "level": "ERROR"},
    },
}

# E-mail (issue 16): Django's e-mail framework. SMTP when EMAIL_HOST is set; without it the
# console in development (messages printed by the worker), SMTP on localhost:25 in production.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = ("django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST or not DEBUG
                 else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hearth@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in messages: Hearth's own address (unsubscribe, confirm, personal data, admin); posts
# link to HEARTH_POST_URL (feeds, above).
HEARTH_SITE_NAME = os.environ.get("HEARTH_SITE_NAME", "Hearth")
HEARTH_PUBLIC_URL = os.environ.get("HEARTH_PUBLIC_URL", "http://127.0.0.1:8000")
# WordPress's "Email me whenever": anyone posts a comment (to the post's author), a comment is
# held for moderation (to editors and administrators).
HEARTH_NOTIFY_POST_AUTHOR = env_bool("HEARTH_NOTIFY_POST_AUTHOR", True)
HEARTH_NOTIFY_MODERATORS = env_bool("HEARTH_NOTIFY_MODERATORS", True)
HEARTH_MAIL_MAX_ATTEMPTS = env_int("HEARTH_MAIL_MAX_ATTEMPTS", 5)
HEARTH_MAIL_BACKOFF_SECONDS = env_int("HEARTH_MAIL_BACKOFF_SECONDS", 60)
HEARTH_MAIL_KEEP_DAYS = env_int("HEARTH_MAIL_KEEP_DAYS", 30)
# Requests that make Hearth send mail (subscribe, personal-data links, notify-me-of-replies), per
# hour: per account or IP, and everyone together. Confirmation and personal-data links expire.
HEARTH_MAIL_REQUEST_LIMIT = env_int("HEARTH_MAIL_REQUEST_LIMIT", 10)
HEARTH_MAIL_REQUEST_TOTAL_LIMIT = env_int("HEARTH_MAIL_REQUEST_TOTAL_LIMIT", 1000)
HEARTH_MAIL_LINK_SECONDS = env_int("HEARTH_MAIL_LINK_SECONDS", 2 * 24 * 3600)
# Personal data (issue 16): an erased person's comments are "anonymize"d (kept without name,
# e-mail, address, IP) or "remove"d (trashed and emptied; counts follow).
HEARTH_PRIVACY_ERASE_COMMENTS = os.environ.get("HEARTH_PRIVACY_ERASE_COMMENTS", "anonymize")
if HEARTH_PRIVACY_ERASE_COMMENTS not in ("anonymize", "remove"):
    raise ImproperlyConfigured("HEARTH_PRIVACY_ERASE_COMMENTS is anonymize or remove.")
