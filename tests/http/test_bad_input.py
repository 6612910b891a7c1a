"""Bad input, on every route and both databases: a 4xx with a message, never a 500.

Each test throws a batch of hostile values at a group of routes and collects every answer that is a
500 (the app's catch-all handler logs "unhandled error" and answers 500), so that one run lists them all.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

import builders

pytestmark = [pytest.mark.both_backends, pytest.mark.slow,  # sweeps of every form and route: CI (tests/conftest.py)
              pytest.mark.config(PROPAGATE_EXCEPTIONS=False, TRACK_RATE_LIMIT=100000, LOGIN_RATE_LIMIT=100000)]

FORM = "application/x-www-form-urlencoded"
HUGE = "x" * 100_000
# Values a form field, query parameter or JSON string may carry.
NASTY = ["", " ", HUGE, "a\x00b", "\x00", "\x01\x08\x1b\x7f", "বাংলা অভিযোগ ১২৩ 😀🙏", "\u202e\ufeff\ud7ff",
         "'; DROP TABLE grievance;--", "%_\\", "-1", "0", "99999999999999999999999", "1e309", "0000-00-00",
         "9999-12-31", "null", "[]", "{}", "<script>alert(1)</script>"]
# Fewer, for forms with many fields: one value per kind of trouble.
FORM_NASTY = ["", HUGE, "a\x00b", "\x01\x1b\x7f", "বাংলা অভিযোগ ১২৩ 😀", "99999999999999999999999", "-1",
              "0000-00-00", "%_\\"]
# Values in a path segment: the same, minus those a URL cannot hold as a segment.
PATH_VALUES = ["-1", "000000000000", "99999999999999999999999", "a%00b", "%FF%FE", "x" * 3000,
               "১২৩৪৫৬৭৮৯০১২", "%0A%0D"]
# Raw bodies that are not what the route expects (invalid UTF-8, JSON where a form is expected, ...).
RAW_BODIES = [(b"\xff\xfe\xfd=\xc3\x28", FORM), (b"description=%FF%FE%00&phone=%C3%28", FORM),
              (b"[1, 2, 3]", "application/json"), (b'"just a string"', "application/json"),
              (b"{not json", "application/json"), (b"\x00" * 64, "application/octet-stream"),
              (b"--x\r\nbroken multipart", "multipart/form-data; boundary=x"), (b"a=1&a=2&a=3", FORM)]
METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]
STAFF = ["admin", "operator", "officer_baria"]


class Probe:
    """Sends requests and remembers every one that was answered with a 500 (or raised)."""

    def __init__(self, client):
        self.client = client
        self.failures: list[str] = []
        self.count = 0

    def __call__(self, method: str, url: str, **kw):
        self.count += 1
        label = f"{method} {url[:120]} {_describe(kw)}"
        try:
            r = self.client.open(url, method=method, **kw)
        except Exception as e:  # noqa: BLE001 - a raised exception is exactly what we are hunting
            self.failures.append(f"{label} -> raised {type(e).__name__}: {str(e)[:200]}")
            return None
        if r.status_code >= 500:
            self.failures.append(f"{label} -> {r.status_code}")
        return r

    def check(self):
        assert not self.failures, f"{len(self.failures)} of {self.count} requests failed:\n" + "\n".join(
            self.failures)


def _describe(kw: dict) -> str:
    data = kw.get("data") or kw.get("json") or kw.get("query_string")
    text = repr(data)
    return text if len(text) < 160 else text[:160] + "…"


def _form_variants(good: dict, values: list[str] = FORM_NASTY) -> list[dict]:
    """`good` with each field in turn set to each nasty value, and with each field missing."""
    out = []
    for name in good:
        out.append({k: v for k, v in good.items() if k != name})
        for value in values:
            out.append({**good, name: value})
    out.append({**good, "unexpected": "field"})
    return out


def _post_form_everything(probe: Probe, url: str, good: dict, headers: dict | None = None):
    for data in _form_variants(good):
        probe("POST", url, data=data, headers=headers or {})
    for raw, ctype in RAW_BODIES:
        probe("POST", url, data=raw, content_type=ctype, headers=headers or {})
    probe("POST", url, data=MultiDict([(k, v) for k, v in good.items()] * 2), headers=headers or {})


def _lodged(app) -> str:
    return builders.lodge_in(app)


# ---------------------------------------------------------------- every route, every method, odd path values


def _fill(rule, code: str, segment: str) -> str:
    """A URL for `rule` with every argument set to `segment` (the tracking code where a code is wanted)."""
    url = rule.rule
    for arg in rule.arguments:
        converter = rule._converters[arg].__class__.__name__
        if converter == "IntegerConverter":
            value = segment if segment.isdigit() else "1"
        elif arg == "code" and segment == "<code>":
            value = code
        elif arg == "action" and segment == "<code>":
            value = "acknowledge"
        else:
            value = segment
        for form in (f"<{arg}>", f"<int:{arg}>", f"<path:{arg}>"):
            url = url.replace(form, value)
    return url


@pytest.mark.parametrize("who", [None, "admin"])
def test_every_route_and_method_with_odd_path_values_is_never_a_500(app, world, client, client_as, who):
    c = client if who is None else client_as(who)
    probe = Probe(c)
    code = _lodged(app)
    # Sign-out last: it would turn the rest of a signed-in run into an anonymous one.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout"):
        for segment in ["<code>", *PATH_VALUES]:
            url = _fill(rule, code, segment)
            for method in METHODS:
                probe(method, url)
        # Every route once with junk in the query string and duplicated parameters.
        url = _fill(rule, code, "<code>")
        probe("GET", url + "?page=-1&page=10&year=0&call=99999999999999999999&key=%00&code=%FF&next=%00")
        probe("GET", url + "?" + urlencode({"q": HUGE}))
    probe("GET", "/" + "a" * 20_000)
    probe("GET", f"/cases/{code}/attachments/99999999999999999999")
    probe.check()


# ---------------------------------------------------------------- citizen pages


def _lodge_form(world) -> dict:
    return {"programme": "OAA", "category": "payment", "description": "My allowance was not paid.",
            "area_1": "BD-DIV-6", "area_2": "BD-DIS-41", "area_3": builders.SADAR, "area_4": builders.BARIA,
            "name": "Rahima", "phone": "01712345678", "sex": "female", "age_band": "60_plus",
            "disability": "no"}


def test_citizen_pages_never_answer_bad_input_with_a_500(app, world, client):
    probe = Probe(client)
    code = _lodged(app)
    _post_form_everything(probe, "/grievances/new", _lodge_form(world))
    for value in NASTY:
        probe("GET", "/track", query_string={"code": value})
        probe("GET", "/grievances/new", query_string={"area_1": value, "area_2": value})
        probe("GET", "/", query_string={"lang": value})
        probe("GET", f"/track/{code}", query_string={"lang": value})
        probe("GET", "/", headers={"Accept-Language": value[:4000]})
        probe("GET", "/", headers={"Cookie": f"session={value[:4000]}"})
    probe.check()


def test_a_bad_tracking_code_on_the_track_page_is_a_400_with_a_message(client, world):
    r = client.get("/track", query_string={"code": "not a code"})
    assert r.status_code == 400
    assert b"not a valid tracking code" in r.data
    r = client.get("/track/0000%00")
    assert r.status_code == 400


def test_a_nul_character_anywhere_is_a_400_that_says_so(client, world):
    data = {**_lodge_form(world), "description": "Paid late\x00 again"}
    r = client.post("/grievances/new", data=data)
    assert r.status_code == 400
    assert b"NUL" in r.data
    r = client.post("/hooks/sms/africastalking" + AT_KEY, data={"id": "x\x00", "from": "+8801712345678"})
    _expect_error_shape(r, 400)
    assert "NUL" in r.get_json()["error"]["message"]


# ---------------------------------------------------------------- staff pages


def test_sign_in_never_answers_bad_input_with_a_500(client, world):
    probe = Probe(client)
    _post_form_everything(probe, "/login", {"email": world.email("admin"), "password": world.password})
    _post_form_everything(probe, "/login?next=%00//evil", {"email": "a\x00@b", "password": "x"})
    probe.check()


@pytest.mark.parametrize("who", STAFF)
def test_staff_inbox_and_lookups_never_answer_bad_input_with_a_500(app, world, client_as, who):
    probe = Probe(client_as(who))
    code = _lodged(app)
    for value in NASTY:
        probe("GET", "/cases/", query_string={"status": value, "level": value, "programme": value,
                                              "category": value, "overdue": value, "q": value, "page": value})
        probe("GET", "/admin/holidays", query_string={"year": value})
        probe("GET", "/operator/lodge", query_string={"call": value, "area_1": value})
        probe("GET", f"/operator/lodged/{code}", query_string={"call": value})
    for page in ("-1", "0", str(10**12), str(10**20)):
        probe("GET", "/cases/", query_string={"page": page})
    probe.check()


def test_case_actions_never_answer_bad_input_with_a_500(app, world, client_as):
    probe = Probe(client_as("officer_baria"))
    code = _lodged(app)
    good = {"note": "A note.", "decision": "upheld", "resolution": "Paid.", "office": "OFF-BD-UN-2870",
            "area": builders.BARIA, "satisfied": "yes"}
    for action in ("place", "resolve", "transfer", "nope"):
        for data in _form_variants(good):
            probe("POST", f"/cases/{code}/actions/{action}", data=data)
    for raw, ctype in RAW_BODIES:
        probe("POST", f"/cases/{code}/actions/acknowledge", data=raw, content_type=ctype)
    probe.check()


def test_admin_pages_never_answer_bad_input_with_a_500(app, world, client_as):
    probe = Probe(client_as("admin"))
    _post_form_everything(probe, "/admin/policies", {"tier": "union", "kind": "grievance", "category": "",
                                                     "ack_days": "7", "resolve_days": "30",
                                                     "extension_days": "15"})
    _post_form_everything(probe, "/admin/holidays", {"day": "2026-04-14", "name": "Pohela Boishakh",
                                                     "area": builders.GAZIPUR})
    for url in ("/admin/policies/delete", "/admin/holidays/delete"):
        _post_form_everything(probe, url, {"id": "1"})
    _post_form_everything(probe, "/admin/programmes", {"code": "SCH", "name_en": "School stipend", "name_bn": "উপবৃত্তি",
                                                       "active": "y"})
    _post_form_everything(probe, "/admin/programmes", {"editing": "OAA", "code": "OAA", "name_en": "Old Age"})
    _post_form_everything(probe, "/admin/categories", {"code": "harass", "name_en": "Harassment", "sensitive": "y",
                                                       "start_tier": "+2", "active": "y"})
    probe("GET", "/admin/categories", query_string={"edit": "\x00' OR 1=1"})
    probe.check()


def test_the_operator_console_never_answers_bad_input_with_a_500(app, world, client_as):
    c = client_as("operator")
    probe = Probe(c)
    code = _lodged(app)
    _post_form_everything(probe, "/operator/lookup", {"phone": "01712345678"})
    _post_form_everything(probe, "/operator/calls", {"phone": "01712345678"})
    call_url = c.post("/operator/calls", data={"phone": "01712345678"}).headers["Location"]
    _post_form_everything(probe, call_url + "/end", {"outcome": "status_given", "grievance": code,
                                                     "notes": "Told the status."})
    probe("GET", "/operator/calls/99999999999999999999")
    _post_form_everything(probe, "/operator/lodge", {**_lodge_form(world), "token": "t1", "call_id": "1"})
    probe.check()


def test_json_sent_to_a_page_is_a_415_with_a_message(client_as, world):
    r = client_as("admin").post("/admin/holidays", json=[1, 2, 3])
    assert r.status_code == 415
    assert b"web form" in r.data


def test_a_holiday_with_an_impossible_date_is_a_400_with_a_message(client_as, world):
    c = client_as("admin")
    for day in ("0000-00-00", "2026-02-30", "tomorrow"):
        r = c.post("/admin/holidays", data={"day": day, "name": "Odd"})
        assert r.status_code == 400, day
    r = c.get("/admin/holidays?year=0")
    assert r.status_code in (200, 400)


# ---------------------------------------------------------------- JSON API


def _api_body() -> dict:
    return {"channel": "api", "programme": "OAA", "category": "payment", "area": builders.BARIA,
            "description": "My allowance was not paid.", "language": "bn",
            "complainant": {"name": "Rahima", "phone": "01712345678", "gender": "female",
                            "age_band": "60_plus", "disability": False, "beneficiary_id": "B-1"},
            "external_ref": "MIS-1"}


JSON_VALUES = [None, True, 0, -1, 10**30, 1.5, float("1e308"), [], {}, ["a"], *NASTY]


def _json_variants(good: dict) -> list:
    out = []
    for name in good:
        out.append({k: v for k, v in good.items() if k != name})
        for value in JSON_VALUES:
            out.append({**good, name: value})
    return out


def _expect_error_shape(r, *statuses):
    assert r.status_code in statuses, (r.status_code, r.data[:300])
    body = r.get_json()
    assert body["error"]["code"] and body["error"]["message"], body


def test_the_api_answers_bad_input_with_a_4xx_in_the_error_shape(app, world, client, auth):
    headers = auth("admin")
    probe = Probe(client)
    code = _lodged(app)
    good = _api_body()
    variants = _json_variants(good) + [{**good, "complainant": c} for c in _json_variants(good["complainant"])]
    for i, body in enumerate(variants):
        body = {**body, "external_ref": f"ref-{i}"} if "external_ref" in body and body["external_ref"] == "MIS-1" \
            else body
        r = probe("POST", "/api/v1/grievances", json=body, headers=headers)
        if r is not None and r.status_code >= 400:
            _expect_error_shape(r, r.status_code)
    for raw, ctype in RAW_BODIES:
        r = probe("POST", "/api/v1/grievances", data=raw, content_type=ctype, headers=headers)
        if r is not None:
            _expect_error_shape(r, 400, 422)
    for value in ["", "a\x00", HUGE[:1000], "ref\u202e"]:
        probe("POST", "/api/v1/grievances", json={**good, "external_ref": None},
              headers={**headers, "Idempotency-Key": value})
    action = {"action": "resolve", "note": "n", "decision": "upheld", "resolution": "Paid.",
              "office": "OFF-BD-UN-2870", "area": builders.BARIA, "satisfied": True}
    for body in _json_variants(action) + [{**action, "action": a} for a in ("transfer", "place", "feedback")]:
        r = probe("POST", f"/api/v1/grievances/{code}/actions", json=body, headers=headers)
        if r is not None and r.status_code >= 400:
            _expect_error_shape(r, r.status_code)
    for name in ("status", "level", "area", "programme", "category", "overdue", "page", "per_page", "junk"):
        for value in NASTY:
            r = probe("GET", "/api/v1/grievances", query_string={name: value}, headers=headers)
            if r is not None and r.status_code >= 400:
                _expect_error_shape(r, 400, 422)
    r = probe("GET", "/api/v1/grievances?page=1&page=2", headers=headers)
    _expect_error_shape(r, 422)
    for value in PATH_VALUES:
        r = probe("GET", f"/api/v1/grievances/{value}", headers=headers)
        if r is not None:
            _expect_error_shape(r, 400, 404)
    for header in ["Bearer", "Bearer \x01", "Bearer " + HUGE, "Basic Zm9vOmJhcg==", "Bearer ' OR 1=1--"]:
        r = probe("GET", "/api/v1/grievances", headers={"Authorization": header})
        if r is not None:
            _expect_error_shape(r, 401)
    probe.check()


# ---------------------------------------------------------------- provider webhooks

AT_KEY = "?key=at-test-key"


def _twilio(probe: Probe, path: str, data: dict | MultiDict):
    body = urlencode(list(data.items(multi=True)) if isinstance(data, MultiDict) else data)
    url = "https://grs.example.org" + path
    signature = RequestValidator("twilio-test-token").compute_signature(
        url, MultiDict(parse_qsl(body, keep_blank_values=True)))
    return probe("POST", path, data=body, content_type=FORM, headers={"X-Twilio-Signature": signature})


def test_the_webhooks_never_answer_bad_input_with_a_500(app, world, client):
    probe = Probe(client)
    code = _lodged(app)
    sms = {"from": "+8801712345678", "to": "21356", "text": f"STATUS {code}", "date": "2026-03-01 10:00:00",
           "id": "ATXid_1", "linkId": ""}
    for i, data in enumerate(_form_variants(sms)):
        data = {**data, "id": f"{data.get('id', '')}-{i}"} if data.get("id") == "ATXid_1" else data
        probe("POST", "/hooks/sms/africastalking" + AT_KEY, data=data)
    for text in NASTY:
        probe("POST", "/hooks/sms/africastalking" + AT_KEY, data={**sms, "id": f"lodge-{len(text)}-{text[:5]}",
                                                                   "text": text})
    for raw, ctype in RAW_BODIES:
        for url in ("/hooks/sms/africastalking", "/hooks/sms/africastalking/delivery", "/hooks/ussd/africastalking"):
            probe("POST", url + AT_KEY, data=raw, content_type=ctype)
        probe("POST", "/hooks/sms/twilio", data=raw, content_type=ctype, headers={"X-Twilio-Signature": "x"})
    for key in ("", "%00", "%FF", HUGE[:5000], "at-test-key%00"):
        probe("POST", f"/hooks/sms/africastalking?key={key}", data=sms)
        probe("POST", f"/hooks/ussd/africastalking?key={key}", data={"sessionId": "s", "phoneNumber": "+1"})
    delivery = {"id": "ATXid_out", "status": "Success", "phoneNumber": "+8801712345678", "networkCode": "47001",
                "failureReason": ""}
    _post_form_everything(probe, "/hooks/sms/africastalking/delivery" + AT_KEY, delivery)
    ussd = {"sessionId": "sess-1", "serviceCode": "*123#", "phoneNumber": "+8801712345678", "networkCode": "47001",
            "text": "1"}
    for i, data in enumerate(_form_variants(ussd)):
        data = {**data, "sessionId": f"sess-{i}"} if data.get("sessionId") == "sess-1" else data
        probe("POST", "/hooks/ussd/africastalking" + AT_KEY, data=data)
    for text in ("1*1*1*1*1*1", "1*" + "9*" * 500, "1*1*1*1*1*1*1*" + "\x00" * 10, "*" * 1000, "3*2*00*0*98"):
        probe("POST", "/hooks/ussd/africastalking" + AT_KEY, data={**ussd, "sessionId": f"t-{len(text)}",
                                                                  "text": text})
    twilio_in = {"MessageSid": "SM1", "From": "+8801712345678", "To": "+15005550006", "Body": f"STATUS {code}"}
    for i, data in enumerate(_form_variants(twilio_in)):
        data = {**data, "MessageSid": f"SM-{i}"} if data.get("MessageSid") == "SM1" else data
        _twilio(probe, "/hooks/sms/twilio", data)
    status = {"MessageSid": "SMout", "MessageStatus": "delivered", "ErrorCode": ""}
    for data in _form_variants(status):
        _twilio(probe, "/hooks/sms/twilio/status", data)
    probe.check()


def test_webhooks_say_which_fields_are_missing(client, world):
    r = client.post("/hooks/sms/africastalking" + AT_KEY, data={"text": "hello"})
    _expect_error_shape(r, 400)
    assert set(r.get_json()["error"]["fields"]) == {"id", "from"}
    r = client.post("/hooks/ussd/africastalking" + AT_KEY, data={"text": "1"})
    _expect_error_shape(r, 400)
