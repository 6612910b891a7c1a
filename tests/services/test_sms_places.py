"""The per-process place index of free-text SMS: built once, no SQL per message, and areas that change
(in this process, in another one, or in a rolled-back transaction) are seen."""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from channels.sms import places
from grs.extensions import db
from grs.models import Area

BARIA = "BD-UN-2869"  # a demo union: Baria / বাড়ীয়া, in Gazipur Sadar upazila


@contextmanager
def statements():
    """The SQL statements run inside the block, on any engine."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_the_index_is_built_once_and_then_matching_runs_no_sql(ctx, world):
    clock = Clock()
    with statements() as first:
        index = places.index(db.session, clock=clock)
    assert index.match("I live in Bariya union") == BARIA
    assert first, "the first use reads the areas"
    with statements() as later:
        for text in ("Bariya union", "বাড়িয়া ইউনিয়ন", "no place named here"):
            assert places.index(db.session, clock=clock).match(text) == (None if "no place" in text else BARIA)
    assert later == []


def test_after_refresh_seconds_only_a_fingerprint_is_read_while_nothing_changed(ctx, world):
    clock = Clock()
    index = places.index(db.session, clock=clock)
    clock.t += places.REFRESH_SECONDS + 1
    with statements() as check:
        assert places.index(db.session, clock=clock) is index
    assert 0 < len(check) <= 2
    assert all("count(" in s.lower() or "from tiers" in s.lower() for s in check), "a check reads no rows of names"


def test_a_change_made_by_another_process_is_seen_after_refresh_seconds(ctx, world):
    clock = Clock()
    assert places.index(db.session, clock=clock).match("Shantipur union") is None
    # A bulk UPDATE flushes no Area object: to this process it looks like another process's import.
    db.session.execute(sa.update(Area).where(Area.code == BARIA).values(name_en="Shantipur"))
    assert places.index(db.session, clock=clock).match("Shantipur union") is None  # still within the refresh time
    clock.t += places.REFRESH_SECONDS + 1
    assert places.index(db.session, clock=clock).match("Shantipur union") == BARIA


def test_an_area_change_in_this_process_is_seen_at_once(ctx, world):
    clock = Clock()
    assert places.index(db.session, clock=clock).match("Shantipura union") is None
    db.session.scalar(sa.select(Area).where(Area.code == BARIA)).name_en = "Shantipura"
    db.session.flush()
    assert places.index(db.session, clock=clock).match("Shantipura union") == BARIA


def test_an_import_through_the_cli_is_seen_at_once(app, world, runner, tmp_path):
    csv = tmp_path / "more.csv"
    csv.write_text("code,parent_code,level,name_en,name_bn\n"
                   "BD-UN-99001,BD-UPZ-320,union,Notunpara,নতুনপাড়া\n", encoding="utf-8")
    clock = Clock()
    with app.app_context():
        assert places.index(db.session, clock=clock).match("Notunpara union") is None
    result = runner.invoke(args=["import-areas", str(csv)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert places.index(db.session, clock=clock).match("Notunpara union") == "BD-UN-99001"
        assert places.index(db.session, clock=clock).match("নতুনপাড়ায় থাকি") == "BD-UN-99001"


def test_areas_of_a_rolled_back_transaction_are_forgotten(ctx, world):
    clock = Clock()
    upazila = db.session.scalar(sa.select(Area).where(Area.code == "BD-UPZ-320"))
    savepoint = db.session.begin_nested()
    db.session.add(Area(code="BD-UN-99002", parent=upazila, level="union", name_en="Rollbackpur",
                        path=upazila.path + "BD-UN-99002/"))
    db.session.flush()
    assert places.index(db.session, clock=clock).match("Rollbackpur union") == "BD-UN-99002"
    savepoint.rollback()
    assert places.index(db.session, clock=clock).match("Rollbackpur union") is None
