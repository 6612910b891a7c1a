"""Staff sign-in and sign-out: hashed passwords (Flask-Login), CSRF on both forms (Flask-WTF)."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from . import ratelimit
from .extensions import db, limiter
from .models import User
from .permissions import landing_endpoint
from .uow import unit_of_work

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

# Compared against when the e-mail is unknown, so a wrong address costs as long as a wrong password
# and response times do not tell which addresses have accounts.
# Made on first use with the configured method (nothing happens on import).
_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("no-such-account", method=method)
    return _DUMMY_HASHES[method]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class LogoutForm(FlaskForm):
    """Only the CSRF token: signing out is a POST so that another site cannot sign a user out."""


def _login_limit() -> str:
    return f"{current_app.config.get('LOGIN_RATE_LIMIT', 10)} per minute"


def is_safe_next(target: str | None) -> bool:
    """True for a path on this site ('/cases/?page=2'); false for other hosts, schemes and '//' tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and not any(ord(c) < 32 for c in target)


def landing_url(user: User) -> str:
    """Where a user goes after signing in: operators to their console when it exists, staff to the inbox."""
    endpoint = landing_endpoint(user)
    return url_for(endpoint if endpoint in current_app.view_functions else "cases.inbox")


def authenticate(email: str, password: str) -> User | None:
    """The active account with this e-mail and password, or None (without saying which part was wrong)."""
    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not user.check_password(password or "") or not user.active:
        return None
    return user


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    next_url = request.values.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else landing_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        # Sign-ins are also counted per account, from any address: guessing one officer's password from many
        # machines stops too, and while the account's count is used up even the right password waits.
        # Counted before the password is checked: one atomic increment, so parallel guesses cannot slip by.
        if not ratelimit.allow("ACCOUNT_LOGIN_RATE_LIMIT", (form.email.data or "").strip().lower()):
            return _too_many(form, next_url)
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            log.info("sign-in user id=%s", user.id)
            return redirect(next_url if is_safe_next(next_url) else landing_url(user))
        log.info("failed sign-in from %s", request.remote_addr)
        form.password.errors = [gettext("Wrong e-mail or password, or the account is disabled.")]
    return render_template("auth/login.html", form=form, next=next_url if is_safe_next(next_url) else None)


def _too_many(form: LoginForm | None = None, next_url: str | None = None):
    form = form or LoginForm()
    form.password.errors = [gettext("Too many sign-in attempts. Wait a few minutes, then try again; an "
                                    "administrator can help if it keeps happening.")]
    return render_template("auth/login.html", form=form,
                           next=next_url if is_safe_next(next_url) else None), 429


@bp.errorhandler(429)
def login_rate_limited(e):
    """The sign-in page again, with the e-mail kept and a message in the page's language, not a bare 429."""
    return _too_many(LoginForm(), request.values.get("next"))


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    if request.method == "POST":  # CSRFProtect has checked the token before we get here
        if current_user.is_authenticated:
            # Every session of the account ends, here and on other devices: a copied session or
            # remember-me cookie is worth nothing after a sign-out.
            with unit_of_work() as uow:
                user = uow.session.get(User, current_user.id)
                if user is not None:
                    user.end_sessions()
        logout_user()
        flash(gettext("You are signed out."), "info")
        return redirect(url_for("auth.login"))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    # A GET only asks: a link or an image on another site must not be able to sign the user out.
    return render_template("auth/logout.html", form=LogoutForm())
