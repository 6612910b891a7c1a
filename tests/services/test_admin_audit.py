"""Admin actions are events in a chain of their own: written with the change, never a secret, and
`grs audit verify` names the first broken link when a row is edited or deleted."""
from datetime import date

import pytest
import sqlalchemy as sa

import builders
from escalation import admin as policy_admin
from grs import webhooks
from grs.extensions import db
from grs.models import AdminEvent, User
from grs.services import admin_audit
from grs.services.accounts import create_token, create_user
from grs.services.actors import Actor
from grs.timeutil import utcnow
from grs.uow import unit_of_work

pytestmark = pytest.mark.both_backends  # JSON columns, the advisory lock and the chain's SQL per backend


def kinds_after(seq: int) -> list[str]:
    return list(db.session.scalars(sa.select(AdminEvent.kind).where(AdminEvent.seq > seq).order_by(AdminEvent.seq)))


def head() -> int:
    return db.session.scalar(sa.select(sa.func.max(AdminEvent.seq))) or 0


@pytest.fixture
def admin(ctx, world):
    return Actor.staff(db.session.scalar(sa.select(User).where(User.email == world.emails["admin"])))


def do_admin_work(admin):
    """One of each admin action, each in its own unit of work as a page would."""
    now = utcnow()
    builders.run(policy_admin.save_policy, policy_admin.PolicyIn(tier="union", kind="grievance", ack_days=3,
                                                                  resolve_days=9, extension_days=5),
                 actor=admin, now=now)
    h, _ = builders.run(policy_admin.add_holiday, date(2026, 12, 20), "Flood day", None, actor=admin, now=now)
    builders.run(policy_admin.delete_holiday, h.id, actor=admin, now=now)
    builders.run(create_user, "new.officer@test.grs", "a-long-password-1", "analyst", actor=admin)
    builders.run(create_token, "new.officer@test.grs", actor=admin)
    sub, secret = builders.run(webhooks.create, webhooks.SubscriptionIn(
        url="https://mis.example.org/hook?key=receiverkey123", events=("lodged",)), actor_id=admin.user_id, now=now)
    builders.run(webhooks.set_active, sub.id, False, actor=admin, now=now)
    builders.run(webhooks.delete, sub.id, actor=admin, now=now)
    return secret


def test_every_admin_action_is_an_event_in_order(admin):
    start = head()
    do_admin_work(admin)
    assert kinds_after(start) == ["policy_saved", "holiday_added", "holiday_deleted", "user_created",
                                  "token_created", "webhook_created", "webhook_active", "webhook_deleted"]
    ev = db.session.scalar(sa.select(AdminEvent).where(AdminEvent.kind == "policy_saved", AdminEvent.seq > start))
    assert ev.actor_id == admin.user_id and ev.target == "union/grievance/*"
    assert ev.data["before"]["ack_days"] == 2 and ev.data["ack_days"] == 3


def test_no_password_token_or_secret_is_written(admin):
    start = head()
    secret = do_admin_work(admin)
    user = db.session.scalar(sa.select(User).where(User.email == "new.officer@test.grs"))
    rows = db.session.scalars(sa.select(AdminEvent).where(AdminEvent.seq > start)).all()
    text = " ".join(f"{r.target} {r.data}" for r in rows)
    for needle in (secret, "a-long-password-1", user.password_hash, "receiverkey123"):
        assert needle not in text
    webhook = next(r for r in rows if r.kind == "webhook_created")
    assert webhook.data["secret"] == "changed" and webhook.data["url"] == "https://mis.example.org/hook"


def test_a_secret_in_the_data_is_refused(admin):
    with unit_of_work() as uow, pytest.raises(TypeError):
        admin_audit.append(uow, "user_created", actor=admin, at=utcnow(), data={"password_hash": "scrypt:..."})
    with unit_of_work() as uow, pytest.raises(ValueError):
        admin_audit.append(uow, "no_such_kind", actor=admin, at=utcnow())


