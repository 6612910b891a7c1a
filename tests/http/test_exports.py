"""Exports: grievance lists and statistics tables as CSV and Excel, and the public open-data file."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import builders
import openpyxl
import pytest
import sqlalchemy as sa
from builders import BARIA, BARMI, BASAN, GAZIPUR, SADAR, T0

from grs.api import exports
from grs.extensions import db
from grs.models import Grievance

pytestmark = pytest.mark.both_backends  # batched reads (yield_per) behave differently per backend

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_rows(r) -> list[dict]:
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))


def xlsx_rows(r) -> list[dict]:
    ws = openpyxl.load_workbook(io.BytesIO(r.get_data())).active
    values = list(ws.iter_rows(values_only=True))
    return [dict(zip(values[0], row)) for row in values[1:]]


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flat(item: dict) -> dict:
    """A JSON list item as the export's columns, every value as CSV text."""
    item = dict(item)
    office = item.pop("office") or {}
    item["office_code"], item["office_name"] = office.get("code"), office.get("name")
    for key, value in (item.pop("complainant", None) or {}).items():
        item[f"complainant_{key}"] = value
    return {k: as_text(v) for k, v in item.items()}


@pytest.fixture
def three(app, world):
    a = builders.lodge_in(app, BARIA)
    builders.lodge_in(app, BARIA, category="other")
    builders.lodge_in(app, BARMI)
    builders.act_in(app, world, "officer_baria", a, "resolve", decision="upheld", resolution="Paid, with arrears.")
    return a


def test_the_csv_list_is_every_row_of_the_json_list(client, auth, three):
    headers = auth("admin")
    listed = client.get("/api/v1/grievances", query_string={"area": GAZIPUR}, headers=headers).get_json()
    r = client.get("/api/v1/grievances", query_string={"area": GAZIPUR, "format": "csv", "per_page": 1},
                   headers=headers)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.is_streamed
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "grievances-20" in disposition and ".csv" in disposition
    rows = csv_rows(r)
    assert len(rows) == listed["total"] == 3  # every row, whatever the page size
    assert rows == [flat(item) for item in listed["items"]]


def test_the_xlsx_list_equals_the_json_list(client, auth, three):
    headers = auth("admin")
    listed = client.get("/api/v1/grievances", query_string={"status": "resolved"}, headers=headers).get_json()
    r = client.get("/api/v1/grievances", query_string={"status": "resolved", "format": "xlsx"}, headers=headers)
    assert r.status_code == 200 and r.mimetype == XLSX
    assert ".xlsx" in r.headers["Content-Disposition"]
    rows = xlsx_rows(r)
    assert len(rows) == 1
    assert [{k: as_text(v) for k, v in row.items()} for row in rows] == [flat(i) for i in listed["items"]]
    assert rows[0]["resolution"] == "Paid, with arrears."


def test_personal_columns_only_for_roles_that_see_personal_data(client, auth, three):
    officer = csv_rows(client.get("/api/v1/grievances?format=csv", headers=auth("officer_baria")))
    assert officer and officer[0]["complainant_name"] == "Rahima Begum"
    assert officer[0]["complainant_phone"].endswith("1712345678")
    r = client.get("/api/v1/grievances?format=csv", headers=auth("analyst"))
    header = r.get_data(as_text=True).splitlines()[0].split(",")
    assert not any(c.startswith("complainant") for c in header)
    assert "Rahima" not in r.get_data(as_text=True)
    xlsx = xlsx_rows(client.get("/api/v1/grievances?format=xlsx", headers=auth("analyst")))
    assert xlsx and not any(k.startswith("complainant") for k in xlsx[0])


