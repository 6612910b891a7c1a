"""Settings: defaults, overridden by the instance config, then GRS_* environment variables."""
from __future__ import annotations

import os
import secrets
import time

# Every GRS_* variable the app reads; the value is the Flask config key it fills.
ENV_SETTINGS = {
    "GRS_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "GRS_DATABASE_REPLICA_URL": "DATABASE_REPLICA_URL",  # a read replica for the dashboard, stats, exports
    "GRS_SECRET_KEY": "SECRET_KEY",
    "GRS_SMS_PROVIDER": "SMS_PROVIDER",
    "GRS_AT_USERNAME": "AT_USERNAME",
    "GRS_AT_API_KEY": "AT_API_KEY",
    "GRS_AT_SENDER": "AT_SENDER",
    "GRS_AT_CALLBACK_KEY": "AT_CALLBACK_KEY",
    "GRS_TWILIO_ACCOUNT_SID": "TWILIO_ACCOUNT_SID",
    "GRS_TWILIO_AUTH_TOKEN": "TWILIO_AUTH_TOKEN",
    "GRS_TWILIO_FROM": "TWILIO_FROM",
    "GRS_PUBLIC_URL": "PUBLIC_URL",
    "GRS_COUNTRY": "COUNTRY",
    "GRS_LANGUAGES": "LANGUAGES",  # comma-separated codes, default first; unset: the country pack's languages
    "GRS_UPLOAD_DIR": "UPLOAD_DIR",
    "GRS_MAX_UPLOAD_BYTES": "MAX_CONTENT_LENGTH",
    "GRS_SMS_TIMEOUT_SECONDS": "SMS_TIMEOUT_SECONDS",
    "GRS_TRACK_RATE_LIMIT": "TRACK_RATE_LIMIT",
    "GRS_LOG_LEVEL": "LOG_LEVEL",
    "GRS_LOG_FORMAT": "LOG_FORMAT",  # plain (default) or json: one JSON object per line (grs/logformat.py)
    "GRS_LOGIN_RATE_LIMIT": "LOGIN_RATE_LIMIT",
    "GRS_FEEDBACK_WINDOW_DAYS": "FEEDBACK_WINDOW_DAYS",
    "GRS_SMS_DEFAULT_PROGRAMME": "SMS_DEFAULT_PROGRAMME",
    "GRS_SMS_DEFAULT_CATEGORY": "SMS_DEFAULT_CATEGORY",
    "GRS_USSD_DEFAULT_LANGUAGE": "USSD_DEFAULT_LANGUAGE",
    "GRS_OUTBOX_MAX_ATTEMPTS": "OUTBOX_MAX_ATTEMPTS",
    "GRS_SMTP_HOST": "SMTP_HOST",
    "GRS_SMTP_PORT": "SMTP_PORT",
    "GRS_SMTP_USERNAME": "SMTP_USERNAME",
    "GRS_SMTP_PASSWORD": "SMTP_PASSWORD",
    "GRS_MAIL_FROM": "MAIL_FROM",
    "GRS_SMS_NUMBER": "SMS_NUMBER",
    "GRS_HOTLINE": "HOTLINE",
    "GRS_REJECT_REASONS": "REJECT_REASONS",
    "GRS_RECEIVED_MAX_AGE_DAYS": "RECEIVED_MAX_AGE_DAYS",
    "GRS_OFFICE_HOURS_END": "OFFICE_HOURS_END",
    "GRS_ENV": "ENV",
    "GRS_RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
    "GRS_PROXY_COUNT": "PROXY_COUNT",
    "GRS_LODGE_RATE_LIMIT": "LODGE_RATE_LIMIT",
    "GRS_API_LODGE_RATE_LIMIT": "API_LODGE_RATE_LIMIT",
    "GRS_RECEIPT_RATE_LIMIT": "RECEIPT_RATE_LIMIT",
    "GRS_ACCOUNT_LOGIN_RATE_LIMIT": "ACCOUNT_LOGIN_RATE_LIMIT",
    "GRS_STATUS_LOOKUP_RATE_LIMIT": "STATUS_LOOKUP_RATE_LIMIT",
    "GRS_WEBHOOK_RATE_LIMIT": "WEBHOOK_RATE_LIMIT",
    "GRS_OUTBOX_SMS_RATE_LIMIT": "OUTBOX_SMS_RATE_LIMIT",
    "GRS_WEBHOOK_AUTH_FAILURE_LIMIT": "WEBHOOK_AUTH_FAILURE_LIMIT",
    "GRS_PUBLIC_MAX_UPLOAD_BYTES": "PUBLIC_MAX_UPLOAD_BYTES",
    "GRS_RETENTION_DAYS": "RETENTION_DAYS",  # `grs retention anonymise` without --older-than; unset: off
}
LIST_SETTINGS = {"REJECT_REASONS", "LANGUAGES"}  # comma-separated in the environment
INT_SETTINGS = {"MAX_CONTENT_LENGTH", "SMS_TIMEOUT_SECONDS", "TRACK_RATE_LIMIT", "LOGIN_RATE_LIMIT",
                "FEEDBACK_WINDOW_DAYS", "OUTBOX_MAX_ATTEMPTS", "SMTP_PORT", "PROXY_COUNT", "PUBLIC_MAX_UPLOAD_BYTES",
                "RETENTION_DAYS"}


