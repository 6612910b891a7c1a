"""The within_limit backfill: resolved events written before the fix get the figure from their own events,
on both backends, and every event chain still verifies afterwards."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from grs import create_app
from grs.extensions import db
from grs.services.history import event_hash

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")
BEFORE_BACKFILL = "569aced77eee"

# The tables as they are at BEFORE_BACKFILL, so that the rows below are what databases in the field hold.
meta = sa.MetaData()
area_levels = sa.Table("area_levels", meta, sa.Column("code", sa.String), sa.Column("depth", sa.Integer),
                       sa.Column("name_en", sa.String))
tiers = sa.Table("tiers", meta, sa.Column("code", sa.String), sa.Column("rank", sa.Integer),
                 sa.Column("area_level", sa.String), sa.Column("name_en", sa.String))
areas = sa.Table("areas", meta, sa.Column("id", sa.Integer), sa.Column("code", sa.String),
                 sa.Column("parent_id", sa.Integer), sa.Column("level", sa.String), sa.Column("path", sa.String),
                 sa.Column("name_en", sa.String))
offices = sa.Table("offices", meta, sa.Column("id", sa.Integer), sa.Column("code", sa.String),
                   sa.Column("tier", sa.String), sa.Column("area_id", sa.Integer), sa.Column("notify_by", sa.String),
                   sa.Column("active", sa.Boolean), sa.Column("name_en", sa.String))
programmes = sa.Table("programmes", meta, sa.Column("id", sa.Integer), sa.Column("code", sa.String),
                      sa.Column("active", sa.Boolean), sa.Column("name_en", sa.String))
categories = sa.Table("categories", meta, sa.Column("id", sa.Integer), sa.Column("code", sa.String),
                      sa.Column("sensitive", sa.Boolean), sa.Column("active", sa.Boolean),
                      sa.Column("name_en", sa.String))
days_off = sa.Table("holidays", meta, sa.Column("id", sa.Integer), sa.Column("day", sa.Date),
                    sa.Column("name", sa.String), sa.Column("area_id", sa.Integer))
grievances = sa.Table(
    "grievances", meta, *(sa.Column(name, type_) for name, type_ in (
        ("id", sa.Integer), ("tracking_code", sa.String), ("channel", sa.String), ("programme_id", sa.Integer),
        ("category_id", sa.Integer), ("area_id", sa.Integer), ("office_id", sa.Integer), ("level", sa.String),
        ("status", sa.String), ("is_open", sa.Boolean), ("sensitive", sa.Boolean), ("description", sa.Text),
        ("language", sa.String), ("received_at", sa.DateTime), ("clock_started_at", sa.DateTime),
        ("clock_kind", sa.String), ("paused_working_days", sa.Integer), ("extended", sa.Boolean),
        ("ack_breached", sa.Boolean), ("overdue_flagged", sa.Boolean), ("escalation_count", sa.Integer),
        ("appeal_count", sa.Integer), ("event_count", sa.Integer), ("head_hash", sa.String),
        ("version", sa.Integer), ("updated_at", sa.DateTime))))
events = sa.Table(
    "events", meta, *(sa.Column(name, type_) for name, type_ in (
        ("id", sa.Integer), ("grievance_id", sa.Integer), ("seq", sa.Integer), ("type", sa.String),
        ("at", sa.DateTime), ("actor_id", sa.Integer), ("actor_label", sa.String), ("office_id", sa.Integer),
        ("level", sa.String), ("status_from", sa.String), ("status_to", sa.String), ("note", sa.Text),
        ("data", sa.JSON), ("prev_hash", sa.String), ("hash", sa.String))))

UNION, OTHER_UNION, OFFICE = 2, 3, 1


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def end_of_day(day: str) -> str:
    """23:59:59 in Dhaka on `day`, as the old code wrote a deadline into an event."""
    return f"{day}T17:59:59+00:00"


class Chain:
    """A grievance and its events, hashed like the code before the backfill wrote them."""

    def __init__(self, conn, gid: int, code: str):
        self.conn, self.gid, self.code = conn, gid, code
        self.seq, self.head = 0, None
        conn.execute(grievances.insert().values(
            id=gid, tracking_code=code, channel="web", programme_id=1, category_id=1, area_id=UNION,
            office_id=OFFICE, level="union", status="closed", is_open=False, sensitive=False,
            description="My allowance did not arrive.", language="en", received_at=utc("2026-11-01T04:00:00"),
            clock_started_at=utc("2026-11-01T04:00:00"), clock_kind="grievance", paused_working_days=0,
            extended=False, ack_breached=False, overdue_flagged=False, escalation_count=0, appeal_count=0,
            event_count=0, head_hash=None, version=1, updated_at=utc("2026-11-01T04:00:00")))

    def add(self, type_: str, at: str, data: dict | None = None, note: str | None = None) -> "Chain":
        self.seq += 1
        when = utc(at)
        h = event_hash(self.code, self.seq, type_, when, None, "system:test", OFFICE, "union", None, None, note,
                       data, self.head)
        self.conn.execute(events.insert().values(
            id=self.gid * 100 + self.seq, grievance_id=self.gid, seq=self.seq, type=type_, at=when.replace(tzinfo=None),
            actor_id=None, actor_label="system:test", office_id=OFFICE, level="union", status_from=None,
            status_to=None, note=note, data=data or {}, prev_hash=self.head, hash=h))
        self.head = h
        self.conn.execute(grievances.update().where(grievances.c.id == self.gid)
                          .values(event_count=self.seq, head_hash=h))
        return self

    def routed(self, at: str, due_day: str) -> "Chain":
        return self.add("routed", at, {"office": "OFF-1", "tier": "union", "ack_due_at": None,
                                       "due_at": end_of_day(due_day), "clock": "grievance"})

    def resolved(self, at: str) -> "Chain":
        # What every resolution stored before the fix: the clock already cleared, so no figure.
        return self.add("resolved", at, {"decision": "upheld", "within_limit": None}, note="Paid in full.")


@pytest.fixture(params=["sqlite", "postgresql"])
def old_db(request, tmp_path):
    """An app on a database of its own, migrated up to the revision before the backfill."""
    if request.param == "postgresql":
        url = request.getfixturevalue("pg").create_database("grs_backfill")
    else:
        url = "sqlite:///" + str(tmp_path / "backfill.sqlite3")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_DIR": str(tmp_path / "uploads"), "LOG_LEVEL": "WARNING", "COUNTRY": "BD"})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE_BACKFILL)
        with db.engine.begin() as conn:
            _geography(conn)
        yield app
        db.session.remove()
        db.engine.dispose()


def _geography(conn) -> None:
    conn.execute(area_levels.insert(), [{"code": "country", "depth": 0, "name_en": "Country"},
                                        {"code": "union", "depth": 1, "name_en": "Union"}])
    conn.execute(tiers.insert().values(code="union", rank=1, area_level="union", name_en="Union"))
    conn.execute(areas.insert(), [
        {"id": 1, "code": "BD", "parent_id": None, "level": "country", "path": "/BD/", "name_en": "Bangladesh"},
        {"id": UNION, "code": "BD-1", "parent_id": 1, "level": "union", "path": "/BD/1/", "name_en": "One"},
        {"id": OTHER_UNION, "code": "BD-2", "parent_id": 1, "level": "union", "path": "/BD/2/", "name_en": "Two"}])
    conn.execute(offices.insert().values(id=OFFICE, code="OFF-1", tier="union", area_id=UNION, notify_by="email",
                                         active=True, name_en="Union office"))
    conn.execute(programmes.insert().values(id=1, code="OAA", active=True, name_en="Old age allowance"))
    conn.execute(categories.insert().values(id=1, code="payment", sensitive=False, active=True, name_en="Payment"))
    # Days off admins added: one for the whole country, one for the grievances' union, one elsewhere.
    conn.execute(days_off.insert(), [
        {"id": 1, "day": datetime(2026, 12, 22).date(), "name": "National day off", "area_id": None},
        {"id": 2, "day": datetime(2026, 12, 24).date(), "name": "Local fair", "area_id": UNION},
        {"id": 3, "day": datetime(2026, 12, 29).date(), "name": "Elsewhere", "area_id": OTHER_UNION}])


def _resolved_data(conn) -> dict[str, list[dict]]:
    rows = conn.execute(sa.select(grievances.c.tracking_code, events.c.data)
                        .join(events, events.c.grievance_id == grievances.c.id)
                        .where(events.c.type == "resolved").order_by(events.c.grievance_id, events.c.seq)).all()
    out: dict[str, list[dict]] = {}
    for code, data in rows:
        out.setdefault(code, []).append(data)
    return out


def _hashes(conn, code: str) -> list[str]:
    return conn.execute(sa.select(events.c.hash).join(grievances, grievances.c.id == events.c.grievance_id)
                        .where(grievances.c.tracking_code == code).order_by(events.c.seq)).scalars().all()


def test_the_backfill_judges_each_resolution_by_the_deadline_then_in_force_and_chains_still_verify(old_db):
    with db.engine.begin() as conn:
        # Resolved at the very last second of the limit (Sun 1 Nov + 7 working days, Fri/Sat weekend).
        Chain(conn, 10, "ONTIME").routed("2026-11-01T04:00:00", "2026-11-10").resolved("2026-11-10T17:59:59")
        # Paused two working days (+2: 10 Dec), then extended by 10 working days over Victory Day (16 Dec,
        # the holidays package), the national day off (22 Dec) and the union's (24 Dec) to 29 Dec; the day
        # off of another union (29 Dec) does not count. Resolved late on 29 Dec: in time.
        (Chain(conn, 11, "PAUSED").routed("2026-11-29T04:00:00", "2026-12-08")
         .add("acknowledged", "2026-11-30T04:00:00")
         .add("info_requested", "2026-12-01T05:00:00", note="Card number?")
         .add("resumed", "2026-12-03T05:00:00", {"paused_working_days": 2})
         .add("extended", "2026-12-06T05:00:00", {"days": 10}, note="Field visit")
         .resolved("2026-12-29T17:00:00")
         .add("closed", "2027-01-20T04:00:00", {"reason": "no answer within the feedback window"}))
        # Late at the first office; on appeal, in time; the events after each are rehashed too.
        (Chain(conn, 12, "APPEAL").routed("2026-11-01T04:00:00", "2026-11-10")
         .add("warned", "2026-11-09T18:00:00", {"due_at": end_of_day("2026-11-10")})
         .resolved("2026-11-11T04:00:00")
         .add("appealed", "2026-11-12T04:00:00", {"from": "OFF-1", "to": "OFF-1", "tier": "union", "appeal": 1,
                                                 "ack_due_at": None, "due_at": end_of_day("2026-12-10"),
                                                 "clock": "appeal"})
         .resolved("2026-11-20T04:00:00")
         .add("feedback", "2026-11-22T04:00:00", {"satisfied": True})
         .add("closed", "2026-11-22T04:00:00", {"reason": "satisfied"}))
        # Transferred within the tier while waiting for the complainant: the wait (Mon-Thu, 4 working
        # days) moved the deadline from 10 to 16 Nov, though the event does not say so.
        (Chain(conn, 13, "KEPT").routed("2026-11-01T04:00:00", "2026-11-10")
         .add("info_requested", "2026-11-01T06:00:00", note="Which month?")
         .add("transferred", "2026-11-05T04:00:00", {"from": "OFF-1", "to": "OFF-1", "clock": "kept"})
         .resolved("2026-11-16T10:00:00"))
        # A change of limits moved the deadline earlier.
        (Chain(conn, 14, "CHANGED").routed("2026-11-01T04:00:00", "2026-11-10")
         .add("deadline_changed", "2026-11-02T04:00:00", {"from": end_of_day("2026-11-10"),
                                                          "to": end_of_day("2026-11-05")})
         .resolved("2026-11-08T04:00:00"))
        # A transfer to another tier restarted the clock without writing the new deadline: unknown.
        (Chain(conn, 15, "UNKNOWN").routed("2026-11-01T04:00:00", "2026-11-10")
         .add("transferred", "2026-11-02T04:00:00", {"from": "OFF-1", "to": "OFF-1", "clock": "restarted"})
         .resolved("2026-11-04T04:00:00"))
    with db.engine.connect() as conn:
        unknown_before = _hashes(conn, "UNKNOWN")

    upgrade(directory=MIGRATIONS)

    with db.engine.connect() as conn:
        resolved = _resolved_data(conn)
        assert _hashes(conn, "UNKNOWN") == unknown_before
    assert resolved == {
        "ONTIME": [{"decision": "upheld", "within_limit": True, "due_at": end_of_day("2026-11-10")}],
        "PAUSED": [{"decision": "upheld", "within_limit": True, "due_at": end_of_day("2026-12-29")}],
        "APPEAL": [{"decision": "upheld", "within_limit": False, "due_at": end_of_day("2026-11-10")},
                   {"decision": "upheld", "within_limit": True, "due_at": end_of_day("2026-12-10")}],
        "KEPT": [{"decision": "upheld", "within_limit": True, "due_at": end_of_day("2026-11-16")}],
        "CHANGED": [{"decision": "upheld", "within_limit": False, "due_at": end_of_day("2026-11-05")}],
        "UNKNOWN": [{"decision": "upheld", "within_limit": None}],
    }
    result = old_db.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK, 6 grievances, 26 events" in result.output


def test_a_chain_that_was_already_altered_is_left_for_the_audit_to_name(old_db):
    with db.engine.begin() as conn:
        Chain(conn, 20, "ALTERED").routed("2026-11-01T04:00:00", "2026-11-10").resolved("2026-11-04T04:00:00")
        Chain(conn, 21, "INTACT").routed("2026-11-01T04:00:00", "2026-11-10").resolved("2026-11-04T04:00:00")
        conn.execute(events.update().where(events.c.grievance_id == 20, events.c.seq == 2)
                     .values(note="Paid twice."))

    upgrade(directory=MIGRATIONS)

    with db.engine.connect() as conn:
        resolved = _resolved_data(conn)
    assert resolved["ALTERED"] == [{"decision": "upheld", "within_limit": None}]
    assert resolved["INTACT"] == [{"decision": "upheld", "within_limit": True, "due_at": end_of_day("2026-11-10")}]
    result = old_db.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "FAIL ALTERED event 2: event altered" in result.output
    assert "INTACT" not in result.output
