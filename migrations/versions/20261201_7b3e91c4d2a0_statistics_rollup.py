"""statistics roll-up: stat_counts summed by month at the country, division and district, kept by triggers

Revision ID: 7b3e91c4d2a0
Revises: 40e5f47f5f9c
Create Date: 2026-12-01 23:50:00

The wide figures (the country, a division, a district; by tier, programme, month) read whole months
from stat_rollups instead of millions of per-day, per-union counter rows. Triggers on stat_counts keep it
equal to the counters summed (grs/rollups.py explains the roll-up; the SQL is frozen here as it was
when this revision was written). Filled from the counters already there. And a partial index of the open
grievances holding every column the pending and overdue figures read, so they come from the index.
"""
from alembic import op
import sqlalchemy as sa


revision = '7b3e91c4d2a0'
down_revision = '40e5f47f5f9c'
branch_labels = None
depends_on = None

TRIGGERS = {'postgresql': ['CREATE OR REPLACE FUNCTION stat_rollups_apply() RETURNS trigger LANGUAGE plpgsql AS $$\n'
                'BEGIN\n'
                "  IF TG_OP <> 'INSERT' AND OLD.n <> 0 THEN INSERT INTO stat_rollups (grain, area_id, month, "
                'measure, programme_id, level, sensitive, working_days, n) VALUES (0, COALESCE((SELECT CASE '
                'WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN l.depth = 2 THEN (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 THEN (SELECT '
                'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
                '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
                "OLD.area_id), 0), CAST(date_trunc('month', OLD.day) AS DATE), OLD.measure, "
                'OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT (grain, '
                'area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = '
                'stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, n) VALUES (1, COALESCE((SELECT CASE WHEN '
                'l.depth <= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT '
                'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id)) WHEN l.depth = 5 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
                '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
                "OLD.area_id), 0), CAST(date_trunc('month', OLD.day) AS DATE), OLD.measure, "
                'OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT (grain, '
                'area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = '
                'stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN '
                'l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT '
                'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
                '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
                "OLD.area_id), 0), CAST(date_trunc('month', OLD.day) AS DATE), OLD.measure, "
                'OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT (grain, '
                'area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = '
                'stat_rollups.n + excluded.n; END IF;\n'
                "  IF TG_OP <> 'DELETE' AND NEW.n <> 0 THEN INSERT INTO stat_rollups (grain, area_id, month, "
                'measure, programme_id, level, sensitive, working_days, n) VALUES (0, COALESCE((SELECT CASE '
                'WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN l.depth = 2 THEN (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 THEN (SELECT '
                'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
                '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
                "NEW.area_id), 0), CAST(date_trunc('month', NEW.day) AS DATE), NEW.measure, "
                'NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT (grain, '
                'area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = '
                'stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, n) VALUES (1, COALESCE((SELECT CASE WHEN '
                'l.depth <= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT '
                'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id)) WHEN l.depth = 5 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
                '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
                "NEW.area_id), 0), CAST(date_trunc('month', NEW.day) AS DATE), NEW.measure, "
                'NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT (grain, '
                'area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = '
                'stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN '
                'l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT '
                'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
                '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
                "NEW.area_id), 0), CAST(date_trunc('month', NEW.day) AS DATE), NEW.measure, "
                'NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT (grain, '
                'area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = '
                'stat_rollups.n + excluded.n; END IF;\n'
                '  RETURN NULL;\n'
                'END $$',
                'CREATE TRIGGER stat_rollups_apply AFTER INSERT OR UPDATE OR DELETE ON stat_counts FOR EACH '
                'ROW EXECUTE FUNCTION stat_rollups_apply()'],
 'sqlite': ['CREATE TRIGGER stat_rollups_insert AFTER INSERT ON stat_counts WHEN NEW.n <> 0 BEGIN INSERT '
            'INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, n) VALUES (0, COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 '
            'THEN a.parent_id WHEN l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id) WHEN l.depth = 3 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), "
            'NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n '
            '= stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days, n) VALUES (1, COALESCE((SELECT CASE WHEN l.depth '
            '<= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT p1.parent_id '
            'FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT p2.parent_id FROM areas '
            'p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = '
            '5 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 '
            'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a '
            "JOIN area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', "
            'NEW.day), NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON '
            'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO '
            'UPDATE SET n = stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, '
            'measure, programme_id, level, sensitive, working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN '
            'l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), NEW.measure, NEW.programme_id, NEW.level, "
            'NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days) DO UPDATE SET n = stat_rollups.n + excluded.n; '
            'END',
            'CREATE TRIGGER stat_rollups_update AFTER UPDATE ON stat_counts BEGIN INSERT INTO stat_rollups '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, n) VALUES (0, '
            'COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN '
            'l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 '
            'THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
            'p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
            '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id '
            '= a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), OLD.measure, OLD.programme_id, OLD.level, "
            'OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days) DO UPDATE SET n = stat_rollups.n + excluded.n; '
            'INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, n) VALUES (1, COALESCE((SELECT CASE WHEN l.depth <= 1 THEN a.id WHEN l.depth = 2 '
            'THEN a.parent_id WHEN l.depth = 3 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id) WHEN l.depth = 4 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), "
            'OLD.measure, OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n '
            '= stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth '
            '<= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id '
            'FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas '
            'p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = '
            '6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 '
            'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a '
            "JOIN area_levels l ON l.code = a.level WHERE a.id = OLD.area_id), 0), strftime('%Y-%m-01', "
            'OLD.day), OLD.measure, OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, -OLD.n) ON '
            'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO '
            'UPDATE SET n = stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, '
            'measure, programme_id, level, sensitive, working_days, n) VALUES (0, COALESCE((SELECT CASE WHEN '
            'l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN l.depth = 2 THEN (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 THEN (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), NEW.measure, NEW.programme_id, NEW.level, "
            'NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days) DO UPDATE SET n = stat_rollups.n + excluded.n; '
            'INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, n) VALUES (1, COALESCE((SELECT CASE WHEN l.depth <= 1 THEN a.id WHEN l.depth = 2 '
            'THEN a.parent_id WHEN l.depth = 3 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id) WHEN l.depth = 4 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), "
            'NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n '
            '= stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth '
            '<= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id '
            'FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas '
            'p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = '
            '6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 '
            'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a '
            "JOIN area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', "
            'NEW.day), NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON '
            'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO '
            'UPDATE SET n = stat_rollups.n + excluded.n; END',
            'CREATE TRIGGER stat_rollups_delete AFTER DELETE ON stat_counts WHEN OLD.n <> 0 BEGIN INSERT '
            'INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, n) VALUES (0, COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 '
            'THEN a.parent_id WHEN l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id) WHEN l.depth = 3 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), "
            'OLD.measure, OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n '
            '= stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days, n) VALUES (1, COALESCE((SELECT CASE WHEN l.depth '
            '<= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT p1.parent_id '
            'FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT p2.parent_id FROM areas '
            'p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = '
            '5 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 '
            'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a '
            "JOIN area_levels l ON l.code = a.level WHERE a.id = OLD.area_id), 0), strftime('%Y-%m-01', "
            'OLD.day), OLD.measure, OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, -OLD.n) ON '
            'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO '
            'UPDATE SET n = stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, '
            'measure, programme_id, level, sensitive, working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN '
            'l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), OLD.measure, OLD.programme_id, OLD.level, "
            'OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days) DO UPDATE SET n = stat_rollups.n + excluded.n; '
            'END']}