def defaults(instance_path: str) -> dict:
    """The settings a fresh checkout runs with: SQLite in instance/, console SMS, Bangladesh."""
    return {
        # No well-known default: without GRS_SECRET_KEY the app uses a random key kept in instance/
        # (see instance_secret), so a forgotten setting never means forgeable sessions.
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(instance_path, "grs.sqlite3"),
        # hide_parameters: a database error's message (logged on a 500) must not carry phones or complaint texts.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "SMS_PROVIDER": "console",
        "AT_USERNAME": "sandbox",
        "AT_API_KEY": "",
        "AT_SENDER": "",
        "AT_CALLBACK_KEY": "",
        "TWILIO_ACCOUNT_SID": "",
        "TWILIO_AUTH_TOKEN": "",
        "TWILIO_FROM": "",
        "PUBLIC_URL": "",
        "COUNTRY": "BD",
        "UPLOAD_DIR": os.path.join(instance_path, "uploads"),
        # Attachments: a photo of a paper form or a payment slip, never a video.
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "ALLOWED_UPLOAD_TYPES": {
            "image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf",
        },
        "SMS_TIMEOUT_SECONDS": 10,
        "TRACK_RATE_LIMIT": 30,  # public look-ups per client per minute
        # None: from the pack of COUNTRY (apply_country): its languages, default first (Bangladesh: English,
        # then Bangla), its default language and its time zone.
        "LANGUAGES": None,
        "BABEL_DEFAULT_LOCALE": None,
        "BABEL_DEFAULT_TIMEZONE": None,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        # None = decide from GRS_PUBLIC_URL: secure cookies whenever the app is served over https.
        "SESSION_COOKIE_SECURE": None,
        "REMEMBER_COOKIE_SECURE": None,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "plain",
        "PASSWORD_HASH_METHOD": "scrypt",
        "LOGIN_RATE_LIMIT": 10,  # sign-in attempts per client per minute
        "FEEDBACK_WINDOW_DAYS": 10,  # working days to answer "satisfied?" (or appeal) after a resolution
        # A free-text SMS names no programme or category unless its words do; these are the fallbacks.
        "SMS_DEFAULT_PROGRAMME": None,  # None: the first programme of the pack's reference.json (BD: OAA)
        "SMS_DEFAULT_CATEGORY": "other",
        # None: the pack's default language (Bangladesh: English until a caller chooses, as not every basic
        # phone shows Bangla on a USSD screen).
        "USSD_DEFAULT_LANGUAGE": None,
        "OUTBOX_MAX_ATTEMPTS": 12,
        "SMTP_HOST": "",  # empty: e-mails to officers are logged (console), like SMS in the demo
        "SMTP_PORT": 587,
        "SMTP_USERNAME": "",
        "SMTP_PASSWORD": "",
        "MAIL_FROM": "grs@localhost",
        # The numbers citizens are told to text (short code or long number) and to call. Empty: the pages
        # and texts say "by SMS" / "the hotline" without a number rather than print a wrong one.
        "SMS_NUMBER": "",
        "HOTLINE": "",
        # A paper form, box slip or finding received longer ago than this is entered by a supervisor or an
        # admin: an officer cannot start an old complaint's clock (and so its breach) on their own.
        "RECEIVED_MAX_AGE_DAYS": 60,
        # "HH:MM" local time: a complaint received later, or on a day off, counts as received the next
        # working day (its clock starts then). Empty: off, every complaint's clock starts when it arrives.
        "OFFICE_HOURS_END": "",
        # SQLite only (PostgreSQL uses an advisory lock); None: beside the database file, so that two
        # instances on different databases never compete for one lead.
        "SCHEDULER_LOCK_FILE": None,
        # "production" refuses to start without GRS_SECRET_KEY (a key in instance/ is one machine's only).
        "ENV": "development",
        # Rate limits (docs/operations.md): counters in the database unless RATELIMIT_STORAGE_URI names
        # another store (redis://…); client addresses through PROXY_COUNT trusted proxies (0: none).
        "RATELIMIT_STORAGE_URI": None,
        "PROXY_COUNT": 0,
        "LODGE_RATE_LIMIT": "5 per minute;30 per hour",  # public lodge form, per client address
        "API_LODGE_RATE_LIMIT": "120 per minute",  # API lodges per account
        # Receipts (lodge SMS) per destination phone: over it the complaint is kept and shown, not texted.
        "RECEIPT_RATE_LIMIT": "5 per hour;20 per day",
        "ACCOUNT_LOGIN_RATE_LIMIT": "20 per hour",  # sign-in attempts per account, from any address
        "STATUS_LOOKUP_RATE_LIMIT": "10 per hour",  # SMS STATUS and USSD look-ups per phone number
        "WEBHOOK_RATE_LIMIT": "6000 per minute",  # provider callbacks per client address
        # SMS handed to the provider per second (or minute), shared by every dispatcher of the deployment:
        # the throughput of your provider account or short code, e.g. "20 per second". Empty: no limit of
        # ours (the provider's refusals are retried with back-off).
        "OUTBOX_SMS_RATE_LIMIT": "",
        "WEBHOOK_AUTH_FAILURE_LIMIT": "20 per minute",  # callbacks that fail authentication, per address
        # Attachments from the public (lodge form, answers on the track page); staff keep MAX_CONTENT_LENGTH.
        "PUBLIC_MAX_UPLOAD_BYTES": 2 * 1024 * 1024,
    }


