"""Bulk import of paper forms and complaint-box slips from a CSV or Excel file: every row checked, then
all rows lodged in the caller's unit of work or none, with a per-row error report to fix and upload again.

A row's `source_ref` (channel `paper`) is its form's serial number (`reference` column) or, without one,
the file's content hash and the row number, so the same file uploaded twice lands once.
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from .. import permissions
from ..countries import profile
from ..errors import N_, DomainError, ValidationError
from ..models import AGE_BANDS, SEXES, Area, Category, Grievance, Programme
from ..permissions import Capability, Scope
from ..uow import unit_of_work
from .actors import Actor
from .intake import ComplainantIn, Intake, check
from .lodging import lodge

log = logging.getLogger(__name__)

CHANNEL = "paper"
# In the template's order; the first five are required.
COLUMNS = ("reference", "date_received", "programme", "category", "area", "description", "anonymous", "name",
           "phone", "sex", "age_band", "disability", "beneficiary_id", "language")
REQUIRED = ("date_received", "programme", "category", "area", "description")
IGNORED = ("errors",)  # the error report's own column: a fixed report uploads as it is
EXAMPLE_REFERENCE = "EXAMPLE"  # the template's example row, skipped so a filled-in template imports as it is
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
MAX_CELL = 4000  # the longest text a row may hold (a description's limit)
MAX_REFERENCE = 80
KINDS = ("csv", "xlsx")
OLDEST = date(2000, 1, 1)
YES = {"yes", "y", "true", "1", "হ্যাঁ", "হাঁ"}
NO = {"no", "n", "false", "0", "না"}


class UnreadableFile(ValidationError):
    """The file is not a CSV or Excel table this import can read; `params` fill the message's placeholders."""

    def __init__(self, message: str, params: dict | None = None):
        super().__init__(message)
        self.params = params or {}


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1; 0 for the file as a whole
    column: str  # "" for the row or the file as a whole
    message: str  # English, marked N_; pages translate it
    params: dict = field(default_factory=dict)


@dataclass
class Table:
    """What a file holds: its columns and its data rows, each with its spreadsheet row number."""

    kind: str
    digest: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]


@dataclass
class ImportResult:
    """The outcome: either `lodged` (row, tracking code) or `errors`; `already` rows imported before."""

    table: Table | None
    errors: list[RowError] = field(default_factory=list)
    lodged: list[tuple[int, str]] = field(default_factory=list)
    already: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # the template's example row

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_row(self) -> dict[int, list[RowError]]:
        out: dict[int, list[RowError]] = {}
        for e in self.errors:
            out.setdefault(e.row, []).append(e)
        return out


class ImportRejected(ValidationError):
    """Raised out of the unit of work so that nothing of the file lands; carries the per-row report."""

    def __init__(self, result: ImportResult):
        super().__init__(N_("Nothing was imported: correct the rows listed and upload the file again."))
        self.result = result


# ---------------------------------------------------------------- reading


def kind_of(filename: str, data: bytes) -> str:
    """`csv` or `xlsx` from the name and the content; UnreadableFile for anything else."""
    name = (filename or "").lower()
    is_zip = data[:4] == b"PK\x03\x04"
    if name.endswith(".xlsx") and is_zip:
        return "xlsx"
    if name.endswith(".csv") and not is_zip and b"\x00" not in data[:8192]:
        return "csv"
    raise UnreadableFile(N_("Upload a CSV file or an Excel workbook (.xlsx); this file is neither."))


def _header(name) -> str:
    return re.sub(r"[\s\-]+", "_", str(name if name is not None else "").strip().lower())


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile(N_("Save the CSV file as UTF-8 text (Excel: CSV UTF-8) and upload it again."))
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error:
        raise UnreadableFile(N_("The CSV file cannot be read; check it has one row per line."))


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook  # only this import needs it

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield row
        book.close()
    except DomainError:
        raise
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors) on a damaged workbook
        raise UnreadableFile(N_("The Excel file cannot be read; save it again as .xlsx and upload it again."))


