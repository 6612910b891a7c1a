"""Rate limits every process shares: counters in the database (or Redis when configured), the client's
address taken from a configured number of trusted proxies, and the checks views make themselves (per
destination phone, per account, per SMS/USSD number) on the same counters."""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import logging
import threading
import time

import sqlalchemy as sa
from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import Storage
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

from . import phones
from .errors import ValidationError
from .extensions import db, limiter

log = logging.getLogger(__name__)

# The default storage: the app's own database (a table, no new service to run), shared by every worker
# and machine of a deployment. GRS_RATELIMIT_STORAGE_URI=redis://… moves the counters to Redis.
DATABASE_SCHEME = "grsdb"

counters = sa.Table(
    "rate_limit_counters", db.metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False, index=True),  # epoch seconds, as `limits` counts
)

_MAX_KEY = 200
_PURGE_EVERY = 500  # increments per process between deletions of expired windows
_increments = itertools.count(1)


def _stored_key(key: str) -> str:
    # Limit keys carry an address or a phone and the endpoint; the rare long one is kept by its digest.
    return key if len(key) <= _MAX_KEY else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class DatabaseStorage(Storage):
    """A `limits` storage for the fixed-window strategy: one row per key and window, incremented by an
    atomic upsert (SQLite and PostgreSQL), committed on its own connection whatever the request does."""

    STORAGE_SCHEME = [DATABASE_SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return sa.exc.SQLAlchemyError

    @staticmethod
    def _session():
        # A session of its own (not the request's): a counter holds when the request rolls back, and no
        # request transaction waits on it. In the test suite it joins the test's connection by a savepoint.
        return db.session.session_factory()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        key = _stored_key(key)
        insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
        stmt = insert(counters).values(key=key, count=amount, expires_at=now + expiry)
        expired = counters.c.expires_at <= now
        stmt = stmt.on_conflict_do_update(index_elements=[counters.c.key], set_={
            "count": sa.case((expired, amount), else_=counters.c.count + amount),
            "expires_at": sa.case((expired, now + expiry), else_=counters.c.expires_at),
        }).returning(counters.c.count)
        with self._session() as session:
            if db.engine.dialect.name == "postgresql":
                # A counter need not survive a crash of the database: its commit does not wait for the disk.
                # Every callback of a provider increments its address's one row, so with a durable commit
                # they would queue on that row's lock behind one another's WAL flush.
                session.execute(sa.text("SET LOCAL synchronous_commit = off"))
            count = session.execute(stmt).scalar_one()
            if next(_increments) % _PURGE_EVERY == 0:
                session.execute(sa.delete(counters).where(counters.c.expires_at <= now))
            session.commit()
        return int(count)

    def _row(self, key: str):
        with self._session() as session:
            return session.execute(sa.select(counters.c.count, counters.c.expires_at)
                                   .where(counters.c.key == _stored_key(key))).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.count) if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row is not None and row.expires_at > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self._session() as session:
                session.execute(sa.text("SELECT 1"))
            return True
        except sa.exc.SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._session() as session:
            count = session.execute(sa.delete(counters)).rowcount
            session.commit()
        return count

    def clear(self, key: str) -> None:
        with self._session() as session:
            session.execute(sa.delete(counters).where(counters.c.key == _stored_key(key)))
            session.commit()


def init_app(app: Flask) -> None:
    """Bind the limiter to the configured storage, and read client addresses through the trusted proxies."""
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = f"{DATABASE_SCHEME}://"
    # Flask-Limiter keeps `enabled` from the app before when the key is missing: say it for every app.
    app.config.setdefault("RATELIMIT_ENABLED", True)
    hops = int(app.config.get("PROXY_COUNT") or 0)
    if hops < 0:
        raise ValueError("PROXY_COUNT (GRS_PROXY_COUNT) is the number of proxies in front of the app: 0 or more")
    if hops:
        # Only the last `hops` X-Forwarded-For entries were written by our proxies; anything a client put
        # before them is ignored, so a made-up header cannot buy a fresh counter.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0)
    limiter.init_app(app)


