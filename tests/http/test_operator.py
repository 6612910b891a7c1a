"""The call-centre console: caller look-up, lodging on a caller's behalf, the call log, who may use it."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

import builders
from grs.extensions import db
from grs.models import CallLog, Complainant, Event, Grievance, OutboxMessage

CALLER = "+8801712345678"
LOCAL = "01712345678"


def lodge_form(client, **overrides) -> dict:
    """A filled-in console form, with the one-off token the GET hands out."""
    page = client.get("/operator/lodge").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', page) or \
        re.search(r'id="token" name="token" type="hidden" value="([0-9a-f]+)"', page)
    data = {"token": token.group(1) if token else "", "programme": "OAA", "category": "payment",
            "area_1": "BD-DIV-6", "area_2": builders.GAZIPUR, "area_3": builders.SADAR, "area_4": builders.BARIA,
            "description": "Caller says the agent kept 300 taka of her allowance.", "name": "Rahima Begum",
            "phone": CALLER, "sex": "female", "age_band": "60_plus", "disability": "no"}
    data.update(overrides)
    return data


def grouped(code: str) -> str:
    return " ".join(code[i:i + 4] for i in range(0, 12, 4))


def test_the_console_lodges_a_grievance_for_a_caller_and_the_callers_history_shows_it(app, client_as, world):
    op = client_as("operator")
    resp = op.post("/operator/lodge", data=lodge_form(op))
    assert resp.status_code == 303
    code = resp.headers["Location"].split("/operator/lodged/")[1].split("?")[0]
    page = op.get(resp.headers["Location"]).get_data(as_text=True)
    assert grouped(code) in page  # large and grouped in fours, for reading back
    with app.app_context():
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        assert (g.channel, g.office.code, g.lodged_by.email) == ("operator", "OFF-BD-UN-2869",
                                                                 world.email("operator"))
        lodged = db.session.scalar(sa.select(Event).where(Event.grievance_id == g.id, Event.type == "lodged"))
        assert lodged.actor_label == f"user:{g.lodged_by_id}"
        assert g.complainant.phone == CALLER and g.complainant.age_band == "60_plus"
        assert db.session.scalar(sa.select(OutboxMessage.recipient).where(OutboxMessage.medium == "sms")) == CALLER
    # The caller rings again; the operator types the number the way it is said, in local form.
    found = op.post("/operator/lookup", data={"phone": LOCAL})
    assert found.status_code == 200
    history = found.get_data(as_text=True)
    assert grouped(code) in history
    assert "Baria Union Parishad GRS" in history and "Received" in history and "Union" in history


def test_an_anonymous_caller_leaves_no_complainant_and_the_call_forgets_the_number(app, client_as, world):
    op = client_as("operator")
    call = op.post("/operator/calls", data={"phone": LOCAL})
    call_id = int(call.headers["Location"].rsplit("/", 1)[1])
    resp = op.post("/operator/lodge", data=lodge_form(op, anonymous="y", call_id=str(call_id)))
    assert resp.status_code == 303
    code = resp.headers["Location"].split("/operator/lodged/")[1].split("?")[0]
    with app.app_context():
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        assert g.complainant_id is None and g.anonymous
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Complainant)) == 0
        row = db.session.get(CallLog, call_id)
        assert row.grievance_id == g.id and row.phone is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.medium == "sms")) == 0


def test_the_same_form_sent_twice_lodges_one_grievance(app, client_as, world):
    op = client_as("operator")
    data = lodge_form(op)
    first = op.post("/operator/lodge", data=data)
    second = op.post("/operator/lodge", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 1


def test_a_form_with_errors_is_shown_again_with_the_errors(client_as, world):
    op = client_as("operator")
    resp = op.post("/operator/lodge", data=lodge_form(op, description="", area_4=""))
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "Describe the complaint." in page and "Choose the area down to the lowest level." in page


def test_narrowing_the_area_shows_the_next_list_without_lodging(app, client_as, world):
    op = client_as("operator")
    resp = op.post("/operator/lodge", data=lodge_form(op, area_3="", area_4="", narrow="2"))
    assert resp.status_code == 200
    assert "Gazipur Sadar" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 0


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_csrf_is_enforced_on_the_console_forms(app, client_as, world):
    op = client_as("operator")
    data = lodge_form(op)
    assert op.post("/operator/lodge", data=data).status_code == 400
    assert op.post("/operator/calls", data={"phone": LOCAL}).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CallLog)) == 0
    page = op.get("/operator/lodge").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]+)"', page).group(1)
    resp = op.post("/operator/lodge", data={**data, "csrf_token": csrf, "token": token})
    assert resp.status_code == 303


@pytest.mark.parametrize("who", ["officer_baria", "supervisor", "analyst", "facilitator"])
def test_only_operators_and_admins_may_use_the_console(client_as, who):
    other = client_as(who)
    assert other.get("/operator/").status_code == 403
    assert other.post("/operator/lookup", data={"phone": LOCAL}).status_code == 403
    assert other.post("/operator/lodge", data={"programme": "OAA"}).status_code == 403


def test_an_admin_may_use_the_console(client_as):
    assert client_as("admin").get("/operator/").status_code == 200


def test_a_call_is_logged_from_start_to_end_with_its_grievance(app, client_as, world):
    op = client_as("operator")
    started = op.post("/operator/calls", data={"phone": LOCAL})
    assert started.status_code == 303
    call_url = started.headers["Location"]
    call_id = int(call_url.rsplit("/", 1)[1])
    assert "Lodge a complaint for this caller" in op.get(call_url).get_data(as_text=True)
    form = op.get(f"/operator/lodge?call={call_id}").get_data(as_text=True)
    assert f'value="{CALLER}"' in form  # the caller's number is filled in from the call
    lodged = op.post("/operator/lodge", data=lodge_form(op, call_id=str(call_id)))
    code = lodged.headers["Location"].split("/operator/lodged/")[1].split("?")[0]
    ended = op.post(f"/operator/calls/{call_id}/end", data={"outcome": "lodged", "notes": "Read the code twice."})
    assert ended.status_code == 303
    with app.app_context():
        row = db.session.get(CallLog, call_id)
        assert row.phone == CALLER and row.outcome == "lodged" and row.ended_at >= row.started_at
        assert row.grievance.tracking_code == code and row.notes == "Read the code twice."
    console = op.get("/operator/").get_data(as_text=True)
    assert grouped(code) in console and "Complaint lodged" in console
    assert op.post(f"/operator/calls/{call_id}/end", data={"outcome": "dropped"}).status_code == 400


def test_ending_a_call_about_an_earlier_complaint_links_it_by_its_code(app, client_as, world):
    with app.app_context():
        code = builders.lodge().tracking_code
    op = client_as("operator")
    call_id = int(op.post("/operator/calls", data={"phone": LOCAL}).headers["Location"].rsplit("/", 1)[1])
    wrong = op.post(f"/operator/calls/{call_id}/end", data={"outcome": "lodged"})
    assert wrong.status_code == 400 and "Give the tracking code" in wrong.get_data(as_text=True)
    ok = op.post(f"/operator/calls/{call_id}/end", data={"outcome": "status_given", "grievance": grouped(code)})
    assert ok.status_code == 303
    with app.app_context():
        assert db.session.get(CallLog, call_id).grievance.tracking_code == code


def test_phone_numbers_are_masked_in_the_call_list(client_as, world):
    op = client_as("operator")
    op.post("/operator/calls", data={"phone": LOCAL})
    page = op.get("/operator/").get_data(as_text=True)
    assert "+880•••••••678" in page
    assert CALLER not in page and LOCAL not in page


def test_an_invalid_number_is_a_form_error_not_a_500(client_as, world):
    op = client_as("operator")
    resp = op.post("/operator/lookup", data={"phone": "12"})
    assert resp.status_code == 400
    assert "Enter a valid phone number." in resp.get_data(as_text=True)


def test_the_console_speaks_bangla(client_as, world):
    op = client_as("operator")
    page = op.get("/operator/?lang=bn").get_data(as_text=True)
    assert "অপারেটর কনসোল" in page and "কলারকে খুঁজুন" in page


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    resp = client.get("/operator/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