def read_table(filename: str, data: bytes) -> Table:
    """The columns and non-empty rows of the first sheet, or UnreadableFile saying what is wrong."""
    if len(data) > MAX_BYTES:
        raise UnreadableFile(N_("The file is too large; split it into files of at most %(num)d rows."),
                             {"num": MAX_ROWS})
    kind = kind_of(filename, data)
    reader = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    header = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, raw in enumerate(reader, start=1):
        cells = [_cell(v) for v in raw]
        if header is None:
            if not any(cells):
                raise UnreadableFile(N_("The first row must hold the column names, as in the template."))
            header = [_header(c) for c in cells]
            continue
        if not any(cells):
            continue  # blank lines, and the empty rows a spreadsheet keeps at its end
        if len(rows) >= MAX_ROWS:
            raise UnreadableFile(N_("The file is too large; split it into files of at most %(num)d rows."),
                                 {"num": MAX_ROWS})
        rows.append((number, {header[i]: c for i, c in enumerate(cells) if i < len(header) and header[i]}))
    if header is None:
        raise UnreadableFile(N_("The file is empty."))
    return Table(kind, hashlib.sha256(data).hexdigest(), header, rows)


# ---------------------------------------------------------------- checking


def _column_errors(columns: list[str]) -> list[RowError]:
    errors = [RowError(1, name, N_("This column is missing; use the template's column names."))
              for name in REQUIRED if name not in columns]
    seen: set[str] = set()
    for name in columns:
        if not name:
            continue
        if name not in COLUMNS and name not in IGNORED:
            errors.append(RowError(1, name, N_("Unknown column; use the template's column names.")))
        elif name in seen:
            errors.append(RowError(1, name, N_("This column appears twice.")))
        seen.add(name)
    return errors


def _parse_date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _yes_no(text: str) -> bool | None | str:
    t = text.strip().lower()
    if not t:
        return None
    if t in YES:
        return True
    if t in NO:
        return False
    return "bad"


def source_ref(table: Table, number: int, row: dict[str, str]) -> str:
    """The row's idempotency key on channel `paper`: its form's serial number, else file hash + row."""
    ref = row.get("reference", "").strip()
    # Serial numbers are per office or box: the same number from another area is another form.
    return f"ref:{row.get('area', '').strip()}:{ref}" if ref else f"file:{table.digest[:32]}:{number}"


def _intake(row: dict[str, str], number: int, table: Table, received_at: datetime | None, language: str,
            errors: list[RowError]) -> Intake | None:
    """The row as an Intake, with the mistakes of shape that `intake.check` does not look at."""
    anonymous = _yes_no(row.get("anonymous", ""))
    disability = _yes_no(row.get("disability", ""))
    if anonymous == "bad":
        errors.append(RowError(number, "anonymous", N_("Write yes or no.")))
    if disability == "bad":
        errors.append(RowError(number, "disability", N_("Write yes or no.")))
    sex, age = row.get("sex", "").lower(), row.get("age_band", "").lower()
    if sex and sex not in SEXES:
        errors.append(RowError(number, "sex", N_("Use one of %(codes)s."), {"codes": ", ".join(SEXES)}))
    if age and age not in AGE_BANDS:
        errors.append(RowError(number, "age_band", N_("Use one of %(codes)s."), {"codes": ", ".join(AGE_BANDS)}))
    person_fields = [row.get(k, "") for k in ("name", "phone", "beneficiary_id")]
    if anonymous is True and any(person_fields):
        errors.append(RowError(number, "anonymous",
                               N_("An anonymous form has no name, phone or beneficiary id; clear them or write no.")))
    complainant = None
    if anonymous is not True:
        complainant = ComplainantIn(
            name=row.get("name") or None, phone=row.get("phone") or None,
            sex=sex if sex in SEXES else None, age_band=age if age in AGE_BANDS else None,
            disability=disability if isinstance(disability, bool) else None,
            beneficiary_id=row.get("beneficiary_id") or None)
    return Intake(channel=CHANNEL, programme=row.get("programme", ""), category=row.get("category", ""),
                  description=row.get("description", ""), area=row.get("area") or None,
                  language=language, complainant=complainant,
                  source_ref=source_ref(table, number, row), received_at=received_at)


def _received_at(text: str, number: int, tz: ZoneInfo, now: datetime, errors: list[RowError]) -> datetime | None:
    """The paper's date as the start of that day in the country's time zone (stored in UTC)."""
    if not text:
        errors.append(RowError(number, "date_received", N_("Write the date the form was received.")))
        return None
    day = _parse_date(text)
    if day is None:
        errors.append(RowError(number, "date_received", N_("Write the date as YYYY-MM-DD, e.g. 2026-11-03.")))
        return None
    if day > now.astimezone(tz).date():
        errors.append(RowError(number, "date_received", N_("The date is in the future.")))
        return None
    if day < OLDEST:
        errors.append(RowError(number, "date_received", N_("The date is too long ago; check the year.")))
        return None
    return datetime.combine(day, time(0), tz).astimezone(ZoneInfo("UTC"))


