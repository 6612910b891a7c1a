"""The access matrix: every route of the app (its own `url_map`) × every role × an object in the actor's
scope, out of it and sensitive → the answer tests/access_matrix.csv expects (how to read and extend it:
that file's header and docs/security.md, "Access matrix").

One test builds the objects once and asks every cell, each request in a savepoint rolled back after it (a
write that succeeds changes nothing the next cell sees), and fails with one list of every mismatch. Besides
the status it checks that no answer is a 500 and that no answer shows a grievance the role may not see
(its tracking code) or a complainant's name the role may not read.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BARMI, BASAN, SADAR
from grs import services as svc
from grs.extensions import db
from grs.models import Attachment, Grievance, SlaPolicy, User
from grs.services.accounts import create_token, create_user
from grs.services.actors import Actor
from grs.tracking import check_digit, display
from grs.uow import unit_of_work

MATRIX = Path(__file__).resolve().parents[1] / "access_matrix.csv"
ROLES = ("anonymous", "citizen", "operator", "officer", "appellate", "supervisor", "facilitator", "analyst",
         "admin")
# The account each staff column signs in as (builders.ACCOUNTS). "appellate": the appellate officer of the
# upazila office an appeal of a union's case goes to (an officer there with users.appellate, issue 12).
ACCOUNT = {"operator": "operator", "officer": "officer_baria", "appellate": "appellate_sadar",
           "supervisor": "supervisor_sadar", "facilitator": "facilitator", "analyst": "analyst", "admin": "admin"}
VARIANTS = ("in", "out", "sens")
# The sensitive case (corruption: the Gazipur district office) is asked by an account of the column's role
# whose area covers that office, without the sensitive right; the accounts marked * are made for this test.
SENS_ACCOUNT = {"officer": "officer_gazipur_plain", "appellate": "officer_gazipur_plain",
                "supervisor": "*supervisor_gazipur_plain", "facilitator": "*facilitator_gazipur"}
EXTRA_ACCOUNTS = {"*supervisor_gazipur_plain": ("supervisor", builders.GAZIPUR),
                  "*facilitator_gazipur": ("facilitator", builders.GAZIPUR)}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
# The grievances each role gets as its object in scope, out of scope and sensitive (keys of Objects.cases).
CASES_FOR = {
    "anonymous": ("baria", "basan", "sens"),
    "citizen": ("baria", "unknown", "sens"),  # out of scope: a well-formed code they do not hold
    "operator": ("baria", "basan", "sens"),
    "officer": ("baria", "basan", "sens"),
    "appellate": ("sadar", "barmi", "sens"),
    "supervisor": ("baria", "barmi", "sens"),
    "facilitator": ("baria", "barmi", "sens"),
    "analyst": ("baria", "basan", "sens"),
    "admin": ("baria", "basan", "sens"),
}
# The grievances whose tracking code no answer to the role may show (but the one it asked for, when allowed),
# and whether the role reads complainants' names at all (those of its hidden grievances never).
HIDDEN = {
    "anonymous": {"baria", "basan", "sadar", "barmi", "sens"},
    "citizen": {"baria", "basan", "sadar", "barmi", "sens"},
    "operator": {"sens"},
    "officer": {"basan", "sadar", "barmi", "sens"},
    "appellate": {"barmi", "sens"},
    "supervisor": {"barmi", "sens"},
    "facilitator": {"barmi", "sens"},
    "analyst": {"sens"},
    "admin": set(),
}
READS_NAMES = {"operator", "officer", "appellate", "supervisor", "admin"}
# URL parameters that name no object: one value each (per rule where it differs).
FIXED = {"fmt": "json", "kind": "csv", "name": "grievances", "digest": "0" * 64, "action": "acknowledge",
         "service_code": "OAA-payment", "token": "no-such-token", "rest": "nowhere", "code": BARIA}
FIXED_FOR = {
    "/accountability/new/<kind>": {"kind": "scorecard"},
    "/accountability/oversight.<fmt>": {"fmt": "csv"},
    "/dashboard/export/<name>.<fmt>": {"fmt": "csv"},
}


# ---------------------------------------------------------------- the file


@dataclass
class Row:
    line: int
    pattern: str
    methods: frozenset[str]
    cells: dict[str, str]
    note: str
    used: bool = False

    @property
    def prefix(self) -> bool:
        return self.pattern.endswith("*")

    def matches(self, rule: str, method: str) -> bool:
        if "*" not in self.methods and method not in self.methods:
            return False
        return rule.startswith(self.pattern[:-1]) if self.prefix else rule == self.pattern


def read_matrix(path: Path = MATRIX) -> list[Row]:
    rows = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = raw.strip()
        if not text or text.startswith("#") or text.startswith("route,"):
            continue
        parts = [p.strip() for p in text.split(",", 2 + len(ROLES))]
        if len(parts) < 2 + len(ROLES):
            raise AssertionError(f"{path.name}:{n}: {len(parts)} columns, want {2 + len(ROLES)} (+ note)")
        note = parts[2 + len(ROLES)] if len(parts) > 2 + len(ROLES) else ""
        rows.append(Row(n, parts[0], frozenset(parts[1].split()), dict(zip(ROLES, parts[2:2 + len(ROLES)])), note))
    return rows


def routes(app) -> list[tuple[str, str]]:
    """(rule, method) for every rule of the app but static files; HEAD and OPTIONS are Flask's own."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        out.extend((rule.rule, m) for m in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return sorted(set(out))


