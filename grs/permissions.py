"""Who may do what, and how far it reaches: one table of role × capability × scope.

Pure rules: they read a user's role, area and flags and a grievance's office, never the database.
Which grievances a user may *see* is a query built on this table (`grs.queries.visible_filter`).
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from .lifecycle import ACTIONS, TRANSITIONS, WORKING
from .timeutil import as_utc, utcnow

if TYPE_CHECKING:
    from .models import Grievance, User


class Scope(enum.Enum):
    """How far a grant reaches."""

    OWN_OFFICE = "own office"  # the cases at the account's own office now
    AREA = "area subtree"      # the cases at an office in the account's area subtree now; pages show that subtree
    VISIBLE = "visible"        # every case the account may see, including those that moved out of its area
    NATIONAL = "national"      # held only by accounts scoped to the whole country


class Capability(enum.StrEnum):
    """What a role may do besides the lifecycle actions (which are capabilities too, by action name)."""

    VIEW_CASES = "view_cases"                # cases that are or were at an office in scope
    SEE_TRIAGE = "see_triage"                # the triage queue: grievances no office holds yet (by their area, if known)
    SEE_SENSITIVE = "see_sensitive"          # sensitive cases; also needs the account's own flag
    SEE_PERSONAL_DATA = "see_personal_data"  # the complainant's name, phone and details
    LODGE = "lodge"                          # lodge on someone's behalf (API, console)
    OPERATOR_CONSOLE = "operator_console"
    SEE_ALL_CALLS = "see_all_calls"          # other operators' call logs
    DASHBOARD = "dashboard"
    ACCOUNTABILITY = "accountability"        # record social accountability activities (forums' facilitators)
    ACCOUNTABILITY_VIEW = "accountability_view"  # read them and their oversight figures
    ADMIN_PAGES = "admin_pages"              # time limits, days off
    MANAGE_ACCOUNTS = "manage_accounts"
    IMPORT = "import"                        # bulk import of paper forms (/cases/import): rows in scope only
    READ_MESSAGES = "read_messages"          # the outbox: what each citizen and office was sent, and what failed


C = Capability
_SEEING = {C.VIEW_CASES: Scope.AREA, C.SEE_SENSITIVE: Scope.AREA}
_WORKING = {**_SEEING, C.SEE_PERSONAL_DATA: Scope.AREA, C.LODGE: Scope.AREA}


def _actions(names, scope: Scope) -> dict[str, Scope]:
    return {name: scope for name in names}


# The one table. A role not listed, or a capability missing from its row, is refused.
GRANTS: dict[str, dict[str, Scope]] = {
    # An officer works the cases of their own office; past cases stay readable, not actionable.
    "officer": {**_WORKING, **_actions(("acknowledge", "start", "request_info", "resume", "extend", "resolve",
                                        "reject", "transfer", "escalate", "close", "reclassify"), Scope.OWN_OFFICE),
                C.IMPORT: Scope.AREA, C.ACCOUNTABILITY_VIEW: Scope.AREA},
    "supervisor": {**_WORKING, C.SEE_TRIAGE: Scope.NATIONAL, C.DASHBOARD: Scope.AREA, C.ACCOUNTABILITY_VIEW: Scope.AREA,
                   C.READ_MESSAGES: Scope.AREA,
                   **_actions(set(ACTIONS) - {"feedback"}, Scope.AREA)},
    "admin": {**_WORKING, C.SEE_TRIAGE: Scope.AREA, C.OPERATOR_CONSOLE: Scope.AREA, C.SEE_ALL_CALLS: Scope.AREA,
              C.DASHBOARD: Scope.AREA, C.ACCOUNTABILITY: Scope.AREA, C.ACCOUNTABILITY_VIEW: Scope.AREA,
              C.ADMIN_PAGES: Scope.AREA, C.READ_MESSAGES: Scope.AREA,
              C.MANAGE_ACCOUNTS: Scope.AREA, C.IMPORT: Scope.AREA, **_actions(ACTIONS, Scope.AREA)},
    # Operators speak for callers: they place triaged complaints and record a caller's answer.
    # Operators type in paper forms from anywhere in the country (a call centre's intake desk).
    "operator": {**_WORKING, C.SEE_TRIAGE: Scope.AREA, C.OPERATOR_CONSOLE: Scope.AREA, C.IMPORT: Scope.VISIBLE,
                 **_actions(("place", "appeal", "feedback", "add_info"), Scope.VISIBLE)},
    "facilitator": {**_SEEING, C.LODGE: Scope.AREA, C.ACCOUNTABILITY: Scope.AREA, C.ACCOUNTABILITY_VIEW: Scope.AREA},
    # Analysts read statistics; they neither handle cases nor reach complainants.
    "analyst": {**_SEEING, C.SEE_TRIAGE: Scope.NATIONAL, C.DASHBOARD: Scope.AREA, C.ACCOUNTABILITY_VIEW: Scope.AREA},
}

# The lifecycle part of the table, per role (scope is checked by `actions_for`).
STAFF_ACTIONS: dict[str, frozenset[str]] = {
    role: frozenset(name for name in grants if name in TRANSITIONS) for role, grants in GRANTS.items()}
# What a citizen may do for their own grievance, by SMS, USSD or the web.
CITIZEN_ACTIONS = frozenset({"appeal", "feedback", "add_info"})
# Where each role starts after signing in (endpoint); the rest start at the inbox.
LANDING = {"operator": "operator.console"}


def scope_path(user: User) -> str:
    """The area path a staff account is limited to (an officer's is its office's area)."""
    if user.office is not None:
        return user.office.area.path
    return user.area.path


def is_national(user: User) -> bool:
    return scope_path(user).count("/") <= 2  # "/BD/" is the root


class StatisticsReach(NamedTuple):
    """What a user's statistics cover, as `grs.statistics.figures` takes it (`**reach._asdict()`)."""

    scope_path: str | None  # None: the whole country
    include_sensitive: bool


