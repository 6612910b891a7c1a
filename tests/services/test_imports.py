"""Bulk import of paper forms: every row checked, all rows land or none, the same file lands once."""
import io
from datetime import datetime, timezone

import openpyxl
import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BASAN
from grs.extensions import db
from grs.models import Event, Grievance
from grs.services.actors import Actor
from grs.services.imports import (COLUMNS, ImportRejected, as_csv, as_xlsx, error_rows, import_grievances,
                                  reference_codes, template_rows)
from grs.timeutil import utcnow
from grs.uow import unit_of_work

HEADER = "date_received,programme,category,area,description,name,phone,sex,age_band,disability,anonymous"
GOOD = [
    f"2026-11-03,OAA,payment,{BARIA},Allowance not paid since August,Rahima Begum,01712345678,female,60_plus,no,",
    f"04/11/2026,OAA,payment,{BASAN},Slip from the complaint box,,,,,,yes",
]


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def run_import(data: bytes, name: str = "forms.csv", user=None):
    with unit_of_work() as uow:
        return import_grievances(uow, name, data, actor=Actor.system("test"), user=user, now=utcnow())


def rejected(data: bytes, name: str = "forms.csv", user=None):
    with pytest.raises(ImportRejected) as caught:
        run_import(data, name, user)
    return caught.value.result


def paper_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Grievance).where(Grievance.channel == "paper"))


def test_good_file_lands_every_row_on_channel_paper_with_the_paper_date(ctx, world):
    result = run_import(csv_bytes(*GOOD))
    assert result.ok and [n for n, _code in result.lodged] == [2, 3]
    first = builders.find(result.lodged[0][1])
    assert first.channel == "paper" and first.area.code == BARIA and first.status == "received"
    # The start of 3 November in Dhaka (UTC+6), whatever the time of the import.
    assert first.received_at == datetime(2026, 11, 2, 18, 0, tzinfo=timezone.utc)
    assert first.complainant.name == "Rahima Begum" and first.complainant.sex == "female"
    second = builders.find(result.lodged[1][1])
    assert second.complainant is None and second.received_at == datetime(2026, 11, 3, 18, 0, tzinfo=timezone.utc)
    assert second.office is not None and second.due_at is not None
    lodged = db.session.scalar(sa.select(Event).where(Event.grievance_id == second.id, Event.type == "lodged"))
    assert lodged.data["channel"] == "paper" and lodged.data["anonymous"] is True


def test_one_bad_row_lands_nothing_and_names_the_row_and_column(ctx, world):
    before = paper_count()
    bad = f"2026-11-05,NOPE,payment,{BARIA},Wrong programme,,,,,,"
    result = rejected(csv_bytes(GOOD[0], bad, GOOD[1]))
    assert paper_count() == before
    assert [(e.row, e.column) for e in result.errors] == [(3, "programme")]
    assert result.errors[0].message == "Unknown programme."
    report = error_rows(result)
    assert report[0][-1] == "errors" and report[2][-1] == "programme: Unknown programme." and report[1][-1] == ""


def test_every_mistake_of_every_row_is_reported(ctx, world):
    rows = [
        f"2026-13-01,OAA,payment,{BARIA},Bad date,,,,,,",
        f"2027-01-01,OAA,payment,{BARIA},Future date,,,,,,",
        f"2026-11-01,OAA,nope,BD-UN-0000,Bad category and area,,,unknown,old,maybe,",
        "2026-11-01,OAA,payment,,,,,,,,",
        f"2026-11-01,OAA,payment,{BARIA},Anonymous with a name,Karim,,,,,yes",
        f"2026-11-01,OAA,payment,{BARIA},Bad phone,,12,,,,",
    ]
    result = rejected(csv_bytes(*rows))
    got = {(e.row, e.column) for e in result.errors}
    assert got == {(2, "date_received"), (3, "date_received"), (4, "category"), (4, "area"), (4, "sex"),
                   (4, "age_band"), (4, "disability"), (5, "area"), (5, "description"), (6, "anonymous"),
                   (7, "phone")}


def test_the_same_file_twice_lands_once(ctx, world):
    data = csv_bytes(*GOOD)
    first = run_import(data)
    before = paper_count()
    again = run_import(data)
    assert paper_count() == before
    assert again.lodged == [] and again.already == first.lodged


def test_a_reference_column_makes_a_row_idempotent_across_files(ctx, world):
    header = "reference," + HEADER
    first = run_import(csv_bytes("A-001," + GOOD[0], header=header))
    second = run_import(csv_bytes("A-001," + GOOD[0], "A-002," + GOOD[1], header=header), name="more.csv")
    assert second.already == [(2, first.lodged[0][1])] and [n for n, _c in second.lodged] == [3]
    dup = rejected(csv_bytes("B-1," + GOOD[0], "B-1," + GOOD[1], header=header))
    assert [(e.row, e.column) for e in dup.errors] == [(3, "reference")]


def test_xlsx_with_real_dates_imports(ctx, world):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append([datetime(2026, 11, 3), "OAA", "payment", BARIA, "From an Excel sheet", None, None, None, None,
                  None, "yes"])
    buf = io.BytesIO()
    book.save(buf)
    result = run_import(buf.getvalue(), "forms.xlsx")
    g = builders.find(result.lodged[0][1])
    assert g.channel == "paper" and g.received_at == datetime(2026, 11, 2, 18, 0, tzinfo=timezone.utc)


def test_an_officer_imports_only_for_their_own_area(ctx, world):
    result = rejected(csv_bytes(*GOOD), user=world.user("officer_baria"))
    assert [(e.row, e.column) for e in result.errors] == [(3, "area")]
    assert run_import(csv_bytes(*GOOD), user=world.user("operator")).ok


@pytest.mark.parametrize("name, data, says", [
    ("forms.pdf", b"%PDF-1.4", "Upload a CSV file or an Excel workbook"),
    ("forms.xlsx", b"PK\x03\x04garbage", "The Excel file cannot be read"),
    ("forms.csv", b"\xff\xfe\x00d\x00a", "Upload a CSV file"),
    ("forms.csv", "date_received\n\u00e9".encode("latin-1"), "UTF-8"),
    ("forms.csv", b"", "The file is empty."),
    ("forms.csv", b"a,b,c\n1,2,3\n", "This column is missing"),
    ("forms.csv", csv_bytes(), "no rows"),
    ("forms.csv", csv_bytes(f"2026-11-01,OAA,payment,{BARIA},{'x' * 200_000},,,,,,"), "cannot be read"),
    ("forms.csv", csv_bytes(f"2026-11-01,OAA,payment,{BARIA},{'x' * 5000},,,,,,"), "Too long"),
])
def test_garbage_is_reported_never_raised(ctx, world, name, data, says):
    result = rejected(data, name)
    assert any(says in (e.message % e.params if e.params else e.message) for e in result.errors), result.errors
    error_rows(result)  # the report builds for every kind of failure


def test_the_template_filled_in_imports(ctx, world):
    with unit_of_work(read_only=True) as uow:
        header, example = template_rows(uow)
        codes = reference_codes(uow, "bn")
    assert header == list(COLUMNS) and {"programmes", "categories", "areas"} <= set(codes)
    filled = dict(zip(header, example))
    filled.update(reference="", area=BARIA, description="Typed from a slip")
    data = as_csv([header, example, [filled[c] for c in header]])
    result = run_import(data)
    assert len(result.lodged) == 1 and result.skipped == [2]
    book = as_xlsx({"grievances": [header, example, [filled[c] for c in header]], **codes})
    assert len(run_import(book, "template.xlsx").lodged) == 1  # another file without references: its own rows