def from_environment(environ=os.environ) -> dict:
    """The GRS_* variables that are set, under their Flask config keys."""
    found = {}
    for var, key in ENV_SETTINGS.items():
        if var in environ and environ[var] != "":
            value = environ[var]
            if key in LIST_SETTINGS:
                found[key] = [v.strip() for v in value.split(",") if v.strip()]
            else:
                found[key] = int(value) if key in INT_SETTINGS else value
    return found


def apply_country(config) -> None:
    """Fill the settings that follow the country pack of COUNTRY and were not set by any layer: LANGUAGES
    (GRS_LANGUAGES as a list of codes is named here), BABEL_DEFAULT_LOCALE, BABEL_DEFAULT_TIMEZONE,
    USSD_DEFAULT_LANGUAGE and SMS_DEFAULT_PROGRAMME. An unknown country or language stops the app here."""
    from .countries import LANGUAGE_NAMES, profile, read_json

    prof = profile(config.get("COUNTRY") or "BD")
    languages = config.get("LANGUAGES")
    default = prof.default_language
    if not languages:
        languages = prof.site_languages
    elif not isinstance(languages, dict):  # codes, the default first
        if isinstance(languages, str):
            languages = [v.strip() for v in languages.split(",") if v.strip()]
        unknown = [lang for lang in languages if lang not in LANGUAGE_NAMES]
        if unknown:
            raise ValueError(f"GRS_LANGUAGES: unknown language(s) {', '.join(unknown)}; "
                             f"use some of {', '.join(LANGUAGE_NAMES)}")
        languages = {lang: LANGUAGE_NAMES[lang] for lang in dict.fromkeys(languages)}
        default = next(iter(languages), default)
    config["LANGUAGES"] = dict(languages)
    if not config.get("BABEL_DEFAULT_LOCALE"):
        config["BABEL_DEFAULT_LOCALE"] = default if default in languages else next(iter(languages))
    if not config.get("BABEL_DEFAULT_TIMEZONE"):
        config["BABEL_DEFAULT_TIMEZONE"] = prof.timezone
    if not config.get("USSD_DEFAULT_LANGUAGE"):
        config["USSD_DEFAULT_LANGUAGE"] = config["BABEL_DEFAULT_LOCALE"]
    if not config.get("SMS_DEFAULT_PROGRAMME"):
        programmes = (read_json(prof.code, "reference.json") or {}).get("programmes") or [{"code": "OAA"}]
        config["SMS_DEFAULT_PROGRAMME"] = programmes[0]["code"]


def is_production(config) -> bool:
    return str(config.get("ENV") or "").strip().lower() == "production"


def secret_key(config, instance_path: str) -> str:
    """The configured key; outside production a random one kept in instance/. In production (GRS_ENV=
    production) a missing or short key stops the app: a key made on one machine signs that machine's
    sessions only, and one made by a forgotten setting is easy to lose or to copy."""
    key = config.get("SECRET_KEY")
    if is_production(config):
        if not key or len(str(key)) < 32:
            raise RuntimeError("GRS_ENV=production needs GRS_SECRET_KEY, at least 32 characters (e.g. python -c "
                               "'import secrets; print(secrets.token_hex(32))'), the same on every machine")
        return key
    return key or instance_secret(instance_path)


def instance_secret(instance_path: str) -> str:
    """The key in instance/secret_key, made once (random, owner-only) by whichever process is first."""
    path = os.path.join(instance_path, "secret_key")
    os.makedirs(instance_path, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    for _ in range(50):  # another worker may have created the file and not yet written it
        with open(path, encoding="ascii") as fh:
            key = fh.read().strip()
        if len(key) >= 32:
            return key
        time.sleep(0.02)
    if len(key) < 32:
        raise RuntimeError(f"{path} is damaged: delete it (signed-in sessions end) or set GRS_SECRET_KEY")
    return key