def statistics_reach(user: User) -> StatisticsReach:
    """The one answer the API's /stats and the dashboard share: figures for the user's area subtree (national
    accounts: the country, and what no area holds yet), sensitive grievances only with SEE_SENSITIVE."""
    return StatisticsReach(None if is_national(user) else scope_path(user), can(user, C.SEE_SENSITIVE))


def grant(user: User, capability: str) -> Scope | None:
    """The scope of the user's grant for `capability` (a Capability or a lifecycle action), or None."""
    if capability not in TRANSITIONS:
        capability = Capability(capability)  # a misspelt name is an error, not a silent refusal
    scope = GRANTS.get(user.role, {}).get(capability)
    if scope is Scope.NATIONAL and not is_national(user):
        return None
    if capability == C.SEE_SENSITIVE and not user.can_see_sensitive:
        return None
    return scope


def is_appeal(g: Grievance) -> bool:
    """Whether the grievance is an appeal now: on the appeal clock (a complainant's appeal, or a case handed to
    an office's appellate officer when a deadline passed)."""
    return g.clock_kind == "appeal"


def hears_appeals(user: User) -> bool:
    """Whether the account is an appellate officer (users.appellate): an officer of an office whom the appeals
    reaching that office are addressed to. They act on them as the office's officers do (their own office);
    supervisors keep their oversight of the subtree."""
    return bool(user.appellate) and user.role == "officer" and user.office_id is not None


def can(user: User, capability: str) -> bool:
    """Whether the user holds `capability` at all (within its scope)."""
    return grant(user, capability) is not None


def sees_personal_data(user: User) -> bool:
    """Whether the complainant's name, phone and details are shown to this user on what they may see."""
    return can(user, C.SEE_PERSONAL_DATA)


def sees_personal_data_of(user: User, g: Grievance) -> bool:
    """Whether this grievance's personal data (the complainant's details, and the attachments: ID photos,
    payment slips) are shown to this user, who may see the grievance: roles that handle cases, and for a
    sensitive grievance only with the sensitive grant as well. The case page and every download ask this."""
    return sees_personal_data(user) and (not g.sensitive or can(user, C.SEE_SENSITIVE))


def may_see_call(user: User, operator_id: int) -> bool:
    """A call log is its operator's; accounts that see all calls read the others too."""
    return operator_id == user.id or can(user, C.SEE_ALL_CALLS)


def landing_endpoint(user: User) -> str:
    return LANDING.get(user.role, "cases.inbox")


def allowed_actions(status: str, role: str | None, *, in_triage: bool = False) -> list[str]:
    """The actions a role (None = the citizen) may take on a grievance in `status`, in table order.

    A grievance in the triage queue has no office yet: it can only be placed or rejected.
    """
    permitted = CITIZEN_ACTIONS if role is None else STAFF_ACTIONS.get(role, frozenset())
    if in_triage:
        permitted = permitted & {"place", "reject"}
    else:
        permitted = permitted - {"place"}
    return [name for name, t in TRANSITIONS.items() if name in permitted and status in t.sources]


