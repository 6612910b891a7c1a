"""A year's calendar corrections at once: load a CSV of days off / working days, export them back.

The CSV (see bd-2026.csv): `date,name_en,name_local,area,kind`; lines starting with `#` are comments (the
source). `name_local` is the name in the country pack's local language (Bangla in Bangladesh); a column
`name_<language>` (`name_bn`, `name_fr`, ...) names the day in that language instead, so older files load. `area` is an area code, empty for the whole country; `kind` is `off` (a day off), `working` (a
weekend day declared a working day) or `not_off` (a public holiday of the `holidays` package that is a
working day this year). Loading is idempotent: a row that exists with the same names and kind is
unchanged; one with other names or another kind is changed. Deadlines of the open grievances the
changes touch are recomputed once, at the end, so a grievance gets at most one `deadline_changed` event
per load (and only if its due day really moved).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Iterable

import sqlalchemy as sa

from grs.countries import name_columns as country_name_columns
from grs.countries import profile
from grs.errors import N_, ValidationError
from grs.models import HOLIDAY_KINDS, Area, Holiday
from grs.services import admin_audit
from grs.services.actors import Actor

COLUMNS = ("date", "name_en", "name_local", "area", "kind")
REQUIRED = ("date", "name_en", "area", "kind")


@dataclass(frozen=True)
class Row:
    day: date
    name_en: str
    names: dict[str, str]  # language code (or "local": the pack's local language) -> name
    area: str  # area code, "" = national
    kind: str

    def resolved(self, local_language: str) -> dict[str, str]:
        """The row's names by language code, "local" read as the country's local language."""
        return {local_language if k == "local" else k: v for k, v in self.names.items() if v}


def check_kind(uow, day: date, kind: str) -> None:
    """A correction must make sense: `working` only on a weekend day; `not_off` only on a package holiday."""
    from escalation.policy import public_holidays

    if kind not in HOLIDAY_KINDS:
        raise ValidationError("unknown kind", {"kind": N_("Choose a day off, a working day or a public holiday worked.")})
    country = uow.settings.country
    if kind == "working" and day.weekday() not in profile(country).weekend:
        raise ValidationError("a working day must be a weekend day",
                              {"day": N_("Only a weekend day can be declared a working day.")})
    if kind == "not_off" and day not in public_holidays(country, range(day.year, day.year + 1)):
        raise ValidationError("not a public holiday", {"day": N_("That day is not a public holiday.")})


def read_csv(text: str) -> list[Row]:
    """Parse the file's text; a bad line raises ValueError naming its line number."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    name_columns = {"name_local": "local"} | {c: lang for c, lang in country_name_columns(reader.fieldnames).items()
                                              if c != "name_local"}
    rows = []
    for n, r in enumerate(reader, start=2):
        try:
            day = date.fromisoformat((r["date"] or "").strip())
        except ValueError:
            raise ValueError(f"row {n}: bad date {r['date']!r}") from None
        kind = (r["kind"] or "off").strip() or "off"
        if kind not in HOLIDAY_KINDS:
            raise ValueError(f"row {n}: kind must be one of {', '.join(HOLIDAY_KINDS)}")
        name_en = (r["name_en"] or "").strip()
        if not name_en:
            raise ValueError(f"row {n}: name_en is empty")
        names = {lang: (r.get(c) or "").strip()[:200] for c, lang in name_columns.items() if (r.get(c) or "").strip()}
        rows.append(Row(day, name_en[:200], names, (r["area"] or "").strip(), kind))
    return rows


def load(uow, rows: Iterable[Row], *, actor: Actor, now: datetime, target: str = "",
         progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Add or update each row's correction; recompute the affected deadlines once. Returns counts."""
    from escalation.admin import _follow_change

    counts = {"added": 0, "changed": 0, "unchanged": 0, "deadlines_changed": 0}
    local = profile(uow.settings.country).local_language
    areas: dict[str, Area] = {}
    earliest: date | None = None
    for i, r in enumerate(rows, start=1):
        area = None
        if r.area:
            area = areas.get(r.area) or uow.session.scalar(sa.select(Area).where(Area.code == r.area))
            if area is None:
                raise ValidationError(f"unknown area {r.area!r} on {r.day}", {"area": N_("Unknown area.")})
            areas[r.area] = area
        check_kind(uow, r.day, r.kind)
        h = uow.session.scalar(sa.select(Holiday).where(
            Holiday.day == r.day, Holiday.area_id.is_(None) if area is None else Holiday.area_id == area.id))
        names = r.resolved(local)
        if h is None:
            h = Holiday(day=r.day, area=area, name_en=r.name_en, kind=r.kind, names=names)
            uow.session.add(h)
            counts["added"] += 1
        elif (h.name_en, h.names or {}, h.kind) != (r.name_en, names, r.kind):
            moves = h.kind != r.kind
            h.name_en, h.kind, h.names = r.name_en, r.kind, names
            counts["changed"] += 1
            if not moves:  # a new name moves no deadline
                if progress:
                    progress(i)
                continue
        else:
            counts["unchanged"] += 1
            if progress:
                progress(i)
            continue
        earliest = r.day if earliest is None or r.day < earliest else earliest
        if progress:
            progress(i)
    if earliest is not None:
        start = datetime.combine(earliest, datetime.min.time())
        from grs.models import Grievance

        counts["deadlines_changed"] = _follow_change(uow, [Grievance.due_at >= start], actor=actor, now=now,
                                                     reason=f"days off loaded: {target or 'a file'}")
    if counts["added"] or counts["changed"]:
        admin_audit.append(uow, "holidays_loaded", actor=actor, at=now, target=target or "-", data=dict(counts))
    return counts


def export(session, year: int, local_language: str) -> str:
    """The corrections of one year as CSV, in the format `load` reads (sorted by date, then area); `name_local`
    is the name in `local_language` (the country pack's)."""
    rows = session.execute(
        sa.select(Holiday, Area.code).outerjoin(Area, Area.id == Holiday.area_id)
        .where(Holiday.day >= date(year, 1, 1), Holiday.day <= date(year, 12, 31))).all()
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for h, code in sorted(rows, key=lambda r: (r[0].day, r[1] or "")):
        w.writerow([h.day.isoformat(), h.name_en, (h.names or {}).get(local_language, ""), code or "", h.kind])
    return out.getvalue()
