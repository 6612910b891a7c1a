"""Which number to text or call: GRS_SMS_NUMBER and GRS_HOTLINE on the citizen pages and in the texts,
and pages and texts that read well when a deployment has not set them."""
from __future__ import annotations

import glob
import os
import re

import pytest
import sqlalchemy as sa

import builders
from grs import ROOT, create_app, tracking
from grs.config import from_environment
from grs.extensions import db
from grs.models import OutboxMessage
from grs.notifications import render_with
from grs.timeutil import utcnow

NUMBERS = pytest.mark.config(SMS_NUMBER="16262", HOTLINE="16263")
WEB_FORM = {"programme": "OAA", "category": "payment", "description": "My allowance was not paid.",
            "name": "Rahima Begum", "phone": "01712345678", "area_1": "BD-DIV-6", "area_2": "BD-DIS-41",
            "area_3": "BD-UPZ-320", "area_4": builders.BARIA}


def _receipt(app) -> str:
    with app.app_context():
        return db.session.scalar(sa.select(OutboxMessage.body).where(OutboxMessage.template == "receipt"))


def _decided(app, world, phone: str | None = "01712345678") -> str:
    code = builders.lodge_in(app, phone=phone)
    for action, kw in (("acknowledge", {}), ("start", {}),
                       ("resolve", {"decision": "upheld", "resolution": "Paid in cash."})):
        builders.act_in(app, world, "officer_baria", code, action, **kw)
    return code


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_settings_come_from_the_environment():
    found = from_environment({"GRS_SMS_NUMBER": "16262", "GRS_HOTLINE": "333"})
    assert found == {"SMS_NUMBER": "16262", "HOTLINE": "333"}


@NUMBERS
def test_home_lodged_and_track_pages_say_which_number_to_text_and_call(app, client, world):
    home = _text(client.get("/").get_data(as_text=True))
    assert "Or send your complaint by SMS to 16262." in home
    assert "Or call the hotline on 16263" in home
    assert "Hotline: 16263" in home and "SMS: 16262" in home  # the footer, on every page

    r = client.post("/grievances/new", data=WEB_FORM, follow_redirects=True)
    lodged = _text(r.get_data(as_text=True))
    assert "To check by SMS, send STATUS and the code to 16262." in lodged and "Hotline: 16263." in lodged
    assert "SMS STATUS" in _receipt(app) and _receipt(app).endswith("to 16262")


@NUMBERS
def test_a_decided_complaint_with_a_phone_is_told_where_to_send_no(app, client, world):
    code = _decided(app, world)
    page = _text(client.get(f"/track/{code}").get_data(as_text=True))
    assert f"Send an SMS with NO {code} to 16262 from the phone number you gave." in page
    assert "Or call the hotline on 16263 and ask for an appeal." in page
    assert f"send STATUS {code} to 16262" in page


@NUMBERS
def test_an_anonymous_complainant_is_not_told_to_use_a_phone_they_never_gave(app, client, world):
    code = _decided(app, world, phone=None)
    page = _text(client.get(f"/track/{code}").get_data(as_text=True))
    assert "phone number you gave" not in page
    assert "Call the hotline on 16263 with your tracking code and ask for an appeal." in page


@NUMBERS
def test_the_bangla_pages_show_the_numbers_too(app, client, world):
    code = _decided(app, world)
    page = _text(client.get(f"/track/{code}?lang=bn").get_data(as_text=True))
    assert "16262 নম্বরে এসএমএস পাঠান" in page and "হটলাইন 16263" in page


def test_without_numbers_the_pages_read_without_one(app, client, world):
    home = client.get("/").get_data(as_text=True)
    assert 'id="other-ways"' not in home and "footer-hotline" not in home and "None" not in _text(home)
    code = _decided(app, world)
    page = _text(client.get(f"/track/{code}").get_data(as_text=True))
    assert f"Send an SMS with NO {code} from the phone number you gave." in page
    assert "Or call the hotline and ask for an appeal." in page and "STATUS" not in page
    anonymous = _decided(app, world, phone=None)
    page = _text(client.get(f"/track/{anonymous}").get_data(as_text=True))
    assert "Call the hotline with your tracking code and ask for an appeal." in page


def test_without_numbers_the_texts_read_without_one(app, client, world):
    client.post("/grievances/new", data=WEB_FORM)
    receipt = _receipt(app)
    assert receipt.endswith(f"Check: SMS STATUS {receipt.split('STATUS ')[1]}") and " to " not in receipt[-20:]
    with app.app_context():
        env, langs = app.jinja_env, tuple(app.config["LANGUAGES"])
        assert render_with(env, langs, "sms_error", "en").endswith("Please try again later.")
        assert render_with(env, langs, "sms_error", "bn").endswith("পরে চেষ্টা করুন।")


def test_every_text_says_the_configured_numbers_and_none_is_hard_coded(tmp_path):
    for path in glob.glob(os.path.join(ROOT, "templates", "messages", "*", "*.txt")):
        body = open(path, encoding="utf-8").read()
        assert "333" not in body and "৩৩৩" not in body, path
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32, "HOTLINE": "09612-000111",
                      "UPLOAD_DIR": str(tmp_path)})
    with app.app_context():
        text = render_with(app.jinja_env, ("en", "bn"), "sms_error", "en")
        assert text.endswith("or call 09612-000111.")
        bn = render_with(app.jinja_env, ("en", "bn"), "sms_answer_refused", "bn", code=tracking.display("482109375512"),
                         status="closed", late=False)
        assert bn.endswith("সাহায্য: 09612-000111")


def _bodies(app, template: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.template == template)))


@NUMBERS
def test_the_texts_that_ask_for_an_answer_say_where_to_send_it(app, world):
    _decided(app, world)
    assert _bodies(app, "resolved")[0].endswith("to 16262 (NO = appeal).")
    rejected = builders.lodge_in(app, phone="01712345678", language="bn")
    builders.act_in(app, world, "officer_baria", rejected, "reject", reason_code="duplicate", note="আগেও দিয়েছেন।")
    assert f"16262 নম্বরে লিখুন: আপিল {rejected}" in _bodies(app, "rejected")[0]  # the Bangla keyword taught
    asked = builders.lodge_in(app, phone="01712345678")
    builders.act_in(app, world, "officer_baria", asked, "acknowledge")
    builders.act_in(app, world, "officer_baria", asked, "request_info", note="Which month was missed?")
    assert _bodies(app, "info_requested")[0].endswith(f"INFO {asked} and your answer to 16262.")


def test_without_a_number_those_texts_read_as_before(app, world):
    _decided(app, world)
    assert _bodies(app, "resolved")[0].endswith(" (NO = appeal).") and " to " not in _bodies(app, "resolved")[0][-40:]


@NUMBERS
def test_an_anonymous_complainant_may_use_the_track_pages_appeal_form_when_it_is_offered(app, client, world):
    code = builders.lodge_in(app, phone=None, now=utcnow())
    builders.act_in(app, world, "officer_baria", code, "resolve", decision="upheld", resolution="Paid in cash.",
                    now=utcnow())  # today (the tests' pinned clock): the answer window is open
    html = client.get(f"/track/{code}").get_data(as_text=True)
    page = _text(html)
    assert "phone number you gave" not in page
    if 'id="appeal"' in html:  # the page's own appeal form (the appeal rules offer it within the answer window)
        assert "Not satisfied? Ask for an appeal with the form below, or call the hotline on 16263." in page
    else:
        assert "Call the hotline on 16263 with your tracking code and ask for an appeal." in page
