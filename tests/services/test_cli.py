"""The `grs` commands an operator runs at set-up: accounts, tokens, demo data, migrations."""
import pytest
import sqlalchemy as sa

import builders
from builders import T0
from grs.demo import DEMO_AREAS
from grs.extensions import db
from grs.models import Area, Event, Grievance, Office, OutboxMessage, User
from grs.services.accounts import user_for_token

PASSWORD = "a-long-password"


def load_areas(runner):
    result = runner.invoke(args=["import-areas", DEMO_AREAS, "--with-offices"])
    assert result.exit_code == 0, result.output


def test_create_user_scoped_to_an_area(app, runner):
    load_areas(runner)
    result = runner.invoke(args=["create-user", "--email", "Rahim@Example.org", "--password", PASSWORD,
                                 "--role", "supervisor", "--area", "BD-DIS-41"])
    assert result.exit_code == 0, result.output
    assert "created supervisor rahim@example.org scoped to BD-DIS-41" in result.output
    result = runner.invoke(args=["create-user", "--email", "gro@example.org", "--password", PASSWORD,
                                 "--role", "officer", "--area", "BD-UN-2869"])
    assert result.exit_code == 0, result.output
    assert "office OFF-BD-UN-2869" in result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "rahim@example.org"))
        assert user.role == "supervisor" and user.area.code == "BD-DIS-41" and user.office is None
        assert user.check_password(PASSWORD) and not user.check_password("wrong")
        assert PASSWORD not in user.password_hash


def test_create_user_without_area_is_national(app, runner):
    load_areas(runner)
    result = runner.invoke(args=["create-user", "--email", "an@example.org", "--password", PASSWORD,
                                 "--role", "analyst"])
    assert result.exit_code == 0 and "scoped to BD" in result.output


def test_create_user_errors(app, runner):
    args = ["create-user", "--email", "x@example.org", "--password", PASSWORD]
    result = runner.invoke(args=args + ["--role", "analyst"])
    assert result.exit_code == 1 and "no areas loaded yet" in result.output
    load_areas(runner)
    cases = [
        (["--role", "superuser"], "unknown role", "role: Use one of operator, officer"),
        (["--role", "analyst", "--area", "BD-UN-9999"], "unknown area", "area: Unknown area."),
        (["--role", "officer", "--office", "OFF-NOPE"], "unknown office", "office:"),
    ]
    for extra, message, detail in cases:
        result = runner.invoke(args=args + extra)
        assert result.exit_code == 1, result.output
        assert message in result.output and detail in result.output
    result = runner.invoke(args=["create-user", "--email", "x@example.org", "--password", "short", "--role",
                                 "analyst"])
    assert result.exit_code == 1 and "password" in result.output
    assert runner.invoke(args=args + ["--role", "analyst"]).exit_code == 0
    result = runner.invoke(args=["create-user", "--email", "X@example.org", "--password", PASSWORD, "--role",
                                 "operator"])
    assert result.exit_code == 1 and "exists already" in result.output
    result = runner.invoke(args=["create-user", "--password", PASSWORD, "--role", "analyst"])
    assert result.exit_code == 2 and "--email" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_create_token_authenticates(app, runner):
    load_areas(runner)
    runner.invoke(args=["create-user", "--email", "mis@example.org", "--password", PASSWORD, "--role", "operator"])
    result = runner.invoke(args=["create-token", "--email", "MIS@example.org"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("grs_") and len(token) > 30 and "\n" not in token
    other = runner.invoke(args=["create-token", "--email", "mis@example.org"]).output.strip()
    assert other != token
    with app.app_context():
        assert user_for_token(db.session, token, T0).email == "mis@example.org"
        assert user_for_token(db.session, other, T0).email == "mis@example.org"
        assert user_for_token(db.session, token[:-1] + ("A" if token[-1] != "A" else "B"), T0) is None
        assert user_for_token(db.session, "", T0) is None
        # Only a hash is stored: the token itself appears nowhere in the database.
        stored = db.session.execute(sa.text("SELECT token_hash FROM api_tokens")).scalars().all()
        assert token not in stored and len(stored) == 2
        user = db.session.scalar(sa.select(User).where(User.email == "mis@example.org"))
        user.active = False
        db.session.commit()
        assert user_for_token(db.session, token, T0) is None
    result = runner.invoke(args=["create-token", "--email", "nobody@example.org"])
    assert result.exit_code == 1 and "no account for nobody@example.org" in result.output


def counts():
    return {m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
            for m in (Grievance, User, Area, Office, Event)}


@pytest.mark.both_backends
@pytest.mark.committing_db
@pytest.mark.slow  # the whole demo twice: a long proof, run in CI (fresh-check runs `make run`'s demo too)
def test_demo_is_idempotent(app, runner):
    # The same instant both times: the demo builds its year up to `now` (no wall clock in the test).
    at = "2026-11-22T10:00:00+00:00"
    first = runner.invoke(args=["demo", "--now", at])
    assert first.exit_code == 0, first.output
    assert "grievances: 300 new, 300 in all" in first.output
    with app.app_context():
        after_first = counts()
        queued = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                   .where(OutboxMessage.status == "queued"))
    # 300 sample grievances, and 3 the demo forums raised from a finding, a hearing issue and an action item.
    assert "accountability: 5 forums, 2 scorecard cycles" in first.output
    assert after_first["grievances"] == 303 and after_first["users"] == 11
    assert after_first["areas"] == 64 and after_first["events"] > 600
    second = runner.invoke(args=["demo", "--now", at])
    assert second.exit_code == 0, second.output
    assert "grievances: 0 new, 303 in all" in second.output
    with app.app_context():
        assert counts() == after_first
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.status == "queued")) == queued
    third = runner.invoke(args=["demo", "--if-empty", "--now", at])
    assert third.exit_code == 0 and "left as it is" in third.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


@pytest.mark.both_backends
@pytest.mark.committing_db
def test_db_upgrade_builds_an_empty_database_the_commands_can_use(app, runner, backend):
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        assert "grievances" not in sa.inspect(db.engine).get_table_names()
    try:
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        load_areas(runner)
        result = runner.invoke(args=["create-user", "--email", "admin@example.org", "--password", PASSWORD,
                                     "--role", "admin"])
        assert result.exit_code == 0, result.output
        again = runner.invoke(args=["db", "upgrade"])
        assert again.exit_code == 0, again.output
        with app.app_context():
            assert db.session.scalar(sa.text("SELECT count(*) FROM alembic_version")) == 1
            assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    finally:
        # Leave the shared PostgreSQL schema exactly as the other tests expect it.
        with app.app_context():
            db.session.remove()
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
            db.create_all()