def in_triage_reach(user: User, g: Grievance) -> bool:
    """Whether a grievance of the triage queue (no office yet) lies within the user's triage grant: a national
    grant, or one scoped to the whole country, reaches the whole queue; an area's, only the complaints whose
    area (as far as it is known) lies in its subtree. `grs.queries.visible_filter` is the same rule in SQL."""
    scope = grant(user, C.SEE_TRIAGE)
    if scope is None:
        return False
    if scope is Scope.NATIONAL or is_national(user):
        return True
    return g.area is not None and g.area.path.startswith(scope_path(user))


def may_place_in(user: User, area_path: str) -> bool:
    """Whether the user may route a triaged complaint into the area with this path: within their own subtree
    (an operator of one upazila places its complaints there, not across the country)."""
    return is_national(user) or area_path.startswith(scope_path(user))


def may_lodge_in(user: User, area_path: str | None) -> bool:
    """Whether the user may lodge a complaint on someone's behalf (the API, Open311) from the area with this path
    (None: no area given, for the triage queue): a national account anywhere; one limited to an area only from
    within its subtree, as a bulk import's rows (a union's officer does not fill another upazila's queue)."""
    if grant(user, C.LODGE) is None:
        return False
    if is_national(user):
        return True
    return area_path is not None and area_path.startswith(scope_path(user))


class TransferReach(NamedTuple):
    """The offices a transfer may go to: those whose area lies in `path`, of `tier` when one is named."""

    path: str
    tier: str | None


def transfer_reach(user: User, g: Grievance) -> TransferReach | None:
    """Where this user may transfer this grievance (None: nowhere). An officer hands a case to a neighbouring
    office of the same tier under the same parent area (their supervisor's subtree: the complaint belongs to
    the next union); a supervisor or an admin to any office of their own subtree (a national admin: anywhere).
    The case page's choices and the service's check are `grs.services.actions.transfer_targets`, built on this;
    the start tier of the grievance's category is a floor it adds (a sensitive case stays at its tier)."""
    scope = grant(user, "transfer")
    if g.office is None or not _reaches(user, g, scope):
        return None
    if scope is Scope.OWN_OFFICE:
        home = user.office.area
        return TransferReach((home.parent or home).path, user.office.tier)
    return TransferReach(scope_path(user), None)


def _reaches(user: User, g: Grievance, scope: Scope | None) -> bool:
    if scope is None:
        return False
    if g.office_id is None:
        return in_triage_reach(user, g)  # the triage queue has no office: whoever may see it may work it
    if scope is Scope.OWN_OFFICE:
        return user.office_id == g.office_id
    if scope is Scope.AREA:
        return g.office is not None and g.office.area.path.startswith(scope_path(user))
    return True  # VISIBLE, or NATIONAL held by a national account


def overdue(g: Grievance, now: datetime) -> bool:
    """Whether the resolution deadline in force has passed without a decision (a paused clock is not running)."""
    return (g.status in WORKING and g.due_at is not None and g.paused_at is None
            and as_utc(now) > as_utc(g.due_at))


def answer_window_open(g: Grievance, now: datetime) -> bool:
    """Whether the complainant may still answer a decision (YES, or NO to appeal): then only that answer, the
    sweep at the window's end, or an admin giving a reason closes it."""
    return (g.status in ("resolved", "rejected") and g.feedback_due_at is not None
            and as_utc(now) <= as_utc(g.feedback_due_at))


def timely(name: str, role: str | None, g: Grievance, now: datetime) -> bool:
    """Whether the clock allows `name` now: an undecided grievance is appealed only once overdue; a decision
    is closed by anyone but an admin only after the complainant's answer window."""
    if name == "appeal" and g.status in WORKING:
        return overdue(g, now)
    if name == "close" and role != "admin":
        return not answer_window_open(g, now) and g.review_flagged_at is None
    return True


def actions_for(user: User, g: Grievance, *, visible: bool, now: datetime | None = None) -> list[str]:
    """The lifecycle actions this user may take on this grievance now (empty if none).

    `visible` is `grs.queries.can_view(user, g)`, which the caller has checked (seeing comes first).
    """
    if not visible:
        return []
    now = now if now is not None else utcnow()
    return [name for name in allowed_actions(g.status, user.role, in_triage=g.office_id is None)
            if _reaches(user, g, grant(user, name)) and timely(name, user.role, g, now)]
