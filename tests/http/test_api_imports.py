"""POST /api/v1/imports: paper forms as a CSV or Excel body — all rows or none, each bad row named, a file
sent twice landing once; officers only inside their area."""
from __future__ import annotations

import builders
from builders import BARIA, BARMI

from grs.services.imports import as_csv, as_xlsx

HEADER = ["date_received", "programme", "category", "area", "description", "name", "phone"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows(*areas: str) -> list[list[str]]:
    return [HEADER] + [["2026-11-03", "OAA", "payment", area, f"Allowance not paid ({i}).", "Rahima Begum",
                        "01712345678"] for i, area in enumerate(areas)]


def send(client, headers, data: bytes, content_type: str = "text/csv"):
    return client.post("/api/v1/imports", data=data, headers={**headers, "Content-Type": content_type})


def test_a_good_file_lands_every_row_on_channel_paper_once(client, auth, world):
    headers = auth("operator")
    r = send(client, headers, as_csv(rows(BARIA, BARMI)))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert [x["row"] for x in body["lodged"]] == [2, 3] and body["already"] == []
    code = body["lodged"][0]["tracking_code"]
    g = client.get(f"/api/v1/grievances/{code}", headers=headers).get_json()
    assert g["channel"] == "paper" and g["received_at"].startswith("2026-11-0")
    again = send(client, headers, as_csv(rows(BARIA, BARMI))).get_json()
    assert again["lodged"] == [] and [x["tracking_code"] for x in again["already"]] == \
        [x["tracking_code"] for x in body["lodged"]]


def test_excel_works_too(client, auth, world):
    r = send(client, auth("operator"), as_xlsx({"grievances": rows(BARIA)}), XLSX)
    assert r.status_code == 200 and len(r.get_json()["lodged"]) == 1


def test_one_bad_row_lands_nothing_and_is_named(client, auth, world):
    data = rows(BARIA, BARMI)
    data[2][1] = "NOPE"
    r = send(client, auth("operator"), as_csv(data))
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "import_rejected"
    assert "row 3.programme" in error["fields"]
    assert {"row": 3, "column": "programme"}.items() <= error["rows"][0].items()
    assert client.get("/api/v1/grievances?channel=paper", headers=auth("admin")).get_json()["total"] == 0


def test_an_officer_imports_only_inside_its_area(client, auth, world):
    r = send(client, auth("officer_baria"), as_csv(rows(BARMI)))
    assert r.status_code == 422 and "row 2.area" in r.get_json()["error"]["fields"]
    assert send(client, auth("officer_baria"), as_csv(rows(BARIA))).status_code == 200


def test_who_and_what_may_be_sent(client, auth, world):
    assert send(client, auth("analyst"), as_csv(rows(BARIA))).status_code == 403
    r = send(client, auth("operator"), b'{"rows": []}', "application/json")
    assert r.status_code == 422 and "Content-Type" in r.get_json()["error"]["fields"]
    r = send(client, auth("operator"), b"not,a,template\n1,2,3\n")
    assert r.status_code == 422 and r.get_json()["error"]["rows"]
    assert builders  # the world's builders made the accounts
