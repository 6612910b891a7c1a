"""/cases/import: upload paper forms as officers and operators; errors per row, or the codes that landed."""
import io

import openpyxl
import pytest
import sqlalchemy as sa

from builders import BARIA, BASAN
from grs.extensions import db
from grs.models import Grievance

HEADER = "date_received,programme,category,area,description,anonymous"
GOOD = [f"2026-11-03,OAA,payment,{BARIA},Allowance not paid,yes", f"2026-11-04,OAA,payment,{BASAN},Box slip,yes"]


def csv_file(*lines: str, name: str = "forms.csv"):
    return (io.BytesIO(("\n".join([HEADER, *lines]) + "\n").encode()), name)


def paper_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Grievance).where(Grievance.channel == "paper"))


def upload(client, data, name="forms.csv"):
    if isinstance(data, bytes):
        data = (io.BytesIO(data), name)
    return client.post("/cases/import", data={"file": data}, content_type="multipart/form-data")


def test_a_good_file_lands_and_lists_the_codes(app, client_as):
    client = client_as("operator")
    page = client.get("/cases/import")
    assert page.status_code == 200 and b'type="file"' in page.data
    r = upload(client, csv_file(*GOOD))
    assert r.status_code == 200, r.data
    assert b"2 grievances lodged." in r.data
    with app.app_context():
        codes = db.session.scalars(sa.select(Grievance.tracking_code).where(Grievance.channel == "paper")).all()
    assert len(codes) == 2 and all(f"/cases/{c}".encode() in r.data for c in codes)
    again = upload(client, csv_file(*GOOD))
    assert b"0 grievances lodged." in again.data and b"2 rows were already imported" in again.data
    assert paper_count(app) == 2


def test_one_bad_row_lands_nothing_and_the_report_downloads(app, client_as):
    client = client_as("operator")
    r = upload(client, csv_file(GOOD[0], f"2026-11-04,OAA,nope,{BASAN},Bad category,yes"))
    assert r.status_code == 422
    assert b"Nothing was imported" in r.data and b"<td>3</td><td>category</td><td>Unknown category.</td>" in r.data
    assert paper_count(app) == 0
    link = r.data.split(b'href="/cases/import/report/')[1].split(b'"')[0].decode()
    report = client.get("/cases/import/report/" + link)
    assert report.status_code == 200 and report.headers["Content-Type"].startswith("text/csv")
    lines = report.data.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",errors") and lines[2].endswith("category: Unknown category.")
    # Another account cannot read it.
    assert client_as("admin").get("/cases/import/report/" + link).status_code == 404
    xlsx = client.get("/cases/import/report/" + link.replace(".csv", ".xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]][-1] == "errors"


def test_the_page_and_its_errors_in_bangla(app, client_as):
    client = client_as("operator")
    assert "কাগজের ফরম".encode() in client.get("/cases/import?lang=bn").data
    r = upload(client, csv_file(f"2026-11-04,OAA,nope,{BASAN},x,yes"))
    assert r.status_code == 422
    assert "কিছুই আমদানি হয়নি".encode() in r.data and "অজানা".encode() in r.data


def test_an_officer_may_import_only_their_area(app, client_as):
    r = upload(client_as("officer_baria"), csv_file(*GOOD))
    assert r.status_code == 422 and b"<td>3</td><td>area</td>" in r.data
    assert paper_count(app) == 0
    assert upload(client_as("officer_baria"), csv_file(GOOD[0])).status_code == 200


@pytest.mark.parametrize("who, status", [("analyst", 403), ("facilitator", 403), ("supervisor", 403),
                                         ("officer_baria", 200), ("operator", 200), ("admin", 200)])
def test_who_may_import(client_as, who, status):
    assert client_as(who).get("/cases/import").status_code == status


def test_signed_out_goes_to_login(client):
    r = client.get("/cases/import")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


@pytest.mark.parametrize("name, data, says", [
    ("notes.txt", b"hello", b"Upload a CSV file or an Excel workbook"),
    ("forms.xlsx", b"PK\x03\x04not really a workbook", b"The Excel file cannot be read"),
    ("forms.csv", b"\x89PNG\r\n\x1a\n\x00\x00", b"Upload a CSV file"),
    ("forms.csv", b"who,what\nme,this\n", b"This column is missing"),
    ("forms.csv", (HEADER + "\n2026-11-01,OAA,payment,BD-UN-2869," + "x" * 300_000 + ",yes\n").encode(),
     b"cannot be read"),
])
def test_bad_files_get_a_clear_message_never_a_500(client_as, name, data, says):
    r = upload(client_as("operator"), data, name)
    assert r.status_code == 422 and says in r.data


def test_no_file_is_a_form_error(client_as):
    r = client_as("operator").post("/cases/import", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and b"Choose a file to upload." in r.data


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_upload_needs_the_csrf_token(app, client_as):
    r = upload(client_as("operator"), csv_file(*GOOD))
    assert r.status_code in (400, 422) and paper_count(app) == 0


def test_the_templates_download_and_filled_in_import(app, client_as):
    client = client_as("operator")
    csv_template = client.get("/cases/import/template.csv")
    assert csv_template.status_code == 200 and "attachment" in csv_template.headers["Content-Disposition"]
    lines = csv_template.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("reference,date_received,programme,category,area,description")
    xlsx = client.get("/cases/import/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames[:3] == ["grievances", "programmes", "categories"]
    assert "OAA" in [row[0] for row in book["programmes"].iter_rows(values_only=True)]
    sheet = book["grievances"]
    header = [c.value for c in sheet[1]]
    example = dict(zip(header, [c.value for c in sheet[2]]))
    sheet.append([{**example, "reference": "F-17", "area": BARIA, "description": "Typed in"}[h] for h in header])
    buf = io.BytesIO()
    book.save(buf)
    r = upload(client, buf.getvalue(), "filled.xlsx")
    assert r.status_code == 200 and b"1 grievance lodged." in r.data and b"example row was skipped" in r.data
    filled_csv = csv_template.data + f"F-18,2026-11-02,OAA,payment,{BARIA},From the CSV template,yes,,,,,,,\n".encode()
    r = upload(client, filled_csv, "filled.csv")
    assert r.status_code == 200 and b"1 grievance lodged." in r.data
    assert client.get("/cases/import/template.pdf").status_code == 404