def resolve(rows: list[Row], rule: str, method: str) -> Row | None:
    """The exact row for the rule and method, or else the longest prefix row that covers them (a row naming
    the method before one for every method)."""
    exact = [r for r in rows if not r.prefix and r.matches(rule, method)]
    if exact:
        return exact[0]
    prefixed = [r for r in rows if r.prefix and r.matches(rule, method)]
    if not prefixed:
        return None
    return max(prefixed, key=lambda r: (len(r.pattern), "*" not in r.methods))


def expectation(cell: str, variant: str) -> str:
    """The expected answer in a cell for one object variant: `a` for all, or `in|out|sens`."""
    parts = cell.split("|")
    if len(parts) == 1:
        return parts[0]
    if len(parts) != 3:
        raise AssertionError(f"a cell is one answer or in|out|sens: {cell!r}")
    return parts[VARIANTS.index(variant)]


def is_login(r) -> bool:
    return r.status_code == 302 and "/login" in r.headers.get("Location", "")


def denied(r) -> bool:
    return r.status_code in (401, 403, 404) or is_login(r)


def meets(expected: str, r) -> bool:
    if expected == "login":
        return is_login(r)
    if expected == "deny":
        return denied(r)
    if expected == "ok":
        return not denied(r) and r.status_code not in (405, 500)
    return r.status_code == int(expected) and not is_login(r)


def got(r) -> str:
    return "login" if is_login(r) else str(r.status_code)


def test_every_route_has_an_expectation_and_every_row_a_route(app):
    rows = read_matrix()
    missing = [f"{method} {rule}" for rule, method in routes(app) if resolve(rows, rule, method) is None]
    for rule, method in routes(app):
        row = resolve(rows, rule, method)
        if row:
            row.used = True
    stale = [f"line {r.line}: {' '.join(sorted(r.methods))} {r.pattern}" for r in rows if not r.used]
    assert not missing, "routes with no row in tests/access_matrix.csv (add one):\n  " + "\n  ".join(missing)
    assert not stale, "rows that name no route of the app (remove or correct them):\n  " + "\n  ".join(stale)
    bad = [f"line {r.line} {role}: {cell!r}" for r in rows for role, cell in r.cells.items()
           if not all(re.fullmatch(r"!?(\d{3}|login|ok|deny|-|=)", p) for p in cell.split("|"))]
    assert not bad, "cells that are no answer:\n  " + "\n  ".join(bad)


# ---------------------------------------------------------------- the objects


@dataclass
class Objects:
    cases: dict[str, str] = field(default_factory=dict)          # key → tracking code
    names: dict[str, str] = field(default_factory=dict)          # key → complainant name
    attachments: dict[str, int] = field(default_factory=dict)    # key → attachment id
    records: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, "in"/"out") → id
    single: dict[str, str] = field(default_factory=dict)         # webhook, holiday, policy → id


