"""Geography: the country's levels and tiers, area imports, and one office per area at office tiers."""
from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from ..countries import name_columns, profile, row_names
from ..errors import ValidationError
from ..models import Area, AreaLevel, Office, Tier
from ..timeutil import utcnow
from . import admin_audit


def ensure_country(uow, country: str) -> Area:
    """Create the country's levels, tiers and root area if missing; returns the root area.

    Names are stored in every language the pack names them in, and only where they differ from the
    English one (French "Cercle" is no second name)."""
    prof = profile(country)
    lang = prof.local_language
    for depth, (code, en, _local) in enumerate(prof.levels):
        level = uow.session.get(AreaLevel, code) or AreaLevel(code=code)
        level.depth = depth
        level.set_name("en", en)
        for other, name in prof.level_names[code].items():
            if other != "en":
                level.set_name(other, name if name != en else None)
        uow.session.add(level)
    for rank, (code, area_level, en, _local) in enumerate(prof.tiers, start=1):
        tier = uow.session.get(Tier, code) or Tier(code=code)
        tier.rank, tier.area_level = rank, area_level
        tier.set_name("en", en)
        for other, name in prof.tier_names[code].items():
            if other != "en":
                tier.set_name(other, name if name != en else None)
        uow.session.add(tier)
    uow.session.flush()
    root = uow.session.scalar(sa.select(Area).where(Area.code == prof.code))
    if root is None:
        root = Area(code=prof.code, parent=None, level=prof.levels[0][0], name_en=prof.name,
                    names={lang: prof.local_name} if prof.local_name else {}, path=f"/{prof.code}/")
        uow.session.add(root)
        uow.session.flush()
    national = uow.session.scalar(sa.select(Office).where(Office.area_id == root.id, Office.tier == "national"))
    if national is None and any(t[0] == "national" for t in prof.tiers):
        uow.session.add(Office(code=f"{prof.code}-NATIONAL", tier="national", area=root,
                              name_en=OFFICE_NAMES["en"]["national"],
                              names=_office_names(root, "national", country)))
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


# Office names per language and tier; {name} is the area's name in that language (English where it has
# none), {de_name} the same after French "de" ("de Kayes", "d'Ansongo"). A language without a tier's entry
# leaves that office with its English name there. Kept short: citizens' SMS name the office.
OFFICE_NAMES: dict[str, dict[str, str]] = {
    "en": {"union": "{name} Union Parishad GRS", "upazila": "{name} Upazila Office GRS",
           "district": "{name} District Office GRS", "ward": "{name} Ward GRS Desk", "lga": "{name} LGA GRS Desk",
           "state": "{name} GRS Office", "commune": "{name} Commune GRS Office",
           "cercle": "{name} Cercle GRS Office", "region": "{name} Regional GRS Office",
           "national": "National Grievance Cell"},
    "bn": {"union": "{name} ইউনিয়ন পরিষদ অভিযোগ প্রতিকার", "upazila": "{name} উপজেলা কার্যালয় অভিযোগ প্রতিকার",
           "district": "{name} জেলা কার্যালয় অভিযোগ প্রতিকার", "national": "জাতীয় অভিযোগ সেল"},
    "fr": {"commune": "Bureau des plaintes, commune {de_name}", "cercle": "Bureau des plaintes, cercle {de_name}",
           "region": "Antenne régionale {de_name}", "national": "Cellule nationale des plaintes"},
    "ha": {"ward": "Ofishin Ƙorafi na Mazaɓar {name}", "lga": "Ofishin Ƙorafi na Ƙaramar Hukumar {name}",
           "state": "Ofishin Ƙorafi na {name}", "national": "Cibiyar Ƙorafe-ƙorafe ta Ƙasa"},
    "so": {"district": "Xafiiska Cabashooyinka Degmada {name}", "region": "Xafiiska Cabashooyinka Gobolka {name}",
           "state": "Xafiiska Cabashooyinka {name}", "national": "Xarunta Cabashooyinka Qaranka"},
}


def french_de(name: str) -> str:
    """French "de" before a name: d' before a vowel or a mute h."""
    return f"d'{name}" if name[:1].lower() in "aeiouyhàâéèêîïôû" else f"de {name}"


def office_name(area: Area, tier: str, lang: str) -> str | None:
    """The office's name in one language from its tier's template there; None where there is none."""
    template = OFFICE_NAMES.get(lang, {}).get(tier)
    if not template:
        return None
    name = area.name(lang)
    return template.format(name=name, de_name=french_de(name))


def _pack_languages(country: str) -> set[str]:
    prof = profile(country)
    return {prof.local_language, *getattr(prof, "languages", ())}


def _office_names(area: Area, tier: str, country: str) -> dict[str, str]:
    """An office's names in every language of the country's pack and every language its area is named in."""
    langs = (_pack_languages(country) | set(area.names or {})) - {"en"}
    return {lang: name for lang in sorted(langs) if (name := office_name(area, tier, lang))}


