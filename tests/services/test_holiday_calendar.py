"""A calendar admins can correct (issue 12, item 4): a year's gazette loaded at once and exported back,
a package holiday that is a working day this year, a Saturday worked to offset Eid; the deadlines they
touch move, with one `deadline_changed` event on each grievance whose due day really moved."""
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BARMI, T0
from escalation import admin, calendars
from escalation.policy import calendar_for
from grs.extensions import db
from grs.models import AdminEvent, Holiday

BD_2026 = Path(__file__).resolve().parents[2] / "escalation" / "calendars" / "bd-2026.csv"
NOW = T0 + timedelta(hours=1)
DHAKA = timezone(timedelta(hours=6))


def end_of(d: date) -> datetime:
    """23:59:59 in Dhaka on that day, in UTC (where every deadline falls)."""
    return datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=DHAKA).astimezone(timezone.utc)


def reload(code):
    db.session.expire_all()
    return builders.find(code)


def changes(g) -> int:
    return sum(1 for e in g.events if e.type == "deadline_changed")


def load_text(world, text: str):
    return builders.run(calendars.load, calendars.read_csv(text), actor=world.actor("admin"), now=NOW, target="t.csv")


def test_the_shipped_2026_list_loads_exports_and_reloads_unchanged(app, world):
    text = BD_2026.read_text(encoding="utf-8")
    rows = calendars.read_csv(text)
    assert len(rows) == 28 and all(r.names.get("local") for r in rows)
    days = {r.day for r in rows}
    # The days the holidays package lacks: election, Eid, Chaitra Sankranti, Janmashtami, Durga Puja.
    assert {date(2026, 2, 11), date(2026, 2, 12), date(2026, 3, 19), date(2026, 3, 23), date(2026, 4, 13),
            date(2026, 9, 4), date(2026, 10, 20), date(2026, 10, 21), date(2026, 5, 31)} <= days
    assert date(2026, 3, 24) not in days and date(2026, 10, 19) not in days  # Eid-ul-Fitr's five days end on 23
    assert "Ministry of Public Administration" in text and "against the gazette" in text
    with app.app_context():
        first = load_text(world, text)
        assert first["added"] == len(rows) and first["changed"] == first["unchanged"] == 0
        exported = calendars.export(db.session, 2026, "bn")
        assert calendars.read_csv(exported) == rows
        again = builders.run(calendars.load, calendars.read_csv(exported), actor=world.actor("admin"), now=NOW)
        assert again == {"added": 0, "changed": 0, "unchanged": len(rows), "deadlines_changed": 0}
        assert calendars.export(db.session, 2025, "bn") == "date,name_en,name_local,area,kind\n"
        h = db.session.scalar(sa.select(Holiday).where(Holiday.day == date(2026, 10, 21)))
        assert h.name("bn") == "দুর্গাপূজা (বিজয়া দশমী)" and h.name("en").startswith("Durga Puja")
        # One admin event per load that changed something.
        kinds = [e.kind for e in db.session.scalars(sa.select(AdminEvent))]
        assert kinds.count("holidays_loaded") == 1


def test_a_renamed_row_is_changed_and_a_bad_file_names_its_line(app, world):
    with app.app_context():
        load_text(world, "date,name_en,name_bn,area,kind\n2026-10-19,Nabami,নবমী,,off\n")
        out = load_text(world, "date,name_en,name_bn,area,kind\n2026-10-19,Durga Puja (Nabami),নবমী,,off\n")
        assert out == {"added": 0, "changed": 1, "unchanged": 0, "deadlines_changed": 0}
    with pytest.raises(ValueError, match="row 2"):
        calendars.read_csv("date,name_en,name_bn,area,kind\n2026-13-01,X,,,off\n")
    with pytest.raises(ValueError, match="kind"):
        calendars.read_csv("date,name_en,name_bn,area,kind\n2026-10-01,X,,,holiday\n")


