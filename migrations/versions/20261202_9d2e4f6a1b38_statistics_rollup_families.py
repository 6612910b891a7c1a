"""statistics roll-ups by sex, age band and disability, by office, and at the upazila

Revision ID: 9d2e4f6a1b38
Revises: c41d7e2a9b05
Create Date: 2026-12-02 03:00:00

Three figures missed the 500 ms target at 1,000,000 grievances because the roll-up had summed away what
they read (docs/performance.md): a filter or group by sex, age band or disability, the office league
table, and a district's drill-down to its upazilas. stat_people_rollups keeps the three demographic
columns (country, division, district), stat_office_rollups keeps the office (summed to the district),
stat_office_totals the same over all time (a league with no dates), and stat_rollups gains the upazila
grain (3). The triggers on stat_counts are replaced by ones that
keep all four tables (grs/rollups.py explains them; the SQL is frozen here as it was when this revision
was written), and the new rows are filled from the counters already there.
"""
import importlib.util
import os

from alembic import op
import sqlalchemy as sa


revision = '9d2e4f6a1b38'
down_revision = 'c41d7e2a9b05'
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
                'stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, n) VALUES (3, COALESCE((SELECT CASE WHEN '
                'l.depth <= 3 THEN a.id WHEN l.depth = 4 THEN a.parent_id WHEN l.depth = 5 THEN (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 6 THEN (SELECT '
                'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id)) WHEN l.depth = 7 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
                '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
                "OLD.area_id), 0), CAST(date_trunc('month', OLD.day) AS DATE), OLD.measure, "
                'OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT (grain, '
                'area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = '
                'stat_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, '
                'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES '
                '(0, COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id '
                'WHEN l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN '
                'l.depth = 3 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas '
                'p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = '
                "a.level WHERE a.id = OLD.area_id), 0), CAST(date_trunc('month', OLD.day) AS DATE), "
                'OLD.measure, OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, OLD.sex, '
                'OLD.age_band, OLD.disability, -OLD.n) ON CONFLICT (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
                'stat_people_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, '
                'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES '
                '(1, COALESCE((SELECT CASE WHEN l.depth <= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id '
                'WHEN l.depth = 3 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN '
                'l.depth = 4 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 THEN (SELECT p3.parent_id FROM areas '
                'p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = '
                "a.level WHERE a.id = OLD.area_id), 0), CAST(date_trunc('month', OLD.day) AS DATE), "
                'OLD.measure, OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, OLD.sex, '
                'OLD.age_band, OLD.disability, -OLD.n) ON CONFLICT (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
                'stat_people_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, '
                'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES '
                '(2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id '
                'WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN '
                'l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas '
                'p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = '
                "a.level WHERE a.id = OLD.area_id), 0), CAST(date_trunc('month', OLD.day) AS DATE), "
                'OLD.measure, OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, OLD.sex, '
                'OLD.age_band, OLD.disability, -OLD.n) ON CONFLICT (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
                'stat_people_rollups.n + excluded.n; INSERT INTO stat_office_totals (grain, area_id, month, '
                'measure, office_id, level, sensitive, working_days, n) VALUES (2, COALESCE((SELECT CASE '
                'WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT '
                'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
                '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
                "OLD.area_id), 0), DATE '0001-01-01', OLD.measure, OLD.office_id, OLD.level, OLD.sensitive, "
                'OLD.working_days, -OLD.n) ON CONFLICT (grain, area_id, month, measure, office_id, level, '
                'sensitive, working_days) DO UPDATE SET n = stat_office_totals.n + excluded.n; INSERT INTO '
                'stat_office_rollups (grain, area_id, month, measure, office_id, level, sensitive, '
                'working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth '
                '= 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT '
                'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
                '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
                "area_levels l ON l.code = a.level WHERE a.id = OLD.area_id), 0), CAST(date_trunc('month', "
                'OLD.day) AS DATE), OLD.measure, OLD.office_id, OLD.level, OLD.sensitive, OLD.working_days, '
                '-OLD.n) ON CONFLICT (grain, area_id, month, measure, office_id, level, sensitive, '
                'working_days) DO UPDATE SET n = stat_office_rollups.n + excluded.n; END IF;\n'
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
                'stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, n) VALUES (3, COALESCE((SELECT CASE WHEN '
                'l.depth <= 3 THEN a.id WHEN l.depth = 4 THEN a.parent_id WHEN l.depth = 5 THEN (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 6 THEN (SELECT '
                'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id)) WHEN l.depth = 7 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
                '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
                "NEW.area_id), 0), CAST(date_trunc('month', NEW.day) AS DATE), NEW.measure, "
                'NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT (grain, '
                'area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n = '
                'stat_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, '
                'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES '
                '(0, COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id '
                'WHEN l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN '
                'l.depth = 3 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas '
                'p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = '
                "a.level WHERE a.id = NEW.area_id), 0), CAST(date_trunc('month', NEW.day) AS DATE), "
                'NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.sex, '
                'NEW.age_band, NEW.disability, NEW.n) ON CONFLICT (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
                'stat_people_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, '
                'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES '
                '(1, COALESCE((SELECT CASE WHEN l.depth <= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id '
                'WHEN l.depth = 3 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN '
                'l.depth = 4 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 THEN (SELECT p3.parent_id FROM areas '
                'p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = '
                "a.level WHERE a.id = NEW.area_id), 0), CAST(date_trunc('month', NEW.day) AS DATE), "
                'NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.sex, '
                'NEW.age_band, NEW.disability, NEW.n) ON CONFLICT (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
                'stat_people_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, '
                'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES '
                '(2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id '
                'WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN '
                'l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas '
                'p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = '
                "a.level WHERE a.id = NEW.area_id), 0), CAST(date_trunc('month', NEW.day) AS DATE), "
                'NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.sex, '
                'NEW.age_band, NEW.disability, NEW.n) ON CONFLICT (grain, area_id, month, measure, '
                'programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
                'stat_people_rollups.n + excluded.n; INSERT INTO stat_office_totals (grain, area_id, month, '
                'measure, office_id, level, sensitive, working_days, n) VALUES (2, COALESCE((SELECT CASE '
                'WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT '
                'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
                '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
                "NEW.area_id), 0), DATE '0001-01-01', NEW.measure, NEW.office_id, NEW.level, NEW.sensitive, "
                'NEW.working_days, NEW.n) ON CONFLICT (grain, area_id, month, measure, office_id, level, '
                'sensitive, working_days) DO UPDATE SET n = stat_office_totals.n + excluded.n; INSERT INTO '
                'stat_office_rollups (grain, area_id, month, measure, office_id, level, sensitive, '
                'working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth '
                '= 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
                'a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
                'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT '
                'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
                '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
                "area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), CAST(date_trunc('month', "
                'NEW.day) AS DATE), NEW.measure, NEW.office_id, NEW.level, NEW.sensitive, NEW.working_days, '
                'NEW.n) ON CONFLICT (grain, area_id, month, measure, office_id, level, sensitive, '
                'working_days) DO UPDATE SET n = stat_office_rollups.n + excluded.n; END IF;\n'
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
            'INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, n) VALUES (3, COALESCE((SELECT CASE WHEN l.depth <= 3 THEN a.id WHEN l.depth = 4 '
            'THEN a.parent_id WHEN l.depth = 5 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id) WHEN l.depth = 6 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 7 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), "
            'NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n '
            '= stat_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES (0, '
            'COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN '
            'l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 '
            'THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
            'p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
            '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id '
            '= a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), NEW.measure, NEW.programme_id, NEW.level, "
            'NEW.sensitive, NEW.working_days, NEW.sex, NEW.age_band, NEW.disability, NEW.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, age_band, '
            'disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n; INSERT INTO '
            'stat_people_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, sex, age_band, disability, n) VALUES (1, COALESCE((SELECT CASE WHEN l.depth <= 1 '
            'THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT p1.parent_id FROM '
            'areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT p2.parent_id FROM areas p2 '
            'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 '
            'THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE '
            'p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), "
            'NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.sex, '
            'NEW.age_band, NEW.disability, NEW.n) ON CONFLICT (grain, area_id, month, measure, programme_id, '
            'level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
            'stat_people_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, '
            'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES (2, '
            'COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN '
            'l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 '
            'THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
            'p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
            '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id '
            '= a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), NEW.measure, NEW.programme_id, NEW.level, "
            'NEW.sensitive, NEW.working_days, NEW.sex, NEW.age_band, NEW.disability, NEW.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, age_band, '
            'disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n; INSERT INTO '
            'stat_office_totals (grain, area_id, month, measure, office_id, level, sensitive, working_days, '
            'n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN '
            'a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) '
            'WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id '
            'FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas '
            'p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
            'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level '
            "WHERE a.id = NEW.area_id), 0), '0001-01-01', NEW.measure, NEW.office_id, NEW.level, "
            'NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT (grain, area_id, month, measure, office_id, '
            'level, sensitive, working_days) DO UPDATE SET n = stat_office_totals.n + excluded.n; INSERT '
            'INTO stat_office_rollups (grain, area_id, month, measure, office_id, level, sensitive, '
            'working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 '
            'THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), "
            'NEW.measure, NEW.office_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT '
            '(grain, area_id, month, measure, office_id, level, sensitive, working_days) DO UPDATE SET n = '
            'stat_office_rollups.n + excluded.n; END',
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
            'measure, programme_id, level, sensitive, working_days, n) VALUES (3, COALESCE((SELECT CASE WHEN '
            'l.depth <= 3 THEN a.id WHEN l.depth = 4 THEN a.parent_id WHEN l.depth = 5 THEN (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 6 THEN (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id)) WHEN l.depth = 7 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), OLD.measure, OLD.programme_id, OLD.level, "
            'OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days) DO UPDATE SET n = stat_rollups.n + excluded.n; '
            'INSERT INTO stat_people_rollups (grain, area_id, month, measure, programme_id, level, '
            'sensitive, working_days, sex, age_band, disability, n) VALUES (0, COALESCE((SELECT CASE WHEN '
            'l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN l.depth = 2 THEN (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 THEN (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), OLD.measure, OLD.programme_id, OLD.level, "
            'OLD.sensitive, OLD.working_days, OLD.sex, OLD.age_band, OLD.disability, -OLD.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, age_band, '
            'disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n; INSERT INTO '
            'stat_people_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, sex, age_band, disability, n) VALUES (1, COALESCE((SELECT CASE WHEN l.depth <= 1 '
            'THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT p1.parent_id FROM '
            'areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT p2.parent_id FROM areas p2 '
            'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 '
            'THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE '
            'p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), "
            'OLD.measure, OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, OLD.sex, '
            'OLD.age_band, OLD.disability, -OLD.n) ON CONFLICT (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
            'stat_people_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, '
            'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES (2, '
            'COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN '
            'l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 '
            'THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
            'p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
            '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id '
            '= a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), OLD.measure, OLD.programme_id, OLD.level, "
            'OLD.sensitive, OLD.working_days, OLD.sex, OLD.age_band, OLD.disability, -OLD.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, age_band, '
            'disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n; INSERT INTO '
            'stat_office_totals (grain, area_id, month, measure, office_id, level, sensitive, working_days, '
            'n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN '
            'a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) '
            'WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id '
            'FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas '
            'p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
            'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level '
            "WHERE a.id = OLD.area_id), 0), '0001-01-01', OLD.measure, OLD.office_id, OLD.level, "
            'OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT (grain, area_id, month, measure, '
            'office_id, level, sensitive, working_days) DO UPDATE SET n = stat_office_totals.n + excluded.n; '
            'INSERT INTO stat_office_rollups (grain, area_id, month, measure, office_id, level, sensitive, '
            'working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 '
            'THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), "
            'OLD.measure, OLD.office_id, OLD.level, OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT '
            '(grain, area_id, month, measure, office_id, level, sensitive, working_days) DO UPDATE SET n = '
            'stat_office_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days, n) VALUES (0, COALESCE((SELECT CASE WHEN l.depth '
            '<= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN l.depth = 2 THEN (SELECT p1.parent_id '
            'FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 THEN (SELECT p2.parent_id FROM areas '
            'p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = '
            '4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 '
            'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a '
            "JOIN area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', "
            'NEW.day), NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON '
            'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO '
            'UPDATE SET n = stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, '
            'measure, programme_id, level, sensitive, working_days, n) VALUES (1, COALESCE((SELECT CASE WHEN '
            'l.depth <= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id)) WHEN l.depth = 5 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), NEW.measure, NEW.programme_id, NEW.level, "
            'NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days) DO UPDATE SET n = stat_rollups.n + excluded.n; '
            'INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 '
            'THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), "
            'NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n '
            '= stat_rollups.n + excluded.n; INSERT INTO stat_rollups (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days, n) VALUES (3, COALESCE((SELECT CASE WHEN l.depth '
            '<= 3 THEN a.id WHEN l.depth = 4 THEN a.parent_id WHEN l.depth = 5 THEN (SELECT p1.parent_id '
            'FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 6 THEN (SELECT p2.parent_id FROM areas '
            'p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = '
            '7 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 '
            'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a '
            "JOIN area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', "
            'NEW.day), NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON '
            'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO '
            'UPDATE SET n = stat_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, '
            'month, measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) '
            'VALUES (0, COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id '
            'WHEN l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN '
            'l.depth = 3 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
            'areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 '
            'WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas '
            'p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE '
            "a.id = NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), NEW.measure, NEW.programme_id, "
            'NEW.level, NEW.sensitive, NEW.working_days, NEW.sex, NEW.age_band, NEW.disability, NEW.n) ON '
            'CONFLICT (grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, '
            'age_band, disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n; INSERT INTO '
            'stat_people_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, sex, age_band, disability, n) VALUES (1, COALESCE((SELECT CASE WHEN l.depth <= 1 '
            'THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT p1.parent_id FROM '
            'areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT p2.parent_id FROM areas p2 '
            'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 '
            'THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE '
            'p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), "
            'NEW.measure, NEW.programme_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.sex, '
            'NEW.age_band, NEW.disability, NEW.n) ON CONFLICT (grain, area_id, month, measure, programme_id, '
            'level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
            'stat_people_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, '
            'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES (2, '
            'COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN '
            'l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 '
            'THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
            'p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
            '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id '
            '= a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), NEW.measure, NEW.programme_id, NEW.level, "
            'NEW.sensitive, NEW.working_days, NEW.sex, NEW.age_band, NEW.disability, NEW.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, age_band, '
            'disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n; INSERT INTO '
            'stat_office_totals (grain, area_id, month, measure, office_id, level, sensitive, working_days, '
            'n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN '
            'a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) '
            'WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id '
            'FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas '
            'p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
            'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level '
            "WHERE a.id = NEW.area_id), 0), '0001-01-01', NEW.measure, NEW.office_id, NEW.level, "
            'NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT (grain, area_id, month, measure, office_id, '
            'level, sensitive, working_days) DO UPDATE SET n = stat_office_totals.n + excluded.n; INSERT '
            'INTO stat_office_rollups (grain, area_id, month, measure, office_id, level, sensitive, '
            'working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 '
            'THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = NEW.area_id), 0), strftime('%Y-%m-01', NEW.day), "
            'NEW.measure, NEW.office_id, NEW.level, NEW.sensitive, NEW.working_days, NEW.n) ON CONFLICT '
            '(grain, area_id, month, measure, office_id, level, sensitive, working_days) DO UPDATE SET n = '
            'stat_office_rollups.n + excluded.n; END',
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
            'INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, n) VALUES (3, COALESCE((SELECT CASE WHEN l.depth <= 3 THEN a.id WHEN l.depth = 4 '
            'THEN a.parent_id WHEN l.depth = 5 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id) WHEN l.depth = 6 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 7 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), "
            'OLD.measure, OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days) DO UPDATE SET n '
            '= stat_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES (0, '
            'COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN '
            'l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 '
            'THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
            'p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
            '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id '
            '= a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), OLD.measure, OLD.programme_id, OLD.level, "
            'OLD.sensitive, OLD.working_days, OLD.sex, OLD.age_band, OLD.disability, -OLD.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, age_band, '
            'disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n; INSERT INTO '
            'stat_people_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, sex, age_band, disability, n) VALUES (1, COALESCE((SELECT CASE WHEN l.depth <= 1 '
            'THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT p1.parent_id FROM '
            'areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT p2.parent_id FROM areas p2 '
            'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 '
            'THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE '
            'p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), "
            'OLD.measure, OLD.programme_id, OLD.level, OLD.sensitive, OLD.working_days, OLD.sex, '
            'OLD.age_band, OLD.disability, -OLD.n) ON CONFLICT (grain, area_id, month, measure, '
            'programme_id, level, sensitive, working_days, sex, age_band, disability) DO UPDATE SET n = '
            'stat_people_rollups.n + excluded.n; INSERT INTO stat_people_rollups (grain, area_id, month, '
            'measure, programme_id, level, sensitive, working_days, sex, age_band, disability, n) VALUES (2, '
            'COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN '
            'l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 '
            'THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
            'p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
            '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id '
            '= a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = '
            "OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), OLD.measure, OLD.programme_id, OLD.level, "
            'OLD.sensitive, OLD.working_days, OLD.sex, OLD.age_band, OLD.disability, -OLD.n) ON CONFLICT '
            '(grain, area_id, month, measure, programme_id, level, sensitive, working_days, sex, age_band, '
            'disability) DO UPDATE SET n = stat_people_rollups.n + excluded.n; INSERT INTO '
            'stat_office_totals (grain, area_id, month, measure, office_id, level, sensitive, working_days, '
            'n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN '
            'a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) '
            'WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id '
            'FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas '
            'p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
            'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level '
            "WHERE a.id = OLD.area_id), 0), '0001-01-01', OLD.measure, OLD.office_id, OLD.level, "
            'OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT (grain, area_id, month, measure, '
            'office_id, level, sensitive, working_days) DO UPDATE SET n = stat_office_totals.n + excluded.n; '
            'INSERT INTO stat_office_rollups (grain, area_id, month, measure, office_id, level, sensitive, '
            'working_days, n) VALUES (2, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 '
            'THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            "area_levels l ON l.code = a.level WHERE a.id = OLD.area_id), 0), strftime('%Y-%m-01', OLD.day), "
            'OLD.measure, OLD.office_id, OLD.level, OLD.sensitive, OLD.working_days, -OLD.n) ON CONFLICT '
            '(grain, area_id, month, measure, office_id, level, sensitive, working_days) DO UPDATE SET n = '
            'stat_office_rollups.n + excluded.n; END']}