# key: (area, category); "sens" goes to the Gazipur district office, where only designated officers see it.
CASE_PLACES = {
    "baria": (BARIA, "payment"), "basan": (BASAN, "payment"), "sadar": (SADAR, "payment"),
    "barmi": (BARMI, "payment"), "sens": (BARIA, "corruption"),
}


def story(key: str) -> str:
    return f"Matrixstory of the {key} case"


def _unknown_code() -> str:
    digits = "98765432101"
    return digits + check_digit(digits)


def build(app, world, client, auth) -> Objects:
    o = Objects()
    with app.app_context():
        for n, (key, (area, category)) in enumerate(CASE_PLACES.items()):
            name = f"Matrixname {key.title()}"
            with unit_of_work() as uow:
                g = svc.lodge(uow, svc.Intake(
                    channel="web", programme="OAA", category=category, description=story(key), area=area,
                    language="en", complainant=svc.ComplainantIn(name=name, phone=f"0171555000{n}"),
                    attachments=(svc.AttachmentIn("slip.png", "image/png", PNG),)),
                    actor=Actor.citizen("web"), now=builders.T0)
            o.cases[key], o.names[key] = g.tracking_code, name
            o.attachments[key] = db.session.scalar(sa.select(Attachment.id).where(Attachment.grievance_id == g.id))
        o.single["policy_id"] = str(db.session.scalar(sa.select(sa.func.min(SlaPolicy.id))))
        for key, (role, area) in EXTRA_ACCOUNTS.items():
            builders.run(create_user, f"{key[1:]}@test.grs", builders.PASSWORD, role, area_code=area)
    o.cases["unknown"] = _unknown_code()
    admin = auth("admin")

    def post(path, body, headers=admin):
        r = client.post(path, json=body, headers=headers)
        assert r.status_code == 201, (path, r.get_json())
        body = r.get_json()
        return body["holiday"]["id"] if "holiday" in body else body["id"]

    for variant, area in (("in", BARIA), ("out", BARMI)):
        members = [{"name": "Facilitator", "role": "facilitator", "user_email": world.email("facilitator")}] \
            if variant == "in" else []
        forum = post("/api/v1/forums", {"name": f"Forum {area}", "tier": "union", "ngo": "NGO", "area": area,
                                        "members": members})
        o.records[("forum", variant)] = forum
        common = {"forum_id": forum, "area": area, "held_on": "2026-11-20"}
        scorecard = client.post("/api/v1/scorecards", headers=admin, json={
            **common, "programme": "OAA", "title": "Scorecard", "service_point": "UP",
            "interface_meeting": {"women": 1, "men": 1, "total": 2},
            "groups": [{"name": "Women", "kind": "mixed", "women": 3}], "indicators": ["paid_in_full"],
            "action_plan": [{"title": "Act", "action": "Do", "responsible": "UNO", "due_on": "2026-12-20"}]})
        assert scorecard.status_code == 201, scorecard.get_json()
        o.records[("scorecard", variant)] = scorecard.get_json()["id"]
        o.records[("item", variant)] = scorecard.get_json()["items"][0]["id"]
        audit = client.post("/api/v1/audits", headers=admin, json={
            **common, "programme": "OAA", "title": "Audit", "period_from": "2025-07-01", "period_to": "2025-12-31",
            "findings": [{"title": "Deducted", "finding_type": "unauthorised_deduction"}]})
        hearing = client.post("/api/v1/hearings", headers=admin, json={
            **common, "title": "Hearing", "attendance": {"women": 1, "men": 1, "total": 2},
            "issues": [{"title": "Issue"}]})
        for kind, r in (("audit", audit), ("hearing", hearing)):
            assert r.status_code == 201, r.get_json()
            o.records[(kind, variant)] = r.get_json()["id"]
            o.records[(f"{kind}_item", variant)] = r.get_json()["items"][0]["id"]
        o.records[("scorecard_item", variant)] = o.records[("item", variant)]
    o.records[("call", "in")] = post("/api/v1/calls", {"phone": "01812345678"}, auth("operator"))
    o.records[("call", "out")] = post("/api/v1/calls", {"phone": "01812345679"}, admin)
    o.single["sub_id"] = str(post("/api/v1/webhooks", {"url": "https://mis.example.org/hook", "events": ["lodged"]}))
    o.single["holiday_id"] = str(post("/api/v1/holidays", {"day": "2026-12-20", "name": "Matrix day"}))
    return o


