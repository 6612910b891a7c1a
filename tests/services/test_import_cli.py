"""`grs import grievances FILE`: all rows or none, errors per row, exit 1 when nothing landed; idempotent."""

import openpyxl
import sqlalchemy as sa

from builders import BARIA, BASAN
from grs.extensions import db
from grs.models import Grievance

HEADER = "date_received,programme,category,area,description,anonymous"
GOOD = [f"2026-11-03,OAA,payment,{BARIA},Allowance not paid,yes", f"2026-11-04,OAA,payment,{BASAN},Box slip,yes"]


def write(tmp_path, *lines, name="forms.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return str(path)


def paper(app):
    with app.app_context():
        return db.session.scalars(sa.select(Grievance).where(Grievance.channel == "paper")).all()


def test_a_good_file_lands_every_row_once(app, runner, world, tmp_path):
    path = write(tmp_path, *GOOD)
    result = runner.invoke(args=["import", "grievances", path])
    assert result.exit_code == 0, result.output
    assert "imported 2 grievance(s), 0 already imported" in result.output and "checked 2/2 rows" in result.output
    lodged = paper(app)
    assert len(lodged) == 2 and all(f"lodged {g.tracking_code}" in result.output for g in lodged)
    again = runner.invoke(args=["import", "grievances", path])
    assert again.exit_code == 0 and "imported 0 grievance(s), 2 already imported" in again.output
    assert len(paper(app)) == 2


def test_one_bad_row_lands_nothing_exits_1_and_writes_the_report(app, runner, world, tmp_path):
    path = write(tmp_path, GOOD[0], f"2026-11-04,OAA,payment,BD-UN-0000,Bad area,yes")
    report = tmp_path / "errors.xlsx"
    result = runner.invoke(args=["import", "grievances", path, "--report", str(report)])
    assert result.exit_code == 1
    assert "row 3, area: Unknown area." in result.output and "nothing imported: 1 error(s)" in result.output
    assert paper(app) == []
    rows = list(openpyxl.load_workbook(report).active.iter_rows(values_only=True))
    assert rows[0][-1] == "errors" and rows[2][-1] == "area: Unknown area." and rows[1][-1] in (None, "")


def test_xlsx_and_garbage(app, runner, world, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(GOOD[0].split(","))
    book.save(tmp_path / "forms.xlsx")
    assert runner.invoke(args=["import", "grievances", str(tmp_path / "forms.xlsx")]).exit_code == 0
    (tmp_path / "junk.xlsx").write_bytes(b"PK\x03\x04junk")
    result = runner.invoke(args=["import", "grievances", str(tmp_path / "junk.xlsx")])
    assert result.exit_code == 1 and "file: The Excel file cannot be read" in result.output


def test_import_areas_still_answers(runner, world, tmp_path):
    from grs.demo import DEMO_AREAS

    result = runner.invoke(args=["import-areas", DEMO_AREAS])
    assert result.exit_code == 0 and "total:" in result.output
    assert "grievances" in runner.invoke(args=["import", "--help"]).output