def client_address() -> str:
    """The client's address: the peer, or with PROXY_COUNT proxies the address the first of them saw."""
    return request.remote_addr or "unknown"


def _items(setting: str) -> list[RateLimitItem]:
    value = current_app.config.get(setting)
    return list(parse_many(value)) if value else []


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _scope(setting: str, identifiers: tuple[str, ...]) -> tuple[str, ...]:
    # Phones and e-mail addresses are not stored in the counters' keys: a keyed digest of them is.
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, "\x1f".join(identifiers).encode(), hashlib.sha256).hexdigest()[:32]
    return ("grs", setting, digest)


def exhausted(setting: str, *identifiers: str) -> bool:
    """True when the limit the config key `setting` names is used up for `identifiers` (nothing counted)."""
    if not _enabled():
        return False
    scope = _scope(setting, identifiers)
    return not all(limiter.limiter.test(item, *scope) for item in _items(setting))


def spend(setting: str, *identifiers: str) -> None:
    """Count one use of that limit (e.g. a failed sign-in) for `identifiers`."""
    if _enabled():
        for item in _items(setting):
            limiter.limiter.hit(item, *_scope(setting, identifiers))


def allow(setting: str, *identifiers: str) -> bool:
    """Count one use of the limit named by the config key `setting` for `identifiers` (e.g. a phone);
    False when that went over it. One atomic increment per limit, so concurrent requests cannot all pass."""
    if not _enabled():
        return True
    scope = _scope(setting, identifiers)
    return all([limiter.limiter.hit(item, *scope) for item in _items(setting)])


def limit_string(setting: str):
    """A limit provider for @limiter.limit reading a config key when the request comes (tests change it)."""
    return lambda: current_app.config.get(setting) or "1000000 per second"


def receipt_allowed(intake, country: str):
    """The intake (grs.services.Intake), marked to queue no receipt SMS once its phone had its share of
    receipts (RECEIPT_RATE_LIMIT): a stranger's number typed into a form is not texted without end. The
    complaint is kept, and its code shown on the page or in the API's answer, all the same."""
    person = intake.complainant
    if person is None or not person.phone or not intake.queue_receipt:
        return intake
    return intake if may_text(person.phone, country) else dataclasses.replace(intake, queue_receipt=False)


def may_text(raw_phone: str | None, country: str) -> bool:
    """Count a receipt to this phone (as typed) against RECEIPT_RATE_LIMIT: False once it had its share."""
    try:
        phone = phones.normalise(raw_phone, country)
    except ValidationError:
        return True  # the service refuses it with the field's message
    return not phone or allow("RECEIPT_RATE_LIMIT", phone)


# ---------------------------------------------------------------- the providers' callbacks

# A provider's callbacks come from a handful of addresses at the payment day's pace (bench/intake.py: hundreds a
# second). Counting each in the shared store as it comes (Flask-Limiter's way: an upsert and a commit on a
# connection of its own, then a read of the failure count) cost two database round trips and 6 ms of CPU a
# callback, more than recording the message itself (docs/performance.md). The guard below counts them in the
# process and adds its count to the shared one in batches, so a deployment still has one count per address.
SYNC_SECONDS = 0.5  # at most this long between a process's additions to the shared count of an address
SLACK = 100  # ... and at most a hundredth of the limit counted here and not yet there


@dataclasses.dataclass
class _Window:
    total: int = 0  # the shared count at the last addition (this process's share included)
    pending: int = 0  # counted here since
    synced_at: float | None = None  # monotonic; None: never (a window's first callback is added at once)
    ends_at: float = 0.0  # epoch seconds: the shared window's end (as `limits` keeps it)


