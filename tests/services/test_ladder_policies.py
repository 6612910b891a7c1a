"""The two shipped ladder policies (escalation/policies/*.json), walked from a union office to the final
review, table by table: every deadline is checked against a hand computation.

The calendar is Bangladesh's: Friday and Saturday off, and the `holidays` package's 2026 days in the
range: 17 Mar (Laylat al-Qadr, a Tuesday), 20-23 Mar (Eid al-Fitr; 22 and 23 Mar are Sunday and
Monday), 26 Mar (Independence Day, a Thursday), 14 Apr (Bengali New Year, a Tuesday), 1 May (a
Friday anyway), 28-30 May (Eid al-Adha; 28 May is a Thursday). T0 is Sunday 1 Mar 2026, 10:00 in Dhaka.
"""
import json
import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from escalation.admin import load_policies
from escalation.sweep import sweep
from grs import services as svc
from grs.errors import InvalidTransition, ValidationError
from grs.extensions import db
from grs.models import OutboxMessage, SlaPolicy
from grs.services.actors import Actor
from grs.uow import unit_of_work

DHAKA = ZoneInfo("Asia/Dhaka")
MINUTE = timedelta(minutes=1)
POLICIES = os.path.join(os.path.dirname(__file__), "..", "..", "escalation", "policies")
UNION, UPAZILA, DISTRICT, NATIONAL = "OFF-BD-UN-2869", "OFF-BD-UPZ-320", "OFF-BD-DIS-41", "BD-NATIONAL"


def end_of(d: date) -> datetime:
    """A deadline: the end of a local day in Dhaka (as a UTC instant)."""
    return datetime.combine(d, time(23, 59, 59), tzinfo=DHAKA).astimezone(T0.tzinfo)


def at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour), tzinfo=DHAKA).astimezone(T0.tzinfo)


def load(name: str, tmp_path=None) -> None:
    path = name if os.path.isabs(name) else os.path.join(POLICIES, name)
    with unit_of_work() as uow:
        load_policies(uow, path, replace=True, actor=Actor.system("test"), now=T0)


def reload(code: str):
    db.session.expire_all()
    return builders.find(code)


def feedback_no(code: str, now: datetime):
    return builders.run(svc.act, code, svc.ActionRequest("feedback", satisfied=False),
                        actor=Actor.citizen("sms"), now=now)


# Each step: (what, who, when, arguments, expected). `expect` names the office, clock and due day the
# grievance has afterwards, or the error the step raises. Hand computations in the comments count the
# working days after the start's own day.
BD_GRS = [
    # Lodged Sun 1 Mar: GRO 30 working days: Mar 2-5 (4), 8-12 (9), 15-16, 18-19 (13; 17 off), 24-25 (15;
    # 20-23 and 26 off), 29-31 (18), Apr 1-2 (20), 5-9 (25), 12-13, 15-16 (29; 14 off), Sun 19 Apr (30).
    # Acknowledgement 2: Tue 3 Mar.
    ("lodge", None, T0, {}, {"office": UNION, "clock": "grievance", "ack": date(2026, 3, 3), "due": date(2026, 4, 19)}),
    ("acknowledge", "officer_baria", at(date(2026, 3, 2)), {}, {"ack": None, "due": date(2026, 4, 19)}),
    # The extension needs its reason (the investigation)...
    ("extend", "officer_baria", at(date(2026, 3, 5)), {}, {"error": ValidationError}),
    # ...and adds 10 once, from the base limit: Apr 20-23 (4), 26-30 (9), Sun 3 May (10).
    ("extend", "officer_baria", at(date(2026, 3, 5)), {"note": "Field investigation of the payment lists."},
     {"office": UNION, "clock": "grievance", "due": date(2026, 5, 3)}),
    ("extend", "officer_baria", at(date(2026, 3, 8)), {"note": "Again."}, {"error": InvalidTransition}),
    # Breach: to the appellate officer one tier up on the appeal clock of 20, from Mon 4 May 00:00:59:
    # May 5-7 (3), 10-14 (8), 17-21 (13), 24-27 (17; 28 off), 31 (18), Jun 1-2 (20). Ack: Wed 6 May.
    ("sweep", None, end_of(date(2026, 5, 3)) + MINUTE, {},
     {"office": UPAZILA, "clock": "appeal", "ack": date(2026, 5, 6), "due": date(2026, 6, 2), "appeals": 1}),
    ("acknowledge", "appellate_sadar", at(date(2026, 5, 4)), {}, {"ack": None}),
    # The appeal clock allows no extension (extension_days 0): refused, with a reason or not.
    ("extend", "appellate_sadar", at(date(2026, 5, 5)), {"note": "More time."}, {"error": InvalidTransition}),
    ("resolve", "appellate_sadar", at(date(2026, 5, 10)), {"decision": "upheld", "resolution": "Arrears paid."},
     {"office": UPAZILA, "status": "resolved"}),
    # One appeal level: the complainant's NO goes to the final review (the national cell), not one tier up.
    ("no", None, at(date(2026, 5, 11)), {}, {"office": UPAZILA, "review": True}),
]

