"""Issue 11, finding 1: anyone who knew a complainant's phone could overwrite that person's record from the
public web form or the API: a lodge naming a known phone copied its sex, age band, disability, beneficiary
id, language and area onto the person, named a nameless (SMS) record, changed every earlier grievance of
that person and its statistics, and linked the new grievance to their history.

Now only a phone known to be the person's (it sent the SMS, dialled the USSD code, or an operator speaks to
the caller) finds the record again; what anyone else says about a phone stays on that grievance."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BASAN
from grs import statistics
from grs.extensions import db
from grs.models import Area, Grievance, PhoneContact
from grs.statistics import StatsFilter
from grs.timeutil import utcnow

pytestmark = pytest.mark.both_backends

PHONE = "+8801712345678"
AT_URL = "/hooks/sms/africastalking?key=at-test-key"
BARIA_PATH = {"area_1": "BD-DIV-6", "area_2": "BD-DIS-41", "area_3": "BD-UPZ-320", "area_4": BASAN}
ATTACK = {"name": "Someone Else", "sex": "male", "age_band": "18_34", "disability": True,
          "beneficiary_id": "FAKE-1"}


def sms_lodge(client, msg_id: str, text: str = "আমার বয়স্ক ভাতার টাকা পাইনি। বাড়ীয়া ইউনিয়ন") -> str:
    body = urlencode({"from": PHONE, "to": "21356", "text": text, "date": "2026-03-01 10:00:00", "id": msg_id,
                      "linkId": ""})
    assert client.post(AT_URL, data=body, content_type="application/x-www-form-urlencoded").status_code == 200
    return db.session.scalar(sa.select(Grievance.tracking_code).order_by(Grievance.id.desc()).limit(1))


def person_of(code: str) -> dict:
    db.session.expire_all()
    g = builders.find(code)
    c = g.complainant
    return {"id": c.id, "name": c.name, "sex": c.sex, "age_band": c.age_band, "disability": c.disability,
            "beneficiary_id": c.beneficiary_id, "language": c.language, "area": c.area_id, "verified": c.verified,
            "stated": (g.sex, g.age_band, g.disability)}


def web_lodge(client, **fields) -> str:
    page = client.get("/grievances/new").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    data = {"programme": "OAA", "category": "payment", "description": "Not paid, they say.", "phone": "01712345678",
            "token": token, **BARIA_PATH, **fields}
    r = client.post("/grievances/new?lang=bn", data=data)
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    return db.session.scalar(sa.select(Grievance.tracking_code).order_by(Grievance.id.desc()).limit(1))


def by_sex(now):
    return {g["key"]: g["received"] for g in
            statistics.figures(db.session, StatsFilter(), "sex", now=now)["groups"]}


def test_the_web_form_cannot_rewrite_the_person_behind_a_known_phone(ctx, client, world):
    first = sms_lodge(client, "AT-1")
    before = person_of(first)
    assert before["verified"] and before["name"] is None and before["sex"] is None
    figures_before = by_sex(utcnow())

    attack = web_lodge(client, name=ATTACK["name"], sex=ATTACK["sex"], age_band=ATTACK["age_band"],
                       disability="yes", beneficiary_id=ATTACK["beneficiary_id"])
    # the SMS complainant's record, and so their earlier grievance, is as it was
    assert person_of(first) == before
    basan = db.session.scalar(sa.select(Area.id).where(Area.code == BASAN))
    assert db.session.get(PhoneContact, PHONE).last_area_id != basan
    # what the form said is kept on its own grievance, in a record of its own that nothing finds by phone
    new = person_of(attack)
    assert new["id"] != before["id"] and not new["verified"]
    assert (new["name"], new["sex"], new["stated"]) == ("Someone Else", "male", ("male", "18_34", True))
    # the statistics of the earlier grievance did not move: one more, counted as the form said
    after = by_sex(utcnow())
    assert after[None] == figures_before[None] and after["male"] == figures_before.get("male", 0) + 1

    # the person's next SMS finds their own record, not the form's
    again = sms_lodge(client, "AT-2")
    assert person_of(again)["id"] == before["id"]


def test_the_api_cannot_rewrite_the_person_behind_a_known_phone(ctx, client, auth, world):
    first = sms_lodge(client, "AT-1")
    before = person_of(first)
    body = {"channel": "sms", "programme": "OAA", "category": "payment", "area": BARIA, "language": "en",
            "description": "Lodged by a system that names this phone.",
            "complainant": {"phone": "01712345678", "name": ATTACK["name"], "gender": "male",
                            "age_band": "18_34", "disability": True, "beneficiary_id": "FAKE-1"}}
    r = client.post("/api/v1/grievances", json=body, headers=auth("operator"))
    assert r.status_code == 201, r.get_json()
    assert person_of(first) == before  # even claiming channel "sms", the API does not speak for the phone
    assert person_of(r.get_json()["tracking_code"])["id"] != before["id"]


def test_a_verified_phone_keeps_one_record_and_what_it_says_later_is_kept(ctx, client, world):
    """The operator speaks to the caller: the call finds the SMS record and adds what the caller says,
    while the earlier grievance keeps, for the statistics, what was known when it came."""
    first = sms_lodge(client, "AT-1")
    from grs import services
    from grs.services import ComplainantIn, Intake
    from grs.uow import unit_of_work
    with unit_of_work() as uow:
        code = services.lodge(uow, Intake(
            channel="operator", programme="OAA", category="payment", description="Called about it.", area=BARIA,
            complainant=ComplainantIn(phone="01712345678", name="Rahima Begum", sex="female"), phone_verified=True),
            actor=world.actor("operator"), now=utcnow()).tracking_code
    assert person_of(code)["id"] == person_of(first)["id"]
    assert person_of(first)["name"] == "Rahima Begum" and person_of(first)["sex"] == "female"
    assert person_of(first)["stated"] == (None, None, None) and person_of(code)["stated"] == ("female", None, None)
    assert statistics.stored_counts(db.session) == statistics.recount(db.session)
