"""Reference data administration: programmes and categories added and edited by an admin (pages
/admin/programmes and /admin/categories, `grs reference load FILE` / `grs reference export`), so a
ministry adds a programme without a developer.

The document is the country pack's reference.json format:
{"programmes": [{"code", "names": {"en": ..., "<lang>": ...}, "active": true}],
 "categories": [{"code", "names": {...}, "sensitive": bool, "start_tier": null | tier code | "+1",
                 "active": true}]}
Names: English always (the fallback everywhere); every other language optional (a missing one shows the
English name). A start tier is a tier of this deployment or "+N" within its ladder (N tiers above the
lowest; grs.services.routing.resolve_start_rank). A change applies to grievances lodged from then on:
open grievances keep the office they are at.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

import sqlalchemy as sa

from ..errors import N_, Conflict, NotFound, ValidationError
from ..models import Category, Programme, Tier
from . import admin_audit
from .actors import Actor

CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
LANG = re.compile(r"[a-z]{2,3}")
MAX_NAME = 200


@dataclass(frozen=True)
class ProgrammeIn:
    code: str
    names: Mapping[str, str]  # language code -> name; "en" required
    active: bool = True


@dataclass(frozen=True)
class CategoryIn:
    code: str
    names: Mapping[str, str]
    sensitive: bool = False
    start_tier: str | None = None  # None: the lowest tier; a tier code; "+N"
    active: bool = True


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class _Problems:
    fields: dict[str, str] = field(default_factory=dict)

    def add(self, key: str, text: str) -> None:
        self.fields.setdefault(key, text)


def tier_codes(session) -> list[str]:
    """This deployment's tiers, lowest first."""
    return list(session.scalars(sa.select(Tier.code).order_by(Tier.rank)))


def start_tier_choices(session) -> list[str]:
    """What a category's start tier may be: "" (the lowest), each tier, and "+1".."+N" within the ladder."""
    tiers = tier_codes(session)
    return ["", *tiers, *(f"+{n}" for n in range(1, len(tiers)))]


def _clean_code(code: Any, key: str, problems: _Problems) -> str:
    code = code.strip() if isinstance(code, str) else ""
    if not CODE.fullmatch(code):
        problems.add(key, N_("A code is 1 to 40 letters, digits, '-', '_' or '.', starting with a letter or digit."))
    return code


def _clean_names(names: Any, key: str, problems: _Problems) -> dict[str, str]:
    if not isinstance(names, Mapping):
        problems.add(key, N_("Names are given per language, e.g. {\"en\": \"Cash transfer\"}."))
        return {}
    out = {}
    for lang, name in names.items():
        if not isinstance(lang, str) or not LANG.fullmatch(lang):
            problems.add(key, N_("A language is a two- or three-letter code such as en, fr, ha."))
            continue
        if name is None or (isinstance(name, str) and not name.strip()):
            continue  # no name in that language: the English one shows
        if not isinstance(name, str) or len(name.strip()) > MAX_NAME:
            problems.add(f"{key}.{lang}", N_("A name is text of at most 200 characters."))
            continue
        out[lang] = name.strip()
    if "en" not in out:
        problems.add(f"{key}.en", N_("The English name is required."))
    return out


def _clean_start_tier(value: Any, tiers: list[str], key: str, problems: _Problems) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    value = value.strip() if isinstance(value, str) else value
    if isinstance(value, str) and value in tiers:
        return value
    if isinstance(value, str) and re.fullmatch(r"\+[0-9]{1,2}", value) and 1 <= int(value[1:]) < len(tiers):
        return value
    problems.add(key, N_("The start tier must be one of this deployment's tiers or +1 up to one below the "
                         "number of tiers."))
    return None


