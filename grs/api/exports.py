"""Grievance lists and statistics tables as files (`format=csv|xlsx` on the API's list and stats calls).

A list export carries every matching row, not one page, and never holds them all in memory: rows are
read from the database in batches (`yield_per`) and written out as they come — CSV as a generator of
lines streamed to the client, Excel through openpyxl's write-only workbook into a temporary file that
is then sent. The columns are those of the JSON list (docs/api.md, "Exports"), nested objects
flattened (`office_code`, `office_name`, `complainant_*`); the complainant's columns only for roles that
see personal data, sensitive grievances only for those who may see them (the list's visible filter).
"""
from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from datetime import datetime

import sqlalchemy as sa
from flask import Response, send_file, stream_with_context
from sqlalchemy.orm import selectinload

from ..errors import ValidationError
from ..database import read_session
from ..models import Grievance, User
from ..permissions import sees_personal_data
from ..spreadsheets import csv_value, xlsx_row
from ..statistics import REASONS
from . import listing, serialize
from .schemas import ListQuery

FORMATS = ("csv", "xlsx")
BATCH = 500

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

GRIEVANCE_COLUMNS = (
    "tracking_code", "status", "level", "office_code", "office_name", "channel", "programme", "category",
    "area", "sensitive", "language", "anonymous", "description", "received_at", "ack_due_at", "due_at",
    "acknowledged_at", "resolved_at", "closed_at", "feedback_due_at", "overdue", "paused", "extended",
    "escalation_count", "appeal_count", "appeal", "decision", "resolution", "satisfied", "national_review_since",
)
PERSONAL_COLUMNS = ("complainant_name", "complainant_phone", "complainant_gender", "complainant_age_band",
                    "complainant_disability", "complainant_beneficiary_id")


def export_format(args, keys: list[str]) -> tuple[str | None, list[str]]:
    """The requested file format (None: JSON) and the other parameter names; ValidationError for a bad one."""
    others = [k for k in keys if k != "format"]
    if "format" not in keys:
        return None, others
    if keys.count("format") > 1:
        raise ValidationError("the query has invalid parameters", {"format": "Give this parameter once."})
    raw = (args.get("format") or "").strip().lower()
    if raw == "json":
        return None, others
    if raw not in FORMATS:
        raise ValidationError("the query has invalid parameters", {"format": "Use csv, xlsx or json."})
    return raw, others


def grievance_columns(viewer: User) -> tuple[str, ...]:
    return GRIEVANCE_COLUMNS + (PERSONAL_COLUMNS if sees_personal_data(viewer) else ())


def grievance_row(g: Grievance, viewer: User | None, *, now: datetime, personal: bool | None = None) -> dict:
    """The JSON list's item, flattened to one level."""
    item = serialize.grievance(g, viewer, now=now, personal=personal)
    office = item.pop("office") or {}
    item["office_code"], item["office_name"] = office.get("code"), office.get("name")
    if "complainant" in item:
        person = item.pop("complainant") or {}
        for key in ("name", "phone", "gender", "age_band", "disability", "beneficiary_id"):
            item[f"complainant_{key}"] = person.get(key)
    return item


def matching(viewer: User, q: ListQuery, *, now: datetime, batch: int = BATCH) -> Iterator[Grievance]:
    """Every grievance of the list (all pages), in list order, read `batch` rows at a time."""
    yield from _batched(listing.list_query(viewer, q, now), batch)


def _batched(query, batch: int) -> Iterator[Grievance]:
    query = (query.options(selectinload(Grievance.office), selectinload(Grievance.area),
                           selectinload(Grievance.programme), selectinload(Grievance.category),
                           selectinload(Grievance.complainant))
             .execution_options(yield_per=batch))
    session = read_session()  # the read replica when there is one (exports may lag a second)
    for partition in session.scalars(query).partitions():
        yield from partition
        for g in partition:  # what has been written out need not stay in the identity map
            session.expunge(g)


def _cell(value):
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


