"""The statistics roll-up (`stat_rollups`): `stat_counts` summed by month at three grains of area (the
country, each division, each district), for the wide figures (the whole country, a division, a
district; by tier, programme, month, area) that would otherwise sum millions of per-day, per-union
counter rows. A figure reads one grain: the root's own (one area's rows), or the one below for a
drill-down by area.

Triggers on `stat_counts` apply every insert, update and delete of a counter row to its roll-up row in
the same statement, so the roll-up equals the counters summed at any moment, whoever changed them
(`statistics.track`, `recount(write=True)`, a bulk load that then calls `rebuild`). At grain g a counter
row's area rolls up to its ancestor at depth g (area_levels.depth: 0 the country, 1 the division, 2 the
district), or to itself when it lies higher; area 0 (none yet) stays 0.

grs/statistics.py reads the table, grs/models.py declares it and attaches the triggers; `expected` works
the roll-up out in Python, for the tests that hold the triggers to it.
"""
from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

ROLLUP_DEPTH = 2  # the deepest grain: the district in Bangladesh (country 0, division 1)
GRAINS = tuple(range(ROLLUP_DEPTH + 1))  # each counter row is summed at every grain: country, division, district

KEY = ("grain", "area_id", "month", "measure", "programme_id", "level", "sensitive", "working_days")

_MAX_STEPS = 4  # how far below the deepest grain an area may lie (Bangladesh: unions are 2 below districts)


def _up(steps: int) -> str:
    """The id `steps` parent links above areas row `a` (primary-key lookups, the same SQL on both databases)."""
    expr = "a.parent_id"
    for i in range(1, steps):
        expr = f"(SELECT p{i}.parent_id FROM areas p{i} WHERE p{i}.id = {expr})"
    return expr


def area_sql(x: str, grain: int) -> str:
    """The area of `{x}` at this grain: its ancestor at that depth, itself when it lies no deeper, 0 for none
    (the hierarchy goes one level per parent link)."""
    steps = " ".join(f"WHEN l.depth = {grain + k} THEN {_up(k)}" for k in range(1, _MAX_STEPS + 1))
    return (f"COALESCE((SELECT CASE WHEN l.depth <= {grain} THEN a.id {steps} END "
            f"FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = {x}), 0)")


def _month(dialect: str, day: str) -> str:
    return f"CAST(date_trunc('month', {day}) AS DATE)" if dialect == "postgresql" else f"strftime('%Y-%m-01', {day})"


def _values(dialect: str, row: str, sign: str, grain: int) -> str:
    return (f"{grain}, {area_sql(row + '.area_id', grain)}, {_month(dialect, row + '.day')}, {row}.measure, "
            f"{row}.programme_id, {row}.level, {row}.sensitive, {row}.working_days, {sign}{row}.n")


def _upserts(dialect: str, row: str, sign: str) -> list[str]:
    cols = ", ".join(KEY)
    return [f"INSERT INTO stat_rollups ({cols}, n) VALUES ({_values(dialect, row, sign, grain)}) "
            f"ON CONFLICT ({cols}) DO UPDATE SET n = stat_rollups.n + excluded.n" for grain in GRAINS]


def ddl(dialect: str) -> list[str]:
    """The statements that create the triggers (after stat_counts exists)."""
    if dialect == "postgresql":
        old = " ".join(f"{u};" for u in _upserts(dialect, "OLD", "-"))
        new = " ".join(f"{u};" for u in _upserts(dialect, "NEW", ""))
        return [
            "CREATE OR REPLACE FUNCTION stat_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            f"  IF TG_OP <> 'INSERT' AND OLD.n <> 0 THEN {old} END IF;\n"
            f"  IF TG_OP <> 'DELETE' AND NEW.n <> 0 THEN {new} END IF;\n"
            "  RETURN NULL;\n"
            "END $$",
            "CREATE TRIGGER stat_rollups_apply AFTER INSERT OR UPDATE OR DELETE ON stat_counts "
            "FOR EACH ROW EXECUTE FUNCTION stat_rollups_apply()",
        ]
    old = " ".join(f"{u};" for u in _upserts(dialect, "OLD", "-"))
    new = " ".join(f"{u};" for u in _upserts(dialect, "NEW", ""))
    return [
        f"CREATE TRIGGER stat_rollups_insert AFTER INSERT ON stat_counts WHEN NEW.n <> 0 BEGIN {new} END",
        f"CREATE TRIGGER stat_rollups_update AFTER UPDATE ON stat_counts BEGIN {old} {new} END",
        f"CREATE TRIGGER stat_rollups_delete AFTER DELETE ON stat_counts WHEN OLD.n <> 0 BEGIN {old} END",
    ]


