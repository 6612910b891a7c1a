"""The unit of work: one transaction per request, command or job, opened by the caller of services.

The outermost `with unit_of_work() as uow:` commits when its block ends without an exception and
rolls back when one escapes; blocks opened inside it share its transaction and only flush, or, with
`savepoint=True`, get a savepoint so that one row can fail alone (a bulk import, a hearing's ten
grievances). Services take the `uow` as their first argument and never commit. Side effects that
must not happen unless the transaction holds (files written, caches dropped) are registered with
`uow.after_commit(fn)` and run once the outermost commit succeeded. Settings and per-transaction
caches (time limits, calendars, tier ranks) are resolved once, here, so services read no
`current_app.config` and no `flask.g`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import time

from flask import current_app

from escalation.policy import Policies

from .events import REJECT_REASONS
from .extensions import db
from .notifications import render_with

log = logging.getLogger(__name__)

_KEY = "grs_unit_of_work"


@dataclass(frozen=True)
class Settings:
    """The deployment settings services need, read once from the app config."""

    country: str = "BD"
    languages: tuple[str, ...] = ("en", "bn")
    default_language: str = "en"
    upload_dir: str = "instance/uploads"
    upload_types: dict[str, str] = field(default_factory=lambda: {
        "image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"})
    max_upload_bytes: int = 5 * 1024 * 1024
    feedback_window_days: int = 10
    sms_default_programme: str = "OAA"
    sms_default_category: str = "other"
    ussd_default_language: str = "en"
    password_hash_method: str = "scrypt"
    # The reasons a rejection may give here, in the order offered: the contract's codes (events.REJECT_REASONS),
    # all of them unless the deployment chooses fewer (GRS_REJECT_REASONS).
    reject_reasons: tuple[str, ...] = REJECT_REASONS
    received_max_age_days: int = 60  # older dates received: a supervisor's or admin's entry (RECEIVED_MAX_AGE_DAYS)
    office_hours_end: time | None = None  # after it, or on a day off, the clock starts the next working day

    @classmethod
    def from_config(cls, config) -> "Settings":
        return cls(
            country=config["COUNTRY"],
            languages=tuple(config["LANGUAGES"]),
            default_language=config.get("BABEL_DEFAULT_LOCALE", "en"),
            upload_dir=config["UPLOAD_DIR"],
            upload_types=dict(config["ALLOWED_UPLOAD_TYPES"]),
            max_upload_bytes=int(config["MAX_CONTENT_LENGTH"]),
            feedback_window_days=int(config.get("FEEDBACK_WINDOW_DAYS", 10)),
            sms_default_programme=config.get("SMS_DEFAULT_PROGRAMME", "OAA"),
            sms_default_category=config.get("SMS_DEFAULT_CATEGORY", "other"),
            ussd_default_language=config.get("USSD_DEFAULT_LANGUAGE")
            or config.get("BABEL_DEFAULT_LOCALE", "en"),
            password_hash_method=config.get("PASSWORD_HASH_METHOD", "scrypt"),
            reject_reasons=reject_reasons(config),
            received_max_age_days=int(config.get("RECEIVED_MAX_AGE_DAYS", 60)),
            office_hours_end=office_hours_end(config),
        )


def reject_reasons(config) -> tuple[str, ...]:
    """The configured reject reasons (REJECT_REASONS: a list, or a comma-separated string), checked against
    the contract's codes: ValueError naming an unknown one, so a typo stops the app at start."""
    chosen = config.get("REJECT_REASONS") or REJECT_REASONS
    if isinstance(chosen, str):
        chosen = [v.strip() for v in chosen.split(",") if v.strip()]
    unknown = [c for c in chosen if c not in REJECT_REASONS]
    if unknown:
        raise ValueError(f"REJECT_REASONS: unknown reason code(s) {', '.join(unknown)}; "
                         f"use some of {', '.join(REJECT_REASONS)}")
    return tuple(dict.fromkeys(chosen))


