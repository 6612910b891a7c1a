"""The staff inbox: what each account sees, in what order, with which filters."""
import re

import builders
from builders import BARIA, BARMI, BASAN

from grs.phones import mask
from grs.timeutil import utcnow
from grs.tracking import display

import pytest
pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)


lodge, act = builders.lodge_in, builders.act_in


def inbox(client_as, who, **query) -> str:
    r = client_as(who).get("/cases/", query_string=query)
    assert r.status_code == 200
    return r.get_data(as_text=True)


def listed(html: str) -> list[str]:
    """The tracking codes in the inbox table, in the order shown."""
    return re.findall(r'<a href="/cases/(\d{12})">', html)


def test_officer_sees_own_union_only(app, world, client_as):
    baria, basan = lodge(app, BARIA), lodge(app, BASAN)
    html = inbox(client_as, "officer_baria")
    assert listed(html) == [baria]
    assert display(baria) in html  # read out in groups of four
    assert basan not in html
    assert client_as("officer_baria").get(f"/cases/{basan}").status_code == 404


def test_upazila_officer_sees_the_unions_below(app, world, client_as):
    baria, basan, barmi = lodge(app, BARIA), lodge(app, BASAN), lodge(app, BARMI)
    codes = listed(inbox(client_as, "officer_sadar"))
    assert set(codes) == {baria, basan}
    assert barmi not in codes  # Barmi is in Sreepur, another upazila


def test_sensitive_case_needs_the_permission(app, world, client_as):
    code = lodge(app, BARIA, category="corruption")
    html = inbox(client_as, "officer_gazipur")
    assert listed(html) == [code]
    assert "Sensitive" in html
    assert "District" in html  # routed straight to the district, past the union that may be implicated
    for who in ("officer_gazipur_plain", "officer_baria", "officer_sadar"):
        assert code not in inbox(client_as, who)
        assert client_as(who).get(f"/cases/{code}").status_code == 404


def test_phone_is_masked_in_the_list(app, world, client_as):
    lodge(app, BARIA, phone="01712345678")
    html = inbox(client_as, "officer_baria")
    assert mask("+8801712345678") in html
    assert "+8801712345678" not in html and "01712345678" not in html
    assert "Rahima" not in html  # names stay on the case page too


def test_anonymous_case_says_so(app, world, client_as):
    lodge(app, BARIA, phone=None)
    assert "Anonymous" in inbox(client_as, "officer_baria")


def test_overdue_cases_come_first(app, world, client_as):
    fresh = lodge(app, BARIA, now=utcnow())
    old = lodge(app, BARIA)  # lodged at T0, long past its limit
    html = inbox(client_as, "officer_baria")
    assert listed(html) == [old, fresh]
    assert "Overdue by" in html and "working days left" in html


def test_waiting_for_information_is_not_overdue(app, world, client_as):
    code = lodge(app, BARIA)
    act(app, world, "officer_baria", code, "acknowledge")
    act(app, world, "officer_baria", code, "request_info", note="Send the payment slip.")
    html = inbox(client_as, "officer_baria")
    assert listed(html) == [code] and "Paused" in html
    assert listed(inbox(client_as, "officer_baria", overdue="y")) == []


def test_closed_work_leaves_the_default_view(app, world, client_as):
    open_code, done = lodge(app, BARIA), lodge(app, BARIA)
    act(app, world, "officer_baria", done, "resolve", decision="upheld", resolution="Paid in full.")
    assert listed(inbox(client_as, "officer_baria")) == [open_code]
    assert listed(inbox(client_as, "officer_baria", status="resolved")) == [done]
    assert set(listed(inbox(client_as, "officer_baria", status="all"))) == {open_code, done}


def test_filters(app, world, client_as):
    oaa = lodge(app, BARIA, programme="OAA", category="payment")
    widow = lodge(app, BARIA, programme="WA", category="exclusion", now=utcnow())
    assert listed(inbox(client_as, "officer_baria", programme="WA")) == [widow]
    assert listed(inbox(client_as, "officer_baria", category="payment")) == [oaa]
    assert listed(inbox(client_as, "officer_baria", overdue="y")) == [oaa]
    assert listed(inbox(client_as, "officer_baria", q=widow[3:9])) == [widow]
    assert listed(inbox(client_as, "officer_baria", q=display(oaa))) == [oaa]
    assert listed(inbox(client_as, "officer_baria", q="no digits")) == []
    # A value that is not one of the choices is ignored rather than failing the page.
    assert set(listed(inbox(client_as, "officer_baria", programme="NOPE"))) == {oaa, widow}


def test_level_filter(app, world, client_as):
    at_union, escalated = lodge(app, BARIA), lodge(app, BASAN)
    act(app, world, "officer_basan", escalated, "escalate", note="Needs the upazila's records.")
    assert listed(inbox(client_as, "officer_sadar", level="upazila")) == [escalated]
    assert listed(inbox(client_as, "officer_sadar", level="union")) == [at_union]


def test_operator_sees_the_triage_queue(app, world, client_as):
    code = lodge(app, None)
    html = inbox(client_as, "operator")
    assert code in listed(html) and "Unknown (triage)" in html
    assert code not in inbox(client_as, "officer_baria")


def test_inbox_needs_sign_in(client, world):
    r = client.get("/cases/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_inbox_in_bangla(app, world, client_as):
    lodge(app, BARIA)
    html = inbox(client_as, "officer_baria", lang="bn")
    assert "ইনবক্স" in html and "গৃহীত" in html  # "Inbox", "Received"
    assert "বয়স্ক ভাতা" in html  # the programme's Bangla name