def import_areas(uow, path: str, country: str, *, with_offices: bool = False, actor=None) -> ImportReport:
    """Load a hierarchy file (code, parent_code, level, name_en, and a name_<language> column per other
    language: name_bn, name_fr, ...); rerunning changes nothing.

    The file is the truth for the languages it has columns for (an empty cell removes that name); names
    in languages it has no column for are kept.
    """
    root = ensure_country(uow, country)
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        missing = {"code", "parent_code", "level", "name_en"} - set(columns)
        if missing:
            raise ValidationError(f"missing columns: {', '.join(sorted(missing))}")
        rows = list(reader)
    local = profile(country).local_language
    in_file = name_columns(columns)
    if "name_local" in columns and local != "en" and local not in in_file.values():
        in_file["name_local"] = local  # the pack's local language (whether or not name_columns reads it)
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
        if code == root.code:
            return place_root(r)
        parent_code = (r["parent_code"] or "").strip()
        if parent_code and parent_code not in by_code and parent_code not in done:
            raise ValidationError(f"area {code}: unknown parent {parent_code}")
        parent = root if not parent_code else (
            place(parent_code, trail + (code,)) if parent_code in by_code else done[parent_code])
        level = r["level"].strip()
        if level not in known_levels:
            raise ValidationError(f"area {code}: level '{level}' is not a level of {country}")
        path_ = f"{parent.path}{code}/"
        name_en = r["name_en"].strip()
        area = existing.get(code)
        if area is None:
            area = Area(code=code, parent=parent, level=level, name_en=name_en, names=names_of(r, {}), path=path_)
            uow.session.add(area)
            existing[code] = area
            report.created[level] += 1
        elif code not in seen:
            names = names_of(r, area.names or {})
            if (area.parent_id, area.level, area.name_en, area.names or {}, area.path) != (
                    parent.id, level, name_en, names, path_):
                area.parent, area.level, area.name_en, area.names, area.path = parent, level, name_en, names, path_
                report.updated[level] += 1
            else:
                report.unchanged[level] += 1
        seen.add(code)
        done[code] = area
        return area

    def place_root(r: dict) -> Area:
        """The file's row for the country itself (its code, no parent): names only."""
        level = r["level"].strip()
        if (r["parent_code"] or "").strip() or level != root.level:
            raise ValidationError(f"area {root.code}: the country's row has no parent and level '{root.level}'")
        name_en, names = r["name_en"].strip() or root.name_en, names_of(r, root.names or {})
        if code_seen(root.code):
            if (root.name_en, root.names or {}) != (name_en, names):
                root.name_en, root.names = name_en, names
                report.updated[level] += 1
            else:
                report.unchanged[level] += 1
        return root

    def code_seen(code: str) -> bool:
        if code in seen:
            return False
        seen.add(code)
        return True

    def names_of(r: dict, kept: dict[str, str]) -> dict[str, str]:
        """The row's names, and those in languages the file has no column for kept as they were. A local
        name equal to the English one is no name (Nigeria's LGAs are called the same in Hausa)."""
        names = {lang: name for lang, name in kept.items() if lang not in in_file.values()}
        english = (r.get("name_en") or "").strip()
        return dict(sorted({**names, **{lang: name for lang, name in row_names(r, in_file).items()
                                        if name != english}}.items()))

    seen: set[str] = set()
    for code in by_code:
        if code not in seen:
            place(code)
    uow.session.flush()
    if with_offices:
        report.offices_created = ensure_offices(uow, country)
    uow.session.flush()
    if report.created or report.updated or report.offices_created:
        admin_audit.append(uow, "areas_imported", actor=actor, at=utcnow(), target=os.path.basename(path),
                           data={"created": sum(report.created.values()), "updated": sum(report.updated.values()),
                                 "offices_created": sum(report.offices_created.values())})
    return report


def ensure_offices(uow, country: str) -> Counter:
    """One office per area at each tier that holds offices (the national one lives at the root)."""
    created: Counter = Counter()
    tiers = uow.session.scalars(sa.select(Tier).where(Tier.code != "national")).all()
    for tier in tiers:
        have = set(uow.session.scalars(sa.select(Office.area_id).where(Office.tier == tier.code)).all())
        areas = uow.session.scalars(sa.select(Area).where(Area.level == tier.area_level)).all()
        en_t = OFFICE_NAMES["en"].get(tier.code, "{name} " + tier.name_en + " Office")
        for a in areas:
            if a.id in have:
                continue
            uow.session.add(Office(code=f"OFF-{a.code}", tier=tier.code, area_id=a.id,
                                  name_en=en_t.format(name=a.name_en), names=_office_names(a, tier.code, country)))
            created[tier.code] += 1
    uow.session.flush()
    return created
