"""Lodging, reading and listing grievances through the JSON API, as an MIS or a call centre would."""
from __future__ import annotations

from datetime import datetime, timedelta

import builders
import pytest
from builders import BARIA, BARMI, BASAN, SADAR

from grs.timeutil import utcnow

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

NEW = {
    "channel": "api",
    "programme": "OAA",
    "category": "payment",
    "area": BARIA,
    "description": "My allowance was not paid this quarter.",
    "language": "bn",
    "complainant": {"name": "Rahima Begum", "phone": "01712345678", "gender": "female", "age_band": "60_plus",
                    "disability": False, "beneficiary_id": "OAA-778812"},
}



def lodge(client, headers, **changes):
    body = {**NEW, **changes}
    return client.post("/api/v1/grievances", json=body, headers=headers)


def aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.utcoffset() is not None, f"{text} has no offset"
    return value


# ---------------------------------------------------------------- lodge


def test_lodge_answers_201_with_location_and_the_contract_fields(client, auth):
    r = lodge(client, auth("operator"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    code = body["tracking_code"]
    assert len(code) == 12 and code.isdigit()
    assert r.headers["Location"].endswith(f"/api/v1/grievances/{code}")
    assert body["status"] == "received"
    assert body["level"] == "union"
    assert body["office"]["code"] == "OFF-BD-UN-2869"
    assert body["office"]["name"]
    assert body["channel"] == "api" and body["programme"] == "OAA" and body["category"] == "payment"
    assert body["area"] == BARIA and body["language"] == "bn"
    assert body["anonymous"] is False and body["sensitive"] is False
    received, due, ack_due = aware(body["received_at"]), aware(body["due_at"]), aware(body["ack_due_at"])
    assert received < ack_due <= due
    assert [e["type"] for e in body["events"]] == ["lodged", "routed"]
    assert body["complainant"]["phone"] == "+8801712345678"
    assert body["complainant"]["gender"] == "female"


def test_lodged_grievance_is_visible_in_its_union_and_forbidden_next_door(client, auth):
    code = lodge(client, auth("operator")).get_json()["tracking_code"]

    baria = client.get(f"/api/v1/grievances/{code}", headers=auth("officer_baria"))
    assert baria.status_code == 200
    assert baria.get_json()["office"]["code"] == "OFF-BD-UN-2869"
    assert "acknowledge" in baria.get_json()["allowed_actions"]

    basan_headers = auth("officer_basan")
    basan = client.get(f"/api/v1/grievances/{code}", headers=basan_headers)
    assert basan.status_code == 403
    assert basan.get_json()["error"]["code"] == "forbidden"
    listed = client.get("/api/v1/grievances", headers=basan_headers).get_json()
    assert code not in [g["tracking_code"] for g in listed["items"]]
    assert listed["total"] == 0


def test_unknown_code_is_404_in_the_error_shape(client, auth):
    r = client.get("/api/v1/grievances/123456789012", headers=auth("admin"))
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"


def test_anonymous_and_triage(client, auth):
    r = lodge(client, auth("operator"), complainant=None, area=None)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["anonymous"] is True and body["complainant"] is None
    assert body["office"] is None and body["level"] is None and body["due_at"] is None
    assert body["events"][-1]["type"] == "triaged"


def test_analyst_cannot_lodge(client, auth):
    r = lodge(client, auth("analyst"))
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "forbidden"


def test_external_ref_makes_a_retry_return_the_same_grievance(client, auth):
    headers = auth("operator")
    first = lodge(client, headers, external_ref="MIS-2026-000123")
    again = lodge(client, headers, external_ref="MIS-2026-000123")
    assert first.status_code == 201 and again.status_code == 200
    assert again.get_json() == first.get_json()
    listed = client.get("/api/v1/grievances", headers=headers).get_json()
    assert listed["total"] == 1


def test_idempotency_key_header_works_like_external_ref(client, auth):
    headers = {**auth("operator"), "Idempotency-Key": "retry-7"}
    first, again = lodge(client, headers), lodge(client, headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["tracking_code"] == again.get_json()["tracking_code"]


def test_another_caller_with_the_same_external_ref_gets_its_own_grievance(client, auth):
    mine = lodge(client, auth("operator"), external_ref="X-1").get_json()["tracking_code"]
    theirs = lodge(client, auth("admin"), external_ref="X-1")
    assert theirs.status_code == 201
    assert theirs.get_json()["tracking_code"] != mine


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("data", [b"{not json", b"", b"[1, 2]", b'"text"', "\udcff".encode("utf-8", "surrogatepass")])
def test_body_that_is_not_a_json_object_is_400(client, auth, data):
    r = client.post("/api/v1/grievances", data=data, headers={**auth("operator"), "Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "bad_json"


def test_unknown_field_is_422_naming_it(client, auth):
    r = lodge(client, auth("operator"), colour="blue", complainant={"name": "A", "shoe_size": 40})
    assert r.status_code == 422
    fields = r.get_json()["error"]["fields"]
    assert set(fields) == {"colour", "complainant.shoe_size"}


def test_missing_programme_is_422_naming_it(client, auth):
    body = {k: v for k, v in NEW.items() if k != "programme"}
    r = client.post("/api/v1/grievances", json=body, headers=auth("operator"))
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"programme"}


def test_invalid_phone_is_422_naming_phone(client, auth):
    r = lodge(client, auth("operator"), complainant={"phone": "12"})
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"complainant.phone"}


@pytest.mark.parametrize("changes, field", [
    ({"programme": "NOPE"}, "programme"),
    ({"category": 7}, "category"),
    ({"area": "BD-XX-1"}, "area"),
    ({"channel": "fax"}, "channel"),
    ({"language": "xx"}, "language"),
    ({"description": "   "}, "description"),
    ({"description": "x" * 5000}, "description"),
    ({"description": "nul\x00byte"}, "description"),
    ({"complainant": {"gender": "unknown"}}, "complainant.gender"),
    ({"complainant": {"disability": "yes"}}, "complainant.disability"),
    ({"complainant": {"beneficiary_id": "9" * 61}}, "complainant.beneficiary_id"),
    ({"complainant": "Rahima"}, "complainant"),
    ({"external_ref": "r" * 101}, "external_ref"),
])
def test_invalid_values_are_422_naming_the_field(client, auth, changes, field):
    r = lodge(client, auth("operator"), **changes)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["error"]["fields"]


# ---------------------------------------------------------------- personal data


def test_personal_data_only_for_roles_that_handle_cases(app, client, auth):
    code = lodge(client, auth("operator"), area=BASAN).get_json()["tracking_code"]
    officer = client.get(f"/api/v1/grievances/{code}", headers=auth("supervisor_sadar")).get_json()
    assert officer["complainant"]["name"] == "Rahima Begum"
    for key in ("analyst", "facilitator"):
        r = client.get(f"/api/v1/grievances/{code}", headers=auth(key))
        assert r.status_code == 200
        assert "complainant" not in r.get_json()
        assert "Rahima" not in r.get_data(as_text=True) and "1712345678" not in r.get_data(as_text=True)


# ---------------------------------------------------------------- list


@pytest.fixture
def several(app, world):
    """Grievances in three unions and two programmes; the Barmi one is long overdue."""
    now = utcnow()
    with app.app_context():
        old = builders.lodge(BARMI, now=now - timedelta(days=200), programme="WA").tracking_code
        baria = [builders.lodge(BARIA, now=now - timedelta(hours=i)).tracking_code for i in range(3)]
        basan = builders.lodge(BASAN, now=now, category="exclusion").tracking_code
        builders.act(world, "officer_basan", basan, "acknowledge", now=now)
    return {"old": old, "baria": baria, "basan": basan}


def codes(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [g["tracking_code"] for g in response.get_json()["items"]]


def test_list_is_scoped_and_puts_overdue_first(client, auth, several):
    everything = codes(client.get("/api/v1/grievances", headers=auth("admin")))
    assert everything[0] == several["old"]
    assert len(everything) == 5
    assert sorted(codes(client.get("/api/v1/grievances", headers=auth("officer_baria")))) == sorted(several["baria"])
    assert codes(client.get("/api/v1/grievances", headers=auth("officer_basan"))) == [several["basan"]]


@pytest.mark.parametrize("query, expected", [
    ("status=acknowledged", ["basan"]),
    ("programme=WA", ["old"]),
    ("category=exclusion", ["basan"]),
    ("overdue=true", ["old"]),
    (f"area={SADAR}", ["baria", "basan"]),
    (f"area={BARIA}", ["baria"]),
    ("level=union&overdue=false", ["baria", "basan"]),
])
def test_list_filters(client, auth, several, query, expected):
    found = set(codes(client.get(f"/api/v1/grievances?{query}", headers=auth("admin"))))
    wanted = set()
    for key in expected:
        wanted |= set(several[key]) if isinstance(several[key], list) else {several[key]}
    assert found == wanted


def test_list_items_show_overdue(client, auth, several):
    items = client.get("/api/v1/grievances?overdue=true", headers=auth("admin")).get_json()["items"]
    assert items[0]["overdue"] is True and aware(items[0]["due_at"]) < utcnow()


def test_list_pages(client, auth, several):
    headers = auth("admin")
    first = client.get("/api/v1/grievances?per_page=2", headers=headers).get_json()
    assert (first["page"], first["per_page"], first["total"], len(first["items"])) == (1, 2, 5, 2)
    seen = [g["tracking_code"] for g in first["items"]]
    url = first["next"]
    while url:
        page = client.get(url, headers=headers).get_json()
        seen += [g["tracking_code"] for g in page["items"]]
        url = page["next"]
    assert len(seen) == 5 and len(set(seen)) == 5
    assert client.get("/api/v1/grievances", headers=headers).get_json()["per_page"] == 50
    assert client.get("/api/v1/grievances?page=9", headers=headers).get_json()["items"] == []


def test_next_link_keeps_the_filters(client, auth, several):
    page = client.get("/api/v1/grievances?area=BD-UPZ-320&per_page=1", headers=auth("admin")).get_json()
    assert "area=BD-UPZ-320" in page["next"] and "page=2" in page["next"]


@pytest.mark.parametrize("query, field", [
    ("status=lost", "status"),
    ("level=galaxy", "level"),
    ("area=BD-XX-1", "area"),
    ("programme=NOPE", "programme"),
    ("overdue=maybe", "overdue"),
    ("page=0", "page"),
    ("page=two", "page"),
    ("per_page=101", "per_page"),
    ("per_page=-1", "per_page"),
    ("stauts=received", "stauts"),
    ("area=%00", "area"),
])
def test_bad_list_parameters_are_422_naming_them(client, auth, world, query, field):
    r = client.get(f"/api/v1/grievances?{query}", headers=auth("admin"))
    # A NUL is refused before any view, as a malformed request (400); other bad values are 422.
    assert r.status_code == (400 if "%00" in query else 422), r.get_json()
    assert field in r.get_json()["error"]["fields"]
