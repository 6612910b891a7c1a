"""Open311 GeoReport v2 (/open311/v2): what a GeoReport client sends and reads, in JSON and XML, as the
specification names it; errors in its format; and no personal data in what anyone may read."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import builders
import pytest
from builders import BARIA, BASAN

from channels.open311 import georeport as geo
from grs import tracking
from grs.services.reference import CATEGORIES, PROGRAMMES
from grs.timeutil import utcnow

BASE = "/open311/v2"
FORM = {"service_code": "OAA-payment", "attribute[area]": BARIA, "first_name": "Rahima", "last_name": "Begum",
        "phone": "01712345678", "email": "rahima@example.org", "account_id": "citizen-77",
        "attribute[sex]": "female", "attribute[age_band]": "60_plus", "attribute[disability]": "no",
        "attribute[beneficiary_id]": "OAA-778812",
        "description": "My allowance was not paid this quarter; Karim at the union office asked for money."}
PERSONAL = ("Rahima", "Begum", "1712345678", "rahima@example.org", "Karim", "allowance was not paid", "778812")
REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]


def key(app, world, who: str = "operator") -> str:
    with app.app_context():
        return world.token(who)


def post(client, fmt: str = "json", headers=None, **changes):
    data = {k: v for k, v in {**FORM, **changes}.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", data=data, headers=headers or {})


def xml(r) -> ET.Element:
    assert r.content_type == "text/xml; charset=utf-8", r.content_type
    assert r.data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), r.data[:60]
    return ET.fromstring(r.data)


def as_dict(element: ET.Element) -> dict:
    return {child.tag: child.text for child in element}


def spec_errors(r) -> list[tuple[int, str]]:
    """The spec's error body, in whichever format the response is, as (code, description) pairs."""
    if r.content_type.startswith("application/json"):
        body = r.get_json()
        assert isinstance(body, list) and body, body
        assert all(set(e) == {"code", "description"} for e in body), body
        return [(e["code"], e["description"]) for e in body]
    root = xml(r)
    assert root.tag == "errors" and len(root), r.data
    return [(int(e.find("code").text), e.find("description").text) for e in root.findall("error")]


def lodged_recently(app, area=BARIA, **kw) -> str:
    """A grievance lodged on the web a day before the pinned now (inside the default 90 days)."""
    return builders.lodge_in(app, area, now=utcnow() - timedelta(days=1), **kw)


# ---------------------------------------------------------------- discovery and services


def test_discovery_in_both_formats_names_the_v2_endpoint_and_its_formats(client, world):
    body = client.get(f"{BASE}/discovery.json").get_json()
    assert set(body) == {"changeset", "contact", "key_service", "endpoints"}
    (endpoint,) = body["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats").findall("format")] == endpoint["formats"]
    assert root.findtext("endpoints/endpoint/url") == endpoint["url"]