ACTIVITY_FOR = {"/accountability/<int:activity_id>/team": "audit"}  # the part only an audit has
QUERY = {"/accountability/<int:activity_id>/scores": "group=providers"}
RECORD_KIND = {"/api/v1/audits/": "audit", "/api/v1/hearings/": "hearing", "/api/v1/scorecards/": "scorecard"}


def fill(rule: str, method: str, role: str, variant: str, o: Objects) -> tuple[str, str | None] | None:
    """The URL for this role and object variant, and the grievance key it names (None if none); None when the
    rule's object has no such variant."""
    params = re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule)
    values, case = {}, None
    object_params = [p for p in params if p not in FIXED or (p == "code" and not rule.startswith(
        ("/areas/", "/api/v1/areas/")))]
    if not object_params and (variant == "sens" or variant == "out" and (rule, method) not in BODY_VARIANTS):
        return None
    for p in params:
        if p in ("code", "service_request_id", "attachment_id") and p in object_params:
            case = CASES_FOR[role][VARIANTS.index(variant)]
            if p == "attachment_id":
                if case not in o.attachments:
                    return None
                values[p] = o.attachments[case]
            else:
                values[p] = o.cases[case]
        elif p in ("activity_id", "forum_id", "item_id", "record_id", "call_id"):
            kind = {"activity_id": ACTIVITY_FOR.get(rule, "scorecard"), "forum_id": "forum", "item_id": "item",
                    "call_id": "call"}.get(p) or next(k for prefix, k in RECORD_KIND.items() if rule.startswith(prefix))
            if (kind, variant) not in o.records:
                return None
            values[p] = o.records[(kind, variant)]
        elif p in o.single:
            if variant != "in":
                return None
            values[p] = o.single[p]
        else:
            values[p] = FIXED_FOR.get(rule, {}).get(p, FIXED[p])
    url = rule
    for p in params:
        url = re.sub(rf"<(?:[a-z]+:)?{p}>", str(values[p]), url, count=1)
    if rule in QUERY:
        url += "?" + QUERY[rule]
    return url, case


# ---------------------------------------------------------------- asking

# Writes whose body is checked before the caller's rights get a body that passes the check, so that the answer
# is the rights' (web forms and the rest: an empty body; a 400/422 there still counts as "allowed").
def _record_lodge(kind):
    return lambda o, role, v: {"item_id": o.records[(f"{kind}_item", v)], "category": "payment"}


def _common(o, role, v):
    """A record for the forum in scope (Baria, whose members include the facilitator) or out (Barmi)."""
    return {"forum_id": o.records[("forum", v)], "area": CASE_PLACES["baria" if v == "in" else "barmi"][0],
            "held_on": "2026-11-20"}


def _lodge(o, role, v):
    """A complaint from the area of the role's grievance in scope, or of the one out of it."""
    area = CASE_PLACES.get(CASES_FOR[role][VARIANTS.index(v)], CASE_PLACES["baria"])[0]
    return {"channel": "api", "programme": "OAA", "category": "payment", "area": area,
            "description": "Matrix lodge", "complainant": {"name": "Matrix caller", "phone": "01815550001"}}