def test_sensitive_grievances_stay_out_of_an_export_for_those_who_may_not_see_them(app, client, auth):
    builders.lodge_in(app, BARIA)
    builders.lodge_in(app, BARIA, category="corruption")  # a sensitive category
    with app.app_context():
        sensitive = db.session.scalar(sa.select(sa.func.count()).where(Grievance.sensitive.is_(True)))
    for who in ("officer_gazipur", "officer_gazipur_plain"):
        listed = client.get("/api/v1/grievances", headers=auth(who)).get_json()
        rows = csv_rows(client.get("/api/v1/grievances?format=csv", headers=auth(who)))
        assert len(rows) == listed["total"]
        assert {r["tracking_code"] for r in rows} == {i["tracking_code"] for i in listed["items"]}
    assert sensitive == 1
    if sensitive:
        plain = csv_rows(client.get("/api/v1/grievances?format=csv", headers=auth("officer_gazipur_plain")))
        assert all(r["sensitive"] == "false" for r in plain)


def test_a_large_list_streams_in_batches_and_every_row_arrives(app, client, auth, monkeypatch):
    code = builders.lodge_in(app, BARIA)
    with app.app_context():
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        template = {c.key: getattr(g, c.key) for c in Grievance.__table__.columns
                    if c.key not in ("id", "tracking_code", "source_ref")}
        db.session.execute(sa.insert(Grievance), [
            {**template, "tracking_code": f"9{i:011d}", "received_at": template["received_at"] + timedelta(seconds=i)}
            for i in range(1999)])
        db.session.commit()
    monkeypatch.setattr(exports, "BATCH", 300)
    seen = []
    real = exports.matching

    def spy(*args, **kw):
        for g in real(*args, **kw):
            seen.append(len(db.session.identity_map))
            yield g
    monkeypatch.setattr(exports, "matching", spy)
    r = client.get("/api/v1/grievances?format=csv", headers=auth("admin"))
    assert r.status_code == 200 and r.is_streamed
    lines = [line.decode() if isinstance(line, bytes) else line for line in r.response]  # a generator of lines, one per row after the header
    assert len(lines) == 2001
    assert len({row["tracking_code"] for row in csv.DictReader(io.StringIO("".join(lines)))}) == 2000
    assert max(seen) < 1000  # written rows leave the session: never all 2,000 held at once


@pytest.mark.parametrize("path", ["/api/v1/grievances", "/api/v1/stats"])
@pytest.mark.parametrize("value", ["pdf", "", "CSV;"])
def test_a_bad_format_is_refused_in_the_error_format(client, auth, path, value):
    r = client.get(path, query_string={"format": value}, headers=auth("admin"))
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] and error["message"] and "format" in error["fields"]


def test_format_json_is_the_ordinary_answer(client, auth, three):
    r = client.get("/api/v1/grievances?format=json", headers=auth("admin"))
    assert r.status_code == 200 and r.get_json()["total"] == 3


# ---------------------------------------------------------------- statistics tables


def _stat_row(row: dict) -> dict:
    """Numbers compared as numbers (Excel keeps 1.0 as 1)."""
    def norm(v):
        try:
            return float(v)
        except (TypeError, ValueError):
            return as_text(v)
    return {k: norm(v) for k, v in row.items()}


def test_the_stats_table_carries_the_json_figures(client, auth, three):
    headers = auth("admin")
    params = {"group_by": "level", "area": GAZIPUR}
    body = client.get("/api/v1/stats", query_string=params, headers=headers).get_json()
    r = client.get("/api/v1/stats", query_string={**params, "format": "csv"}, headers=headers)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "statistics-20" in r.headers["Content-Disposition"]
    rows = csv_rows(r)
    assert [row["key"] for row in rows] == [g["key"] for g in body["groups"]] + ["total"]
    for row, fig in zip(rows, [*body["groups"], body["total"]]):
        for k, v in fig.items():
            if k == "key":
                continue
            if k == "rejected_by_reason":
                for reason, n in v.items():
                    assert row[f"rejected_{reason}"] == str(n)
            else:
                assert row[k] == as_text(v), k
        assert row["group_by"] == "level" and row["area"] == GAZIPUR
    x = xlsx_rows(client.get("/api/v1/stats", query_string={**params, "format": "xlsx"}, headers=headers))
    assert [_stat_row(row) for row in x] == [_stat_row(row) for row in rows]


