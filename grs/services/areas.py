"""Geography: the country's levels and tiers, area imports, and one office per area at office tiers."""
from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from ..countries import profile
from ..errors import ValidationError
from ..models import Area, AreaLevel, Office, Tier


def ensure_country(uow, country: str) -> Area:
    """Create the country's levels, tiers and root area if missing; returns the root area."""
    prof = profile(country)
    for depth, (code, en, local) in enumerate(prof.levels):
        level = uow.session.get(AreaLevel, code) or AreaLevel(code=code)
        level.depth, level.name_en, level.name_bn = depth, en, local
        uow.session.add(level)
    for rank, (code, area_level, en, local) in enumerate(prof.tiers, start=1):
        tier = uow.session.get(Tier, code) or Tier(code=code)
        tier.rank, tier.area_level, tier.name_en, tier.name_bn = rank, area_level, en, local
        uow.session.add(tier)
    uow.session.flush()
    root = uow.session.scalar(sa.select(Area).where(Area.code == prof.code))
    if root is None:
        root = Area(code=prof.code, parent=None, level=prof.levels[0][0], name_en=prof.name,
                    name_bn=prof.levels[0][2] if country == "BD" else prof.name, path=f"/{prof.code}/")
        if country == "BD":
            root.name_bn = "বাংলাদেশ"
        uow.session.add(root)
        uow.session.flush()
    national = uow.session.scalar(sa.select(Office).where(Office.area_id == root.id, Office.tier == "national"))
    if national is None and any(t[0] == "national" for t in prof.tiers):
        uow.session.add(Office(code=f"{prof.code}-NATIONAL", tier="national", area=root,
                              name_en="National Grievance Cell", name_bn="জাতীয় অভিযোগ সেল"
                              if country == "BD" else "National Grievance Cell"))
    return root


@dataclass
class ImportReport:
    created: Counter
    updated: Counter
    unchanged: Counter
    offices_created: Counter
    level_order: tuple[str, ...] = ()  # top to bottom, for printing

    def lines(self) -> list[str]:
        depth = {code: i for i, code in enumerate(self.level_order)}
        levels = sorted(set(self.created) | set(self.updated) | set(self.unchanged),
                        key=lambda lvl: (depth.get(lvl, len(depth)), lvl))
        out = [f"{lvl}: {self.created[lvl] + self.updated[lvl] + self.unchanged[lvl]} "
               f"({self.created[lvl]} new, {self.updated[lvl]} updated, {self.unchanged[lvl]} unchanged)"
               for lvl in levels]
        total = sum(self.created.values()) + sum(self.updated.values()) + sum(self.unchanged.values())
        out.append(f"total: {total} areas")
        if self.offices_created:
            out.append("offices created: " + ", ".join(f"{k} {v}" for k, v in sorted(self.offices_created.items()))
                       + f" (total {sum(self.offices_created.values())})")
        else:
            out.append("offices created: 0")
        return out


OFFICE_NAMES = {
    "union": ("{en} Union Parishad GRS", "{bn} ইউনিয়ন পরিষদ অভিযোগ প্রতিকার"),
    "upazila": ("{en} Upazila Office GRS", "{bn} উপজেলা কার্যালয় অভিযোগ প্রতিকার"),
    "district": ("{en} District Office GRS", "{bn} জেলা কার্যালয় অভিযোগ প্রতিকার"),
}


def import_areas(uow, path: str, country: str, *, with_offices: bool = False) -> ImportReport:
    """Load a hierarchy file (code, parent_code, level, name_en, name_bn); rerunning changes nothing."""
    root = ensure_country(uow, country)
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"code", "parent_code", "level", "name_en", "name_bn"} - set(reader.fieldnames or [])
        if missing:
            raise ValidationError(f"missing columns: {', '.join(sorted(missing))}")
        rows = list(reader)
    known_levels = set(uow.session.scalars(sa.select(AreaLevel.code)).all())
    by_code = {r["code"].strip(): r for r in rows}
    existing = {a.code: a for a in uow.session.scalars(sa.select(Area)).all()}
    report = ImportReport(Counter(), Counter(), Counter(), Counter(),
                          tuple(code for code, _en, _local in profile(country).levels))
    # Parents before children, whatever order the file has.
    done: dict[str, Area] = {root.code: root}
    done.update(existing)

    def place(code: str, trail: tuple = ()) -> Area:
        if code in trail:
            raise ValidationError(f"cycle in parent codes at {code}")
        r = by_code[code]
        parent_code = (r["parent_code"] or "").strip()
        if parent_code and parent_code not in by_code and parent_code not in done:
            raise ValidationError(f"area {code}: unknown parent {parent_code}")
        parent = root if not parent_code else (
            place(parent_code, trail + (code,)) if parent_code in by_code else done[parent_code])
        level = r["level"].strip()
        if level not in known_levels:
            raise ValidationError(f"area {code}: level '{level}' is not a level of {country}")
        path_ = f"{parent.path}{code}/"
        name_en, name_bn = r["name_en"].strip(), (r["name_bn"] or "").strip() or None
        area = existing.get(code)
        if area is None:
            area = Area(code=code, parent=parent, level=level, name_en=name_en, name_bn=name_bn, path=path_)
            uow.session.add(area)
            existing[code] = area
            report.created[level] += 1
        elif code not in seen:
            if (area.parent_id, area.level, area.name_en, area.name_bn, area.path) != (
                    parent.id, level, name_en, name_bn, path_):
                area.parent, area.level, area.name_en, area.name_bn, area.path = parent, level, name_en, name_bn, path_
                report.updated[level] += 1
            else:
                report.unchanged[level] += 1
        seen.add(code)
        done[code] = area
        return area

    seen: set[str] = set()
    for code in by_code:
        if code not in seen:
            place(code)
    uow.session.flush()
    if with_offices:
        report.offices_created = ensure_offices(uow, country)
    uow.session.flush()
    return report


def ensure_offices(uow, country: str) -> Counter:
    """One office per area at each tier that holds offices (the national one lives at the root)."""
    created: Counter = Counter()
    tiers = uow.session.scalars(sa.select(Tier).where(Tier.code != "national")).all()
    for tier in tiers:
        have = set(uow.session.scalars(sa.select(Office.area_id).where(Office.tier == tier.code)).all())
        areas = uow.session.scalars(sa.select(Area).where(Area.level == tier.area_level)).all()
        en_t, bn_t = OFFICE_NAMES.get(tier.code, ("{en} " + tier.name_en + " Office", "{bn} " + (tier.name_bn or "")))
        for a in areas:
            if a.id in have:
                continue
            uow.session.add(Office(code=f"OFF-{a.code}", tier=tier.code, area_id=a.id,
                                  name_en=en_t.format(en=a.name_en, bn=a.name_bn or a.name_en),
                                  name_bn=bn_t.format(en=a.name_en, bn=a.name_bn or a.name_en)))
            created[tier.code] += 1
    uow.session.flush()
    return created