BODY = {
    ("/api/v1/grievances", "POST"): _lodge,
    ("/open311/v2/requests.<fmt>", "POST"): lambda o, role, v: {
        "service_code": "OAA-payment", "description": "Matrix lodge", "address_id": _lodge(o, role, v)["area"]},
    ("/api/v1/grievances/<code>/actions", "POST"): lambda o, role, v: {"action": "acknowledge", "note": "matrix"},
    ("/api/v1/forums", "POST"): lambda o, role, v: {
        "name": "Matrix forum", "tier": "union", "ngo": "NGO", "area": _common(o, role, v)["area"]},
    ("/api/v1/scorecards", "POST"): lambda o, role, v: {
        **_common(o, role, v), "programme": "OAA", "title": "Scorecard", "service_point": "UP",
        "interface_meeting": {"women": 1, "men": 1, "total": 2}, "groups": [{"name": "W", "women": 3}],
        "indicators": ["paid_in_full"]},
    ("/api/v1/audits", "POST"): lambda o, role, v: {
        **_common(o, role, v), "programme": "OAA", "title": "Audit", "period_from": "2025-07-01",
        "period_to": "2025-12-31"},
    ("/api/v1/hearings", "POST"): lambda o, role, v: {
        **_common(o, role, v), "title": "Hearing", "attendance": {"women": 1, "men": 1, "total": 2}},
    ("/api/v1/audits/<record_id>/grievances", "POST"): _record_lodge("audit"),
    ("/api/v1/hearings/<record_id>/grievances", "POST"): _record_lodge("hearing"),
    ("/api/v1/scorecards/<record_id>/grievances", "POST"): _record_lodge("scorecard"),
}
# Writes without an object in the URL whose body names an area or a forum: asked in scope and out of it.
BODY_VARIANTS = {("/api/v1/grievances", "POST"), ("/open311/v2/requests.<fmt>", "POST"), ("/api/v1/forums", "POST"),
                 ("/api/v1/scorecards", "POST"), ("/api/v1/audits", "POST"), ("/api/v1/hearings", "POST")}


def account(role: str, variant: str) -> str | None:
    """The account (a builders.ACCOUNTS key, or * one made here) asking as this role for this object variant."""
    if role not in ACCOUNT:
        return None
    return SENS_ACCOUNT.get(role, ACCOUNT[role]) if variant == "sens" else ACCOUNT[role]


def _email(key: str) -> str:
    return f"{key[1:]}@test.grs" if key.startswith("*") else f"{key}@test.grs"


class Asker:
    def __init__(self, app, o: Objects):
        from flask_login import FlaskLoginClient

        self.app, self.o = app, o
        self.conn = db._app_engines[app][None]  # the test's connection (tests/conftest.py `app`)
        keys = {account(role, v) for role in ROLES for v in VARIANTS} - {None}
        self.tokens, self.users = {}, {}
        with app.app_context():
            for key in keys:
                self.tokens[key] = builders.run(create_token, _email(key))
                self.users[key] = db.session.scalar(sa.select(User.id).where(User.email == _email(key)))
        self.login_client = FlaskLoginClient

    def client(self, key: str | None):
        if key is not None:
            self.app.test_client_class = self.login_client
            with self.app.app_context():
                return self.app.test_client(user=db.session.get(User, self.users[key]))
        self.app.test_client_class = None
        return self.app.test_client()

    def ask(self, rule: str, method: str, url: str, role: str, variant: str):
        headers, kw = {}, {}
        api, open311 = rule.startswith("/api/"), rule.startswith("/open311/")
        key = account(role, variant)
        token = self.tokens.get(key)
        if api and token:
            headers["Authorization"] = f"Bearer {token}"
        if method in ("POST", "PUT", "PATCH"):
            body = BODY.get((rule, method))
            body = body(self.o, role, variant) if body else {}
            if api:
                kw["json"] = body
            else:
                kw["data"] = {**body, "api_key": token} if open311 and token else body
        elif open311 and token:
            url += ("&" if "?" in url else "?") + f"api_key={token}"
        client = self.client(None if api or open311 or rule.startswith("/hooks/") else key)
        savepoint = self.conn.begin_nested()
        try:
            return client.open(url, method=method, headers=headers, **kw)
        finally:
            savepoint.rollback()