def _in_scope(user, area: Area | None) -> bool:
    if user is None:
        return True  # the command line acts for the whole deployment
    scope = permissions.grant(user, Capability.IMPORT)
    if scope is None:
        return False
    if scope is Scope.AREA:
        return area is not None and area.path.startswith(permissions.scope_path(user))
    return True


def _check_rows(uow, table: Table, *, user, now: datetime, progress) -> list[tuple[int, Intake]]:
    """Every row checked; each mistake as a RowError on the result (raised together by the caller)."""
    errors: list[RowError] = []
    tz = ZoneInfo(profile(uow.settings.country).timezone)
    ready: list[tuple[int, Intake]] = []
    refs: dict[str, int] = {}
    for i, (number, row) in enumerate(table.rows, start=1):
        row_errors: list[RowError] = []
        for name, value in row.items():
            if len(value) > MAX_CELL:
                row_errors.append(RowError(number, name, N_("Too long: at most %(num)d characters."),
                                           {"num": MAX_CELL}))
                row[name] = ""
        ref = row.get("reference", "")
        if len(ref) > MAX_REFERENCE:
            row_errors.append(RowError(number, "reference", N_("Too long: at most %(num)d characters."),
                                       {"num": MAX_REFERENCE}))
            row["reference"] = ""
        elif ref and ref in refs:
            row_errors.append(RowError(number, "reference", N_("The same reference as row %(row)d."),
                                       {"row": refs[ref]}))
        elif ref:
            refs[ref] = number
        for name in REQUIRED:
            if name != "date_received" and not row.get(name, "").strip() \
                    and name not in {e.column for e in row_errors}:
                row_errors.append(RowError(number, name, N_("Required.")))
        received = _received_at(row.get("date_received", ""), number, tz, now, row_errors)
        language = row.get("language") or uow.settings.default_language
        intake = _intake(row, number, table, received, language, row_errors)
        try:
            checked = check(uow, intake)
        except ValidationError as e:
            said = {err.column for err in row_errors}
            row_errors += [RowError(number, key if key in COLUMNS else "", text)
                           for key, text in e.fields.items() if key not in said]
        else:
            if not _in_scope(user, checked.area):
                row_errors.append(RowError(number, "area", N_("This area is outside the areas you work for.")))
        errors += row_errors
        if not row_errors:
            ready.append((number, intake))
        if progress:
            progress("checked", i, len(table.rows))
    if errors:
        raise ImportRejected(ImportResult(table, errors=errors))
    return ready


# ---------------------------------------------------------------- importing


def import_grievances(uow, filename: str, data: bytes, *, actor: Actor, user=None, now: datetime,
                      progress: Callable[[str, int, int], None] | None = None) -> ImportResult:
    """Lodge every row of the file on channel `paper`, or none: ImportRejected (raised so the caller's
    unit of work rolls back) carries the per-row errors. Rows imported before are reported, not lodged.

    `user` is the staff account importing (its scope limits the rows' areas); None for the command line.
    """
    try:
        table = read_table(filename, data)
    except UnreadableFile as e:
        raise ImportRejected(ImportResult(None, errors=[RowError(0, "", e.message, e.params)]))
    column_errors = _column_errors(table.columns)
    if column_errors:
        raise ImportRejected(ImportResult(table, errors=column_errors))
    if not table.rows:
        raise ImportRejected(ImportResult(table, errors=[RowError(2, "", N_("The file has no rows to import."))]))
    result = ImportResult(table)
    rows = []
    for number, row in table.rows:
        if row.get("reference", "").strip().upper() == EXAMPLE_REFERENCE:
            result.skipped.append(number)
        else:
            rows.append((number, row))
    table_rows = Table(table.kind, table.digest, table.columns, rows)
    ready = _check_rows(uow, table_rows, user=user, now=now, progress=progress)
    earlier = _imported_before(uow, [intake.source_ref for _n, intake in ready])
    for i, (number, intake) in enumerate(ready, start=1):
        if intake.source_ref in earlier:
            result.already.append((number, earlier[intake.source_ref]))
            continue
        try:
            # A savepoint only so that a row failing here is reported with its number, and the rest are
            # still tried; any failure still lands nothing (ImportRejected below undoes the whole file).
            with unit_of_work(savepoint=True):
                g = lodge(uow, intake, actor=actor, now=now)
        except DomainError as e:
            columns = ((_COLUMN_OF.get(key, key), text) for key, text in (e.fields or {"": e.message}).items())
            result.errors += [RowError(number, column if column in COLUMNS else "", text) for column, text in columns]
            continue
        result.lodged.append((number, g.tracking_code))
        if progress:
            progress("lodged", i, len(ready))
    if result.errors:
        raise ImportRejected(ImportResult(table, errors=result.errors))
    log.info("imported %d paper grievances (%d already imported) from file %s", len(result.lodged),
             len(result.already), table.digest[:12])
    return result


