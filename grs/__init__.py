"""GRS: grievance redress and social accountability for social protection programmes."""
from __future__ import annotations

import importlib
import logging
import os

from flask import Flask

from . import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Blueprint modules, each exposing `bp`; the order is the order of registration.
BLUEPRINTS = (
    "grs.health",
    "grs.auth",  # /login, /logout
    "channels.web.views",  # citizen pages: /, /grievances/new, /track
    "channels.web.open_data",  # /public/open-data/grievances.csv: depersonalised open data
    "channels.web.public_stats",  # /public/stats: public figures, small counts suppressed
    "grs.staff.views",  # /cases/
    "grs.staff.imports",  # /cases/import: paper forms and complaint-box slips
    "grs.admin.views",  # /admin/: time-limit policies, holidays
    "grs.dashboard.views",  # /dashboard/: statistics for analysts, supervisors and admins
    "grs.api.views",  # /api/v1
    "channels.sms.views",  # /hooks/sms/...
    "channels.ussd.views",  # /hooks/ussd/...
    "channels.operator.views",  # /operator/
    "channels.open311.views",  # /open311/v2: Open311 GeoReport v2
    "social_audit.views",  # /accountability/: forums, scorecards, social audits, hearings
    "social_audit.api",  # /api/v1/forums, scorecards, audits, hearings
)
# Blueprints whose every request authenticates itself (API bearer tokens; SMS and USSD providers' secrets
# and signatures) rather than by a session cookie: no form to forge, and providers cannot send our token.
CSRF_EXEMPT = ("grs.api.views", "social_audit.api", "channels.sms.views", "channels.ussd.views",
               "channels.open311.views")


def create_app(test_config: dict | None = None) -> Flask:
    """The application: defaults, then instance/config.py, then GRS_* variables, then test_config."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("GRS_INSTANCE_PATH") or os.path.join(ROOT, "instance"),
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    app.config.from_mapping(config.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(config.from_environment())
    if test_config:
        app.config.update(test_config)
    config.apply_country(app.config)  # languages, default locale, time zone from the country's pack
    app.config["SECRET_KEY"] = config.secret_key(app.config, app.instance_path)  # production: set, or no start
    from .uow import office_hours_end, reject_reasons
    reject_reasons(app.config)  # a reason code the contract does not have stops the app here, not at a rejection
    office_hours_end(app.config)  # likewise an office-hours end that is not a time
    served_over_tls = str(app.config.get("PUBLIC_URL") or "").startswith("https://")
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        if app.config.get(key) is None:
            app.config[key] = served_over_tls
    register_logging(app)
    register_extensions(app)
    register_i18n(app)
    register_contact_numbers(app)
    register_blueprints(app)
    register_errors(app)
    register_security_headers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    from . import logformat

    logformat.configure(app)  # plain text, or JSON lines with GRS_LOG_FORMAT=json; request ids
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per job run drowns the rest


def register_extensions(app: Flask) -> None:
    from .database import configure_engine, configure_replica, end_sessions_safely
    from . import ratelimit
    from .extensions import csrf, db, login_manager, migrate

    configure_engine(app)
    db.init_app(app)
    configure_replica(app)
    end_sessions_safely(app)  # a database restart during teardown is not a 500
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    ratelimit.init_app(app)  # shared counters (database or Redis), client addresses through trusted proxies
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    from . import models
    import social_audit.models  # noqa: F401  forums and their activities share the one schema

    @login_manager.user_loader
    def load_user(user_id: str):
        # "id:session_version" (User.get_id), in the session and the remember-me cookie: signing out,
        # a new password or deactivation bump the version, and every cookie issued before stops working.
        return models.User.from_session_id(db.session, user_id)


def register_i18n(app: Flask) -> None:
    from .i18n import init_i18n

    init_i18n(app)


def register_contact_numbers(app: Flask) -> None:
    # Jinja globals, so every page and every message template (rendered by jobs too, without a request)
    # can say which number to text or call; a template's own context still wins.
    app.jinja_env.globals.update(sms_number=str(app.config.get("SMS_NUMBER") or "").strip(),
                                 hotline=str(app.config.get("HOTLINE") or "").strip())


def register_blueprints(app: Flask) -> None:
    from .extensions import csrf

    for name in BLUEPRINTS:
        module = importlib.import_module(name)
        if name in CSRF_EXEMPT:
            csrf.exempt(module.bp)
        app.register_blueprint(module.bp)


def register_errors(app: Flask) -> None:
    from .http_errors import init_error_handlers

    init_error_handlers(app)


def register_security_headers(app: Flask) -> None:
    from .security_headers import init_security_headers

    init_security_headers(app)  # CSP, no framing, no-store on personal data: grs/security_headers.py


def register_commands(app: Flask) -> None:
    from .cli import init_commands

    init_commands(app)