def leaks(body: str, role: str, variant: str, asked: str | None, allowed: bool, o: Objects) -> list[str]:
    """What the answer shows that the role may not see: of a grievance hidden from it, its code (but the one
    it asked for, which it typed), its story and its complainant's name; a name only to roles that read them."""
    found = []
    # The sensitive case is asked by another account of the role (SENS_ACCOUNT): it must not see that one.
    hidden = {"sens"} if variant == "sens" and role in SENS_ACCOUNT else HIDDEN[role]
    for key in hidden:
        if key == asked and allowed:
            continue  # the one it asked for, and may see (a citizen's own grievance)
        code = o.cases[key]
        if key != asked and (code in body or display(code) in body):
            found.append(f"code of {key}")
        if story(key) in body:
            found.append(f"story of {key}")
    for key, name in o.names.items():
        if name in body and (role not in READS_NAMES or key in hidden):
            found.append(f"name of {key}")
    return found


def run_matrix(app, world, client, auth) -> tuple[list[str], list[str], int]:
    rows = read_matrix()
    o = build(app, world, client, auth)
    asker = Asker(app, o)
    wrong, holes, asked = [], [], 0
    for rule, method in routes(app):
        row = resolve(rows, rule, method)
        if row is None:
            wrong.append(f"{method} {rule}: no row in the file")
            continue
        for role in ROLES:
            cell = row.cells[role]
            if cell == "=":
                continue  # the citizen off the track pages: an anonymous visitor, asked in that column
            for variant in VARIANTS:
                filled = fill(rule, method, role, variant, o)
                if filled is None:
                    continue
                url, case = filled
                expected = expectation(cell, variant)
                if expected == "-":
                    continue
                hole = expected.startswith("!")
                expected = expected.lstrip("!")
                r = asker.ask(rule, method, url, role, variant)
                asked += 1
                if RECORD is not None:
                    RECORD.setdefault((rule, method), {}).setdefault(role, {})[variant] = got(r)
                problems = []
                if r.status_code >= 500:
                    problems.append("a server error")
                elif not meets(expected, r):
                    problems.append(f"expected {expected}, got {got(r)}")
                if method == "GET" and r.status_code < 500:
                    body = r.get_data().decode("utf-8", "replace")
                    shown = leaks(body, role, variant, case, meets(expected, r) and not denied(r), o)
                    if shown:
                        problems.append("shows " + ", ".join(sorted(shown)))
                line = f"{method} {url} [{rule}] as {role} ({variant}, line {row.line}): {'; '.join(problems)}"
                if problems and hole:
                    holes.append(f"{line} -- {row.note}")
                elif problems:
                    wrong.append(line)
                elif hole:
                    wrong.append(f"{method} {url} [{rule}] as {role} ({variant}, line {row.line}): the hole is "
                                 f"closed ({got(r)}): drop the ! from the cell")
    wrong += controls(asker, o)
    return wrong, holes, asked


RECORD = {} if os.environ.get("GRS_MATRIX_RECORD") else None


def _dump() -> None:
    """GRS_MATRIX_RECORD=path: what each cell answered, as rows to start a new route's row from."""
    with open(os.environ["GRS_MATRIX_RECORD"], "w", encoding="utf-8") as out:
        for (rule, method), by_role in sorted(RECORD.items()):
            cells = []
            for role in ROLES:
                seen = by_role.get(role, {})
                values = [seen.get(v, "-") for v in VARIANTS]
                cells.append(values[0] if len(set(values) - {"-"}) <= 1 and values[0] != "-" else "|".join(values))
            out.write(f"{rule}, {method}, " + ", ".join(cells) + "\n")


def controls(asker: Asker, o: Objects) -> list[str]:
    """The body checks are not vacuous: what a role may see is there to be found where it may see it."""
    expect = [  # (role, url, texts that must be in the answer)
        ("officer", "/cases/?status=all", [display(o.cases["baria"])]),
        ("officer", f"/cases/{o.cases['baria']}", [story("baria"), o.names["baria"]]),
        ("analyst", f"/cases/{o.cases['basan']}", [story("basan")]),
        ("admin", f"/cases/{o.cases['sens']}", [story("sens"), o.names["sens"]]),
        ("admin", f"/api/v1/grievances/{o.cases['sens']}", [o.names["sens"]]),
    ]
    missing = []
    for role, url, texts in expect:
        rule = "/api/" if url.startswith("/api/") else "/cases/"
        body = asker.ask(rule, "GET", url, role, "in").get_data(as_text=True)
        missing += [f"{role} GET {url}: {t!r} not shown" for t in texts if t not in body]
    return missing