REBUILD = {'postgresql': ['INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
                'working_days, n) SELECT 0, COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, '
                "c.level, c.sensitive, c.working_days, SUM(c.n) FROM (SELECT CAST(date_trunc('month', day) "
                'AS DATE) AS month, measure, programme_id, area_id, level, sensitive, working_days, SUM(n) '
                'AS n FROM stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7) AS c LEFT JOIN (SELECT x.id AS area_id, '
                'COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN '
                'l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth '
                '= 3 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas '
                'p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 '
                'WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = '
                'a.level WHERE a.id = x.id), 0) AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id '
                'GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, c.level, '
                'c.sensitive, c.working_days',
                'INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
                'working_days, n) SELECT 1, COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, '
                "c.level, c.sensitive, c.working_days, SUM(c.n) FROM (SELECT CAST(date_trunc('month', day) "
                'AS DATE) AS month, measure, programme_id, area_id, level, sensitive, working_days, SUM(n) '
                'AS n FROM stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7) AS c LEFT JOIN (SELECT x.id AS area_id, '
                'COALESCE((SELECT CASE WHEN l.depth <= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN '
                'l.depth = 3 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth '
                '= 4 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas '
                'p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 THEN (SELECT p3.parent_id FROM areas p3 '
                'WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = '
                'a.level WHERE a.id = x.id), 0) AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id '
                'GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, c.level, '
                'c.sensitive, c.working_days',
                'INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
                'working_days, n) SELECT 2, COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, '
                "c.level, c.sensitive, c.working_days, SUM(c.n) FROM (SELECT CAST(date_trunc('month', day) "
                'AS DATE) AS month, measure, programme_id, area_id, level, sensitive, working_days, SUM(n) '
                'AS n FROM stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7) AS c LEFT JOIN (SELECT x.id AS area_id, '
                'COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN '
                'l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth '
                '= 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas '
                'p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 '
                'WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = '
                'a.level WHERE a.id = x.id), 0) AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id '
                'GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, c.level, '
                'c.sensitive, c.working_days'],
 'sqlite': ['INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, n) SELECT 0, COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, '
            "c.level, c.sensitive, c.working_days, SUM(c.n) FROM (SELECT strftime('%Y-%m-01', day) AS month, "
            'measure, programme_id, area_id, level, sensitive, working_days, SUM(n) AS n FROM stat_counts '
            'GROUP BY 1, 2, 3, 4, 5, 6, 7) AS c LEFT JOIN (SELECT x.id AS area_id, COALESCE((SELECT CASE '
            'WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN l.depth = 2 THEN (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 THEN (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) '
            'AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), '
            'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days',
            'INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, n) SELECT 1, COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, '
            "c.level, c.sensitive, c.working_days, SUM(c.n) FROM (SELECT strftime('%Y-%m-01', day) AS month, "
            'measure, programme_id, area_id, level, sensitive, working_days, SUM(n) AS n FROM stat_counts '
            'GROUP BY 1, 2, 3, 4, 5, 6, 7) AS c LEFT JOIN (SELECT x.id AS area_id, COALESCE((SELECT CASE '
            'WHEN l.depth <= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id)) WHEN l.depth = 5 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) '
            'AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), '
            'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days',
            'INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, n) SELECT 2, COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, '
            "c.level, c.sensitive, c.working_days, SUM(c.n) FROM (SELECT strftime('%Y-%m-01', day) AS month, "
            'measure, programme_id, area_id, level, sensitive, working_days, SUM(n) AS n FROM stat_counts '
            'GROUP BY 1, 2, 3, 4, 5, 6, 7) AS c LEFT JOIN (SELECT x.id AS area_id, COALESCE((SELECT CASE '
            'WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) '
            'AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), '
            'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days']}