def test_services_are_programme_by_category_in_json_and_xml(client, world):
    r = client.get(f"{BASE}/services.json")
    assert r.status_code == 200 and r.content_type == "application/json; charset=utf-8"
    services = r.get_json()
    assert len(services) == len(PROGRAMMES) * len(CATEGORIES)
    by_code = {s["service_code"]: s for s in services}
    s = by_code["OAA-payment"]
    assert set(s) == {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
    assert s["service_name"] == "Old Age Allowance: Payment (late, short, deducted, bribe asked)"
    assert s["group"] == "Old Age Allowance" and s["metadata"] is True and s["type"] == "realtime"
    assert "OAA" in s["keywords"].split(", ") and "বয়স্ক ভাতা" in s["keywords"]
    assert "Confidential" in by_code["WA-sea_gbv"]["description"]

    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    entries = [as_dict(e) for e in root.findall("service")]
    assert [e["service_code"] for e in entries] == [s["service_code"] for s in services]
    oaa = next(e for e in entries if e["service_code"] == "OAA-payment")
    assert oaa["metadata"] == "true" and oaa["type"] == "realtime" and oaa["group"] == "Old Age Allowance"


def test_a_retired_category_is_no_longer_a_service(app, client, world):
    from grs.extensions import db
    from grs.models import Category
    import sqlalchemy as sa

    with app.app_context():
        db.session.scalar(sa.select(Category).where(Category.code == "information")).active = False
        db.session.commit()
    codes = {s["service_code"] for s in client.get(f"{BASE}/services.json").get_json()}
    assert "OAA-information" not in codes and "OAA-payment" in codes
    r = client.get(f"{BASE}/services/OAA-information.json")
    assert r.status_code == 404


def test_service_definition_lists_the_attributes_in_both_formats(client, world):
    body = client.get(f"{BASE}/services/OAA-payment.json").get_json()
    assert body["service_code"] == "OAA-payment"
    codes = [a["code"] for a in body["attributes"]]
    assert codes == ["area", "sex", "age_band", "disability", "beneficiary_id", "language"]
    sex = body["attributes"][1]
    assert sex["datatype"] == "singlevaluelist" and sex["variable"] is True and sex["required"] is False
    assert [v["key"] for v in sex["values"]] == ["female", "male", "other"]
    assert [a["order"] for a in body["attributes"]] == [1, 2, 3, 4, 5, 6]

    root = xml(client.get(f"{BASE}/services/OAA-payment.xml"))
    assert root.tag == "service_definition" and root.findtext("service_code") == "OAA-payment"
    attributes = root.find("attributes").findall("attribute")
    assert [a.findtext("code") for a in attributes] == codes
    assert [v.findtext("key") for v in attributes[1].find("values").findall("value")] == ["female", "male", "other"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_code_is_404_in_the_spec_format(client, world, fmt):
    r = client.get(f"{BASE}/services/NOPE-payment.{fmt}")
    assert r.status_code == 404
    [(code, description)] = spec_errors(r)
    assert code == 404 and "service_code" in description


# ---------------------------------------------------------------- POST requests and reading them back


def test_post_json_lodges_on_the_api_channel_and_the_request_reads_back(app, client, world):
    r = post(client, api_key=key(app, world))
    assert r.status_code == 201, r.get_data(as_text=True)
    [answer] = r.get_json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    code = answer["service_request_id"]
    assert len(code) == 12 and code.isdigit()
    assert answer["account_id"] == "citizen-77"
    assert "Baria" in answer["service_notice"] and "acknowledge it by" in answer["service_notice"]

    with app.app_context():
        g = builders.find(code)
        assert g.channel == "api" and g.area.code == BARIA and g.office.code == "OFF-BD-UN-2869"
        assert g.programme.code == "OAA" and g.category.code == "payment"
        assert g.complainant.name == "Rahima Begum" and g.complainant.phone == "+8801712345678"
        assert (g.complainant.sex, g.complainant.age_band, g.complainant.disability) == ("female", "60_plus", False)
        assert g.complainant.beneficiary_id == "OAA-778812"
        assert g.description == FORM["description"]
        office, due = g.office.name("en"), g.due_at

    [one] = client.get(f"{BASE}/requests/{code}.json").get_json()
    assert list(one) == REQUEST_FIELDS
    assert one["service_request_id"] == code and one["status"] == "open"
    assert one["service_code"] == "OAA-payment" and one["agency_responsible"] == office
    assert one["status_notes"].startswith("Received")
    assert datetime.fromisoformat(one["requested_datetime"]) == utcnow()
    assert datetime.fromisoformat(one["expected_datetime"]) == due.replace(microsecond=0)
    assert one["address_id"] == BARIA and one["address"].startswith("Baria, ")
    assert one["description"] is None

    listed = client.get(f"{BASE}/requests.json").get_json()
    assert code in [x["service_request_id"] for x in listed]


def test_post_xml_round_trip_and_the_list_in_xml(app, client, world):
    r = post(client, "xml", api_key=key(app, world))
    assert r.status_code == 201
    root = xml(r)
    assert root.tag == "service_requests"
    request_ = root.find("request")
    code = request_.findtext("service_request_id")
    assert len(code) == 12 and request_.findtext("account_id") == "citizen-77"

    one = xml(client.get(f"{BASE}/requests/{code}.xml"))
    fields = as_dict(one.find("request"))
    assert list(fields) == REQUEST_FIELDS
    assert fields["status"] == "open" and fields["service_code"] == "OAA-payment"
    assert fields["description"] is None and fields["lat"] is None  # empty elements

    listed = xml(client.get(f"{BASE}/requests.xml"))
    assert listed.tag == "service_requests"
    assert code in [e.findtext("service_request_id") for e in listed.findall("request")]


def test_an_account_id_left_out_is_null_and_an_empty_element(app, client, world):
    api_key = key(app, world)
    assert post(client, api_key=api_key, account_id=None).get_json()[0]["account_id"] is None
    root = xml(post(client, "xml", api_key=api_key, account_id=None))
    assert root.find("request/account_id").text is None  # <account_id/>


def test_address_id_is_the_area_and_a_place_in_words_goes_to_triage_with_its_text(app, client, world):
    api_key = key(app, world)
    r = post(client, api_key=api_key, **{"attribute[area]": None, "address_id": BASAN})
    with app.app_context():
        assert builders.find(r.get_json()[0]["service_request_id"]).office.code == "OFF-BD-UN-2870"
    r = post(client, api_key=api_key, **{"attribute[area]": None, "address_string": "near the Baria bazar",
                                         "lat": "24.0", "long": "90.4"})
    assert r.status_code == 201
    code = r.get_json()[0]["service_request_id"]
    with app.app_context():
        g = builders.find(code)
        assert g.office is None and g.area is None  # the triage queue: an operator places it
        assert "Location given: near the Baria bazar; lat 24.000000, long 90.400000" in g.description
    [one] = client.get(f"{BASE}/requests/{code}.json").get_json()
    assert one["agency_responsible"] is None and "operator" in one["status_notes"]


def test_an_anonymous_request_has_no_complainant(app, client, world):
    r = post(client, api_key=key(app, world), first_name=None, last_name=None, phone=None, email=None,
             **{"attribute[sex]": None, "attribute[age_band]": None, "attribute[disability]": None,
                "attribute[beneficiary_id]": None})
    assert r.status_code == 201
    with app.app_context():
        assert builders.find(r.get_json()[0]["service_request_id"]).complainant is None


def test_idempotency_key_makes_a_retry_return_the_same_request(app, client, world):
    api_key = key(app, world)
    headers = {"Idempotency-Key": "mis-2026-000123"}
    first, again = post(client, headers=headers, api_key=api_key), post(client, headers=headers, api_key=api_key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json() == again.get_json()
    # Without a key a repeat is a second request (the spec has no way to say "the same"), never an error.
    a, b = post(client, api_key=api_key), post(client, api_key=api_key)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.get_json()[0]["service_request_id"] != b.get_json()[0]["service_request_id"]


# ---------------------------------------------------------------- api_key


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_or_invalid_api_key_is_403_in_the_spec_format(app, client, world, fmt):
    missing = post(client, fmt)
    assert missing.status_code == 403
    [(code, description)] = spec_errors(missing)
    assert code == 403 and "api_key" in description
    invalid = post(client, fmt, api_key="grs_not-a-token")
    assert invalid.status_code == 403
    assert spec_errors(invalid) == [(403, "Invalid api_key received -- can't proceed with create_request.")]
    # An api_key on a public GET that is not valid is refused too, rather than read as none.
    assert client.get(f"{BASE}/requests.{fmt}?api_key=grs_wrong").status_code == 403


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_post_needs_no_csrf_token_the_api_key_authenticates_it(app, client, world):
    assert post(client, api_key=key(app, world)).status_code == 201


def test_an_account_that_may_not_lodge_gets_403(app, client, world):
    r = post(client, api_key=key(app, world, "analyst"))
    assert r.status_code == 403
    [(code, description)] = spec_errors(r)
    assert "may not lodge" in description


# ---------------------------------------------------------------- no personal data in public responses


def test_public_responses_carry_no_personal_data(app, client, world):
    code = post(client, api_key=key(app, world)).get_json()[0]["service_request_id"]
    for fmt in ("json", "xml"):
        for url in (f"{BASE}/requests.{fmt}", f"{BASE}/requests/{code}.{fmt}",
                    f"{BASE}/requests.{fmt}?service_request_id={code}"):
            r = client.get(url)
            assert r.status_code == 200
            text = r.get_data(as_text=True)
            assert code in text
            for secret in PERSONAL:
                assert secret not in text, (url, secret)


def test_the_description_needs_an_api_key_whose_account_may_read_the_case(app, client, world):
    code = post(client, api_key=key(app, world)).get_json()[0]["service_request_id"]
    baria = key(app, world, "officer_baria")
    [mine] = client.get(f"{BASE}/requests/{code}.json?api_key={baria}").get_json()
    assert mine["description"] == FORM["description"]
    listed = client.get(f"{BASE}/requests.json?api_key={baria}").get_json()
    assert next(x for x in listed if x["service_request_id"] == code)["description"] == FORM["description"]
    # Next door's officer sees the public fields only, and still no name or phone anywhere.
    basan = key(app, world, "officer_basan")
    text = client.get(f"{BASE}/requests/{code}.json?api_key={basan}").get_data(as_text=True)
    assert all(secret not in text for secret in PERSONAL)


def test_sensitive_requests_are_never_listed_and_answer_only_their_lodger_and_designated_staff(app, client,
                                                                                               world):
    operator = key(app, world)
    r = post(client, api_key=operator, service_code="OAA-sea_gbv", description="Abuse by the distributor.")
    assert r.status_code == 201
    code = r.get_json()[0]["service_request_id"]
    admin = key(app, world, "admin")  # may see sensitive cases
    for api_key in (None, operator, admin):
        suffix = f"&api_key={api_key}" if api_key else ""
        for query in ("", f"service_request_id={code}", "service_code=OAA-sea_gbv"):
            listed = client.get(f"{BASE}/requests.json?{query}{suffix}").get_json()
            assert code not in [x["service_request_id"] for x in listed], (query, api_key)
    public = client.get(f"{BASE}/requests/{code}.json")
    assert public.status_code == 404
    nothing = client.get(f"{BASE}/requests/{tracking.new_code()}.json")
    assert spec_errors(public) == spec_errors(nothing)  # the same answer as for a code nobody has
    # The account that lodged it may follow it (no text: the operator may not see sensitive cases) ...
    [lodger] = client.get(f"{BASE}/requests/{code}.json?api_key={operator}").get_json()
    assert lodger["status"] == "open" and lodger["description"] is None
    # ... and an account that may see it reads it with its text.
    [designated] = client.get(f"{BASE}/requests/{code}.json?api_key={admin}").get_json()
    assert designated["description"] == "Abuse by the distributor."
    assert client.get(f"{BASE}/requests/{code}.json?api_key={key(app, world, 'officer_baria')}").status_code == 404


# ---------------------------------------------------------------- GET requests: the spec's filters


def test_statuses_map_to_open_and_closed_and_filter(app, client, world):
    still_open = lodged_recently(app)
    decided = lodged_recently(app)
    now = utcnow() - timedelta(hours=20)
    builders.act_in(app, world, "officer_baria", decided, "resolve", decision="upheld",
                    resolution="Paid in full.", now=now)
    closed = client.get(f"{BASE}/requests.json?status=closed").get_json()
    opened = client.get(f"{BASE}/requests.json?status=open").get_json()
    both = client.get(f"{BASE}/requests.json?status=open,closed").get_json()
    assert [x["service_request_id"] for x in closed] == [decided]
    assert [x["service_request_id"] for x in opened] == [still_open]
    assert {x["service_request_id"] for x in both} == {decided, still_open}
    [d] = closed
    assert d["status"] == "closed" and d["expected_datetime"] is None and d["service_notice"] is None
    assert d["status_notes"] == "Resolved by the office. The complaint was upheld."
    assert datetime.fromisoformat(d["updated_datetime"]) == now
    assert "Paid in full" not in json.dumps(closed)  # the resolution is written for the complainant


def test_service_request_id_list_overrides_the_other_filters(app, client, world):
    a, b, _ = lodged_recently(app), lodged_recently(app), lodged_recently(app)
    old = builders.lodge_in(app)  # builders.T0: months before the default 90 days
    r = client.get(f"{BASE}/requests.json", query_string={"service_request_id": f"{a},{old}",
                                                          "status": "closed", "service_code": "WA-other"})
    assert {x["service_request_id"] for x in r.get_json()} == {a, old}
    r = client.get(f"{BASE}/requests.json", query_string=[("service_request_id", b), ("service_request_id", "x")])
    assert [x["service_request_id"] for x in r.get_json()] == [b]


def test_service_code_and_dates_filter_and_the_default_is_the_last_90_days(app, client, world):
    recent = lodged_recently(app)
    widow = lodged_recently(app, programme="WA", category="exclusion")
    old = builders.lodge_in(app)  # builders.T0
    default = {x["service_request_id"] for x in client.get(f"{BASE}/requests.json").get_json()}
    assert {recent, widow} <= default and old not in default
    r = client.get(f"{BASE}/requests.json?service_code=WA-exclusion,OAA-information")
    assert [x["service_request_id"] for x in r.get_json()] == [widow]
    r = client.get(f"{BASE}/requests.json", query_string={"start_date": "2026-02-20T00:00:00Z",
                                                          "end_date": "2026-03-10T00:00:00+06:00"})
    assert [x["service_request_id"] for x in r.get_json()] == [old]
    r = client.get(f"{BASE}/requests.json", query_string={"start_date": "2026-02-20T00:00:00Z"})
    assert [x["service_request_id"] for x in r.get_json()] == [old]  # start + 90 days


def test_page_size_and_page_extensions(app, client, world):
    codes = [lodged_recently(app) for _ in range(3)]
    first = client.get(f"{BASE}/requests.json?page_size=2").get_json()
    second = client.get(f"{BASE}/requests.json?page_size=2&page=2").get_json()
    assert len(first) == 2 and len(second) == 1
    assert {x["service_request_id"] for x in first + second} == set(codes)


@pytest.mark.parametrize("query, words", [
    ("start_date=yesterday", "start_date"),
    ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "90 days"),
    ("start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "after end_date"),
    ("status=pending", "status"),
    ("service_code=NOPE-x", "service_code"),
    ("page_size=0", "page_size"),
    ("page_size=1001", "page_size"),
    ("page=-1", "page"),
])
def test_a_bad_filter_is_400_saying_which(client, world, query, words):
    for fmt in ("json", "xml"):
        r = client.get(f"{BASE}/requests.{fmt}?{query}")
        assert r.status_code == 400, (query, r.get_data(as_text=True))
        assert any(words in d and c == 400 for c, d in spec_errors(r)), spec_errors(r)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("changes, words", [
    ({"service_code": None}, "service_code"),
    ({"description": None}, "description"),
    ({"attribute[sex]": "unknown"}, "attribute[sex]"),
    ({"attribute[colour]": "blue"}, "attribute[colour]"),
    ({"attribute[area]": "BD-NOWHERE"}, "attribute[area]"),
    ({"attribute[area]": BARIA, "address_id": BASAN}, "different areas"),
    ({"attribute[area]": None}, "location is required"),
    ({"phone": "12"}, "phone"),
    ({"lat": "91", "long": "0", "attribute[area]": None}, "lat"),
    ({"colour": "blue"}, "colour"),
    ({"attribute[beneficiary_id]": "x" * 61}, "beneficiary_id"),
])
def test_invalid_post_is_400_naming_the_parameter(app, client, world, changes, words):
    api_key = key(app, world)
    for fmt in ("json", "xml"):
        r = post(client, fmt, api_key=api_key, **changes)
        assert r.status_code == 400, (changes, r.get_data(as_text=True))
        assert any(words in d and c == 400 for c, d in spec_errors(r)), spec_errors(r)


def test_unknown_format_resource_method_and_token_answer_in_the_spec_format(client, world):
    r = client.get(f"{BASE}/services.html")
    assert r.status_code == 404 and spec_errors(r)[0][0] == 404  # in XML, the format the spec requires
    r = client.get(f"{BASE}/nothing-here.json")
    assert r.status_code == 404 and spec_errors(r)
    r = client.delete(f"{BASE}/requests.json")
    assert r.status_code == 405 and spec_errors(r)[0][0] == 405
    r = client.get(f"{BASE}/tokens/12345.json")
    assert r.status_code == 404 and "realtime" in spec_errors(r)[0][1]
    r = client.get(f"{BASE}/requests/not-a-code.xml")
    assert r.status_code == 404 and spec_errors(r) == [(404, "service_request_id was not found.")]


def test_a_nul_character_is_400_in_the_spec_format(app, client, world):
    r = post(client, api_key=key(app, world), description="paid\x00late")
    assert r.status_code == 400
    assert "NUL" in spec_errors(r)[0][1]


NASTY = ["", " ", "x" * 5000, "a\x00b", "\x01\x08\x1b\x7f", "বাংলা অভিযোগ ১২৩ 😀", "\ud7ff\ufeff",
         "'; DROP TABLE grievances;--", "%_\\", "-1", "99999999999999999999999", "1e309", "nan",
         "0000-00-00", "<x>&amp;</x>", "[]"]


@pytest.mark.both_backends
@pytest.mark.slow  # every operation with odd values, both formats: a long proof, run in CI
@pytest.mark.config(PROPAGATE_EXCEPTIONS=False, TRACK_RATE_LIMIT=100000)
def test_bad_input_is_never_a_500_and_always_the_spec_format(app, client, world):
    api_key = key(app, world)
    code = lodged_recently(app)
    failures = []

    def check(r, label):
        if r.status_code >= 500:
            failures.append(f"{label} -> {r.status_code}")
        elif r.status_code >= 400:
            try:
                spec_errors(r)
            except AssertionError as e:
                failures.append(f"{label} -> not the spec's error format: {e}")
        elif r.content_type.startswith("text/xml"):
            ET.fromstring(r.data)  # what we answered must parse

    for name in [*FORM, "address_id", "address_string", "lat", "long", "attribute[language]", "account_id"]:
        for value in NASTY:
            for fmt in ("json", "xml"):
                data = {**FORM, "api_key": api_key, name: value}
                check(client.post(f"{BASE}/requests.{fmt}", data=data), f"POST {name}={value[:20]!r}")
    for raw, ctype in [(b"\xff\xfe=\xc3\x28", "application/x-www-form-urlencoded"), (b"{}", "application/json"),
                       (b"--x\r\nbroken", "multipart/form-data; boundary=x")]:
        check(client.post(f"{BASE}/requests.json", data=raw, content_type=ctype), f"POST raw {raw!r}")
    check(client.post(f"{BASE}/requests.json", data={**FORM, "api_key": api_key},
                      headers={"Idempotency-Key": "k" * 500}), "long Idempotency-Key")
    for name in ["service_request_id", "service_code", "start_date", "end_date", "status", "page", "page_size",
                 "api_key"]:
        for value in NASTY:
            for fmt in ("json", "xml"):
                check(client.get(f"{BASE}/requests.{fmt}", query_string={name: value}), f"GET {name}={value[:20]!r}")
    for segment in ["-1", "000000000000", "99999999999999999999999", "a%00b", "%FF%FE", "x" * 3000, code]:
        for path in (f"requests/{segment}.json", f"services/{segment}.xml", f"tokens/{segment}.json",
                     f"requests.{segment}", f"{segment}"):
            for method in ("GET", "POST", "PUT"):
                check(client.open(f"{BASE}/{path}", method=method), f"{method} {path[:40]}")
    assert not failures, "\n".join(failures)


def test_xml_leaves_out_what_xml_cannot_hold(app, client, world):
    code = lodged_recently(app, description="Paid \x1b late \x08 again")
    baria = key(app, world, "officer_baria")
    root = xml(client.get(f"{BASE}/requests/{code}.xml?api_key={baria}"))
    assert root.findtext("request/description") == "Paid  late  again"


# ---------------------------------------------------------------- the pure part


def test_request_query_defaults_to_the_last_90_days_and_caps_a_start_at_now():
    now = datetime(2026, 11, 29, 5, 0, tzinfo=timezone.utc)
    q = geo.request_query({}, now)
    assert (q.start, q.end, q.page_size) == (now - timedelta(days=90), now, 1000)
    q = geo.request_query({"start_date": ["2026-11-01T00:00:00Z"]}, now)
    assert q.end == now
    q = geo.request_query({"end_date": ["2026-03-01T00:00:00+06:00"]}, now)
    assert q.end - q.start == timedelta(days=90)


def test_render_follows_the_spark_convention_for_lists():
    body = [{"service_code": "A-b", "metadata": True, "keywords": None}]
    assert json.loads(geo.render("json", "services", body)) == body
    root = ET.fromstring(geo.render("xml", "services", body))
    assert [(e.tag, [(c.tag, c.text) for c in e]) for e in root] == [
        ("service", [("service_code", "A-b"), ("metadata", "true"), ("keywords", None)])]
