"""What the case page and the forms show, through the API: a grievance's events and attachments, and the
reference lists (programmes, categories, levels, areas, offices, the lifecycle's actions)."""
from __future__ import annotations

import builders
import pytest
from builders import BARIA, BARMI, GAZIPUR, SADAR

from grs import services as svc

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_events_are_the_history_oldest_first_and_scoped(app, client, auth, world):
    code = builders.lodge_in(app, BARIA)
    builders.act_in(app, world, "officer_baria", code, "acknowledge")
    r = client.get(f"/api/v1/grievances/{code}/events", headers=auth("officer_baria"))
    assert r.status_code == 200
    body = r.get_json()
    assert body["tracking_code"] == code
    types = [e["type"] for e in body["items"]]
    assert types[0] == "lodged" and types[-1] == "acknowledged"
    assert [e["seq"] for e in body["items"]] == sorted(e["seq"] for e in body["items"])
    detail = client.get(f"/api/v1/grievances/{code}", headers=auth("officer_baria")).get_json()
    assert detail["events"] == body["items"]
    assert client.get(f"/api/v1/grievances/{code}/events", headers=auth("officer_basan")).status_code == 403
    assert client.get("/api/v1/grievances/000000000000/events", headers=auth("admin")).status_code == 404


def test_attachments_are_listed_and_downloaded_in_scope(app, client, auth):
    with app.app_context():
        code = builders.lodge(BARIA, attachments=(svc.AttachmentIn("slip.png", "image/png", PNG),)).tracking_code
    r = client.get(f"/api/v1/grievances/{code}/attachments", headers=auth("officer_baria"))
    assert r.status_code == 200
    [item] = r.get_json()["items"]
    assert (item["filename"], item["content_type"], item["size"]) == ("slip.png", "image/png", len(PNG))
    file = client.get(item["url"], headers=auth("officer_baria"))
    assert file.status_code == 200 and file.data == PNG
    assert "slip.png" in file.headers["Content-Disposition"]
    assert client.get(item["url"], headers=auth("officer_basan")).status_code == 403
    other = builders.lodge_in(app, BARIA)
    assert client.get(f"/api/v1/grievances/{other}/attachments/{item['id']}",
                      headers=auth("officer_baria")).status_code == 404
    assert client.get(f"/api/v1/grievances/{code}/attachments/x", headers=auth("officer_baria")).status_code == 404


def test_reference_lists(client, auth, world):
    headers = auth("analyst")
    programmes = client.get("/api/v1/programmes", headers=headers).get_json()["items"]
    oaa = next(p for p in programmes if p["code"] == "OAA")
    assert oaa["name"] == "Old Age Allowance" and oaa["names"]["bn"] == "বয়স্ক ভাতা" and oaa["active"] is True
    categories = {c["code"]: c for c in client.get("/api/v1/categories", headers=headers).get_json()["items"]}
    assert categories["corruption"]["sensitive"] is True and categories["corruption"]["start_tier"] == "district"
    levels = client.get("/api/v1/levels", headers=headers).get_json()["items"]
    assert [t["code"] for t in levels] == ["union", "upazila", "district", "national"]
    assert client.get("/api/v1/levels?x=1", headers=headers).status_code == 422


def test_areas_one_level_at_a_time(client, auth, world):
    headers = auth("operator")
    top = client.get("/api/v1/areas", headers=headers).get_json()
    assert top["items"] and all(a["level"] == "division" for a in top["items"])
    children = client.get("/api/v1/areas", query_string={"parent": SADAR}, headers=headers).get_json()
    assert BARIA in [a["code"] for a in children["items"]]
    assert all(a["parent"] == SADAR for a in children["items"])
    unions = client.get("/api/v1/areas", query_string={"parent": GAZIPUR, "level": "union", "per_page": 2},
                        headers=headers).get_json()
    assert len(unions["items"]) == 2 and unions["total"] > 2 and "level=union" in unions["next"]
    one = client.get(f"/api/v1/areas/{BARIA}", headers=headers).get_json()
    assert one["parent"] == SADAR and one["ancestors"][-1] == SADAR
    assert [o["code"] for o in one["offices"]] == [f"OFF-{BARIA}"]
    assert client.get("/api/v1/areas/BD-NOPE", headers=headers).status_code == 404
    r = client.get("/api/v1/areas", query_string={"parent": "BD-NOPE"}, headers=headers)
    assert r.status_code == 422 and "parent" in r.get_json()["error"]["fields"]


def test_offices_for_a_transfer(client, auth, world):
    headers = auth("officer_baria")
    r = client.get("/api/v1/offices", query_string={"area": SADAR, "level": "union"}, headers=headers)
    offices = r.get_json()["items"]
    assert f"OFF-{BARIA}" in [o["code"] for o in offices]
    assert all(o["tier"] == "union" for o in offices)
    assert f"OFF-{BARMI}" not in [o["code"] for o in offices]  # Sreepur, not Sadar
    assert client.get("/api/v1/offices", query_string={"active": "maybe"}, headers=headers).status_code == 422


def test_actions_describe_the_lifecycle(client, auth, world):
    body = client.get("/api/v1/actions", headers=auth("officer_baria")).get_json()
    by_name = {a["action"]: a for a in body["items"]}
    assert by_name["resolve"]["requires"] == ["decision", "resolution"]
    assert by_name["reject"]["to"] == "rejected" and "received" in by_name["reject"]["from"]
    assert by_name["extend"]["to"] is None
    assert "unrelated" in body["reject_reasons"] and "upheld" in body["decisions"]


@pytest.mark.parametrize("path", ["/api/v1/programmes", "/api/v1/areas", "/api/v1/actions"])
def test_reference_lists_need_a_token(client, world, path):
    assert client.get(path).status_code == 401