# The appellate officer misses the appeal clock too: the GRS sends it to the national cell's review list.
BD_GRS_APPEAL_MISSED = BD_GRS[:2] + [
    ("sweep", None, end_of(date(2026, 4, 19)) + MINUTE, {},
     # 20 from Mon 20 Apr 00:00:59: Apr 21-23 (3), 26-30 (8), May 3-7 (13), 10-14 (18), 17-18 (20).
     {"office": UPAZILA, "clock": "appeal", "due": date(2026, 5, 18), "appeals": 1, "review": False}),
    ("sweep", None, end_of(date(2026, 5, 18)) + MINUTE, {},
     {"office": UPAZILA, "clock": "appeal", "review": True, "flagged": True}),
    # A second pass does nothing more: flagged once, told once.
    ("sweep", None, end_of(date(2026, 5, 20)), {}, {"office": UPAZILA, "review": True, "told": 1}),
]

LOCAL_REDRESS = [
    # Lodged Sun 1 Mar: 7 working days: Mar 2-5 (4), 8-10 (7). Acknowledgement: Tue 3 Mar.
    ("lodge", None, T0, {}, {"office": UNION, "clock": "grievance", "ack": date(2026, 3, 3), "due": date(2026, 3, 10)}),
    ("acknowledge", "officer_baria", at(date(2026, 3, 2)), {}, {"ack": None}),
    ("extend", "officer_baria", at(date(2026, 3, 4)), {}, {"error": ValidationError}),
    # +10 from Tue 10 Mar: 11-12 (2), 15-16 (4; 17 off), 18-19 (6), 24-25 (8; 20-23 off), 29-30 (10).
    ("extend", "officer_baria", at(date(2026, 3, 4)), {"note": "Waiting for the bank's statement."},
     {"office": UNION, "due": date(2026, 3, 30)}),
    # Breach: the next tier on a fresh grievance clock of 7 from Tue 31 Mar 00:00:59: Apr 1-2 (2), 5-9 (7).
    ("sweep", None, end_of(date(2026, 3, 30)) + MINUTE, {},
     {"office": UPAZILA, "clock": "grievance", "due": date(2026, 4, 9), "appeals": 0}),
    ("resolve", "officer_sadar", at(date(2026, 4, 5)), {"decision": "upheld", "resolution": "Arrears paid."},
     {"status": "resolved"}),
    # NO: an appeal to the district on the appeal clock of 20 from Mon 6 Apr: Apr 7-9 (3), 12-13, 15-16 (7;
    # 14 off), 19-23 (12), 26-30 (17), May 3-5 (20).
    ("no", None, at(date(2026, 4, 6)), {}, {"office": DISTRICT, "clock": "appeal", "due": date(2026, 5, 5), "appeals": 1}),
    ("resolve", "officer_gazipur", at(date(2026, 5, 4)), {"decision": "upheld", "resolution": "Paid again."},
     {"status": "resolved"}),
    # Appeals go on up to national: 20 from Tue 5 May: May 6-7 (2), 10-14 (7), 17-21 (12), 24-27 (16; 28 off),
    # 31 (17), Jun 1-3 (20).
    ("no", None, at(date(2026, 5, 5)), {}, {"office": NATIONAL, "clock": "appeal", "due": date(2026, 6, 3), "appeals": 2}),
    ("resolve", "officer_national", at(date(2026, 6, 1)), {"decision": "not_upheld", "resolution": "Reviewed."},
     {"status": "resolved"}),
    ("no", None, at(date(2026, 6, 2)), {}, {"office": NATIONAL, "review": True}),
]