def _bool(value: Any, key: str, problems: _Problems, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        problems.add(key, N_("Give true or false."))
        return default
    return value


def _raise(problems: _Problems) -> None:
    if problems.fields:
        first = next(iter(problems.fields.values()))
        raise ValidationError(first, fields=problems.fields)


def check_programme(data: ProgrammeIn) -> ProgrammeIn:
    problems = _Problems()
    code = _clean_code(data.code, "code", problems)
    names = _clean_names(data.names, "names", problems)
    active = _bool(data.active, "active", problems, True)
    _raise(problems)
    return ProgrammeIn(code=code, names=names, active=active)


def check_category(data: CategoryIn, tiers: list[str]) -> CategoryIn:
    problems = _Problems()
    code = _clean_code(data.code, "code", problems)
    names = _clean_names(data.names, "names", problems)
    start = _clean_start_tier(data.start_tier, tiers, "start_tier", problems)
    sensitive = _bool(data.sensitive, "sensitive", problems, False)
    active = _bool(data.active, "active", problems, True)
    _raise(problems)
    return CategoryIn(code=code, names=names, sensitive=sensitive, start_tier=start, active=active)


def _names_of(row) -> dict[str, str]:
    return {"en": row.name_en, **dict(sorted((row.names or {}).items()))}


def _apply_names(row, names: Mapping[str, str]) -> None:
    row.name_en = names["en"]
    row.names = dict(sorted((k, v) for k, v in names.items() if k != "en"))


def _programme_state(p: Programme) -> tuple:
    return _names_of(p), p.active


def _category_state(c: Category) -> tuple:
    return _names_of(c), c.sensitive, c.start_tier, c.active


def _insert(uow, row, what: str) -> None:
    """Add a new row in a savepoint: the same code added at the same moment by another admin is a 409."""
    try:
        with uow.session.begin_nested():
            uow.session.add(row)
            uow.session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(N_("Another admin added this code a moment ago: reload the page."),
                       fields={"code": N_("Another admin added this code a moment ago: reload the page.")}) from None


def _put_programme(uow, data: ProgrammeIn) -> tuple[Programme, str]:
    """Create or update one programme from checked data; returns it and "created" | "updated" | "unchanged"."""
    row = uow.session.scalar(sa.select(Programme).where(Programme.code == data.code))
    if row is None:
        row = Programme(code=data.code, active=data.active)
        _apply_names(row, data.names)
        _insert(uow, row, "programme")
        return row, "created"
    before = _programme_state(row)
    _apply_names(row, data.names)
    row.active = data.active
    return row, "unchanged" if _programme_state(row) == before else "updated"


def _put_category(uow, data: CategoryIn) -> tuple[Category, str]:
    row = uow.session.scalar(sa.select(Category).where(Category.code == data.code))
    if row is None:
        row = Category(code=data.code, sensitive=data.sensitive, start_tier=data.start_tier, active=data.active)
        _apply_names(row, data.names)
        _insert(uow, row, "category")
        return row, "created"
    before = _category_state(row)
    _apply_names(row, data.names)
    row.sensitive, row.start_tier, row.active = data.sensitive, data.start_tier, data.active
    return row, "unchanged" if _category_state(row) == before else "updated"


def _exists(uow, model, code: str) -> bool:
    return uow.session.scalar(sa.select(model.id).where(model.code == code)) is not None


def save_programme(uow, data: ProgrammeIn, *, actor: Actor, now: datetime, new: bool) -> tuple[Programme, str]:
    """Add (`new`: the code must be free) or edit (the code must exist) one programme."""
    data = check_programme(data)
    if new and _exists(uow, Programme, data.code):
        raise Conflict(N_("A programme with this code exists already: edit it instead."),
                       fields={"code": N_("A programme with this code exists already: edit it instead.")})
    if not new and not _exists(uow, Programme, data.code):
        raise NotFound(N_("No programme has this code."))
    row, what = _put_programme(uow, data)
    if what != "unchanged":
        admin_audit.append(uow, "programme_saved", actor=actor, at=now, target=data.code,
                           data={"change": what, "names": dict(data.names), "active": data.active})
    return row, what


def save_category(uow, data: CategoryIn, *, actor: Actor, now: datetime, new: bool) -> tuple[Category, str]:
    """Add (`new`) or edit one category (names, sensitive flag, start tier, active)."""
    data = check_category(data, tier_codes(uow.session))
    if new and _exists(uow, Category, data.code):
        raise Conflict(N_("A category with this code exists already: edit it instead."),
                       fields={"code": N_("A category with this code exists already: edit it instead.")})
    if not new and not _exists(uow, Category, data.code):
        raise NotFound(N_("No category has this code."))
    row, what = _put_category(uow, data)
    if what != "unchanged":
        admin_audit.append(uow, "category_saved", actor=actor, at=now, target=data.code,
                           data={"change": what, "names": dict(data.names), "sensitive": data.sensitive,
                                 "start_tier": data.start_tier, "active": data.active})
    return row, what


def _rows(doc: Any, key: str, problems: _Problems) -> list:
    rows = doc.get(key, []) if isinstance(doc, Mapping) else None
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        problems.add(key, N_("Expected a list of objects."))
        return []
    return rows


def parse_document(doc: Any, tiers: list[str]) -> tuple[list[ProgrammeIn], list[CategoryIn]]:
    """Every row of a reference document checked; ValidationError listing each problem as
    `programmes[2].names.en` (rows counted from 1), nothing half-read."""
    problems = _Problems()
    if not isinstance(doc, Mapping):
        raise ValidationError(N_("The reference file is a JSON object with \"programmes\" and \"categories\"."))
    unknown = set(doc) - {"programmes", "categories"}
    if unknown:
        problems.add("file", N_("The reference file has only \"programmes\" and \"categories\"."))
    programmes, categories = [], []
    for kind, out in (("programmes", programmes), ("categories", categories)):
        seen: set[str] = set()
        for i, row in enumerate(_rows(doc, kind, problems), start=1):
            where = f"{kind}[{i}]"
            try:
                if kind == "programmes":
                    item = check_programme(ProgrammeIn(code=row.get("code"), names=row.get("names"),
                                                       active=row.get("active", True)))
                else:
                    item = check_category(CategoryIn(
                        code=row.get("code"), names=row.get("names"), sensitive=row.get("sensitive", False),
                        start_tier=row.get("start_tier"), active=row.get("active", True)), tiers)
            except ValidationError as e:
                for key, text in (e.fields or {}).items():
                    problems.add(f"{where}.{key}", text)
                continue
            if item.code in seen:
                problems.add(f"{where}.code", N_("This code appears twice in the file."))
            seen.add(item.code)
            out.append(item)
    if problems.fields:
        raise ValidationError(N_("The reference file has errors; nothing was loaded."), fields=problems.fields)
    return programmes, categories


def load_reference(uow, doc: Any, *, actor: Actor | None, now: datetime, replace: bool = False) -> dict:
    """Load a reference document: the programmes and categories it has that are missing are created; with
    `replace`, those that exist are set to the file's names, flags and start tier too (else left as they
    are, so a load never undoes an admin's edit). All or nothing. Returns counts per kind:
    {"programmes": {"created", "updated", "unchanged"}, "categories": {...}} (without `replace` an
    existing row counts as unchanged)."""
    programmes, categories = parse_document(doc, tier_codes(uow.session))
    counts = {"programmes": Counts(), "categories": Counts()}
    for kind, items, model, put in (("programmes", programmes, Programme, _put_programme),
                                    ("categories", categories, Category, _put_category)):
        for item in items:
            if not replace and _exists(uow, model, item.code):
                counts[kind].unchanged += 1
                continue
            _row, what = put(uow, item)
            setattr(counts[kind], what, getattr(counts[kind], what) + 1)
    uow.session.flush()
    result = {kind: c.as_dict() for kind, c in counts.items()}
    if any(c.created or c.updated for c in counts.values()):
        admin_audit.append(uow, "reference_loaded", actor=actor, at=now, target="programmes, categories",
                           data={**result, "replace": replace})
    return result


def export_reference(session) -> dict:
    """Every programme and category as a reference document (what `load_reference` reads)."""
    return {
        "programmes": [{"code": p.code, "names": _names_of(p), "active": p.active}
                       for p in session.scalars(sa.select(Programme).order_by(Programme.id))],
        "categories": [{"code": c.code, "names": _names_of(c), "sensitive": c.sensitive,
                        "start_tier": c.start_tier, "active": c.active}
                       for c in session.scalars(sa.select(Category).order_by(Category.id))],
    }