def _check(app, world, client, auth):
    wrong, holes, asked = run_matrix(app, world, client, auth)
    if RECORD is not None:
        _dump()
    if os.environ.get("GRS_MATRIX_VERBOSE"):
        print(f"{asked} requests")
    assert not wrong, f"{len(wrong)} of {asked} cells differ from tests/access_matrix.csv:\n  " + "\n  ".join(wrong)
    if holes:
        pytest.xfail(f"{len(holes)} known holes (cells marked !):\n  " + "\n  ".join(holes))


def test_the_access_matrix_holds(app, world, client, auth):
    _check(app, world, client, auth)


@pytest.mark.slow
@pytest.mark.pg_only
def test_the_access_matrix_holds_on_postgresql(app, world, client, auth):
    _check(app, world, client, auth)


# ---------------------------------------------------------------- the holes the matrix found, each closed


LODGE = {"channel": "api", "programme": "OAA", "category": "payment", "description": "My allowance was not paid.",
         "complainant": {"name": "Rahima Begum", "phone": "01712345678"}}


@pytest.mark.parametrize("who, area, status", [
    ("officer_baria", BARIA, 201), ("officer_baria", BASAN, 403), ("officer_baria", None, 403),
    ("facilitator", BARIA, 201), ("facilitator", BARMI, 403),
    ("supervisor_sadar", BASAN, 201), ("supervisor_sadar", BARMI, 403),
    ("operator", BARMI, 201), ("operator", None, 201),
])
def test_an_account_lodges_on_the_api_only_from_its_own_area(app, world, client, auth, who, area, status):
    """A union's officer could lodge complaints from any area of the country through the API (and Open311),
    filling other offices' queues; LODGE reaches the account's area, as a bulk import's rows do."""
    body = {**LODGE, **({"area": area} if area else {})}
    r = client.post("/api/v1/grievances", json=body, headers=auth(who))
    assert r.status_code == status, r.get_json()
    if status == 403:
        assert "own area" in r.get_json()["error"]["message"]
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 0


@pytest.mark.parametrize("who, area, status", [("officer_baria", BASAN, 403), ("officer_baria", BARIA, 201),
                                               ("admin", BARMI, 201)])
def test_an_open311_api_key_lodges_only_from_its_accounts_area(app, world, client, auth, who, area, status):
    key = auth(who)["Authorization"].split()[1]
    r = client.post("/open311/v2/requests.json", data={"api_key": key, "service_code": "OAA-payment",
                                                       "description": "Not paid.", "address_id": area})
    assert r.status_code == status, r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == (status == 201)


def test_an_empty_correction_of_an_accountability_record_is_refused_not_a_server_error(app, world, client, auth,
                                                                                       client_as):
    """POST /accountability/<id>/edit with no fields was a 500: the missing area was flushed (NOT NULL) by the
    next check's query before the errors were raised."""
    forum = client.post("/api/v1/forums", headers=auth("admin"), json={
        "name": "Forum", "tier": "union", "ngo": "NGO", "area": BARIA,
        "members": [{"name": "F", "role": "facilitator", "user_email": world.email("facilitator")}]})
    hearing = client.post("/api/v1/hearings", headers=auth("admin"), json={
        "forum_id": forum.get_json()["id"], "area": BARIA, "held_on": "2026-11-20", "title": "Hearing",
        "attendance": {"women": 1, "men": 1, "total": 2}})
    activity = hearing.get_json()["id"]
    r = client_as("facilitator").post(f"/accountability/{activity}/edit", data={})
    assert r.status_code == 422
    shown = client.get(f"/api/v1/hearings/{activity}", headers=auth("admin")).get_json()
    assert shown["title"] == "Hearing" and shown["area"] == BARIA
