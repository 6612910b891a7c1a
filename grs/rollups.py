"""The statistics roll-ups: `stat_counts` summed by month in a few shapes ("families"), each keeping the
counter columns some figures need and summing the others away, at one or more grains of area. A figure
reads the first family that still has every column its filters and group use, at a grain fine enough for
its area, instead of millions of per-day, per-union counter rows.

- `stat_rollups` (the wide figures: tier, programme, month, area): at the country, each division, each
  district and each upazila (grains 0-3).
- `stat_people_rollups` (the figures by sex, age band and disability, alone or together): the same columns
  and those three, at the country, division and district (0-2).
- `stat_source_rollups` (the figures by channel and category, alone or together): the same columns and
  those two, at the same grains.
- `stat_area_totals` and `stat_people_totals`: the first two with every month summed into one row, for
  figures with no dates (the wide ones at grains 0-2, the people's at 0-1).
- `stat_office_rollups` (the office league table): by office, tier and working days, with the area summed to
  the district (grain 2), so a league for the country, a division or a district reads it; and
  `stat_office_totals`, the same with every month summed into one row, for a league with no dates (a
  tenth of the rows: most offices see a few cases a month); `stat_office_quarters` and
  `stat_office_halves`, the same by quarter and half year, for a dated league: a range reads the half
  years inside it, the quarters left, then the months, then the days from the counters.

Triggers on `stat_counts` apply every insert, update and delete of a counter row to its row in each family
at each grain in the same statement, so every roll-up equals the counters summed at any moment, whoever
changed them (`statistics.track`, `recount(write=True)`, a bulk load that then calls `rebuild`). At grain g
a counter row's area rolls up to its ancestor at depth g (area_levels.depth: 0 the country, 1 the
division, 2 the district, 3 the upazila in Bangladesh), or to itself when it lies higher; area 0 (none
yet) stays 0. Each change of a counter row costs one upsert per family and grain (19) inside the database;
on PostgreSQL a statement's changed rows are applied as one statement (`pass_sql`), and the tables leave
room for HOT updates.

grs/statistics.py reads the tables, `define_tables` declares them (grs/models.py calls it and attaches the
triggers); `expected`
works the roll-ups out in Python, for the tests that hold the triggers to them.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class Family:
    table: str
    columns: tuple[str, ...]  # the counter columns kept (besides the area, the month and n)
    grains: tuple[int, ...]  # the depths its areas are summed at
    period: str = "month"  # what a row's `month` stands for: its month, quarter (from Jan/Apr/Jul/Oct), half
    # year (from January or July), or "all": every month summed into one row (month = ALL_TIME), for
    # figures with no dates
    indexes: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, columns) besides the unique key

    @property
    def key(self) -> tuple[str, ...]:
        return ("grain", "area_id", "month", *self.columns)

    @property
    def all_time(self) -> bool:
        return self.period == "all"


_BASE = ("measure", "programme_id", "level", "sensitive", "working_days")
AREAS = Family("stat_rollups", _BASE, (0, 1, 2, 3))
PEOPLE = Family("stat_people_rollups", (*_BASE, "sex", "age_band", "disability"), (0, 1, 2))
SOURCES = Family("stat_source_rollups", (*_BASE, "channel", "category_id"), (0, 1, 2))
# A dated league of the whole country reads its months, whatever the area: indexed by grain and month.
OFFICES = Family("stat_office_rollups", ("measure", "office_id", "level", "sensitive", "working_days"), (2,),
                 indexes=(("ix_stat_office_rollups_month", ("grain", "month")),))
OFFICE_TOTALS = Family("stat_office_totals", OFFICES.columns, (2,), period="all")
# A dated league reads the half years and quarters inside its range, whole months at its ends: a fiscal
# year from July is two half-year rows per office and measure, not twelve months of them.
OFFICE_QUARTERS = Family("stat_office_quarters", OFFICES.columns, (2,), period="quarter",
                         indexes=(("ix_stat_office_quarters_month", ("grain", "month")),))
OFFICE_HALVES = Family("stat_office_halves", OFFICES.columns, (2,), period="half",
                       indexes=(("ix_stat_office_halves_month", ("grain", "month")),))
# Figures with no dates read every month of a family: an all-time companion keeps one row where the month
# family keeps one a month (the country's people figures: 240,000 rows -> 35,000; the divisions' wide ones:
# 141,000 -> 15,500), at the grains the dashboard's country and division pages read (a district's are few).
AREA_TOTALS = Family("stat_area_totals", _BASE, (0, 1, 2), period="all")
PEOPLE_TOTALS = Family("stat_people_totals", PEOPLE.columns, (0, 1), period="all")
# (A figure reads the first family that has what it needs: each all-time family before its month family.)
FAMILIES = (AREA_TOTALS, AREAS, PEOPLE_TOTALS, PEOPLE, SOURCES, OFFICE_TOTALS, OFFICES, OFFICE_QUARTERS,
            OFFICE_HALVES)
PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6}  # each dated period's length
ALL_TIME = "0001-01-01"  # the month of an all-time family's rows

ROLLUP_DEPTH = max(g for f in FAMILIES for g in f.grains)  # the deepest grain any family has
KEY = AREAS.key  # kept for callers of the first roll-up

FILLFACTOR = 60  # PostgreSQL: the share of a roll-up table's page that inserts fill (see define_tables)

_MAX_STEPS = 4  # how far below a grain an area may lie (Bangladesh: unions are 2 below districts)


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


def _month(dialect: str, day: str, family: Family | None = None) -> str:
    """SQL for the first day of the period (the family's) that holds `day`."""
    period = family.period if family is not None else "month"
    pg = dialect == "postgresql"
    if period == "all":
        return f"DATE '{ALL_TIME}'" if pg else f"'{ALL_TIME}'"
    if period == "month":
        return f"CAST(date_trunc('month', {day}) AS DATE)" if pg else f"strftime('%Y-%m-01', {day})"
    if pg:
        return (f"CAST(date_trunc('quarter', {day}) AS DATE)" if period == "quarter" else
                f"make_date(CAST(extract(year FROM {day}) AS integer), "
                f"CASE WHEN extract(month FROM {day}) <= 6 THEN 1 ELSE 7 END, 1)")
    month = f"CAST(strftime('%m', {day}) AS INTEGER)"
    if period == "quarter":
        return f"strftime('%Y-', {day}) || printf('%02d', (({month} - 1) / 3) * 3 + 1) || '-01'"
    return f"strftime('%Y-', {day}) || CASE WHEN {month} <= 6 THEN '01-01' ELSE '07-01' END"


def period_start(day: str, period: str) -> str:
    """The first day (ISO) of the period holding ISO day `day`, as `_month`'s SQL works it out."""
    if period == "all":
        return ALL_TIME
    months = PERIOD_MONTHS[period]
    month = (int(day[5:7]) - 1) // months * months + 1
    return f"{day[:4]}-{month:02d}-01"


_COUNTER_KEY = ("day", "measure", "programme_id", "category_id", "channel", "area_id", "office_id", "level", "sex",
                "age_band", "disability", "sensitive", "working_days")  # statistics.KEY_FIELDS
_GRAINS = sorted({g for f in FAMILIES for g in f.grains})


def _values(dialect: str, family: Family, row: str, value: str, grain: int, area=None) -> str:
    cols = ", ".join(f"{row}.{c}" for c in family.columns)
    where = area(grain) if area else area_sql(row + ".area_id", grain)
    return f"{grain}, {where}, {_month(dialect, row + '.day', family)}, {cols}, {value}"


def _upserts(dialect: str, row: str, value: str, area=None) -> list[str]:
    """One upsert per family and grain adding `value` for counter row `row`; `area(grain)` names the
    row's area at that grain when the caller has worked it out already."""
    out = []
    for family in FAMILIES:
        cols = ", ".join(family.key)
        out += [f"INSERT INTO {family.table} ({cols}, n) VALUES ({_values(dialect, family, row, value, grain, area)}) "
                f"ON CONFLICT ({cols}) DO UPDATE SET n = {family.table}.n + excluded.n" for grain in family.grains]
    return out


def _same_key(a: str, b: str) -> str:
    return " AND ".join(f"{a}.{c} IS {b}.{c}" for c in _COUNTER_KEY)  # SQLite's IS: equal, NULLs included


def ddl(dialect: str) -> list[str]:
    """The statements that create the triggers (after stat_counts and the roll-up tables exist).

    A change of a counter's n (all `statistics.track` does) adds the difference once; a row inserted or
    deleted adds or takes its n; a row whose key itself changed (by hand) takes the old and adds the new.
    PostgreSQL works the row's area out once per grain and reuses it for every family."""
    if dialect == "postgresql":
        return pg_statement_ddl()
    if dialect == "postgresql-rows":  # the row-level triggers before pg_statement_ddl (kept for the record)
        dialect = "postgresql"

        def block(value: str) -> str:
            areas = " ".join(f"a{g} := {area_sql('r.area_id', g)};" for g in _GRAINS)
            ups = " ".join(f"{u};" for u in _upserts(dialect, "r", value, area=lambda g: f"a{g}"))
            return f"{areas} {ups}"
        same = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in _COUNTER_KEY)
        return [
            "CREATE OR REPLACE FUNCTION stat_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"DECLARE r stat_counts; d integer; {' '.join(f'a{g} integer;' for g in _GRAINS)}\n"
            "BEGIN\n"
            f"  IF TG_OP = 'UPDATE' AND {same} THEN\n"
            "    r := NEW; d := NEW.n - OLD.n;\n"
            f"    IF d <> 0 THEN {block('d')} END IF;\n"
            "    RETURN NULL;\n"
            "  END IF;\n"
            f"  IF TG_OP <> 'INSERT' AND OLD.n <> 0 THEN r := OLD; {block('-r.n')} END IF;\n"
            f"  IF TG_OP <> 'DELETE' AND NEW.n <> 0 THEN r := NEW; {block('r.n')} END IF;\n"
            "  RETURN NULL;\n"
            "END $$",
            "CREATE TRIGGER stat_rollups_apply AFTER INSERT OR UPDATE OR DELETE ON stat_counts "
            "FOR EACH ROW EXECUTE FUNCTION stat_rollups_apply()",
        ]
    old = " ".join(f"{u};" for u in _upserts(dialect, "OLD", "-OLD.n"))
    new = " ".join(f"{u};" for u in _upserts(dialect, "NEW", "NEW.n"))
    delta = " ".join(f"{u};" for u in _upserts(dialect, "NEW", "NEW.n - OLD.n"))
    same = _same_key("NEW", "OLD")
    return [
        f"CREATE TRIGGER stat_rollups_insert AFTER INSERT ON stat_counts WHEN NEW.n <> 0 BEGIN {new} END",
        f"CREATE TRIGGER stat_rollups_update AFTER UPDATE ON stat_counts WHEN {same} AND NEW.n <> OLD.n "
        f"BEGIN {delta} END",
        f"CREATE TRIGGER stat_rollups_rekey AFTER UPDATE ON stat_counts WHEN NOT ({same}) BEGIN {old} {new} END",
        f"CREATE TRIGGER stat_rollups_delete AFTER DELETE ON stat_counts WHEN OLD.n <> 0 BEGIN {old} END",
    ]