def walk(world, steps) -> str:
    code = None
    for what, who, when, kw, expect in steps:
        def do():
            nonlocal code
            if what == "lodge":
                code = builders.lodge(BARIA, now=when).tracking_code
            elif what == "sweep":
                sweep(when)
            elif what == "no":
                feedback_no(code, when)
            else:
                builders.act(world, who, code, what, now=when, **kw)
        label = f"{what} at {when.isoformat()}"
        if "error" in expect:
            with pytest.raises(expect["error"]):
                do()
            continue
        do()
        g = reload(code)
        if "office" in expect:
            assert g.office.code == expect["office"], label
        if "clock" in expect:
            assert g.clock_kind == expect["clock"], label
        if "due" in expect:
            assert g.due_at == end_of(expect["due"]), label
        if "ack" in expect:
            assert g.ack_due_at == (end_of(expect["ack"]) if expect["ack"] else None), label
        if "appeals" in expect:
            assert g.appeal_count == expect["appeals"], label
        if "status" in expect:
            assert g.status == expect["status"], label
        if "review" in expect:
            assert (g.review_flagged_at is not None) == expect["review"], label
        if "flagged" in expect:
            assert g.overdue_flagged == expect["flagged"], label
            flagged = [e for e in g.events if e.type == "flagged_overdue"]
            assert flagged and flagged[-1].data == {"national_review": True}, label
        if "told" in expect:
            told = [m for m in db.session.scalars(sa.select(OutboxMessage).where(
                OutboxMessage.grievance_id == g.id, OutboxMessage.template == "overdue_review"))]
            assert len(told) == expect["told"] and "national review" in told[0].body, label
    return code


@pytest.mark.parametrize("policy_file, steps", [("bd-grs.json", BD_GRS), ("bd-grs.json", BD_GRS_APPEAL_MISSED),
                                                ("local-redress.json", LOCAL_REDRESS)],
                         ids=["bd-grs", "bd-grs-appeal-missed", "local-redress"])
def test_a_union_grievance_walks_the_ladder(app, world, policy_file, steps):
    with app.app_context():
        load(policy_file)
        code = walk(world, steps)  # each step's expectations are asserted as it is taken
        # Every walk ends with a decision or a flag the office must answer for, never silently dropped.
        g = reload(code)
        assert g.review_flagged_at is not None or g.overdue_flagged, (g.status, g.office.code)


def test_the_warning_falls_warn_days_working_days_before_the_due_day(app, world):
    # bd-grs, extended to Sun 3 May: warned at the end of Wed 29 Apr (Thu 30 Apr is 1 back, Wed 2).
    with app.app_context():
        load("bd-grs.json")
        code = walk(world, BD_GRS[:2] + BD_GRS[3:4])
        assert not sweep(end_of(date(2026, 4, 29)) - MINUTE).warned
        assert sweep(end_of(date(2026, 4, 29)) + MINUTE).warned == [code]


def test_calendar_day_limits_and_a_flag_policy(app, world, tmp_path):
    # 21 calendar days from Sun 1 Mar: the end of Sun 22 Mar, an Eid holiday, all the same; a breach
    # flags the grievance and it stays at the union office.
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps({"policies": [
        {"tier": "*", "kind": "grievance", "ack_days": 3, "resolve_days": 21, "extension_days": 0,
         "on_breach": "flag", "day_kind": "calendar"}]}))
    with app.app_context():
        load(str(path))
        code = walk(world, [
            ("lodge", None, T0, {}, {"office": UNION, "ack": date(2026, 3, 4), "due": date(2026, 3, 22)}),
            ("acknowledge", "officer_baria", at(date(2026, 3, 2)), {}, {"ack": None}),
            ("extend", "officer_baria", at(date(2026, 3, 2)), {"note": "More time."}, {"error": InvalidTransition}),
            ("sweep", None, end_of(date(2026, 3, 22)) + MINUTE, {}, {"office": UNION, "due": date(2026, 3, 22)}),
        ])
        assert reload(code).overdue_flagged