DROP = {'postgresql': ['DROP TRIGGER IF EXISTS stat_rollups_apply ON stat_counts',
                'DROP FUNCTION IF EXISTS stat_rollups_apply()'],
 'sqlite': ['DROP TRIGGER IF EXISTS stat_rollups_insert',
            'DROP TRIGGER IF EXISTS stat_rollups_update',
            'DROP TRIGGER IF EXISTS stat_rollups_delete']}

REBUILD = {'postgresql': ['INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
                'working_days, n) SELECT 3, COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, '
                "c.level, c.sensitive, c.working_days, SUM(c.n) FROM (SELECT CAST(date_trunc('month', day) "
                'AS DATE) AS month, area_id, measure, programme_id, level, sensitive, working_days, SUM(n) '
                'AS n FROM stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7) AS c LEFT JOIN (SELECT x.id AS area_id, '
                'COALESCE((SELECT CASE WHEN l.depth <= 3 THEN a.id WHEN l.depth = 4 THEN a.parent_id WHEN '
                'l.depth = 5 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth '
                '= 6 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas '
                'p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 7 THEN (SELECT p3.parent_id FROM areas p3 '
                'WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = '
                'a.level WHERE a.id = x.id), 0) AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id '
                'GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, c.level, '
                'c.sensitive, c.working_days',
                'INSERT INTO stat_people_rollups (grain, area_id, month, measure, programme_id, level, '
                'sensitive, working_days, sex, age_band, disability, n) SELECT 0, COALESCE(m.rollup_id, 0), '
                'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, '
                "c.age_band, c.disability, SUM(c.n) FROM (SELECT CAST(date_trunc('month', day) AS DATE) AS "
                'month, area_id, measure, programme_id, level, sensitive, working_days, sex, age_band, '
                'disability, SUM(n) AS n FROM stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AS c LEFT '
                'JOIN (SELECT x.id AS area_id, COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN '
                'l.depth = 1 THEN a.parent_id WHEN l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id) WHEN l.depth = 3 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
                '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 4 THEN '
                '(SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE '
                'p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a '
                'JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS rollup_id FROM areas x) AS '
                'm ON m.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, '
                'c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, c.disability',
                'INSERT INTO stat_people_rollups (grain, area_id, month, measure, programme_id, level, '
                'sensitive, working_days, sex, age_band, disability, n) SELECT 1, COALESCE(m.rollup_id, 0), '
                'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, '
                "c.age_band, c.disability, SUM(c.n) FROM (SELECT CAST(date_trunc('month', day) AS DATE) AS "
                'month, area_id, measure, programme_id, level, sensitive, working_days, sex, age_band, '
                'disability, SUM(n) AS n FROM stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AS c LEFT '
                'JOIN (SELECT x.id AS area_id, COALESCE((SELECT CASE WHEN l.depth <= 1 THEN a.id WHEN '
                'l.depth = 2 THEN a.parent_id WHEN l.depth = 3 THEN (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id) WHEN l.depth = 4 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
                '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 5 THEN '
                '(SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE '
                'p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a '
                'JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS rollup_id FROM areas x) AS '
                'm ON m.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, '
                'c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, c.disability',
                'INSERT INTO stat_people_rollups (grain, area_id, month, measure, programme_id, level, '
                'sensitive, working_days, sex, age_band, disability, n) SELECT 2, COALESCE(m.rollup_id, 0), '
                'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, '
                "c.age_band, c.disability, SUM(c.n) FROM (SELECT CAST(date_trunc('month', day) AS DATE) AS "
                'month, area_id, measure, programme_id, level, sensitive, working_days, sex, age_band, '
                'disability, SUM(n) AS n FROM stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AS c LEFT '
                'JOIN (SELECT x.id AS area_id, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN '
                'l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
                '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN '
                '(SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE '
                'p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a '
                'JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS rollup_id FROM areas x) AS '
                'm ON m.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, '
                'c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, c.disability',
                'INSERT INTO stat_office_totals (grain, area_id, month, measure, office_id, level, '
                'sensitive, working_days, n) SELECT 2, COALESCE(m.rollup_id, 0), c.month, c.measure, '
                "c.office_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM (SELECT DATE '0001-01-01' "
                'AS month, area_id, measure, office_id, level, sensitive, working_days, SUM(n) AS n FROM '
                'stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7) AS c LEFT JOIN (SELECT x.id AS area_id, '
                'COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN '
                'l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth '
                '= 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas '
                'p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 '
                'WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM '
                'areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = '
                'a.level WHERE a.id = x.id), 0) AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id '
                'GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, c.office_id, c.level, c.sensitive, '
                'c.working_days',
                'INSERT INTO stat_office_rollups (grain, area_id, month, measure, office_id, level, '
                'sensitive, working_days, n) SELECT 2, COALESCE(m.rollup_id, 0), c.month, c.measure, '
                'c.office_id, c.level, c.sensitive, c.working_days, SUM(c.n) FROM (SELECT '
                "CAST(date_trunc('month', day) AS DATE) AS month, area_id, measure, office_id, level, "
                'sensitive, working_days, SUM(n) AS n FROM stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7) AS c '
                'LEFT JOIN (SELECT x.id AS area_id, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN '
                'l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE '
                'p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
                '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN '
                '(SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE '
                'p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a '
                'JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS rollup_id FROM areas x) AS '
                'm ON m.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, '
                'c.office_id, c.level, c.sensitive, c.working_days'],
 'sqlite': ['INSERT INTO stat_rollups (grain, area_id, month, measure, programme_id, level, sensitive, '
            'working_days, n) SELECT 3, COALESCE(m.rollup_id, 0), c.month, c.measure, c.programme_id, '
            "c.level, c.sensitive, c.working_days, SUM(c.n) FROM (SELECT strftime('%Y-%m-01', day) AS month, "
            'area_id, measure, programme_id, level, sensitive, working_days, SUM(n) AS n FROM stat_counts '
            'GROUP BY 1, 2, 3, 4, 5, 6, 7) AS c LEFT JOIN (SELECT x.id AS area_id, COALESCE((SELECT CASE '
            'WHEN l.depth <= 3 THEN a.id WHEN l.depth = 4 THEN a.parent_id WHEN l.depth = 5 THEN (SELECT '
            'p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 6 THEN (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id)) WHEN l.depth = 7 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT '
            'p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = '
            'a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) '
            'AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), '
            'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days',
            'INSERT INTO stat_people_rollups (grain, area_id, month, measure, programme_id, level, '
            'sensitive, working_days, sex, age_band, disability, n) SELECT 0, COALESCE(m.rollup_id, 0), '
            'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, '
            "c.disability, SUM(c.n) FROM (SELECT strftime('%Y-%m-01', day) AS month, area_id, measure, "
            'programme_id, level, sensitive, working_days, sex, age_band, disability, SUM(n) AS n FROM '
            'stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AS c LEFT JOIN (SELECT x.id AS area_id, '
            'COALESCE((SELECT CASE WHEN l.depth <= 0 THEN a.id WHEN l.depth = 1 THEN a.parent_id WHEN '
            'l.depth = 2 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 3 '
            'THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
            'p1.id = a.parent_id)) WHEN l.depth = 4 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
            '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id '
            '= a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) '
            'AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), '
            'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, '
            'c.disability',
            'INSERT INTO stat_people_rollups (grain, area_id, month, measure, programme_id, level, '
            'sensitive, working_days, sex, age_band, disability, n) SELECT 1, COALESCE(m.rollup_id, 0), '
            'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, '
            "c.disability, SUM(c.n) FROM (SELECT strftime('%Y-%m-01', day) AS month, area_id, measure, "
            'programme_id, level, sensitive, working_days, sex, age_band, disability, SUM(n) AS n FROM '
            'stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AS c LEFT JOIN (SELECT x.id AS area_id, '
            'COALESCE((SELECT CASE WHEN l.depth <= 1 THEN a.id WHEN l.depth = 2 THEN a.parent_id WHEN '
            'l.depth = 3 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 4 '
            'THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
            'p1.id = a.parent_id)) WHEN l.depth = 5 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
            '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id '
            '= a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) '
            'AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), '
            'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, '
            'c.disability',
            'INSERT INTO stat_people_rollups (grain, area_id, month, measure, programme_id, level, '
            'sensitive, working_days, sex, age_band, disability, n) SELECT 2, COALESCE(m.rollup_id, 0), '
            'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, '
            "c.disability, SUM(c.n) FROM (SELECT strftime('%Y-%m-01', day) AS month, area_id, measure, "
            'programme_id, level, sensitive, working_days, sex, age_band, disability, SUM(n) AS n FROM '
            'stat_counts GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) AS c LEFT JOIN (SELECT x.id AS area_id, '
            'COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN '
            'l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 '
            'THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE '
            'p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = '
            '(SELECT p2.parent_id FROM areas p2 WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id '
            '= a.parent_id))) END FROM areas a JOIN area_levels l ON l.code = a.level WHERE a.id = x.id), 0) '
            'AS rollup_id FROM areas x) AS m ON m.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), '
            'c.month, c.measure, c.programme_id, c.level, c.sensitive, c.working_days, c.sex, c.age_band, '
            'c.disability',
            'INSERT INTO stat_office_totals (grain, area_id, month, measure, office_id, level, sensitive, '
            'working_days, n) SELECT 2, COALESCE(m.rollup_id, 0), c.month, c.measure, c.office_id, c.level, '
            "c.sensitive, c.working_days, SUM(c.n) FROM (SELECT '0001-01-01' AS month, area_id, measure, "
            'office_id, level, sensitive, working_days, SUM(n) AS n FROM stat_counts GROUP BY 1, 2, 3, 4, 5, '
            '6, 7) AS c LEFT JOIN (SELECT x.id AS area_id, COALESCE((SELECT CASE WHEN l.depth <= 2 THEN a.id '
            'WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM areas p1 '
            'WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 WHERE p2.id '
            '= (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 THEN (SELECT '
            'p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE p2.id = '
            '(SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            'area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS rollup_id FROM areas x) AS m ON '
            'm.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, c.office_id, '
            'c.level, c.sensitive, c.working_days',
            'INSERT INTO stat_office_rollups (grain, area_id, month, measure, office_id, level, sensitive, '
            'working_days, n) SELECT 2, COALESCE(m.rollup_id, 0), c.month, c.measure, c.office_id, c.level, '
            "c.sensitive, c.working_days, SUM(c.n) FROM (SELECT strftime('%Y-%m-01', day) AS month, area_id, "
            'measure, office_id, level, sensitive, working_days, SUM(n) AS n FROM stat_counts GROUP BY 1, 2, '
            '3, 4, 5, 6, 7) AS c LEFT JOIN (SELECT x.id AS area_id, COALESCE((SELECT CASE WHEN l.depth <= 2 '
            'THEN a.id WHEN l.depth = 3 THEN a.parent_id WHEN l.depth = 4 THEN (SELECT p1.parent_id FROM '
            'areas p1 WHERE p1.id = a.parent_id) WHEN l.depth = 5 THEN (SELECT p2.parent_id FROM areas p2 '
            'WHERE p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id)) WHEN l.depth = 6 '
            'THEN (SELECT p3.parent_id FROM areas p3 WHERE p3.id = (SELECT p2.parent_id FROM areas p2 WHERE '
            'p2.id = (SELECT p1.parent_id FROM areas p1 WHERE p1.id = a.parent_id))) END FROM areas a JOIN '
            'area_levels l ON l.code = a.level WHERE a.id = x.id), 0) AS rollup_id FROM areas x) AS m ON '
            'm.area_id = c.area_id GROUP BY COALESCE(m.rollup_id, 0), c.month, c.measure, c.office_id, '
            'c.level, c.sensitive, c.working_days']}


