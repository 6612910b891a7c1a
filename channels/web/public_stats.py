"""Blueprint `public_stats`: GET /public/stats, the public figures for the country and each district (the
country pack's second level), no sign-in.

Figures come from the statistics service with sensitive grievances left out, over the last 12 months
(from the first day of the month 11 months back to today, local time), and pass through
grs/suppression.py before anything is drawn: a count from 1 to 4 shows as "fewer than 5"; a figure that
would give one back by subtraction from a shown total, and a share built on a withheld count, as "not
shown". Two passes: the headline counts of the country and every district together (so a district's
count cannot be had as the country's minus the others'), then each page's tables with its headline fixed.

Cached: the suppressed figures are computed once per CACHE_SECONDS per process (a small TTL cache, not
Flask-Caching: it reads the app's one clock, grs.timeutil.utcnow, so tests can age it, needs no new
dependency, and holds one entry per district plus the country and the headline pass; each worker
computing its own copy every few minutes is cheap). The cached figures are language-independent; names and numbers are written per request.
Responses say Cache-Control public, max-age, since they carry no personal data.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date
from flask import Blueprint, current_app, make_response, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user

from grs import statistics
from grs.catalogue import native_digits
from grs.charts import Chart, Series, number
from grs.countries import profile
from grs.errors import N_, NotFound
from grs.extensions import limiter
from grs.i18n import current_language
from grs.models import Area, Programme, Tier
from grs.suppression import primary, share_hidden, suppress
from grs.timeutil import utcnow
from grs.uow import unit_of_work

bp = Blueprint("public_stats", __name__, url_prefix="/public")

CACHE_SECONDS = 300  # app config PUBLIC_STATS_CACHE_SECONDS overrides
MONTHS = 12
NO_AREA = N_("There are no public figures for that area. Choose the whole country or a district.")
SEXES = ("female", "male", "other", None)


def _lookup_limit() -> str:
    return f"{current_app.config['TRACK_RATE_LIMIT']} per minute"


# ---------------------------------------------------------------- the figures (language-independent)


@dataclass(frozen=True)
class Cell:
    """A published figure: its value, or withheld (`value` None): `small`, a count from 1 to 4 (the page
    says "fewer than 5"), else a figure that would give one away ("not shown": it may be any size)."""

    value: int | float | None
    hidden: bool = False
    small: bool = False

    @property
    def withheld(self) -> str | None:
        """How the page names it when withheld: "small" or "other"; None when shown."""
        return ("small" if self.small else "other") if self.hidden else None


def public_level(country: str) -> str:
    """The level the public page is broken down to: the pack's second level below the country (BD: district)."""
    levels = [code for code, *_ in profile(country).levels]
    return levels[2] if len(levels) > 2 else levels[-1]