_COLUMN_OF = {"received_at": "date_received"}  # a lodge's field names that differ from the file's columns


def _imported_before(uow, refs: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start:start + 500]
        found.update(uow.session.execute(sa.select(Grievance.source_ref, Grievance.tracking_code).where(
            Grievance.channel == CHANNEL, Grievance.source_ref.in_(chunk))).all())
    return found


# ---------------------------------------------------------------- template and error report


def template_rows(uow, user=None) -> tuple[list[str], list[str]]:
    """The template's header and example row, with real codes from this deployment."""
    session = uow.session
    programme = session.scalar(sa.select(Programme.code).where(Programme.active.is_(True)).order_by(Programme.code))
    category = session.scalar(sa.select(Category.code).where(Category.active.is_(True),
                                                             Category.sensitive.is_(False)).order_by(Category.code))
    scope = permissions.scope_path(user) if user is not None else "/"
    area = session.scalar(sa.select(Area.code).where(Area.path.startswith(scope, autoescape=True))
                          .order_by(sa.func.length(Area.path).desc(), Area.code).limit(1))
    example = {"reference": EXAMPLE_REFERENCE, "date_received": "2026-11-03", "programme": programme or "",
               "category": category or "", "area": area or "",
               "description": "Allowance not paid for two months (example row: it is skipped)",
               "anonymous": "no", "name": "Rahima Begum", "phone": "01712345678", "sex": "female",
               "age_band": "60_plus", "disability": "no", "beneficiary_id": "", "language": "bn"}
    return list(COLUMNS), [example[c] for c in COLUMNS]


def reference_codes(uow, lang: str, user=None) -> dict[str, list[list[str]]]:
    """The valid codes for the template's second sheets: programmes, categories, areas in scope."""
    session = uow.session
    scope = permissions.scope_path(user) if user is not None else "/"
    return {
        "programmes": [["code", "name"]] + [[p.code, p.name(lang)] for p in session.scalars(
            sa.select(Programme).where(Programme.active.is_(True)).order_by(Programme.code))],
        "categories": [["code", "name", "sensitive"]] + [[c.code, c.name(lang), "yes" if c.sensitive else "no"]
                                                         for c in session.scalars(sa.select(Category).where(
                                                             Category.active.is_(True)).order_by(Category.code))],
        "areas": [["code", "level", "name"]] + [[a.code, a.level, a.name(lang)] for a in session.scalars(
            sa.select(Area).where(Area.path.startswith(scope, autoescape=True)).order_by(Area.path))],
        "other": [["column", "values"], ["sex", ", ".join(SEXES)], ["age_band", ", ".join(AGE_BANDS)],
                  ["anonymous, disability", "yes, no"], ["date_received", "YYYY-MM-DD"],
                  ["language", ", ".join(uow.settings.languages)]],
    }


def error_rows(result: ImportResult, describe: Callable[[RowError], str] = None) -> list[list[str]]:
    """The file's rows with an `errors` column (empty for good rows), to fix and upload again."""
    describe = describe or (lambda e: e.message % e.params if e.params else e.message)
    table = result.table
    columns = [c for c in table.columns if c not in IGNORED] if table else []
    by_row = result.errors_by_row()
    out = [columns + ["errors"]]
    file_level = [e for e in result.errors if e.row <= 1]
    if file_level:
        out.append([""] * len(columns) + ["; ".join(f"{e.column}: {describe(e)}" if e.column else describe(e)
                                                     for e in file_level)])
    for number, row in (table.rows if table else []):
        said = "; ".join(f"{e.column}: {describe(e)}" if e.column else describe(e) for e in by_row.get(number, []))
        out.append([row.get(c, "") for c in columns] + [said])
    return out


def as_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM makes Excel read the file as UTF-8


def as_xlsx(sheets: dict[str, list[list[str]]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title[:31])

        def text(v):
            cell = WriteOnlyCell(sheet, value=v)
            cell.data_type = "s"  # text as written: a description starting with "=" is no formula
            return cell

        for row in rows:
            sheet.append([text(v) if isinstance(v, str) and v.startswith("=") else v for v in row])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