def upgrade():
    op.create_table('stat_people_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=40), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('sex', sa.String(length=10), nullable=False),
    sa.Column('age_band', sa.String(length=10), nullable=False),
    sa.Column('disability', sa.String(length=3), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_people_rollups')),
    sa.UniqueConstraint('grain', 'area_id', 'month', 'measure', 'programme_id', 'level', 'sensitive',
                        'working_days', 'sex', 'age_band', 'disability', name='uq_stat_people_rollups_key')
    )
    op.create_table('stat_office_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=40), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_office_rollups')),
    sa.UniqueConstraint('grain', 'area_id', 'month', 'measure', 'office_id', 'level', 'sensitive',
                        'working_days', name='uq_stat_office_rollups_key')
    )
    op.create_table('stat_office_totals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('measure', sa.String(length=40), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=40), nullable=False),
    sa.Column('sensitive', sa.Boolean(), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stat_office_totals')),
    sa.UniqueConstraint('grain', 'area_id', 'month', 'measure', 'office_id', 'level', 'sensitive',
                        'working_days', name='uq_stat_office_totals_key')
    )
    dialect = op.get_bind().dialect.name
    for stmt in DROP[dialect] + TRIGGERS[dialect] + REBUILD[dialect]:
        op.execute(sa.text(stmt))


def _previous():
    """The revision before this one, for the triggers it made (downgrade puts them back)."""
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, '20261201_7b3e91c4d2a0_statistics_rollup.py')
    spec = importlib.util.spec_from_file_location('rollup_7b3e91c4d2a0', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade():
    dialect = op.get_bind().dialect.name
    for stmt in DROP[dialect] + _previous().TRIGGERS[dialect]:
        op.execute(sa.text(stmt))
    op.execute(sa.text('DELETE FROM stat_rollups WHERE grain = 3'))
    op.drop_table('stat_office_totals')
    op.drop_table('stat_office_rollups')
    op.drop_table('stat_people_rollups')