DROP = {
    "postgresql": ["DROP TRIGGER IF EXISTS stat_rollups_apply ON stat_counts",
                   "DROP FUNCTION IF EXISTS stat_rollups_apply()"],
    "sqlite": ["DROP TRIGGER IF EXISTS stat_rollups_insert", "DROP TRIGGER IF EXISTS stat_rollups_update",
               "DROP TRIGGER IF EXISTS stat_rollups_delete"],
}


def upgrade():
    op.create_table('stat_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=40), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_rollups')),
    sa.UniqueConstraint('grain', 'area_id', 'month', 'measure', 'programme_id', 'level', 'sensitive',
                        'working_days', name='uq_stat_rollups_key')
    )
    dialect = op.get_bind().dialect.name
    op.create_index('ix_grievances_open_stats', 'grievances', ['area_id', 'received_at'],
                    postgresql_include=['programme_id', 'category_id', 'channel', 'sensitive', 'level', 'office_id',
                                        'complainant_id', 'due_at', 'paused_at', 'is_open'],
                    postgresql_where=sa.text('is_open IS true'), sqlite_where=sa.text('is_open = 1'))
    for stmt in TRIGGERS[dialect]:
        op.execute(sa.text(stmt))
    for stmt in REBUILD[dialect]:
        op.execute(sa.text(stmt))


def downgrade():
    for stmt in DROP[op.get_bind().dialect.name]:
        op.execute(sa.text(stmt))
    op.drop_table('stat_rollups')
    op.drop_index('ix_grievances_open_stats', table_name='grievances')