def office_hours_end(config) -> time | None:
    """OFFICE_HOURS_END as a time ("17:00"), None when empty; ValueError for anything else, at start."""
    raw = (config.get("OFFICE_HOURS_END") or "").strip()
    if not raw:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"OFFICE_HOURS_END: {raw!r} is not a time such as 17:00") from None


class UnitOfWork:
    """What one transaction's services share: the session, the settings, caches, after-commit work."""

    def __init__(self, session, settings: Settings, render: Callable[..., str],
                 policies: Policies | None = None):
        self.session = session
        self.settings = settings
        # Message texts (SMS, e-mail) are rendered with the app's templates; passed in, not looked up.
        self.render = render
        self.policies = policies if policies is not None else Policies(session, settings.country)
        self._after_commit: list[Callable[[], None]] = []
        self._on_rollback: list[Callable[[], None]] = []
        # Answers worth keeping for this transaction only (a read that several figures of one page share).
        self.memo: dict = {}

    def after_commit(self, fn: Callable[[], None]) -> None:
        """Run `fn` once the outermost transaction has committed (never if it rolls back)."""
        self._after_commit.append(fn)

    def on_rollback(self, fn: Callable[[], None]) -> None:
        """Run `fn` if the transaction rolls back (to undo work staged outside the database)."""
        self._on_rollback.append(fn)

    def _committed(self) -> None:
        for fn in self._after_commit:
            try:
                fn()
            except Exception:  # the transaction holds; one failed side effect must not hide the rest
                log.exception("after-commit step failed")
        self._after_commit.clear()
        self._on_rollback.clear()

    def _rolled_back(self) -> None:
        for fn in self._on_rollback:
            try:
                fn()
            except Exception:
                log.exception("rollback clean-up failed")
        self._after_commit.clear()
        self._on_rollback.clear()


def _render_with_app(app) -> Callable[..., str]:
    env, languages = app.jinja_env, tuple(app.config["LANGUAGES"])
    return lambda template, language, **context: render_with(env, languages, template, language, **context)


def _replica_unit(session) -> Iterator[UnitOfWork]:
    """A read-only unit of work on the replica's session: never commits, ends in a rollback."""
    app = current_app._get_current_object()
    uow = UnitOfWork(session, Settings.from_config(app.config), _render_with_app(app))
    try:
        yield uow
    finally:
        session.rollback()


def current_uow() -> UnitOfWork | None:
    """The unit of work open on this session, if any (for code that must know it runs inside one)."""
    return db.session.info.get(_KEY)


@contextmanager
def unit_of_work(*, savepoint: bool = False, read_only: bool = False, replica: bool = False,
                 policies: Policies | None = None) -> Iterator[UnitOfWork]:
    """Open (or join) the unit of work: the outermost block commits, inner ones flush or savepoint.

    `read_only` (outermost only) ends in a rollback: a page or an API read never commits. `policies`
    lets a job that runs many short transactions (the sweep) read the limits and calendars once for
    the whole pass. `replica` (with `read_only`): the reads may come from the read replica when one is
    configured (grs.database.read_session); a read that must see this request's own writes never asks it.
    """
    if replica and read_only:
        from .database import read_session

        session = read_session()
        if session is not db.session:
            yield from _replica_unit(session)
            return
    session = db.session
    current: UnitOfWork | None = session.info.get(_KEY)
    if current is not None:
        if not savepoint:
            yield current
            session.flush()
            return
        # SQLAlchemy's own block rolls the savepoint back on any exception, a failed flush included.
        with session.begin_nested():
            yield current
            session.flush()
        return
    app = current_app._get_current_object()
    uow = UnitOfWork(session, Settings.from_config(app.config), _render_with_app(app), policies)
    session.info[_KEY] = uow
    try:
        yield uow
        if read_only:
            session.rollback()
        else:
            session.commit()
    except BaseException:
        session.rollback()
        session.info.pop(_KEY, None)
        uow._rolled_back()
        raise
    session.info.pop(_KEY, None)
    uow._committed()