def csv_lines(columns: Iterable[str], rows: Iterable[dict]) -> Iterator[str]:
    """The header line, then one line per row (RFC 4180, CRLF)."""
    columns = list(columns)
    buf = io.StringIO()
    writer = csv.writer(buf)

    def line(values) -> str:
        buf.seek(0)
        buf.truncate()
        writer.writerow(values)
        return buf.getvalue()
    yield line(columns)
    for row in rows:
        yield line([csv_value(_cell(row.get(c))) for c in columns])


def xlsx_file(columns: Iterable[str], rows: Iterable[dict], title: str):
    """A write-only workbook of the rows in a temporary file (deleted when closed), rewound."""
    from openpyxl import Workbook

    columns = list(columns)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.append(columns)
    for row in rows:
        ws.append(xlsx_row(ws, [row.get(c) for c in columns]))
    out = tempfile.TemporaryFile(suffix=".xlsx")
    wb.save(out)
    out.seek(0)
    return out


def file_response(fmt: str, name: str, columns, rows: Iterable[dict], *, today) -> Response:
    """`rows` as a CSV stream or an Excel attachment named `<name>-<date>.<fmt>`."""
    filename = f"{name}-{today.isoformat()}.{fmt}"
    if fmt == "csv":
        response = Response(stream_with_context(csv_lines(columns, rows)), mimetype="text/csv")
        response.headers["Content-Type"] = CSV_TYPE
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return send_file(xlsx_file(columns, rows, name), mimetype=XLSX_TYPE, as_attachment=True,
                     download_name=filename)


def _rows(viewer_id: int, q: ListQuery, now: datetime) -> Iterator[dict]:
    # Read while the response is written: the viewer afresh from this session, as the view's may be gone.
    viewer = read_session().get(User, viewer_id)
    for g in matching(viewer, q, now=now):
        yield grievance_row(g, viewer, now=now)


def every_grievance_row(*, now: datetime, batch: int | None = None) -> Iterator[dict]:
    """Every grievance, sensitive ones included, with the complainant's columns, oldest first: what an
    admin's list export holds for the whole country (`grs export grievances`, on the server itself)."""
    for g in _batched(sa.select(Grievance).order_by(Grievance.id), batch or BATCH):
        yield grievance_row(g, None, now=now, personal=True)


def count_all() -> int:
    return read_session().scalar(sa.select(sa.func.count()).select_from(Grievance))


def write_file(fmt: str, columns, rows: Iterable[dict], out, *, title: str) -> None:
    """`rows` as CSV or Excel into the binary stream `out`, one row at a time (Excel: a write-only workbook)."""
    if fmt == "csv":
        for line in csv_lines(columns, rows):
            out.write(line.encode("utf-8"))
        return
    with xlsx_file(columns, rows, title) as fh:
        shutil.copyfileobj(fh, out)


def grievances(fmt: str, viewer: User, q: ListQuery, *, now: datetime) -> Response:
    return file_response(fmt, "grievances", grievance_columns(viewer), _rows(viewer.id, q, now),
                         today=now.date())


# ---------------------------------------------------------------- statistics tables

STATS_COLUMNS = (
    "received", "resolved", "rejected", *(f"rejected_{r}" for r in REASONS), "pending", "overdue",
    "resolved_within_limit", "within_limit_share", "median_working_days", "mean_working_days", "escalated",
    "appealed", "satisfied", "feedback", "ack_breached", "escalation_rate", "appeal_rate", "satisfaction_rate",
)


def stats_rows(result: dict) -> tuple[list[str], list[dict]]:
    """The figures as a table: one row per group, then the total (key `total`)."""
    group_by = result.get("group_by")
    columns = ["group_by", "area", "key", *STATS_COLUMNS]
    if group_by == "level":
        columns.append("share_resolved")

    def flat(key, fig: dict) -> dict:
        row = {k: v for k, v in fig.items() if k != "rejected_by_reason"}
        for reason, n in (fig.get("rejected_by_reason") or {}).items():
            row[f"rejected_{reason}"] = n
        row.update(group_by=group_by, area=result.get("area"), key=key)
        return row
    rows = [flat(g["key"], g) for g in result.get("groups", [])]
    rows.append(flat("total", result["total"]))
    return columns, rows


def stats(fmt: str, result: dict, *, today) -> Response:
    columns, rows = stats_rows(result)
    return file_response(fmt, "statistics", columns, rows, today=today)
