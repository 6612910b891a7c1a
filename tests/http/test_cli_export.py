"""`grs export grievances`: the API's list export for the whole country, or the public open data, as a file
or on standard output, read in batches with progress on stderr."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import builders
import openpyxl
import pytest
import sqlalchemy as sa
from builders import BARIA, BARMI

from grs import cli
from grs.api import exports
from grs.extensions import db
from grs.models import Grievance

pytestmark = pytest.mark.both_backends  # batched reads (yield_per) behave differently per backend


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def three(app, world):
    a = builders.lodge_in(app, BARIA)
    builders.lodge_in(app, BARIA, category="corruption")  # sensitive: in the full export, never in open data
    builders.lodge_in(app, BARMI, phone=None)
    builders.act_in(app, world, "officer_baria", a, "resolve", decision="upheld", resolution="Paid, with arrears.")
    return a


def test_the_csv_equals_a_national_admins_api_export(client, auth, runner, three):
    api = csv_rows(client.get("/api/v1/grievances?format=csv", headers=auth("admin")).get_data(as_text=True))
    result = runner.invoke(args=["export", "grievances", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert len(rows) == 3
    assert list(rows[0]) == list(exports.GRIEVANCE_COLUMNS + exports.PERSONAL_COLUMNS) == list(api[0])
    # The same rows and cells; the command lists oldest first, the API in worklist order.
    assert sorted(rows, key=lambda r: r["tracking_code"]) == sorted(api, key=lambda r: r["tracking_code"])
    assert any(r["sensitive"] == "true" for r in rows)
    assert "exported 3 grievance(s) to standard output" in result.stderr


def test_xlsx_to_a_file(runner, three, tmp_path):
    out = tmp_path / "list.xlsx"
    result = runner.invoke(args=["export", "grievances", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    values = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert values[0] == exports.GRIEVANCE_COLUMNS + exports.PERSONAL_COLUMNS
    assert len(values) == 4
    assert three in [row[0] for row in values[1:]]
    assert result.stdout == ""  # the file is the output; the count goes to stderr


def test_open_data_is_exactly_the_public_file(client, runner, three, tmp_path):
    public = client.get("/public/open-data/grievances.csv").get_data(as_text=True)
    out = tmp_path / "open.csv"
    result = runner.invoke(args=["export", "grievances", "--open-data", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().decode("utf-8") == public
    rows = csv_rows(public)
    assert len(rows) == 2 and three not in public and "Rahima" not in public
    on_stdout = runner.invoke(args=["export", "grievances", "--open-data"])
    assert on_stdout.stdout_bytes.decode("utf-8") == public  # byte for byte (CRLF as in RFC 4180)
    xlsx = tmp_path / "open.xlsx"
    assert runner.invoke(args=["export", "grievances", "--open-data", "--format", "xlsx",
                               "--out", str(xlsx)]).exit_code == 0
    values = list(openpyxl.load_workbook(xlsx).active.iter_rows(values_only=True))
    assert [tuple("" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for v in row)
            for row in values] == [tuple(line) for line in csv.reader(io.StringIO(public))]


def test_a_bad_format_is_refused(runner, world):
    result = runner.invoke(args=["export", "grievances", "--format", "pdf"])
    assert result.exit_code == 2 and "pdf" in result.output


def test_a_long_export_reads_in_batches_and_shows_progress(app, world, runner, monkeypatch):
    code = builders.lodge_in(app, BARIA)
    with app.app_context():
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        template = {c.key: getattr(g, c.key) for c in Grievance.__table__.columns
                    if c.key not in ("id", "tracking_code", "source_ref")}
        db.session.execute(sa.insert(Grievance), [
            {**template, "tracking_code": f"9{i:011d}", "received_at": template["received_at"] + timedelta(seconds=i)}
            for i in range(1199)])
        db.session.commit()
    monkeypatch.setattr(exports, "BATCH", 200)
    monkeypatch.setattr(cli, "PROGRESS_EVERY", 500)
    held = []
    real = exports.grievance_row

    def spy(*args, **kw):
        held.append(len(db.session.identity_map))
        return real(*args, **kw)
    monkeypatch.setattr(exports, "grievance_row", spy)
    result = runner.invoke(args=["export", "grievances"])
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert len(rows) == 1200 and len({r["tracking_code"] for r in rows}) == 1200
    assert "500/1200 rows" in result.stderr and "1000/1200 rows" in result.stderr
    assert max(held) < 800  # rows written out leave the session: never all 1,200 held at once