_PG_SOURCES = {  # what each statement-level trigger adds: the rows' n, signed
    "insert": "SELECT {cols}, n FROM new_rows",
    "update": "SELECT {cols}, n FROM new_rows UNION ALL SELECT {cols}, -n FROM old_rows",
    "delete": "SELECT {cols}, -n AS n FROM old_rows",
}
_PG_REFERENCING = {"insert": "NEW TABLE AS new_rows", "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                   "delete": "OLD TABLE AS old_rows"}


def delta_sql(family: Family, grain: int, source: str, dialect: str = "postgresql") -> str:
    """One upsert adding to the family's rows at this grain what the counter rows of `source` (a SELECT of
    stat_counts' columns and a signed n) add, grouped first: rebuild_sql's statement, for a change."""
    cols = ", ".join(family.key)
    kept = ", ".join(family.columns)
    c_kept = ", ".join(f"c.{c}" for c in family.columns)
    group = ", ".join(str(i) for i in range(1, len(family.columns) + 3))
    return (f"INSERT INTO {family.table} ({cols}, n) "
            f"SELECT {grain}, COALESCE(m.rollup_id, 0), c.month, {c_kept}, SUM(c.n) "
            f"FROM (SELECT {_month(dialect, 'day', family)} AS month, area_id, {kept}, SUM(n) AS n FROM ({source}) AS s "
            f"GROUP BY {group}) AS c "
            f"LEFT JOIN (SELECT x.id AS area_id, {area_sql('x.id', grain)} AS rollup_id FROM areas x "
            f"WHERE x.id IN (SELECT area_id FROM ({source}) AS t)) AS m ON m.area_id = c.area_id "
            f"GROUP BY COALESCE(m.rollup_id, 0), c.month, {c_kept} HAVING SUM(c.n) <> 0 "
            f"ON CONFLICT ({cols}) DO UPDATE SET n = {family.table}.n + excluded.n")


def pass_sql(source: str, dialect: str = "postgresql") -> str:
    """One statement adding to every family at every grain what the counter rows of `source` (a SELECT of
    stat_counts' columns and a signed n) add: the rows read once, each area's roll-up area worked out once per
    grain, then a grouped upsert per family and grain (data-modifying WITH queries, the last one the statement
    itself). delta_sql's upserts, without reading the rows and the areas again for each of them."""
    grains = ", ".join(f"{area_sql('x.id', g)} AS g{g}" for g in _GRAINS)
    at = ", ".join(f"COALESCE(m.g{g}, 0) AS g{g}" for g in _GRAINS)
    upserts = []
    for family in FAMILIES:
        cols = ", ".join(family.key)
        kept = ", ".join(f"c.{c}" for c in family.columns)
        group = ", ".join(str(i) for i in range(2, len(family.columns) + 4))
        for grain in family.grains:
            upserts.append(
                f"INSERT INTO {family.table} ({cols}, n) SELECT {grain}, c.g{grain}, {_month(dialect, 'c.day', family)}, "
                f"{kept}, SUM(c.n) FROM c GROUP BY {group} HAVING SUM(c.n) <> 0 "
                f"ON CONFLICT ({cols}) DO UPDATE SET n = {family.table}.n + excluded.n")
    ctes = ", ".join(f"u{i} AS ({u})" for i, u in enumerate(upserts[:-1]))
    return (f"WITH s AS MATERIALIZED ({source}), "
            f"m AS MATERIALIZED (SELECT x.id AS area_id, {grains} FROM areas x "
            f"WHERE x.id IN (SELECT area_id FROM s)), "
            f"c AS MATERIALIZED (SELECT s.*, {at} FROM s LEFT JOIN m ON m.area_id = s.area_id), "
            f"{ctes} {upserts[-1]}")


def pg_statement_ddl() -> list[str]:
    """PostgreSQL's triggers: one per statement (insert, update, delete), each applying the statement's
    changed counter rows to every family and grain as 19 grouped upserts (14 before the all-time
    companions). A batch of a thousand counter changes (the batch sweep's, escalation/batch.py) costs 19
    statements instead of 19,000 row upserts
    (ddl("postgresql-rows"), the row-level triggers before: 1.5 ms per changed counter row)."""
    cols = ", ".join(_COUNTER_KEY)
    out = []
    for op, source in _PG_SOURCES.items():
        body = pass_sql(source.format(cols=cols)) + ";"
        out.append(f"CREATE OR REPLACE FUNCTION stat_rollups_{op}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                   f"BEGIN\n  {body}\n  RETURN NULL;\nEND $$")
        out.append(f"CREATE TRIGGER stat_rollups_{op} AFTER {op.upper()} ON stat_counts REFERENCING "
                   f"{_PG_REFERENCING[op]} FOR EACH STATEMENT EXECUTE FUNCTION stat_rollups_{op}()")
    return out


def drop_ddl(dialect: str) -> list[str]:
    """The statements that remove the triggers (a migration that changes them drops, then creates)."""
    if dialect == "postgresql":
        return ["DROP TRIGGER IF EXISTS stat_rollups_apply ON stat_counts",
                "DROP FUNCTION IF EXISTS stat_rollups_apply()",
                *(f"DROP TRIGGER IF EXISTS stat_rollups_{op} ON stat_counts" for op in _PG_SOURCES),
                *(f"DROP FUNCTION IF EXISTS stat_rollups_{op}()" for op in _PG_SOURCES)]
    return [f"DROP TRIGGER IF EXISTS stat_rollups_{op}" for op in ("insert", "update", "rekey", "delete")]


def define_tables(metadata: sa.MetaData, counters: sa.Table) -> dict[str, sa.Table]:
    """Each family's table, its columns typed as the counters' (grs/models.py calls it once): grain, area,
    month, the kept columns and n, unique on all but n."""
    out = {}
    for family in FAMILIES:
        kept = [sa.Column(c, counters.c[c].type, nullable=False) for c in family.columns]
        extra = [sa.Index(name, *cols) for name, cols in family.indexes]
        out[family.table] = sa.Table(
            family.table, metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("grain", sa.Integer, nullable=False),  # the depth the rows' areas are summed at
            sa.Column("area_id", sa.Integer, nullable=False),  # at that grain (an area higher stands for itself)
            sa.Column("month", sa.Date, nullable=False),  # the local month's first day (ALL_TIME: every month)
            *kept,
            sa.Column("n", sa.Integer, nullable=False, default=0),
            sa.UniqueConstraint(*family.key, name=f"uq_{family.table}_key"), *extra,
            # Room on each page for a row's next version: a change of n (all the triggers do) is then a HOT
            # update, which writes no index entry (measured: a third less time a thousand counter changes).
            postgresql_with={"fillfactor": FILLFACTOR})
    return out


def attach(table: sa.Table) -> None:
    """Create the triggers whenever `table` (stat_counts) is created by metadata.create_all (the roll-up
    tables may come after it: both databases resolve a trigger's tables when it fires)."""
    for dialect in ("postgresql", "sqlite"):
        for stmt in ddl(dialect):
            sa.event.listen(table, "after_create", sa.DDL(stmt.replace("%", "%%")).execute_if(dialect=dialect))


def rebuild_sql(dialect: str, family: Family = AREAS) -> list[str]:
    """INSERTs that fill an empty roll-up table from stat_counts, a grain each."""
    cols = ", ".join(family.key)
    kept = ", ".join(family.columns)
    c_kept = ", ".join(f"c.{c}" for c in family.columns)
    group = ", ".join(str(i) for i in range(1, len(family.columns) + 3))
    out = []
    for grain in family.grains:
        out.append(
            f"INSERT INTO {family.table} ({cols}, n) "
            f"SELECT {grain}, COALESCE(m.rollup_id, 0), c.month, {c_kept}, SUM(c.n) "
            f"FROM (SELECT {_month(dialect, 'day', family)} AS month, area_id, {kept}, SUM(n) AS n FROM stat_counts "
            f"GROUP BY {group}) AS c "
            f"LEFT JOIN (SELECT x.id AS area_id, {area_sql('x.id', grain)} AS rollup_id FROM areas x) AS m "
            f"ON m.area_id = c.area_id "
            f"GROUP BY COALESCE(m.rollup_id, 0), c.month, {c_kept}")
    return out


def rebuild(session) -> int:
    """Recompute every roll-up from the counters (after a bulk load that bypassed the triggers); returns
    the rows written."""
    dialect = session.get_bind().dialect.name
    written = 0
    for family in FAMILIES:
        session.execute(sa.text(f"DELETE FROM {family.table}"))
        written += sum(session.execute(sa.text(stmt)).rowcount for stmt in rebuild_sql(dialect, family))
    return written


def _normal(family: Family, key: tuple) -> tuple:
    key = list(key)
    key[2] = str(key[2])[:10]
    i = 3 + family.columns.index("sensitive")
    key[i] = bool(key[i])
    return tuple(key)


def stored(session) -> dict[str, Counter]:
    """Each roll-up as stored, without zero rows: {table: {(grain, area_id, month ISO, *columns): n}}."""
    out: dict[str, Counter] = {}
    for family in FAMILIES:
        rows = session.execute(sa.text(f"SELECT {', '.join(family.key)}, n FROM {family.table} WHERE n <> 0"))
        c: Counter = Counter()
        for *key, n in rows:
            c[_normal(family, key)] += n
        out[family.table] = c
    return out


def expected(session, counts: Counter) -> dict[str, Counter]:
    """What each roll-up should hold for these counters (statistics.stored_counts' keys), worked out in
    Python from the areas' paths rather than by the triggers' SQL: the check that the two agree."""
    from .statistics import KEY_FIELDS
    depth = dict(session.execute(sa.text("SELECT code, depth FROM area_levels")).all())
    areas = {i: (path, depth[level]) for i, path, level in session.execute(sa.text("SELECT id, path, level FROM areas"))}
    ids = {path: i for i, (path, _) in areas.items()}
    out: dict[str, Counter] = {f.table: Counter() for f in FAMILIES}
    for key, n in counts.items():
        row = dict(zip(KEY_FIELDS, key))
        area = row["area_id"]
        for family in FAMILIES:
            kept = tuple(bool(row[c]) if c == "sensitive" else row[c] for c in family.columns)
            for grain in family.grains:
                if area and area in areas:
                    path, d = areas[area]
                    codes = [c for c in path.split("/") if c]
                    at = area if d <= grain else ids["/" + "/".join(codes[:grain + 1]) + "/"]
                else:
                    at = 0
                month = period_start(row["day"], family.period)
                out[family.table][(grain, at, month, *kept)] += n
    return {t: Counter({k: v for k, v in c.items() if v}) for t, c in out.items()}
