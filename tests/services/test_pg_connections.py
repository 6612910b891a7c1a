"""PostgreSQL connections and settings as deployed: every line of deploy/postgresql.conf is a setting PostgreSQL 15
takes, and a host that vanishes does not hold the scheduler's advisory lock (or a web worker's connection) for
Linux's two hours of TCP retries: connections carry libpq keepalives and a user timeout (docs/scaling.md)."""
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from escalation import scheduler
from grs.database import PG_KEEPALIVES, engine_options
from grs.extensions import db

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@pytest.mark.pg_only
@pytest.mark.committing_db
def test_the_apps_and_the_leaders_postgresql_connections_carry_keepalives(app):
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            params = raw.driver_connection.info.get_parameters()
        finally:
            raw.close()
        assert {k: params.get(k) for k in PG_KEEPALIVES} == {k: str(v) for k, v in PG_KEEPALIVES.items()}
    leader = scheduler.Leadership(app)
    try:
        assert leader.try_acquire()
        params = leader._conn.connection.driver_connection.info.get_parameters()
        assert params.get("keepalives_idle") == "10" and params.get("tcp_user_timeout") == "30000"
    finally:
        leader.release()


def test_a_deployments_own_connect_args_win_and_sqlite_gets_none():
    mine = engine_options({"pool_pre_ping": True, "connect_args": {"keepalives_idle": 60}}, "postgresql+psycopg://x")
    assert mine["pool_pre_ping"] and mine["connect_args"]["keepalives_idle"] == 60
    assert mine["connect_args"]["keepalives_count"] == 3
    assert "connect_args" not in engine_options({"pool_pre_ping": True}, "sqlite:///grs.sqlite3")
    assert engine_options(None, "sqlite://") == {}


@pytest.mark.pg_only
def test_every_database_setting_is_one_postgresql_15_knows_with_a_value_it_accepts(app):
    """A misspelt setting or a wrong unit stops the server at start; the test server says which."""
    settings = dict(re.findall(r"^(\w+)\s*=\s*(\S+)", (DEPLOY / "postgresql.conf").read_text(), re.M))
    with app.app_context():
        known = {name: (vartype, enumvals, unit) for name, vartype, enumvals, unit in db.session.execute(
            sa.text("SELECT name, vartype, enumvals, unit FROM pg_settings"))}
    unknown = set(settings) - set(known)
    assert not unknown, f"not PostgreSQL settings: {sorted(unknown)}"
    for name, value in settings.items():
        vartype, enumvals, unit = known[name]
        if vartype == "bool":
            assert value in ("on", "off"), (name, value)
        elif vartype == "enum":
            assert value in enumvals, (name, value, enumvals)
        elif vartype in ("integer", "real"):
            assert re.fullmatch(r"-?\d+(\.\d+)?(kB|MB|GB|TB|ms|s|min|h|d)?", value), (name, value)
    assert settings["tcp_keepalives_idle"] == "10" and settings["tcp_user_timeout"] == "30000"