def test_the_event_rolls_back_with_the_change(admin):
    start = head()
    with pytest.raises(RuntimeError), unit_of_work() as uow:
        policy_admin.add_holiday(uow, date(2026, 12, 21), "Storm", None, actor=admin, now=utcnow())
        raise RuntimeError("the page failed after the service")
    assert head() == start


def test_world_setup_is_recorded_and_the_chain_verifies(admin, runner):
    # Areas imported, programmes loaded, the time limits seeded, accounts created: the world's own history.
    found = set(db.session.scalars(sa.select(AdminEvent.kind)))
    assert {"areas_imported", "reference_loaded", "policies_loaded", "user_created"} <= found
    do_admin_work(admin)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{head()} admin events, every chain intact" in result.output


def tamper(sql, **params):
    db.session.execute(sa.text(sql), params)
    db.session.commit()


def test_an_edited_admin_event_is_named(admin, runner):
    do_admin_work(admin)
    seq = db.session.scalar(sa.select(AdminEvent.seq).where(AdminEvent.kind == "holiday_added"))
    tamper("UPDATE admin_events SET data = :d WHERE seq = :s", d='{"name": "Other day", "deadlines_changed": 0}', s=seq)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"FAIL admin event {seq}: admin event altered"


def test_an_edited_actor_is_named(admin, runner):
    do_admin_work(admin)
    seq = db.session.scalar(sa.select(AdminEvent.seq).where(AdminEvent.kind == "webhook_deleted"))
    tamper("UPDATE admin_events SET actor_label = 'cli' WHERE seq = :s", s=seq)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"FAIL admin event {seq}: admin event altered" in result.output


def test_a_deleted_admin_event_is_named(admin, runner):
    do_admin_work(admin)
    seq = db.session.scalar(sa.select(AdminEvent.seq).where(AdminEvent.kind == "user_created")
                            .order_by(AdminEvent.seq.desc()).limit(1))
    tamper("DELETE FROM admin_events WHERE seq = :s", s=seq)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == f"FAIL admin event {seq}: admin event missing"


def test_a_forged_hash_still_breaks_the_next_link(admin, runner):
    do_admin_work(admin)
    e = db.session.scalar(sa.select(AdminEvent).where(AdminEvent.kind == "holiday_added"))
    forged = {"name": "Other day", "deadlines_changed": 0}
    h = admin_audit.admin_event_hash(e.seq, e.at, e.actor_id, e.actor_label, e.kind, e.target, forged, e.prev_hash)
    tamper("UPDATE admin_events SET data = :d, hash = :h WHERE seq = :s",
           d='{"name": "Other day", "deadlines_changed": 0}', h=h, s=e.seq)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"FAIL admin event {e.seq + 1}: chain broken" in result.output


def test_policies_loaded_from_a_file_are_one_event(admin, runner, tmp_path):
    import json
    path = tmp_path / "limits.json"
    path.write_text(json.dumps({"policies": [{"tier": "union", "ack_days": 4, "resolve_days": 8,
                                              "extension_days": 6}]}))
    start = head()
    result = runner.invoke(args=["policies", "load", str(path), "--replace"])
    assert result.exit_code == 0, result.output
    ev = db.session.scalar(sa.select(AdminEvent).where(AdminEvent.seq > start))
    assert (ev.kind, ev.target, ev.actor_label) == ("policies_loaded", "limits.json", "cli")
    assert ev.data["updated"] == 1 and ev.data["replace"] is True


def test_every_admin_kind_written_in_the_source_is_catalogued_and_labelled():
    import re
    from pathlib import Path

    call = re.compile(r'\badmin_audit\.append\(\s*[\w.]+\s*,\s*"(\w+)"')
    root = Path(__file__).resolve().parents[2]
    written = {m.group(1) for folder in ("grs", "escalation", "channels", "social_audit")
               for path in (root / folder).rglob("*.py") for m in call.finditer(path.read_text(encoding="utf-8"))}
    assert {"policy_saved", "user_created", "webhook_created", "retention_anonymised"} <= written
    assert written - {k.value for k in admin_audit.AdminEventKind} == set()
    assert set(admin_audit.LABELS) == set(admin_audit.AdminEventKind)