def test_the_default_file_is_the_local_ladder(app, world):
    from escalation.admin import read_policy_file
    default = os.path.join(POLICIES, "..", "default_policies.json")
    assert read_policy_file(default) == read_policy_file(os.path.join(POLICIES, "local-redress.json"))


def test_an_extension_of_zero_days_is_refused_with_a_clear_message(app, world):
    with app.app_context():
        load("bd-grs.json")
        code = walk(world, BD_GRS[:2] + BD_GRS[3:4] + BD_GRS[5:7])
        with pytest.raises(InvalidTransition, match="cannot be extended"):
            builders.act(world, "appellate_sadar", code, "extend", now=at(date(2026, 5, 5)), note="More time.")
        assert not reload(code).extended


def test_the_api_shows_and_saves_the_rules_and_the_cli_lists_them(app, world, runner):
    with app.app_context():
        load("bd-grs.json")
        headers = {"Authorization": f"Bearer {world.token('admin')}"}
    client = app.test_client()
    items = client.get("/api/v1/policies", headers=headers).get_json()["items"]
    union = next(p for p in items if p["tier"] == "union" and p["kind"] == "grievance" and p["category"] is None)
    assert (union["on_breach"], union["appeal_levels"], union["warn_days"], union["day_kind"]) == (
        "appeal", 1, 2, "working")
    body = {"tier": "union", "kind": "grievance", "ack_days": 2, "resolve_days": 21, "extension_days": 0}
    r = client.post("/api/v1/policies", json={**body, "on_breach": "sideways"}, headers=headers)
    assert r.status_code == 422 and "on_breach" in r.get_json()["error"]["fields"]
    r = client.post("/api/v1/policies", json={**body, "day_kind": "calendar"}, headers=headers)
    assert r.status_code == 200, r.get_json()
    saved = r.get_json()["policy"]
    # The rules the body leaves out stay as loaded.
    assert (saved["day_kind"], saved["on_breach"], saved["appeal_levels"]) == ("calendar", "appeal", 1)
    out = runner.invoke(args=["policies", "show"]).output
    assert "on breach appeal" in out and "calendar days" in out


def test_the_policies_page_says_what_a_missed_deadline_does(app, world, client_as):
    with app.app_context():
        load("bd-grs.json")
    html = client_as("admin").get("/admin/policies").get_data(as_text=True)
    assert "To the appellate officer one tier up" in html and "No extension" in html and "1 appeal level" in html
    html = client_as("admin").get("/admin/policies?lang=bn").get_data(as_text=True)
    assert "এক স্তর উপরের আপিল কর্মকর্তার কাছে" in html and "সময় বৃদ্ধি নেই" in html


def test_the_policies_page_edits_a_row_limits_and_rules_alike(app, world, client_as):
    with app.app_context():
        load("bd-grs.json")
        row = db.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.tier == "union", SlaPolicy.kind == "grievance",
                                                           SlaPolicy.category_id.is_(None)))
        row_id = row.id
    admin = client_as("admin")
    html = admin.get(f"/admin/policies?edit={row_id}").get_data(as_text=True)
    # The form holds the row as it stands: 30 days, to the appellate officer, one appeal level.
    assert 'name="resolve_days" type="number" value="30"' in html or 'value="30"' in html
    assert '<option selected value="appeal">' in html and '<option selected value="1">1</option>' in html
    assert "To the national review list" in html
    body = {"tier": "union", "kind": "grievance", "category": "",
            "ack_days": "2", "resolve_days": "21", "extension_days": "0", "pause_days": "",
            "on_breach": "review", "appeal_levels": "", "day_kind": "calendar", "warn_days": "3"}
    r = admin.post("/admin/policies", data=body)
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        row = db.session.get(SlaPolicy, row_id)
        assert (row.resolve_days, row.on_breach, row.appeal_levels, row.day_kind, row.warn_days,
                row.extension_needs_reason) == (21, "review", None, "calendar", 3, False)
    r = admin.post("/admin/policies", data={**body, "on_breach": "sideways", "warn_days": "99"})
    assert r.status_code == 400
    html = admin.get("/admin/policies?lang=bn").get_data(as_text=True)
    assert "জাতীয় পর্যালোচনা তালিকায়" in html
