"""Closing and appeals over HTTP (issue 10, items 3-6): the API's 409 with the date, an admin's close with its
reason, appeals of overdue undecided grievances by the API, the track page and SMS, the national review list
in the inbox, and the Bangla complainant answered in Bangla."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from grs.extensions import db
from grs.models import Event, Grievance, OutboxMessage, PhoneContact
from grs import services as svc
from grs.services.actors import Actor
from grs.timeutil import utcnow

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

RESOLVE = {"decision": "upheld", "resolution": "The missed payment was sent on 5 Dec."}
RAHIMA = "+8801712345678"
AT_URL = "/hooks/sms/africastalking?key=at-test-key"


def act(client, headers, code, **body):
    return client.post(f"/api/v1/grievances/{code}/actions", json=body, headers=headers)


def fresh(app, code) -> Grievance:
    with app.app_context():
        g = builders.find(code)
        db.session.expunge(g)
        return g


def rows(app, **where) -> list[OutboxMessage]:
    with app.app_context():
        q = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        for k, v in where.items():
            q = q.where(getattr(OutboxMessage, k) == v)
        out = db.session.scalars(q).all()
        db.session.expunge_all()
        return out


def sms(client, text, msg_id, sender=RAHIMA):
    body = urlencode({"from": sender, "to": "21356", "text": text, "date": "2026-11-29 10:00:00",
                      "id": msg_id, "linkId": ""})
    return client.post(AT_URL, data=body, content_type="application/x-www-form-urlencoded")


def resolved_now(app, world) -> str:
    now = utcnow()
    with app.app_context():
        code = builders.lodge(BARIA, now=now).tracking_code
        builders.act(world, "officer_baria", code, "resolve", now=now, **RESOLVE)
    return code


def test_the_api_refuses_an_officers_close_in_the_window_with_the_date(app, client, auth, world):
    code = resolved_now(app, world)
    due = fresh(app, code).feedback_due_at.astimezone(ZoneInfo("Asia/Dhaka")).strftime("%-d %b %Y")
    r = act(client, auth("officer_baria"), code, action="close")
    assert r.status_code == 409
    assert f"may answer until {due}" in r.get_json()["error"]["message"]
    # An admin closes only with a reason.
    r = act(client, auth("admin"), code, action="close")
    assert r.status_code == 422 and "note" in r.get_json()["error"]["fields"]
    r = act(client, auth("admin"), code, action="close", note="Withdrawn at the office.", reason_code="withdrawn")
    assert r.status_code == 200 and r.get_json()["status"] == "closed"


def test_the_api_appeals_an_overdue_undecided_grievance(app, client, auth, world):
    with app.app_context():
        waiting = builders.lodge(BARIA, now=utcnow()).tracking_code  # not overdue yet
        overdue = builders.lodge(BARIA, now=T0).tracking_code  # its deadline passed months ago
    r = act(client, auth("operator"), waiting, action="appeal", note="Caller asks.")
    assert r.status_code == 409 and "deadline" in r.get_json()["error"]["message"]
    got = client.get(f"/api/v1/grievances/{overdue}", headers=auth("operator")).get_json()
    assert got["allowed_actions"] == ["appeal"]
    r = act(client, auth("operator"), overdue, action="appeal", note="No decision came.")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["status"] == "received" and body["level"] == "upazila"
    assert body["events"][-1]["type"] == "appealed" and body["events"][-1]["data"]["undecided"] is True


def _track(client, code) -> str:
    r = client.get(f"/track/{code}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def test_the_track_page_offers_an_appeal_once_overdue_and_checks_the_phone(app, client, world):
    with app.app_context():
        waiting = builders.lodge(BARIA, now=utcnow()).tracking_code
        overdue = builders.lodge(BARIA, now=T0).tracking_code
    assert 'id="appeal"' not in _track(client, waiting)
    page = _track(client, overdue)
    assert 'id="appeal"' in page and "Last 4 digits of the phone number you gave" in page
    r = client.post(f"/track/{overdue}/appeal", data={"phone_last4": "1111"})
    assert r.status_code == 422 and "not the last 4 digits" in r.get_data(as_text=True)
    assert fresh(app, overdue).level == "union"
    r = client.post(f"/track/{overdue}/appeal", data={"phone_last4": "৫৬৭৮", "note": "Nobody called me."})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/track/{overdue}")
    g = fresh(app, overdue)
    assert (g.level, g.clock_kind, g.appeal_count) == ("upazila", "appeal", 1)
    assert "Your appeal was recorded" in _track(client, overdue)
    with app.app_context():
        api = {"Authorization": f"Bearer {world.token('admin')}"}
    assert client.get(f"/api/v1/grievances/{overdue}", headers=api).get_json()["appeal"] is True
    assert client.get(f"/api/v1/grievances/{waiting}", headers=api).get_json()["appeal"] is False
    # Someone else's code alone is not enough, and a not-yet-overdue complaint is refused with a reason.
    r = client.post(f"/track/{waiting}/appeal", data={"phone_last4": "5678"})
    assert r.status_code == 409 and fresh(app, waiting).level == "union"


def test_no_appeal_is_offered_for_an_overdue_grievance_with_no_tier_above(app, client, world):
    with app.app_context():
        top = builders.lodge(BARIA, now=T0).tracking_code
        for n in range(3):  # union -> upazila -> district -> national
            builders.act(world, "admin", top, "escalate", note="up", now=T0 + n * timedelta(hours=1))
        assert fresh(app, top).level == "national"
    with app.app_context():
        from grs.services import may_appeal
        g = builders.find(top)
        assert may_appeal(g, g.due_at + timedelta(days=1)) is False
        lower = builders.find(builders.lodge(BARIA, now=T0).tracking_code)
        assert may_appeal(lower, lower.due_at + timedelta(days=1)) is True


def test_the_track_page_appeal_after_a_decision(app, client, world):
    code = resolved_now(app, world)
    assert 'id="appeal"' in _track(client, code)
    r = client.post(f"/track/{code}/appeal", data={"phone_last4": "5678"})
    assert r.status_code == 302
    g = fresh(app, code)
    assert g.level == "upazila" and g.satisfied is False


def test_sms_no_after_a_decision_is_an_appeal_the_receiving_office_reads_as_one(app, client, world):
    code = resolved_now(app, world)
    assert sms(client, f"NO {code}", "AT-no-1").status_code == 200
    g = fresh(app, code)
    assert g.level == "upazila" and g.status == "received"
    arrived = rows(app, template="case_arrived", recipient=world.email("appellate_sadar"))  # its appellate officer
    assert arrived and "APPEAL" in arrived[-1].body
    assert rows(app, template="appeal_left", recipient=world.email("officer_baria"))
    assert rows(app, template="appeal_opened", recipient=RAHIMA)


def test_sms_appeal_of_an_overdue_undecided_grievance(app, client, world):
    with app.app_context():
        code = builders.lodge(BARIA, now=T0).tracking_code
    sms(client, f"APPEAL {code}", "AT-ap-1")
    assert fresh(app, code).level == "upazila"


def test_a_bangla_complainant_typing_status_is_answered_in_bangla(app, client, world):
    with app.app_context():
        g = builders.lodge(BARIA, now=utcnow(), language="bn")
        code, due = g.tracking_code, g.due_at
    sms(client, f"STATUS {code}", "AT-st-1")
    [reply] = rows(app, template="sms_status")
    assert reply.language == "bn"
    local = due.astimezone(ZoneInfo("Asia/Dhaka"))
    assert str(local.day).translate(str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")) in reply.body
    assert re.search(r"[০-৯]{4}-এর মধ্যে উত্তর পাবেন", reply.body)
    assert not re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}", reply.body)


def test_the_national_review_list_in_the_inbox(app, world, client_as):
    with app.app_context():
        code = builders.lodge(BARIA, now=T0).tracking_code
        for n in range(3):
            builders.act(world, "admin", code, "escalate", note="up", now=T0 + n * timedelta(days=1))
        builders.act(world, "admin", code, "resolve", now=utcnow(), **RESOLVE)
        builders.run(svc.act, code, svc.ActionRequest("feedback", satisfied=False), actor=Actor.citizen("sms"),
                     now=utcnow())
        other = builders.lodge(BARIA).tracking_code
    admin = client_as("admin")
    inbox = admin.get("/cases/").get_data(as_text=True)
    assert 'id="national-review"' in inbox and "1 grievance is on the national review list" in inbox
    listed = admin.get("/cases/?review=y").get_data(as_text=True)
    assert code in listed and other not in listed
    # An officer of a union office has no such list: the filter is not offered, and asking for it does nothing.
    officer = client_as("officer_baria")
    page = officer.get("/cases/?review=y").get_data(as_text=True)
    assert "National review list" not in page and other in page
    # The case page: an officer of the national office may not close it, an admin may.
    forms = set(re.findall(r'action="/cases/\d{12}/actions/(\w+)"', client_as("officer_national")
                           .get(f"/cases/{code}").get_data(as_text=True)))
    assert "close" not in forms
    admin_case = admin.get(f"/cases/{code}").get_data(as_text=True)
    assert "close" in set(re.findall(r'action="/cases/\d{12}/actions/(\w+)"', admin_case))
    assert "Reason for closing (required)" in admin_case
    r = admin.post(f"/cases/{code}/actions/close", data={})
    assert r.status_code == 422 and fresh(app, code).status == "resolved"


def test_the_api_says_since_when_a_grievance_is_on_the_national_review_list(app, world, client, auth):
    with app.app_context():
        code = builders.lodge(BARIA, now=T0).tracking_code
        for n in range(3):
            builders.act(world, "admin", code, "escalate", note="up", now=T0 + n * timedelta(days=1))
        builders.act(world, "admin", code, "resolve", now=utcnow(), **RESOLVE)
        other = builders.lodge(BARIA).tracking_code
    assert client.get(f"/api/v1/grievances/{code}", headers=auth("admin")).get_json()["national_review_since"] is None
    with app.app_context():
        builders.run(svc.act, code, svc.ActionRequest("feedback", satisfied=False), actor=Actor.citizen("sms"),
                     now=utcnow())
    body = client.get(f"/api/v1/grievances/{code}", headers=auth("admin")).get_json()
    assert body["national_review_since"] is not None and body["satisfied"] is False
    assert client.get(f"/api/v1/grievances/{other}", headers=auth("admin")).get_json()["national_review_since"] is None


def test_staff_history_notes_in_the_pages_language(app, world, client_as):
    from escalation.sweep import sweep

    with app.app_context():
        g = builders.lodge(BARIA, now=T0)
        code = g.tracking_code
        sweep(g.due_at + timedelta(days=1))
    c = client_as("officer_sadar")
    note_cells = lambda html: re.findall(r'<td class="text">([^<]*)</td>', html)  # noqa: E731
    assert "Time limit passed" in note_cells(c.get(f"/cases/{code}?lang=en").get_data(as_text=True))
    bn = note_cells(c.get(f"/cases/{code}?lang=bn").get_data(as_text=True))
    assert "সময়সীমা পেরিয়ে গেছে" in bn and "time limit passed" not in bn


def test_a_deadline_recomputed_line_only_when_the_day_moves(app, world, client_as):
    from datetime import date

    from escalation.admin import add_holiday

    with app.app_context():
        code = builders.lodge(BARIA, now=utcnow()).tracking_code
        due = builders.find(code).due_at
        # A day off after the deadline moves nothing: no line.
        builders.run(add_holiday, due.date() + timedelta(days=30), "Far away", None, actor=world.actor("admin"),
                     now=utcnow())
        types = [e.type for e in db.session.scalars(sa.select(Event).join(Grievance).where(
            Grievance.tracking_code == code))]
        assert "deadline_changed" not in types
        builders.run(add_holiday, utcnow().date() + timedelta(days=1), "Tomorrow", None,
                     actor=world.actor("admin"), now=utcnow())
        new_due = builders.find(code).due_at
    assert new_due != due
    html = client_as("officer_baria").get(f"/cases/{code}?lang=en").get_data(as_text=True)
    assert "Deadline moved from" in html and "Day off added:" in html
    bn = client_as("officer_baria").get(f"/cases/{code}?lang=bn").get_data(as_text=True)
    assert "ছুটির দিন যোগ হয়েছে" in bn and re.search(r"থেকে সরে [০-৯]+ \S+ [০-৯]{4} হয়েছে", bn)


def test_the_operator_console_appeals_for_a_caller(app, world, client_as):
    with app.app_context():
        overdue = builders.lodge(BARIA, now=T0).tracking_code
        waiting = builders.lodge(BARIA, now=utcnow()).tracking_code
    op = client_as("operator")
    call_id = int(op.post("/operator/calls", data={"phone": "01712345678"}).headers["Location"].rsplit("/", 1)[1])
    page = op.get(f"/operator/calls/{call_id}").get_data(as_text=True)
    assert "Appeal for this caller" in page
    assert f'id="appeal-{overdue}"' in page and f'id="appeal-{waiting}"' not in page
    r = op.post(f"/operator/calls/{call_id}/appeal/{overdue}", data={f"appeal-{overdue}-note": "No answer yet."})
    assert r.status_code == 303
    g = fresh(app, overdue)
    assert g.level == "upazila" and g.clock_kind == "appeal"
    # Not overdue yet: refused with the reason, nothing changes.
    op.post(f"/operator/calls/{call_id}/appeal/{waiting}", data={})
    assert fresh(app, waiting).level == "union"