def period(now: datetime, country: str) -> tuple[date, date, list[str]]:
    """The last 12 months: from the first day of the month 11 months back to today, and the months' keys."""
    today = now.astimezone(ZoneInfo(profile(country).timezone)).date()
    y, m = today.year, today.month
    months = []
    for _i in range(MONTHS):
        months.append(f"{y}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    months.reverse()
    start = date(int(months[0][:4]), int(months[0][5:]), 1)
    return start, today, months


HEADLINE = ("received", "resolved", "rejected", "unrelated", "rejected_other", "decided", "pending", "within")


def _headline_cells(t: dict) -> dict[str, int]:
    """The counts of a figures() total (or group) that the headline and the shares are built on."""
    unrelated = t["rejected_by_reason"]["unrelated"]
    return {"received": t["received"], "resolved": t["resolved"], "rejected": t["rejected"], "unrelated": unrelated,
            "rejected_other": t["rejected"] - unrelated, "decided": t["resolved"] + t["rejected"],
            "pending": t["pending"], "within": t["resolved_within_limit"]}


def _headline_groups(prefix) -> list[tuple]:
    return [((prefix, "unrelated"), (prefix, "rejected_other"), (prefix, "rejected")),
            ((prefix, "resolved"), (prefix, "rejected"), (prefix, "decided"))]


def headline_pass(session, *, now: datetime, country: str) -> dict:
    """The first pass, over every public area at once: the headline counts of the country and of each
    district, suppressed together, so that the country's count minus the districts' shown counts cannot
    give a withheld district's back. {area code or None (country): {headline key: Cell}}."""
    start, end, _months = period(now, country)
    level = public_level(country)
    levels = [code for code, *_ in profile(country).levels]
    parent_level = levels[levels.index(level) - 1]
    codes = session.scalars(sa.select(Area.code).where(Area.level == level)).all()
    parents = session.scalars(sa.select(Area.code).where(Area.level == parent_level)).all()

    def get(area, group_by):
        f = statistics.StatsFilter(date_from=start, date_to=end, area=area)
        return statistics.figures(session, f, group_by, now=now, country=country, include_sensitive=False)

    per = {None: _headline_cells(get(None, None)["total"])}
    for code in codes:
        per[code] = dict.fromkeys(HEADLINE, 0)
    for parent in parents:  # one call per parent area gives its districts' totals
        for g in get(parent, "area")["groups"]:
            if g["key"] in per and g["key"] is not None:
                per[g["key"]] = _headline_cells(g)
    cells = {(a, k): v for a, values in per.items() for k, v in values.items()}
    # What lies in no district (a complaint placed only at a division, or not yet placed) is not shown,
    # but the country's count minus the districts' gives it: a cell like any other.
    for k in HEADLINE:
        cells[("rest", k)] = per[None][k] - sum(per[c][k] for c in codes)
    groups = [g for a in (*per, "rest") for g in _headline_groups(a)]
    groups += [[(a, k) for a in (*codes, "rest", None)] for k in HEADLINE]
    hidden = suppress(cells, groups, prefer=[(a, "decided") for a in (*per, "rest")])
    return {a: {k: Cell(None, True, primary(v)) if (a, k) in hidden else Cell(v) for k, v in values.items()}
            for a, values in per.items()}


def compute(session, area_code: str | None, headline: dict[str, Cell], *, now: datetime, country: str) -> dict:
    """The second pass: every figure the page shows for the country (None) or one district, suppressed
    within the page, its headline as the first pass left it (`headline`: that area's entry), as plain data."""
    start, end, months = period(now, country)
    f = statistics.StatsFilter(date_from=start, date_to=end, area=area_code)

    def get(group_by):
        return statistics.figures(session, f, group_by, now=now, country=country, include_sensitive=False)

    by_level, by_programme, by_month, by_sex = get("level"), get("programme"), get("month"), get("sex")
    t = by_level["total"]
    cells: dict = _headline_cells(t)
    groups: list = [tuple(k for _a, k in line) for line in _headline_groups(None)]
    tiers = [g["key"] for g in by_level["groups"] if g["resolved"]]
    for g in by_level["groups"]:
        if g["resolved"]:
            cells[("tier", g["key"])] = g["resolved"]
    groups.append([("tier", k) for k in tiers] + ["resolved"])

    def breakdown(name: str, result: dict, keys: list) -> None:
        found = {g["key"]: g for g in result["groups"]}
        for measure in ("received", "resolved"):
            for k in keys:
                cells[(name, measure, k)] = found[k][measure] if k in found else 0
            groups.append([(name, measure, k) for k in keys] + [measure])

    programmes = sorted(g["key"] for g in by_programme["groups"] if g["key"] is not None)
    breakdown("programme", by_programme, programmes)
    breakdown("month", by_month, months)
    sexes = [s for s in SEXES if s in {g["key"] for g in by_sex["groups"]}]
    breakdown("sex", by_sex, sexes)

    # The headline stays as the first pass left it (the same on every page); all decisions, shown only
    # through the shares at each tier, is given up before anything else.
    hidden = suppress(cells, groups, prefer=["decided"], hidden=[k for k, c in headline.items() if c.hidden],
                      locked=[k for k, c in headline.items() if not c.hidden])

    def cell(key) -> Cell:
        return Cell(None, True, primary(cells[key])) if key in hidden else Cell(cells[key])

    def share(num, den, value) -> Cell:
        return Cell(None, True) if share_hidden(num, den, hidden, values=cells) else Cell(value)

    return {
        "area": by_level["area"], "start": start, "end": end,
        "headline": {k: cell(k) for k in ("received", "resolved", "rejected", "unrelated", "rejected_other",
                                          "decided", "pending")},
        "within_limit_share": share("within", "resolved", t["within_limit_share"]),
        # The median of fewer than 5 decisions would describe those few people: hidden with their count.
        "median_working_days": share("resolved", "resolved", t["median_working_days"]),
        "tiers": [(k, cell(("tier", k)), share(("tier", k), "decided", cells[("tier", k)] / cells["decided"]))
                  for k in tiers],
        "unrelated_share": share("unrelated", "decided", _ratio(cells["unrelated"], cells["decided"])),
        "other_share": share("rejected_other", "decided", _ratio(cells["rejected_other"], cells["decided"])),
        "programmes": [(k, cell(("programme", "received", k)), cell(("programme", "resolved", k))) for k in programmes],
        "months": [(k, cell(("month", "received", k)), cell(("month", "resolved", k))) for k in months],
        "sexes": [(k, cell(("sex", "received", k)), cell(("sex", "resolved", k))) for k in sexes],
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


class TTLCache:
    """A few entries kept for `seconds` by the app's clock (grs.timeutil.utcnow); safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict = {}

    def get(self, key, seconds: float, compute):
        now = utcnow()
        with self._lock:
            found = self._entries.get(key)
        if found is not None and found[0] > now:
            return found[1]
        value = compute()  # outside the lock: two threads may both compute once, never wait on each other
        with self._lock:
            self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
            self._entries[key] = (now + timedelta(seconds=seconds), value)
        return value


@bp.record_once
def _make_cache(state) -> None:
    state.app.extensions["grs_public_stats_cache"] = TTLCache()


def cached_figures(session, area_code: str | None) -> dict:
    """compute() for the country (None) or this area, from the cache while it is fresh (the home page
    reads the country's from here too, so its figures are the page's)."""
    country = current_app.config["COUNTRY"]
    seconds = current_app.config.get("PUBLIC_STATS_CACHE_SECONDS", CACHE_SECONDS)
    now = utcnow()
    today = now.astimezone(ZoneInfo(profile(country).timezone)).date()
    cache = current_app.extensions["grs_public_stats_cache"]
    headlines = cache.get(("headline", today), seconds, lambda: headline_pass(session, now=now, country=country))
    return cache.get((area_code, today), seconds,
                     lambda: compute(session, area_code, headlines.get(area_code, {}), now=now, country=country))


# ---------------------------------------------------------------- the page (per language)


def _districts(session, country: str, lang: str) -> list[tuple[str, str]]:
    areas = session.scalars(sa.select(Area).where(Area.level == public_level(country))).all()
    return sorted(((a.code, a.name(lang)) for a in areas), key=lambda a: a[1])


def _month_label(key: str, lang: str) -> str:
    return native_digits(format_date(date(int(key[:4]), int(key[5:]), 1), "MMM y", locale=lang), lang)


def _sex_label(key: str | None) -> str:
    return {"female": _("Women"), "male": _("Men"), "other": _("Other")}.get(key, _("Not given"))


def _charts(figs: dict, session, lang: str) -> list[Chart]:
    texts = {"small": _("fewer than 5"), "other": _("not shown")}
    tier_names = {t.code: t.name(lang) for t in session.scalars(sa.select(Tier))}
    programme_names = {p.code: p.name(lang) for p in session.scalars(sa.select(Programme))}
    received, resolved = _("Received"), _("Resolved")

    def pair(rows) -> list[Series]:
        return [Series(name, [c.value for c in col], hidden=tuple(texts.get(c.withheld) for c in col))
                for name, col in ((received, [r[1] for r in rows]), (resolved, [r[2] for r in rows]))]

    tier_rows = [(tier_names.get(k, k), share) for k, _count, share in figs["tiers"]]
    tier_rows += [(_("Rejected as unrelated"), figs["unrelated_share"]),
                  (_("Rejected for other reasons"), figs["other_share"])]
    return [
        Chart("tiers", _("Where decisions were made (share of all decisions)"), "hbar",
              [label for label, _s in tier_rows],
              [Series(_("Share of decisions"), [s.value for _l, s in tier_rows],
                      hidden=tuple(texts.get(s.withheld) for _l, s in tier_rows))],
              percent=True, label_heading=_("Tier or outcome")),
        Chart("months", _("Complaints month by month"), "bar", [_month_label(k, lang) for k, *_r in figs["months"]],
              pair(figs["months"]), label_heading=_("Month")),
        Chart("programmes", _("Complaints by programme"), "hbar",
              [programme_names.get(k, k) for k, *_r in figs["programmes"]], pair(figs["programmes"]),
              label_heading=_("Programme")),
        Chart("sexes", _("Complaints by sex of the complainant"), "bar", [_sex_label(k) for k, *_r in figs["sexes"]],
              pair(figs["sexes"]), label_heading=_("Sex")),
    ]


@bp.get("/stats")
@limiter.limit(_lookup_limit)
def stats():
    country = current_app.config["COUNTRY"]
    code = request.args.get("area") or None
    lang = current_language()
    with unit_of_work(read_only=True, replica=True) as uow:
        area = None
        if code is not None:
            area = uow.session.scalar(sa.select(Area).where(Area.code == code))
            if area is None or (area.parent_id is not None and area.level != public_level(country)):
                raise NotFound(NO_AREA)
        figs = cached_figures(uow.session, code if area is not None and area.parent_id is not None else None)
        districts = _districts(uow.session, country, lang)
        charts = _charts(figs, uow.session, lang)
        place = area.name(lang) if area is not None and area.parent_id is not None else None
        html = render_template("web/stats.html", figs=figs, charts=charts, districts=districts, place=place,
                               selected=code if place else None,
                               start=native_digits(format_date(figs["start"], "d MMM y", locale=lang), lang),
                               end=native_digits(format_date(figs["end"], "d MMM y", locale=lang), lang))
    response = make_response(html)
    seconds = int(current_app.config.get("PUBLIC_STATS_CACHE_SECONDS", CACHE_SECONDS))
    # Shared caches may keep the page: the same for every reader of a language, no personal data. Not
    # when this response sets a cookie (a language choice) or a staff member is signed in.
    shared = not session.modified and not getattr(current_user, "is_authenticated", False)
    response.headers["Cache-Control"] = f"{'public' if shared else 'private'}, max-age={seconds}"
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def figure_text(c: Cell, lang: str, *, percent: bool = False) -> str:
    """A published figure as the reader writes it; "fewer than 5" or "not shown" for a withheld one."""
    if c.hidden:
        return _("fewer than 5") if c.small else _("not shown")
    return number(c.value, lang, percent=percent)


@bp.app_template_global("public_figure")
def public_figure(c: Cell, percent: bool = False) -> str:
    return figure_text(c, current_language(), percent=percent)
