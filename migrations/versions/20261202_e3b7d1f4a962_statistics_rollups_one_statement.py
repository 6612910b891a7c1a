"""statistics: a statement's counter changes reach the roll-ups in one statement, with room for HOT updates

Revision ID: e3b7d1f4a962
Revises: c81e5d2a9f47
Create Date: 2026-12-02 14:30:00

The statement-level triggers of c81e5d2a9f47 ran 14 upserts a statement, each reading the changed counter rows
and working out their areas' roll-up areas again. Now each trigger is one statement (grs/rollups.py pass_sql;
the SQL frozen as it was when this revision was written): the rows and their areas read once, then the 14
grouped upserts as data-modifying WITH queries. And the roll-up tables get a fillfactor of 60, rewritten
(CLUSTER on their key) so that every page has room: a change of n is then a HOT update that writes no index
entry. The roll-ups' contents do not change. SQLite keeps its row triggers.
"""
import importlib.util
import os

from alembic import op
import sqlalchemy as sa


revision = 'e3b7d1f4a962'
down_revision = 'c81e5d2a9f47'
branch_labels = None
depends_on = None

FILLFACTOR = 60
TABLES = ['stat_rollups', 'stat_people_rollups', 'stat_source_rollups', 'stat_office_totals', 'stat_office_rollups', 'stat_office_quarters', 'stat_office_halves']