def test_an_ungrouped_stats_table_is_the_total_row(client, auth, three):
    body = client.get("/api/v1/stats", headers=auth("admin")).get_json()
    rows = csv_rows(client.get("/api/v1/stats?format=csv", headers=auth("admin")))
    assert len(rows) == 1 and rows[0]["key"] == "total"
    assert rows[0]["received"] == str(body["total"]["received"]) == "3"
    assert rows[0]["resolved"] == "1"


# ---------------------------------------------------------------- open data

FORBIDDEN = {"tracking_code", "code", "name", "phone", "description", "note", "notes", "resolution", "decision",
             "sex", "gender", "age_band", "disability", "beneficiary_id"}


def test_open_data_has_no_personal_data_no_free_text_and_no_tracking_code(app, client, world):
    codes = [builders.lodge_in(app, BARIA, description="My neighbour Karim took my card.") for _ in range(5)]
    builders.lodge_in(app, BARIA, category="corruption")  # sensitive: never published
    builders.act_in(app, world, "officer_baria", codes[0], "resolve", decision="upheld", resolution="Card returned.")
    r = client.get("/public/open-data/grievances.csv")  # no sign-in
    assert r.status_code == 200 and r.mimetype == "text/csv" and r.is_streamed
    assert "open-data-grievances-20" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5
    header = text.splitlines()[0].split(",")
    assert header == list(__import__("channels.web.open_data", fromlist=["COLUMNS"]).COLUMNS)
    assert not FORBIDDEN & set(header) and not [c for c in header if c.startswith("complainant")]
    for secret in ("Karim", "Rahima", "1712345678", "Card returned", "upheld", *codes):
        assert secret not in text
    assert all(row["category"] != "corruption" for row in rows)
    assert len({row["id"] for row in rows}) == 5
    again = list(csv.DictReader(io.StringIO(client.get("/public/open-data/grievances.csv").get_data(as_text=True))))
    assert [row["id"] for row in again] == [row["id"] for row in rows]  # stable between downloads
    decided = [row for row in rows if row["outcome"] == "resolved"]
    assert len(decided) == 1 and decided[0]["decision_month"] == decided[0]["received_month"]
    assert decided[0]["within_limit"] == "true" and decided[0]["working_days"] != ""
    # Five in Baria this month: a cell of five is published at the union.
    assert {row["area"] for row in rows} == {BARIA} and {row["area_level"] for row in rows} == {"union"}


def test_open_data_coarsens_a_small_cell_to_the_next_level_or_blank(app, client, world):
    for _ in range(4):
        builders.lodge_in(app, BARIA)
    builders.lodge_in(app, BASAN)  # Baria 4 + Basan 1: both under five; Gazipur Sadar has five
    builders.lodge_in(app, BARMI)  # Sreepur: 1, Gazipur district: 6
    builders.lodge_in(app, BARIA, now=T0 - timedelta(days=62))  # another month: alone in its district
    rows = list(csv.DictReader(io.StringIO(client.get("/public/open-data/grievances.csv").get_data(as_text=True))))
    by_month: dict = {}
    for row in rows:
        by_month.setdefault(row["received_month"], []).append((row["area"], row["area_level"]))
    this_month = T0.strftime("%Y-%m")
    assert sorted(by_month[this_month]) == sorted([(SADAR, "upazila")] * 5 + [(GAZIPUR, "district")])
    (other,) = [m for m in by_month if m != this_month]
    assert by_month[other] == [("", "")]
    assert BARIA not in {row["area"] for row in rows} and BASAN not in {row["area"] for row in rows}


@pytest.mark.config(TRACK_RATE_LIMIT=2)
def test_open_data_is_rate_limited_like_other_public_lookups(client, world):
    statuses = [client.get("/public/open-data/grievances.csv").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