class CallbackGuard:
    """WEBHOOK_RATE_LIMIT and WEBHOOK_AUTH_FAILURE_LIMIT for a blueprint of provider callbacks, per client address.

    - Every callback counts against WEBHOOK_RATE_LIMIT: here at once, in the shared store (the limiter's: the
      database, or Redis) every SYNC_SECONDS or every limit/SLACK callbacks, whichever comes first; the decision
      is on the shared count as last read plus what this process counted since. What other processes counted
      and did not add yet is missed: with W processes, at most W × (SYNC_SECONDS of traffic, or limit/SLACK) over
      the limit, never under it. A limit under SLACK is added on every callback: exact, as before.
    - A callback refused authentication (403) counts against WEBHOOK_AUTH_FAILURE_LIMIT in the shared store at
      once; the address is refused (429) once it used up that limit, by every process that counted one of its
      failures. A process that counted none learns it at the first failure it sees, so a forger guessing the
      key gets at most one guess more per process than the limit: it does not know which guess would succeed.
      Authenticated callbacks read nothing: the provider's own traffic costs no round trip for this.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}
        self._blocked: dict[str, float] = {}  # failure key -> epoch seconds its window ends

    def check(self) -> None:
        """Before a callback's view: 429 when its address is known to be over either limit."""
        if not _enabled():
            return
        address = client_address()
        now = time.time()
        for item in _items("WEBHOOK_AUTH_FAILURE_LIMIT"):
            if self._blocked.get(self._key("WEBHOOK_AUTH_FAILURE_LIMIT", item, address), 0.0) > now:
                raise _too_many(item)
        for item in _items("WEBHOOK_RATE_LIMIT"):
            if not self._count(self._key("WEBHOOK_RATE_LIMIT", item, address), item):
                raise _too_many(item)

    def after(self, response):
        """After the view: a refused authentication counts at once; over the limit, the answer becomes 429."""
        if response.status_code != 403 or not _enabled():
            return response
        address, storage = client_address(), limiter.storage
        for item in _items("WEBHOOK_AUTH_FAILURE_LIMIT"):
            key = self._key("WEBHOOK_AUTH_FAILURE_LIMIT", item, address)
            count = storage.incr(key, item.get_expiry())
            if count >= item.amount:
                with self._lock:
                    now = time.time()
                    self._blocked = {k: end for k, end in self._blocked.items() if end > now}
                    self._blocked[key] = storage.get_expiry(key)
            if count > item.amount:
                return current_app.make_response(current_app.handle_http_exception(_too_many(item)))
        return response

    @staticmethod
    def _key(setting: str, item: RateLimitItem, address: str) -> str:
        return f"grs/callbacks/{setting}/{address}/{item.amount}/{item.get_expiry()}"

    def _count(self, key: str, item: RateLimitItem) -> bool:
        """Count one callback; False when it goes over the limit (shared count as last read + counted here)."""
        with self._lock:
            now, clock = time.time(), time.monotonic()
            window = self._windows.get(key)
            if window is None or window.ends_at <= now:
                window = self._windows[key] = _Window()
                if len(self._windows) > 10_000:  # addresses long gone: their windows ended
                    self._windows = {k: w for k, w in self._windows.items() if w.ends_at > now or k == key}
            window.pending += 1
            fresh = window.synced_at is None
            if fresh or window.pending >= max(1, item.amount // SLACK) or clock - window.synced_at >= SYNC_SECONDS:
                storage, added = limiter.storage, window.pending
                window.total = storage.incr(key, item.get_expiry(), amount=added)
                if fresh or window.total == added:  # a window new here, or new in the store
                    window.ends_at = storage.get_expiry(key)
                window.pending, window.synced_at = 0, clock
            return window.total + window.pending <= item.amount



def _too_many(item: RateLimitItem) -> TooManyRequests:
    return TooManyRequests(description=str(item))  # rendered as Flask-Limiter's refusals are (grs/http_errors.py)


def guard_callbacks(bp) -> None:
    """Put a blueprint of provider callbacks under the app's CallbackGuard (one per app and process)."""
    def _guard() -> CallbackGuard:
        return current_app.extensions.setdefault("grs_callback_guard", CallbackGuard())

    # Its limits are the guard's: Flask-Limiter skips its requests before resolving any limit.
    limiter.request_filter(lambda: request.blueprint == bp.name)
    bp.before_request(lambda: _guard().check())
    bp.after_request(lambda response: _guard().after(response))
