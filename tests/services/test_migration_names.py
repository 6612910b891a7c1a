"""The names-per-language migration: each name_bn moves into names["bn"] on every named table, on both
backends, with offices and grievances pointing at the areas; the downgrade moves them back."""
from __future__ import annotations

import os
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from grs import create_app
from grs.extensions import db

MIGRATIONS = os.path.join(os.path.dirname(__file__), "..", "..", "migrations")
BEFORE_NAMES = "66e703d51fbe"
NAMES = "d63074eb386f"

# The named tables as they are at BEFORE_NAMES (only the columns these rows need).
meta = sa.MetaData()
area_levels = sa.Table("area_levels", meta, sa.Column("code", sa.String), sa.Column("depth", sa.Integer),
                       sa.Column("name_en", sa.String), sa.Column("name_bn", sa.String))
tiers = sa.Table("tiers", meta, sa.Column("code", sa.String), sa.Column("rank", sa.Integer),
                 sa.Column("area_level", sa.String), sa.Column("name_en", sa.String), sa.Column("name_bn", sa.String))
areas = sa.Table("areas", meta, sa.Column("id", sa.Integer), sa.Column("code", sa.String),
                 sa.Column("parent_id", sa.Integer), sa.Column("level", sa.String), sa.Column("path", sa.String),
                 sa.Column("name_en", sa.String), sa.Column("name_bn", sa.String))
offices = sa.Table("offices", meta, sa.Column("id", sa.Integer), sa.Column("code", sa.String),
                   sa.Column("tier", sa.String), sa.Column("area_id", sa.Integer), sa.Column("notify_by", sa.String),
                   sa.Column("active", sa.Boolean), sa.Column("name_en", sa.String), sa.Column("name_bn", sa.String))
programmes = sa.Table("programmes", meta, sa.Column("id", sa.Integer), sa.Column("code", sa.String),
                      sa.Column("active", sa.Boolean), sa.Column("name_en", sa.String),
                      sa.Column("name_bn", sa.String))
categories = sa.Table("categories", meta, sa.Column("id", sa.Integer), sa.Column("code", sa.String),
                      sa.Column("sensitive", sa.Boolean), sa.Column("active", sa.Boolean),
                      sa.Column("name_en", sa.String), sa.Column("name_bn", sa.String))
grievances = sa.Table(
    "grievances", meta, *(sa.Column(name, type_) for name, type_ in (
        ("id", sa.Integer), ("tracking_code", sa.String), ("channel", sa.String), ("programme_id", sa.Integer),
        ("category_id", sa.Integer), ("area_id", sa.Integer), ("office_id", sa.Integer), ("level", sa.String),
        ("status", sa.String), ("is_open", sa.Boolean), ("sensitive", sa.Boolean), ("description", sa.Text),
        ("language", sa.String), ("received_at", sa.DateTime), ("clock_started_at", sa.DateTime),
        ("clock_kind", sa.String),
        ("paused_working_days", sa.Integer), ("extended", sa.Boolean), ("ack_breached", sa.Boolean),
        ("overdue_flagged", sa.Boolean), ("escalation_count", sa.Integer), ("appeal_count", sa.Integer),
        ("event_count", sa.Integer), ("version", sa.Integer), ("updated_at", sa.DateTime))))

# What each table's names should be after the upgrade, by key: a Bangla name moves, a missing or blank
# one leaves names empty.
EXPECTED = {
    "area_levels": {"country": {"bn": "দেশ"}, "union": {}},
    "tiers": {"union": {"bn": "ইউনিয়ন"}},
    "areas": {1: {"bn": "বাংলাদেশ"}, 2: {"bn": "বাড়িয়া"}, 3: {}},
    "offices": {1: {"bn": "বাড়িয়া ইউনিয়ন পরিষদ"}},
    "programmes": {1: {"bn": "বয়স্ক ভাতা"}, 2: {}},
    "categories": {1: {}},
}
KEYS = {"area_levels": "code", "tiers": "code"}


@pytest.fixture(params=["sqlite", "postgresql"])
def old_db(request, tmp_path):
    """An app on a database of its own, migrated up to the revision before names per language."""
    if request.param == "postgresql":
        url = request.getfixturevalue("pg").create_database("grs_names")
    else:
        url = "sqlite:///" + str(tmp_path / "names.sqlite3")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url,
                      "UPLOAD_DIR": str(tmp_path / "uploads"), "LOG_LEVEL": "WARNING", "COUNTRY": "BD"})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE_NAMES)
        with db.engine.begin() as conn:
            _rows(conn)
        yield app
        db.session.remove()
        db.engine.dispose()