TRIGGERS = {'postgresql': ['CREATE OR REPLACE FUNCTION stat_rollups_insert() RETURNS trigger LANGUAGE plpgsql AS $$\n'
 'BEGIN\n'
 '  WITH s AS MATERIALIZED (SELECT day, measure, programme_id, category_id, channel, area_id, office_id, '
 'level, sex, age_band, disability, sensitive, working_days, n FROM new_rows), m AS MATERIALIZED (SELECT '
 'x.id AS area_id, COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN '
 'l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 THEN '
 '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
 'a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id '
 'FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas '
 'a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS g0, COALESCE((SELECT CASE WHEN l.depth '
 '<= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT p1.parent_id FROM areas p1 '
 'WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
 'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 THEN (SELECT p3.parent_id FROM '
 'areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 '
 'WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), '
 '0) AS g1, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth '
 '= 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT '
 'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) '
 'WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 '
 'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
 'area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS g2, COALESCE((SELECT CASE WHEN l.depth <= 3 '
 'THEN a.id WHEN l.depth = 4 THEN a.parent_id WHEN l.depth = 5 THEN (SELECT p1.parent_id FROM areas p1 WHERE '
 'p1.id = a.parent_id) WHEN l.depth = 6 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
 'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 7 THEN (SELECT p3.parent_id FROM '
 'areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 '
 'WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), '
 '0) AS g3 FROM areas x WHERE x.id IN (SELECT area_id FROM s)), c AS MATERIALIZED (SELECT s.*, '
 'COALESCE(m.g0, 0) AS g0, COALESCE(m.g1, 0) AS g1, COALESCE(m.g2, 0) AS g2, COALESCE(m.g3, 0) AS g3 FROM s '
 'LEFT JOIN m ON m.area_id = s.area_id), u0 AS (INSERT INTO stat_rollups (grain, area_id, month, measure, '
 "programme_id, level, sensitive, working_days, n) SELECT 0, c.g0, CAST(date_trunc('month', c.day) AS DATE), "
 'c.measure, c.programme_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, '
 '7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, '
 'working_days) DO UPDATE SET n = stat_rollups.n + excluded.n), u1 AS (INSERT INTO stat_rollups (grain, '
 'area_id, month, measure, programme_id, level, sensitive, working_days, n) SELECT 1, c.g1, '
 "CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, "
 'SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = stat_rollups.n + excluded.n), u2 '
 'AS (INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
 "working_days, n) SELECT 2, c.g2, CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, "
 'c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON '
 'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = '
 'stat_rollups.n + excluded.n), u3 AS (INSERT INTO stat_rollups (grain, area_id, month, measure, '
 "programme_id, level, sensitive, working_days, n) SELECT 3, c.g3, CAST(date_trunc('month', c.day) AS DATE), "
 'c.measure, c.programme_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, '
 '7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, '
 'working_days) DO UPDATE SET n = stat_rollups.n + excluded.n), u4 AS (INSERT INTO stat_people_rollups '
 '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, age_band, disability, '
 "n) SELECT 0, c.g0, CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, "
 'c.sensitive, c.working_days, c.sex, c.age_band, c.disability, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, '
 '8, 9, 10, 11 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, level, '
 'sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n), '
 'u5 AS (INSERT INTO stat_people_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
 "working_days, sex, age_band, disability, n) SELECT 1, c.g1, CAST(date_trunc('month', c.day) AS DATE), "
 'c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, c.disability, SUM(c.n) '
 'FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
 'stat_people_rollups.n + excluded.n), u6 AS (INSERT INTO stat_people_rollups (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) SELECT 2, c.g2, '
 "CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, "
 'c.sex, c.age_band, c.disability, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 HAVING SUM(c.n) '
 '<> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, '
 'age_band, disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n), u7 AS (INSERT INTO '
 'stat_source_rollups (grain, area_id, month, measure, programme_id, level, sensitive, working_days, '
 "channel, category_id, n) SELECT 0, c.g0, CAST(date_trunc('month', c.day) AS DATE), c.measure, "
 'c.programme_id, c.level, c.sensitive, c.working_days, c.channel, c.category_id, SUM(c.n) FROM c GROUP BY '
 '2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, '
 'level, sensitive, working_days, channel, category_id) DO UPDATE SET n = stat_source_rollups.n + '
 'excluded.n), u8 AS (INSERT INTO stat_source_rollups (grain, area_id, month, measure, programme_id, level, '
 "sensitive, working_days, channel, category_id, n) SELECT 1, c.g1, CAST(date_trunc('month', c.day) AS "
 'DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.channel, c.category_id, SUM(c.n) '
 'FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days, channel, category_id) DO UPDATE SET n = '
 'stat_source_rollups.n + excluded.n), u9 AS (INSERT INTO stat_source_rollups (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days, channel, category_id, n) SELECT 2, c.g2, '
 "CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, "
 'c.channel, c.category_id, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING SUM(c.n) <> 0 ON '
 'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days, channel, '
 'category_id) DO UPDATE SET n = stat_source_rollups.n + excluded.n), u10 AS (INSERT INTO stat_office_totals '
 '(grain, area_id, month, measure, office_id, level, sensitive, working_days, n) SELECT 2, c.g2, DATE '
 "'0001-01-01', c.measure, c.office_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, "
 '4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, office_id, level, '
 'sensitive, working_days) DO UPDATE SET n = stat_office_totals.n + excluded.n), u11 AS (INSERT INTO '
 'stat_office_rollups (grain, area_id, month, measure, office_id, level, sensitive, working_days, n) SELECT '
 "2, c.g2, CAST(date_trunc('month', c.day) AS DATE), c.measure, c.office_id, c.level, c.sensitive, "
 'c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, '
 'area_id, month, measure, office_id, level, sensitive, working_days) DO UPDATE SET n = '
 'stat_office_rollups.n + excluded.n), u12 AS (INSERT INTO stat_office_quarters (grain, area_id, month, '
 "measure, office_id, level, sensitive, working_days, n) SELECT 2, c.g2, CAST(date_trunc('quarter', c.day) "
 'AS DATE), c.measure, c.office_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, '
 '5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, office_id, level, sensitive, '
 'working_days) DO UPDATE SET n = stat_office_quarters.n + excluded.n) INSERT INTO stat_office_halves '
 '(grain, area_id, month, measure, office_id, level, sensitive, working_days, n) SELECT 2, c.g2, '
 'make_date(CAST(extract(year FROM c.day) AS integer), CASE WHEN extract(month FROM c.day) <= 6 THEN 1 ELSE '
 '7 END, 1), c.measure, c.office_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, '
 '5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, office_id, level, sensitive, '
 'working_days) DO UPDATE SET n = stat_office_halves.n + excluded.n;\n'
 '  RETURN NULL;\n'
 'END $$',
 'CREATE TRIGGER stat_rollups_insert AFTER INSERT ON stat_counts REFERENCING NEW TABLE AS new_rows FOR EACH '
 'STATEMENT EXECUTE FUNCTION stat_rollups_insert()',
 'CREATE OR REPLACE FUNCTION stat_rollups_update() RETURNS trigger LANGUAGE plpgsql AS $$\n'
 'BEGIN\n'
 '  WITH s AS MATERIALIZED (SELECT day, measure, programme_id, category_id, channel, area_id, office_id, '
 'level, sex, age_band, disability, sensitive, working_days, n FROM new_rows UNION ALL SELECT day, measure, '
 'programme_id, category_id, channel, area_id, office_id, level, sex, age_band, disability, sensitive, '
 'working_days, -n FROM old_rows), m AS MATERIALIZED (SELECT x.id AS area_id, COALESCE((SELECT CASE WHEN '
 'l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN l.depth = 2 THEN (SELECT p1.parent_id FROM '
 'areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
 '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id '
 'FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
 'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
 'x.id), 0) AS g0, COALESCE((SELECT CASE WHEN l.depth <= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN '
 'l.depth = 3 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN '
 '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
 'a.parent_id)) WHEN l.depth = 5 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id '
 'FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas '
 'a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS g1, COALESCE((SELECT CASE WHEN l.depth '
 '<= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 '
 'WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
 'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM '
 'areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 '
 'WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), '
 '0) AS g2, COALESCE((SELECT CASE WHEN l.depth <= 3 THEN a.id WHEN l.depth = 4 THEN a.parent_id WHEN l.depth '
 '= 5 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 6 THEN (SELECT '
 'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) '
 'WHEN l.depth = 7 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 '
 'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
 'area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS g3 FROM areas x WHERE x.id IN (SELECT area_id '
 'FROM s)), c AS MATERIALIZED (SELECT s.*, COALESCE(m.g0, 0) AS g0, COALESCE(m.g1, 0) AS g1, COALESCE(m.g2, '
 '0) AS g2, COALESCE(m.g3, 0) AS g3 FROM s LEFT JOIN m ON m.area_id = s.area_id), u0 AS (INSERT INTO '
 'stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, working_days, n) SELECT 0, '
 "c.g0, CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, "
 'c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, '
 'area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = stat_rollups.n + '
 'excluded.n), u1 AS (INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, '
 "sensitive, working_days, n) SELECT 1, c.g1, CAST(date_trunc('month', c.day) AS DATE), c.measure, "
 'c.programme_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING '
 'SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days) '
 'DO UPDATE SET n = stat_rollups.n + excluded.n), u2 AS (INSERT INTO stat_rollups (grain, area_id, month, '
 "measure, programme_id, level, sensitive, working_days, n) SELECT 2, c.g2, CAST(date_trunc('month', c.day) "
 'AS DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, '
 '4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, level, '
 'sensitive, working_days) DO UPDATE SET n = stat_rollups.n + excluded.n), u3 AS (INSERT INTO stat_rollups '
 '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, n) SELECT 3, c.g3, '
 "CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, "
 'SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = stat_rollups.n + excluded.n), u4 '
 'AS (INSERT INTO stat_people_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
 "working_days, sex, age_band, disability, n) SELECT 0, c.g0, CAST(date_trunc('month', c.day) AS DATE), "
 'c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, c.disability, SUM(c.n) '
 'FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
 'stat_people_rollups.n + excluded.n), u5 AS (INSERT INTO stat_people_rollups (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) SELECT 1, c.g1, '
 "CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, "
 'c.sex, c.age_band, c.disability, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 HAVING SUM(c.n) '
 '<> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, '
 'age_band, disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n), u6 AS (INSERT INTO '
 'stat_people_rollups (grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, '
 "age_band, disability, n) SELECT 2, c.g2, CAST(date_trunc('month', c.day) AS DATE), c.measure, "
 'c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, c.disability, SUM(c.n) FROM c '
 'GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, '
 'programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
 'stat_people_rollups.n + excluded.n), u7 AS (INSERT INTO stat_source_rollups (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days, channel, category_id, n) SELECT 0, c.g0, '
 "CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, "
 'c.channel, c.category_id, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING SUM(c.n) <> 0 ON '
 'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days, channel, '
 'category_id) DO UPDATE SET n = stat_source_rollups.n + excluded.n), u8 AS (INSERT INTO stat_source_rollups '
 '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, channel, category_id, n) '
 "SELECT 1, c.g1, CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, "
 'c.working_days, c.channel, c.category_id, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING '
 'SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days, '
 'channel, category_id) DO UPDATE SET n = stat_source_rollups.n + excluded.n), u9 AS (INSERT INTO '
 'stat_source_rollups (grain, area_id, month, measure, programme_id, level, sensitive, working_days, '
 "channel, category_id, n) SELECT 2, c.g2, CAST(date_trunc('month', c.day) AS DATE), c.measure, "
 'c.programme_id, c.level, c.sensitive, c.working_days, c.channel, c.category_id, SUM(c.n) FROM c GROUP BY '
 '2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, '
 'level, sensitive, working_days, channel, category_id) DO UPDATE SET n = stat_source_rollups.n + '
 'excluded.n), u10 AS (INSERT INTO stat_office_totals (grain, area_id, month, measure, office_id, level, '
 "sensitive, working_days, n) SELECT 2, c.g2, DATE '0001-01-01', c.measure, c.office_id, c.level, "
 'c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT '
 '(grain, area_id, month, measure, office_id, level, sensitive, working_days) DO UPDATE SET n = '
 'stat_office_totals.n + excluded.n), u11 AS (INSERT INTO stat_office_rollups (grain, area_id, month, '
 "measure, office_id, level, sensitive, working_days, n) SELECT 2, c.g2, CAST(date_trunc('month', c.day) AS "
 'DATE), c.measure, c.office_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, '
 '6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, office_id, level, sensitive, '
 'working_days) DO UPDATE SET n = stat_office_rollups.n + excluded.n), u12 AS (INSERT INTO '
 'stat_office_quarters (grain, area_id, month, measure, office_id, level, sensitive, working_days, n) SELECT '
 "2, c.g2, CAST(date_trunc('quarter', c.day) AS DATE), c.measure, c.office_id, c.level, c.sensitive, "
 'c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, '
 'area_id, month, measure, office_id, level, sensitive, working_days) DO UPDATE SET n = '
 'stat_office_quarters.n + excluded.n) INSERT INTO stat_office_halves (grain, area_id, month, measure, '
 'office_id, level, sensitive, working_days, n) SELECT 2, c.g2, make_date(CAST(extract(year FROM c.day) AS '
 'integer), CASE WHEN extract(month FROM c.day) <= 6 THEN 1 ELSE 7 END, 1), c.measure, c.office_id, c.level, '
 'c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT '
 '(grain, area_id, month, measure, office_id, level, sensitive, working_days) DO UPDATE SET n = '
 'stat_office_halves.n + excluded.n;\n'
 '  RETURN NULL;\n'
 'END $$',
 'CREATE TRIGGER stat_rollups_update AFTER UPDATE ON stat_counts REFERENCING OLD TABLE AS old_rows NEW TABLE '
 'AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_rollups_update()',
 'CREATE OR REPLACE FUNCTION stat_rollups_delete() RETURNS trigger LANGUAGE plpgsql AS $$\n'
 'BEGIN\n'
 '  WITH s AS MATERIALIZED (SELECT day, measure, programme_id, category_id, channel, area_id, office_id, '
 'level, sex, age_band, disability, sensitive, working_days, -n AS n FROM old_rows), m AS MATERIALIZED '
 '(SELECT x.id AS area_id, COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN '
 'a.parent_id WHEN l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN '
 'l.depth = 3 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
 'p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT '
 'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) '
 'END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS g0, COALESCE((SELECT '
 'CASE WHEN l.depth <= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT '
 'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT p2.parent_id FROM '
 'areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 '
 'THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
 '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON '
 'l.code = a.level WHERE a.id = x.id), 0) AS g1, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN '
 'l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
 'a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id '
 'FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE '
 'p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
 'a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS g2, '
 'COALESCE((SELECT CASE WHEN l.depth <= 3 THEN a.id WHEN l.depth = 4 THEN a.parent_id WHEN l.depth = 5 THEN '
 '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 6 THEN (SELECT p2.parent_id '
 'FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = '
 '7 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
 '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON '
 'l.code = a.level WHERE a.id = x.id), 0) AS g3 FROM areas x WHERE x.id IN (SELECT area_id FROM s)), c AS '
 'MATERIALIZED (SELECT s.*, COALESCE(m.g0, 0) AS g0, COALESCE(m.g1, 0) AS g1, COALESCE(m.g2, 0) AS g2, '
 'COALESCE(m.g3, 0) AS g3 FROM s LEFT JOIN m ON m.area_id = s.area_id), u0 AS (INSERT INTO stat_rollups '
 '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, n) SELECT 0, c.g0, '
 "CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, "
 'SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = stat_rollups.n + excluded.n), u1 '
 'AS (INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
 "working_days, n) SELECT 1, c.g1, CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, "
 'c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON '
 'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = '
 'stat_rollups.n + excluded.n), u2 AS (INSERT INTO stat_rollups (grain, area_id, month, measure, '
 "programme_id, level, sensitive, working_days, n) SELECT 2, c.g2, CAST(date_trunc('month', c.day) AS DATE), "
 'c.measure, c.programme_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, '
 '7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, '
 'working_days) DO UPDATE SET n = stat_rollups.n + excluded.n), u3 AS (INSERT INTO stat_rollups (grain, '
 'area_id, month, measure, programme_id, level, sensitive, working_days, n) SELECT 3, c.g3, '
 "CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, "
 'SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = stat_rollups.n + excluded.n), u4 '
 'AS (INSERT INTO stat_people_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
 "working_days, sex, age_band, disability, n) SELECT 0, c.g0, CAST(date_trunc('month', c.day) AS DATE), "
 'c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, c.disability, SUM(c.n) '
 'FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
 'stat_people_rollups.n + excluded.n), u5 AS (INSERT INTO stat_people_rollups (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) SELECT 1, c.g1, '
 "CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, "
 'c.sex, c.age_band, c.disability, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 HAVING SUM(c.n) '
 '<> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, '
 'age_band, disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n), u6 AS (INSERT INTO '
 'stat_people_rollups (grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, '
 "age_band, disability, n) SELECT 2, c.g2, CAST(date_trunc('month', c.day) AS DATE), c.measure, "
 'c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, c.disability, SUM(c.n) FROM c '
 'GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, '
 'programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
 'stat_people_rollups.n + excluded.n), u7 AS (INSERT INTO stat_source_rollups (grain, area_id, month, '
 'measure, programme_id, level, sensitive, working_days, channel, category_id, n) SELECT 0, c.g0, '
 "CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, c.working_days, "
 'c.channel, c.category_id, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING SUM(c.n) <> 0 ON '
 'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days, channel, '
 'category_id) DO UPDATE SET n = stat_source_rollups.n + excluded.n), u8 AS (INSERT INTO stat_source_rollups '
 '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, channel, category_id, n) '
 "SELECT 1, c.g1, CAST(date_trunc('month', c.day) AS DATE), c.measure, c.programme_id, c.level, c.sensitive, "
 'c.working_days, c.channel, c.category_id, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING '
 'SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days, '
 'channel, category_id) DO UPDATE SET n = stat_source_rollups.n + excluded.n), u9 AS (INSERT INTO '
 'stat_source_rollups (grain, area_id, month, measure, programme_id, level, sensitive, working_days, '
 "channel, category_id, n) SELECT 2, c.g2, CAST(date_trunc('month', c.day) AS DATE), c.measure, "
 'c.programme_id, c.level, c.sensitive, c.working_days, c.channel, c.category_id, SUM(c.n) FROM c GROUP BY '
 '2, 3, 4, 5, 6, 7, 8, 9, 10 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, programme_id, '
 'level, sensitive, working_days, channel, category_id) DO UPDATE SET n = stat_source_rollups.n + '
 'excluded.n), u10 AS (INSERT INTO stat_office_totals (grain, area_id, month, measure, office_id, level, '
 "sensitive, working_days, n) SELECT 2, c.g2, DATE '0001-01-01', c.measure, c.office_id, c.level, "
 'c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT '
 '(grain, area_id, month, measure, office_id, level, sensitive, working_days) DO UPDATE SET n = '
 'stat_office_totals.n + excluded.n), u11 AS (INSERT INTO stat_office_rollups (grain, area_id, month, '
 "measure, office_id, level, sensitive, working_days, n) SELECT 2, c.g2, CAST(date_trunc('month', c.day) AS "
 'DATE), c.measure, c.office_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, '
 '6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, area_id, month, measure, office_id, level, sensitive, '
 'working_days) DO UPDATE SET n = stat_office_rollups.n + excluded.n), u12 AS (INSERT INTO '
 'stat_office_quarters (grain, area_id, month, measure, office_id, level, sensitive, working_days, n) SELECT '
 "2, c.g2, CAST(date_trunc('quarter', c.day) AS DATE), c.measure, c.office_id, c.level, c.sensitive, "
 'c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT (grain, '
 'area_id, month, measure, office_id, level, sensitive, working_days) DO UPDATE SET n = '
 'stat_office_quarters.n + excluded.n) INSERT INTO stat_office_halves (grain, area_id, month, measure, '
 'office_id, level, sensitive, working_days, n) SELECT 2, c.g2, make_date(CAST(extract(year FROM c.day) AS '
 'integer), CASE WHEN extract(month FROM c.day) <= 6 THEN 1 ELSE 7 END, 1), c.measure, c.office_id, c.level, '
 'c.sensitive, c.working_days, SUM(c.n) FROM c GROUP BY 2, 3, 4, 5, 6, 7, 8 HAVING SUM(c.n) <> 0 ON CONFLICT '
 '(grain, area_id, month, measure, office_id, level, sensitive, working_days) DO UPDATE SET n = '
 'stat_office_halves.n + excluded.n;\n'
 '  RETURN NULL;\n'
 'END $$',
 'CREATE TRIGGER stat_rollups_delete AFTER DELETE ON stat_counts REFERENCING OLD TABLE AS old_rows FOR EACH '
 'STATEMENT EXECUTE FUNCTION stat_rollups_delete()']}


def _previous():
    """The revision whose triggers this one replaces (downgrade puts them back)."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, '20261202_c81e5d2a9f47_statistics_statement_triggers.py')
    spec = importlib.util.spec_from_file_location('rollup_c81e5d2a9f47', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    # CREATE OR REPLACE: the triggers of c81e5d2a9f47 stay and call the new functions.
    for stmt in TRIGGERS['postgresql']:
        if stmt.startswith('CREATE OR REPLACE FUNCTION'):
            op.execute(sa.text(stmt))
    for table in TABLES:
        op.execute(sa.text(f'ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})'))
        op.execute(sa.text(f'CLUSTER {table} USING uq_{table}_key'))


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for stmt in _previous().TRIGGERS['postgresql']:
        if stmt.startswith('CREATE OR REPLACE FUNCTION'):
            op.execute(sa.text(stmt))
    for table in TABLES:
        op.execute(sa.text(f'ALTER TABLE {table} RESET (fillfactor)'))