def test_a_package_day_worked_and_a_working_saturday_move_the_deadlines_they_touch(app, world):
    with app.app_context():
        # Union: resolve within 5 working days (Bangladesh's weekend: Friday and Saturday).
        builders.run(admin.save_policy, admin.PolicyIn("union", "grievance", 2, 5, 10), actor=world.actor("admin"),
                     now=NOW)
        early = builders.lodge(BARIA, now=T0).tracking_code  # Sunday 1 March
        eid = builders.lodge(BARIA, now=T0 + timedelta(days=14)).tracking_code  # Sunday 15 March
        april = builders.lodge(BARIA, now=T0 + timedelta(days=35)).tracking_code  # Sunday 5 April
        # By hand: 2, 3, 4, 5, 8 March; 16, 18, 19, 24, 25 March (17: Laylat al-Qadr, 20-23: Jumatul Bida
        # and Eid); 6, 7, 8, 9, 12 April.
        assert reload(early).due_at == end_of(date(2026, 3, 8))
        assert reload(eid).due_at == end_of(date(2026, 3, 25))
        assert reload(april).due_at == end_of(date(2026, 4, 12))
        before = {c: changes(reload(c)) for c in (early, eid, april)}
        out = load_text(world, "# test\ndate,name_en,name_bn,area,kind\n"
                               "2026-03-07,Working Saturday,কর্মদিবস,,working\n"
                               "2026-03-17,Laylat al-Qadr (worked),শবে কদর,,not_off\n")
        assert out["added"] == 2 and out["deadlines_changed"] == 2
        # Saturday 7 March counts: 2, 3, 4, 5, 7. The 17th counts: 16, 17, 18, 19, 24.
        assert reload(early).due_at == end_of(date(2026, 3, 7))
        assert reload(eid).due_at == end_of(date(2026, 3, 24))
        assert reload(april).due_at == end_of(date(2026, 4, 12))
        after = {c: changes(reload(c)) for c in (early, eid, april)}
        assert after == {early: before[early] + 1, eid: before[eid] + 1, april: before[april]}
        cal = calendar_for(reload(early).area, T0)
        assert cal.is_working_day(date(2026, 3, 7)) and cal.is_working_day(date(2026, 3, 17))
        assert not cal.is_working_day(date(2026, 3, 14))  # the next Saturday is still a weekend day
        # 2-31 March: 22 days Sunday to Thursday, less 22, 23 and 26 March (17 is worked), plus Saturday 7.
        assert cal.working_days_between(T0, end_of(date(2026, 3, 31))) == 20
        # Reloading changes nothing and writes nothing.
        again = load_text(world, "date,name_en,name_bn,area,kind\n2026-03-07,Working Saturday,কর্মদিবস,,working\n")
        assert again["unchanged"] == 1 and again["deadlines_changed"] == 0
        assert {c: changes(reload(c)) for c in (early, eid, april)} == after


def test_an_area_day_off_applies_there_only_and_a_moved_eid(app, world):
    with app.app_context():
        builders.run(admin.save_policy, admin.PolicyIn("union", "grievance", 2, 5, 10), actor=world.actor("admin"),
                     now=NOW)
        code = builders.lodge(BARIA, now=T0 + timedelta(days=14)).tracking_code  # due Wed 25 March
        # The moon: Eid is on Tuesday 24 March, not Monday 23.
        load_text(world, "date,name_en,name_bn,area,kind\n2026-03-23,Eid-ul-Fitr (package),,,not_off\n"
                         "2026-03-24,Eid-ul-Fitr holiday,ঈদুল ফিতরের ছুটি,,off\n")
        assert reload(code).due_at == end_of(date(2026, 3, 25))  # 23 counts, 24 does not: same day
        assert changes(reload(code)) == 0
        outside = builders.lodge(BARMI, now=T0 + timedelta(days=14)).tracking_code  # Sreepur upazila
        assert reload(outside).due_at == end_of(date(2026, 3, 25))
        load_text(world, "date,name_en,name_bn,area,kind\n2026-03-18,Local fair,মেলা,BD-UPZ-320,off\n")
        # In Gazipur Sadar: 16, 19, 23, 25, then 29 March (26: Independence Day; 27, 28: the weekend).
        assert reload(code).due_at == end_of(date(2026, 3, 29))
        assert changes(reload(code)) == 1
        assert reload(outside).due_at == end_of(date(2026, 3, 25)) and changes(reload(outside)) == 0


def test_nonsense_corrections_are_refused(app, world):
    from grs.errors import ValidationError
    with app.app_context():
        with pytest.raises(ValidationError):  # Tuesday is no weekend day
            builders.run(admin.add_holiday, date(2026, 3, 3), "X", None, actor=world.actor("admin"), now=NOW,
                         kind="working")
        with pytest.raises(ValidationError):  # 3 March is no public holiday
            builders.run(admin.add_holiday, date(2026, 3, 3), "X", None, actor=world.actor("admin"), now=NOW,
                         kind="not_off")
        with pytest.raises(ValidationError):
            load_text(world, "date,name_en,name_bn,area,kind\n2026-03-18,Fair,,NOPE,off\n")


def test_the_cli_loads_and_exports_a_year(app, world, runner, tmp_path):
    result = runner.invoke(args=["holidays", "load", str(BD_2026)])
    assert result.exit_code == 0, result.output
    assert "28 added, 0 changed, 0 unchanged" in result.output
    result = runner.invoke(args=["holidays", "load", str(BD_2026)])
    assert "0 added, 0 changed, 28 unchanged" in result.output
    out = tmp_path / "2026.csv"
    assert runner.invoke(args=["holidays", "export", "--year", "2026", "--out", str(out)]).exit_code == 0
    assert calendars.read_csv(out.read_text(encoding="utf-8")) == calendars.read_csv(BD_2026.read_text(encoding="utf-8"))
    stdout = runner.invoke(args=["holidays", "export", "--year", "2026"]).output
    assert stdout.startswith("date,name_en,name_local,area,kind\n2026-02-04,Shab-e-Barat,শবে বরাত,,off\n")


def test_an_older_file_with_a_name_bn_column_loads_its_bangla_names(app, world):
    with app.app_context():
        load_text(world, "date,name_en,name_bn,area,kind\n2026-10-20,Nabami,নবমী,,off\n")
        h = db.session.scalar(sa.select(Holiday).where(Holiday.day == date(2026, 10, 20)))
        assert h.name("bn") == "নবমী"
        assert calendars.export(db.session, 2026, "bn").endswith("2026-10-20,Nabami,নবমী,,off\n")
