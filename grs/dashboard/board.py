"""What the dashboard and the report show, from `grs.statistics.figures` alone: the headline figures, the
charts (each a grs.charts.Chart, drawn and tabulated from the same values), the league table and the
drill-down by area. Every number shown is one the API's `GET /api/v1/stats` answers for the same filters."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from babel.dates import format_date
from flask_babel import gettext

from .. import statistics
from ..catalogue import native_digits
from ..charts import Chart, Series
from ..models import Area, AreaLevel, Office, Programme, Tier
from ..permissions import StatisticsReach
from ..staff import labels
from .forms import Selection

# The groupings the page reads (and offers as tables to download): the service's GROUPS.
BOARD_GROUPS = ("month", "level", "programme", "office", "area", "sex", "age_band", "disability")


LEAGUE_ENDS = 10  # with more than twice this many offices ranked, the chart shows this many at each end
LEFT_OUT_NAMED = 30  # offices named as not ranked; the rest are counted


@dataclass(frozen=True)
class Headline:
    key: str  # the field of the API's `total`
    label: str
    value: object
    percent: bool = False
    hint: str = ""


@dataclass
class Board:
    area: Area
    total: dict
    results: dict[str, dict]  # group_by -> the service's answer
    charts: list[Chart] = field(default_factory=list)
    headlines: list[Headline] = field(default_factory=list)
    drill: list[dict] = field(default_factory=list)  # {"area": Area | None, "figures": {...}}
    league_left_out: list[tuple[str, int]] = field(default_factory=list)  # (office name, decisions), the first few
    league_left_out_more: int = 0  # how many more offices are not ranked than the list names
    league_ranked: int = 0  # offices ranked
    league_shown: int = 0  # of them in the chart (the highest and lowest when there are many)
    min_cases: int = statistics.LEAGUE_MIN_CASES


def compute(session, sel: Selection, reach: StatisticsReach, *, now: datetime, country: str) -> dict[str, dict]:
    """The service's answer for each grouping the page shows (ValidationError / Forbidden as it raises them),
    read together: `figures_many` reads what the groupings share once."""
    return statistics.figures_many(session, sel.stats, BOARD_GROUPS, now=now, country=country,
                                   min_cases=sel.min_cases, **reach._asdict())


def headlines(total: dict) -> list[Headline]:
    t = total
    return [
        Headline("received", gettext("Received"), t["received"]),
        Headline("resolved", gettext("Resolved"), t["resolved"], hint=gettext("Decided: not rejected, not closed unanswered")),
        Headline("rejected", gettext("Rejected"), t["rejected"]),
        Headline("rejected_unrelated", gettext("Rejected as unrelated"), t["rejected_by_reason"].get("unrelated", 0)),
        Headline("pending", gettext("Pending"), t["pending"], hint=gettext("Open now, of those received in the period")),
        Headline("overdue", gettext("Overdue"), t["overdue"]),
        Headline("within_limit_share", gettext("Resolved within the time limit"), t["within_limit_share"], percent=True),
        Headline("median_working_days", gettext("Median working days to resolve"), t["median_working_days"]),
        Headline("mean_working_days", gettext("Mean working days to resolve"), t["mean_working_days"]),
        Headline("ack_breached", gettext("Acknowledgement deadlines missed"), t["ack_breached"]),
        Headline("escalation_rate", gettext("Escalation rate"), t["escalation_rate"], percent=True,
                 hint=gettext("Escalated at least once, of those received")),
        Headline("appeal_rate", gettext("Appeal rate"), t["appeal_rate"], percent=True,
                 hint=gettext("Appealed, of those decided")),
        Headline("satisfaction_rate", gettext("Satisfaction rate"), t["satisfaction_rate"], percent=True,
                 hint=gettext("Satisfied, of those who answered")),
    ]


def _month_label(key: str, lang: str) -> str:
    year, month = (int(p) for p in key.split("-"))
    return native_digits(format_date(date(year, month, 1), "MMM y", locale=lang), lang)


def _names(session, model, lang: str, key_col, codes=None) -> dict:
    """{code: name in `lang`}, of every row or of those with these codes (a country has thousands of offices)."""
    q = sa.select(model)
    if codes is not None:
        q = q.where(getattr(model, key_col).in_(list(codes)))
    return {getattr(row, key_col): row.name(lang) for row in session.scalars(q)}


def _not_recorded() -> str:
    return gettext("Not recorded")


def build(session, results: dict[str, dict], lang: str, min_cases: int) -> Board:
    """The page's parts from the service's answers."""
    first = results["level"]
    area = session.scalar(sa.select(Area).where(Area.code == first["area"]))
    board = Board(area=area, total=first["total"], results=results, headlines=headlines(first["total"]),
                  min_cases=min_cases)
    received, resolved = gettext("Received"), gettext("Resolved")

    months = results["month"]["groups"]
    board.charts.append(Chart(
        "trend", gettext("Received and resolved by month"), "line",
        [_month_label(g["key"], lang) for g in months if g["key"]],
        [Series(received, [g["received"] for g in months if g["key"]]),
         Series(resolved, [g["resolved"] for g in months if g["key"]])],
        label_heading=gettext("Month")))

    tiers = list(session.scalars(sa.select(Tier).order_by(Tier.rank)))
    shares = results["level"]["shares"]
    tier_labels = [gettext("Resolved at %(tier)s", tier=t.name(lang)) for t in tiers]
    tier_values = [shares["resolved_at"].get(t.code, 0) if shares["decided"] else None for t in tiers]
    board.charts.append(Chart(
        "tiers", gettext("Where decisions were made: share of all decisions"), "hbar",
        [*tier_labels, gettext("Rejected as unrelated"), gettext("Rejected for other reasons")],
        [Series(gettext("Share of decisions"), [*tier_values, shares["rejected_unrelated"], shares["rejected_other"]])],
        percent=True, label_heading=gettext("Outcome")))

    programmes = _names(session, Programme, lang, "code")
    groups = results["programme"]["groups"]
    board.charts.append(Chart(
        "programmes", gettext("Lodged and resolved by programme"), "bar",
        [programmes.get(g["key"], g["key"] or _not_recorded()) for g in groups],
        [Series(gettext("Lodged"), [g["received"] for g in groups]), Series(resolved, [g["resolved"] for g in groups])],
        label_heading=gettext("Programme")))

    league = results["office"]["league"]
    ranked = league["ranked"]
    board.league_ranked = len(ranked)
    if len(ranked) > 2 * LEAGUE_ENDS:  # a country's thousands of offices: the two ends, the rest downloadable
        shown = ranked[:LEAGUE_ENDS] + ranked[-LEAGUE_ENDS:]
        title = gettext("Resolved within the time limit: the %(num)s highest and %(num)s lowest ranked offices",
                        num=native_digits(str(LEAGUE_ENDS), lang))
    else:
        shown, title = ranked, gettext("Resolved within the time limit, by office")
    board.league_shown = len(shown)
    ranked_keys = {e["key"] for e in ranked}
    left_out = [(g["key"], g["resolved"] + g["rejected"]) for g in results["office"]["groups"]
                if g["key"] is not None and g["key"] not in ranked_keys and g["resolved"] + g["rejected"]]
    board.league_left_out = left_out[:LEFT_OUT_NAMED]
    board.league_left_out_more = len(left_out) - len(board.league_left_out)
    offices = _names(session, Office, lang, "code", {e["key"] for e in shown} | {k for k, _ in board.league_left_out})
    board.league_left_out = [(offices.get(k, k), n) for k, n in board.league_left_out]
    board.charts.append(Chart(
        "offices", title, "hbar",
        [f"{native_digits(str(e['rank']), lang)}. {offices.get(e['key'], e['key'])}" for e in shown],
        [Series(gettext("Within the limit"), [e["within_limit_share"] for e in shown])],
        percent=True, label_heading=gettext("Office")))

    disability = {"yes": gettext("With a disability"), "no": gettext("Without a disability")}
    for group, title, heading, words in (
            ("sex", gettext("By sex"), gettext("Sex"), labels.SEX),
            ("age_band", gettext("By age band"), gettext("Age band"), labels.AGE_BAND),
            ("disability", gettext("By disability"), gettext("Disability"), disability)):
        groups = results[group]["groups"]
        board.charts.append(Chart(
            group, title, "bar", [labels.word(words, g["key"]) if g["key"] else _not_recorded() for g in groups],
            [Series(received, [g["received"] for g in groups]), Series(resolved, [g["resolved"] for g in groups])],
            label_heading=heading))

    codes = [g["key"] for g in results["area"]["groups"] if g["key"]]
    areas = {a.code: a for a in session.scalars(sa.select(Area).where(Area.code.in_(codes)))} if codes else {}
    board.drill = [{"area": areas.get(g["key"]), "figures": g}
                   for g in sorted(results["area"]["groups"],
                                   key=lambda g: (g["key"] is None, areas[g["key"]].name(lang) if g["key"] in areas else ""))]
    return board


def breadcrumb(session, area: Area, reach: StatisticsReach) -> list[Area]:
    """The areas from the top of the user's scope down to `area`, each a link back up."""
    codes = area.ancestor_codes()
    found = {a.code: a for a in session.scalars(sa.select(Area).where(Area.code.in_(codes)))}
    chain = [found[c] for c in codes if c in found]
    if reach.scope_path is not None:
        chain = [a for a in chain if a.path.startswith(reach.scope_path)]
    return chain


def area_choices(session, area: Area, reach: StatisticsReach, lang: str) -> list[tuple[str, str]]:
    """The area select: the scope's top (no filter), the way down to the current area, and its children."""
    chain = breadcrumb(session, area, reach)
    levels = {lv.code: lv.name(lang) for lv in session.scalars(sa.select(AreaLevel))}
    children = session.scalars(sa.select(Area).where(Area.parent_id == area.id)).all()
    children = sorted(children, key=lambda a: a.name(lang))

    def label(a: Area, depth: int) -> str:
        return f"{'· ' * depth}{a.name(lang)} ({levels.get(a.level, a.level)})"
    out = [("", label(chain[0], 0))] if chain else []
    out += [(a.code, label(a, i)) for i, a in enumerate(chain) if i > 0]
    out += [(a.code, label(a, len(chain))) for a in children]
    return out