def _rows(conn) -> None:
    conn.execute(area_levels.insert(), [{"code": "country", "depth": 0, "name_en": "Country", "name_bn": "দেশ"},
                                        {"code": "union", "depth": 1, "name_en": "Union", "name_bn": None}])
    conn.execute(tiers.insert().values(code="union", rank=1, area_level="union", name_en="Union", name_bn="ইউনিয়ন"))
    conn.execute(areas.insert(), [
        {"id": 1, "code": "BD", "parent_id": None, "level": "country", "path": "/BD/", "name_en": "Bangladesh",
         "name_bn": "বাংলাদেশ"},
        {"id": 2, "code": "BD-1", "parent_id": 1, "level": "union", "path": "/BD/BD-1/", "name_en": "Baria",
         "name_bn": "বাড়িয়া"},
        {"id": 3, "code": "BD-2", "parent_id": 1, "level": "union", "path": "/BD/BD-2/", "name_en": "Two",
         "name_bn": None}])
    conn.execute(offices.insert().values(id=1, code="OFF-BD-1", tier="union", area_id=2, notify_by="email",
                                         active=True, name_en="Baria Union Parishad",
                                         name_bn="বাড়িয়া ইউনিয়ন পরিষদ"))
    conn.execute(programmes.insert(), [
        {"id": 1, "code": "OAA", "active": True, "name_en": "Old age allowance", "name_bn": "বয়স্ক ভাতা"},
        {"id": 2, "code": "WA", "active": True, "name_en": "Widow allowance", "name_bn": "  "}])
    conn.execute(categories.insert().values(id=1, code="payment", sensitive=False, active=True, name_en="Payment"))
    # A grievance at the area and its office: the tables they point at are altered in place, not copied.
    when = datetime(2026, 11, 1, 4, 0)
    conn.execute(grievances.insert().values(
        id=1, tracking_code="NAMES1", channel="web", programme_id=1, category_id=1, area_id=2, office_id=1,
        level="union", status="received", is_open=True, sensitive=False, description="Not paid.",
        language="bn", received_at=when, clock_started_at=when, clock_kind="grievance", paused_working_days=0, extended=False,
        ack_breached=False, overdue_flagged=False, escalation_count=0, appeal_count=0, event_count=0,
        version=1, updated_at=when))


def _names(conn) -> dict:
    out = {}
    for name, expected in EXPECTED.items():
        table = sa.table(name, sa.column(KEYS.get(name, "id")), sa.column("names", sa.JSON))
        key = table.c[KEYS.get(name, "id")]
        out[name] = {k: v for k, v in conn.execute(sa.select(key, table.c.names).where(key.in_(list(expected))))}
    return out


def test_bangla_names_move_into_names_and_back(old_db):
    upgrade(directory=MIGRATIONS, revision=NAMES)

    with db.engine.connect() as conn:
        assert _names(conn) == EXPECTED
        columns = {t: {c["name"] for c in sa.inspect(conn).get_columns(t)} for t in EXPECTED}
        assert conn.execute(sa.select(grievances.c.area_id, grievances.c.office_id)).one() == (2, 1)
    assert all("names" in cols and "name_bn" not in cols for cols in columns.values()), columns

    # The app reads them: the model's name(lang) picks the Bangla name, English where there is none.
    from grs.models import Area, Programme
    assert db.session.get(Area, 2).name("bn") == "বাড়িয়া"
    assert db.session.get(Area, 3).name("bn") == "Two"
    assert db.session.get(Programme, 2).name("bn") == "Widow allowance"
    area = db.session.get(Area, 3)
    area.set_name("so", "Labo")
    db.session.commit()
    db.session.remove()

    downgrade(directory=MIGRATIONS, revision=BEFORE_NAMES)

    with db.engine.connect() as conn:
        back = {name: dict(conn.execute(sa.select(table.c[KEYS.get(name, "id")], table.c.name_bn)).all())
                for name, table in (("area_levels", area_levels), ("tiers", tiers), ("areas", areas),
                                    ("offices", offices), ("programmes", programmes), ("categories", categories))}
        columns = {t: {c["name"] for c in sa.inspect(conn).get_columns(t)} for t in EXPECTED}
    assert back == {name: {k: v.get("bn") for k, v in expected.items()} for name, expected in EXPECTED.items()}
    assert all("name_bn" in cols and "names" not in cols for cols in columns.values()), columns