def attach(table: sa.Table) -> None:
    """Create the triggers whenever `table` (stat_counts) is created by metadata.create_all."""
    for dialect in ("postgresql", "sqlite"):
        for stmt in ddl(dialect):
            sa.event.listen(table, "after_create", sa.DDL(stmt.replace("%", "%%")).execute_if(dialect=dialect))


def rebuild_sql(dialect: str) -> list[str]:
    """INSERTs that fill an empty stat_rollups from stat_counts, a grain each."""
    cols = ", ".join(KEY)
    out = []
    for grain in GRAINS:
        out.append(
            f"INSERT INTO stat_rollups ({cols}, n) "
            f"SELECT {grain}, COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, c.level, c.sensitive, "
            f"c.working_days, SUM(c.n) "
            f"FROM (SELECT {_month(dialect, 'day')} AS month, measure, programme_id, area_id, level, sensitive, "
            f"working_days, SUM(n) AS n FROM stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7) AS c "
            f"LEFT JOIN (SELECT x.id AS area_id, {area_sql('x.id', grain)} AS rollup_id FROM areas x) AS m "
            f"ON m.area_id = c.area_id "
            f"GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, c.level, c.sensitive, "
            f"c.working_days")
    return out


def rebuild(session) -> int:
    """Recompute the roll-up from the counters (after a bulk load that bypassed the triggers); returns
    the rows written."""
    session.execute(sa.text("DELETE FROM stat_rollups"))
    return sum(session.execute(sa.text(stmt)).rowcount for stmt in rebuild_sql(session.get_bind().dialect.name))


def stored(session) -> Counter:
    """The roll-up as stored, without zero rows: {(grain, area_id, month ISO, measure, programme_id, level,
    sensitive, working_days): n}."""
    rows = session.execute(sa.text(f"SELECT {', '.join(KEY)}, n FROM stat_rollups WHERE n <> 0"))
    out: Counter = Counter()
    for grain, area, month, *rest, n in rows:
        rest[-2] = bool(rest[-2])
        out[(grain, area, str(month)[:10], *rest)] += n
    return out


def expected(session, counts: Counter) -> Counter:
    """What the roll-up should hold for these counters (statistics.stored_counts' keys), worked out in
    Python from the areas' paths rather than by the triggers' SQL: the check that the two agree."""
    depth = dict(session.execute(sa.text("SELECT code, depth FROM area_levels")).all())
    areas = {i: (path, depth[level]) for i, path, level in session.execute(sa.text("SELECT id, path, level FROM areas"))}
    ids = {path: i for i, (path, _) in areas.items()}
    out: Counter = Counter()
    for (day, measure, programme, _cat, _ch, area, _office, level, _sex, _age, _dis, sensitive, wd), n in counts.items():
        for grain in GRAINS:
            if area and area in areas:
                path, d = areas[area]
                codes = [c for c in path.split("/") if c]
                at = area if d <= grain else ids["/" + "/".join(codes[:grain + 1]) + "/"]
            else:
                at = 0
            out[(grain, at, day[:8] + "01", measure, programme, level, bool(sensitive), wd)] += n
    return Counter({k: v for k, v in out.items() if v})
