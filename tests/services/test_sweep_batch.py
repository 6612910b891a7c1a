"""The batch sweep (escalation/batch.py) does what the per-grievance sweep does, row for row: the same grievance
rows, events (types, data, seq, hash chains), outbox messages, webhook deliveries and counters; it never acts
twice when two run at once; and a batch that fails half-way leaves nothing of itself behind."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BARMI, BASAN, T0
from escalation import sweep as sweep_module
from escalation.sweep import sweep
from grs import statistics, webhooks
from grs.extensions import db
from grs.models import (Event, Grievance, GrievanceOffice, Office, OutboxMessage, PhoneContact, SlaPolicy,
                        StatContribution, WebhookDelivery)
from grs import services as svc
from grs.services.actors import Actor
from grs.services.history import verify_chains

pytestmark = pytest.mark.both_backends  # locks, bulk UPDATE ... FROM VALUES and upserts differ by backend

SYSTEM = Actor.system("test")
NOW = T0 + timedelta(days=60)  # past every limit of what is lodged at T0 (the national one is 30 working days)


def _escalate(code: str, times: int, at):
    for i in range(times):
        builders.run(lambda uow: svc.escalate_one(uow, svc.find(uow.session, code), actor=SYSTEM,
                                                  now=at + timedelta(minutes=i), reason="test", breach=False))


def scenario(world) -> dict[str, str]:
    """Grievances in every state a pass meets, in three unions; their codes by role."""
    c = {}
    c["received"] = builders.lodge(BARIA).tracking_code  # unacknowledged too: an ack breach, then escalated
    c["acknowledged"] = builders.lodge(BASAN, now=T0 + timedelta(minutes=1)).tracking_code
    builders.act(world, "officer_basan", c["acknowledged"], "acknowledge", now=T0 + timedelta(hours=1))
    c["bangla"] = builders.lodge(BARMI, language="bn", now=T0 + timedelta(minutes=2)).tracking_code
    c["no_phone"] = builders.lodge(BARIA, phone=None, now=T0 + timedelta(minutes=3)).tracking_code
    c["opted_out"] = builders.lodge(BASAN, phone="01812345679", now=T0 + timedelta(minutes=4)).tracking_code
    phone = builders.find(c["opted_out"]).complainant.phone
    builders.run(lambda uow: uow.session.add(PhoneContact(phone=phone, opted_out_at=T0)))
    c["sensitive"] = builders.lodge(BARIA, category="corruption", description="The member asked for a bribe.",
                                    now=T0 + timedelta(minutes=5)).tracking_code
    c["escalated_before"] = builders.lodge(BARIA, now=T0 + timedelta(minutes=6)).tracking_code
    builders.act(world, "officer_baria", c["escalated_before"], "escalate", note="Needs the upazila.",
                 now=T0 + timedelta(hours=2))
    c["top"] = builders.lodge(BASAN, now=T0 + timedelta(minutes=7)).tracking_code
    _escalate(c["top"], 3, T0 + timedelta(minutes=8))  # union -> upazila -> district -> national
    c["resolved"] = builders.lodge(BARIA, now=T0 + timedelta(minutes=9)).tracking_code
    builders.act(world, "officer_baria", c["resolved"], "acknowledge", now=T0 + timedelta(hours=3))
    builders.act(world, "officer_baria", c["resolved"], "resolve", decision="upheld",
                 resolution="Paid on the next cycle.", now=T0 + timedelta(days=2))
    c["paused"] = builders.lodge(BASAN, now=T0 + timedelta(minutes=10)).tracking_code
    builders.act(world, "officer_basan", c["paused"], "acknowledge", now=T0 + timedelta(hours=3))
    builders.act(world, "officer_basan", c["paused"], "request_info", note="Send your card number.",
                 now=T0 + timedelta(days=1))
    for d in range(4, 13):  # deadlines around NOW: some overdue, some warned, some not yet
        c[f"late{d}"] = builders.lodge(BARMI if d % 2 else BARIA, now=NOW - timedelta(days=d, hours=d)).tracking_code
    builders.run(webhooks.create, webhooks.SubscriptionIn("https://mis.example.org/grs", webhooks.EVENT_TYPES),
                 actor_id=None, now=T0)
    return c


def snapshot() -> dict:
    """What a pass leaves, without ids, versions and update times (the per-grievance path flushes a row
    more than once; the batch writes it once)."""
    db.session.expire_all()
    code = {g.id: g.tracking_code for g in db.session.scalars(sa.select(Grievance))}
    office = dict(db.session.execute(sa.select(Office.id, Office.code)).all())
    skip = {"id", "version", "updated_at"}
    rows = {g.tracking_code: {c.name: getattr(g, c.key) for c in Grievance.__table__.c if c.name not in skip}
            for g in db.session.scalars(sa.select(Grievance))}
    events = sorted((code[e.grievance_id], e.seq, e.type, e.at, e.actor_label, office.get(e.office_id), e.level,
                     e.status_from, e.status_to, e.note, repr(sorted((e.data or {}).items())), e.prev_hash, e.hash)
                    for e in db.session.scalars(sa.select(Event)))
    event_of = {e.id: (code[e.grievance_id], e.seq) for e in db.session.scalars(sa.select(Event))}
    outbox = sorted((code.get(m.grievance_id), m.medium, m.recipient, m.template, m.language, m.body, m.dedupe_key,
                     m.encoding, m.segments, m.status, m.next_attempt_at, m.created_at)
                    for m in db.session.scalars(sa.select(OutboxMessage)))
    body = dict(db.session.execute(sa.select(OutboxMessage.id, OutboxMessage.body)).all())
    deliveries = sorted((d.subscription_id, event_of[d.event_id], d.event_type, body[d.outbox_id], d.created_at)
                        for d in db.session.scalars(sa.select(WebhookDelivery)))
    links = sorted((code[r.grievance_id], office[r.office_id]) for r in db.session.scalars(sa.select(GrievanceOffice)))
    contributions = {code[r.grievance_id]: r.counts for r in db.session.scalars(sa.select(StatContribution))}
    return {"grievances": rows, "events": events, "outbox": outbox, "deliveries": deliveries, "offices": links,
            "counters": statistics.stored_counts(db.session), "contributions": contributions}


def both_ways(now, **kw):
    """The same pass at `now`, per grievance and in batches, from the same data: (result, what it left) of each."""
    db.session.remove()
    # The test's connection, which every session of the test runs on (tests/conftest.py): a savepoint of our
    # own, out of SQLAlchemy's sight, takes the first pass back.
    db.engine.exec_driver_sql("SAVEPOINT before_both_ways")
    try:
        one_by_one = sweep(now, per_grievance=True, **kw)
        after_one_by_one = snapshot()
    finally:
        db.session.remove()
        db.engine.exec_driver_sql("ROLLBACK TO SAVEPOINT before_both_ways")
    batched = sweep(now, **kw)
    return (one_by_one, after_one_by_one), (batched, snapshot())


def assert_same(a, b) -> None:
    for part in a:
        if part == "grievances":
            for code in a[part]:
                assert a[part][code] == b[part][code], code
        assert a[part] == b[part], part


def test_a_batch_pass_leaves_what_the_per_grievance_pass_leaves(ctx, world):
    codes = scenario(world)
    before = snapshot()
    (r1, one), (r2, batched) = both_ways(NOW, batch=4)  # several batches, and a batch of each due set
    assert r1.lines() == r2.lines()
    assert set(r2.escalated) >= {(codes["received"], "OFF-BD-UN-2869", "OFF-BD-UPZ-320"),
                                 (codes["escalated_before"], "OFF-BD-UPZ-320", "OFF-BD-DIS-41")}
    assert codes["top"] in r2.flagged and codes["received"] in r2.ack_breached
    assert codes["resolved"] in r2.closed and codes["paused"] in r2.unpaused and r2.warned
    assert one["events"] != before["events"] and one["outbox"] != before["outbox"] and one["deliveries"]
    assert_same(one, batched)
    assert verify_chains()[2] == []
    assert statistics.stored_counts(db.session) == statistics.recount(db.session)


def test_the_batch_pass_writes_what_each_grievance_would_be_told(ctx, world):
    """Not only the same as the old path: what that path is known to do (tests/services/test_sweep.py)."""
    codes = scenario(world)
    result = sweep(NOW)
    assert not result.conflicts
    g = builders.find(codes["received"])
    assert (g.level, g.office.code, g.escalation_count, g.ack_breached) == ("upazila", "OFF-BD-UPZ-320", 1, False)
    assert [e.type for e in g.events][-3:] == ["ack_breached", "deadline_breached", "escalated"]
    told = {(m.template, m.recipient) for m in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.grievance_id == g.id, OutboxMessage.medium != "webhook"))}
    assert ("forwarded", g.complainant.phone) in told
    assert {t for t, _ in told} >= {"case_arrived", "forwarded"}
    opted = builders.find(codes["opted_out"])
    assert opted.level == "upazila" and not db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.recipient == opted.complainant.phone, OutboxMessage.template == "forwarded")).all()
    bn = db.session.scalar(sa.select(OutboxMessage).where(
        OutboxMessage.grievance_id == builders.find(codes["bangla"]).id, OutboxMessage.template == "forwarded"))
    assert bn.language == "bn" and bn.encoding == "UCS-2"
    top = builders.find(codes["top"])
    # The top tier: nowhere to go (the seeded national policy also says "flag"): flagged, the office told.
    assert (top.level, top.overdue_flagged, top.events[-1].type) == ("national", True, "flagged_overdue")
    assert db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.grievance_id == top.id,
                                                             OutboxMessage.template == "deadline_passed")).all()
    # The next pass has nothing to do, and does it quickly (one index probe per due set).
    again = sweep(NOW)
    assert not again.did_anything


@pytest.mark.parametrize("on_breach", ["escalate", "appeal", "review", "flag"])
def test_each_on_breach_rule_is_the_same_in_batches(ctx, world, on_breach):
    builders.run(lambda uow: _set_on_breach(uow, on_breach))
    codes = scenario(world)
    (r1, one), (r2, batched) = both_ways(NOW, batch=3)
    assert_same(one, batched)
    g = batched["grievances"][codes["received"]]
    if on_breach == "escalate":
        assert (g["level"], g["clock_kind"], g["appeal_count"]) == ("upazila", "grievance", 0)
    elif on_breach == "appeal":
        assert (g["level"], g["clock_kind"], g["appeal_count"]) == ("upazila", "appeal", 1)
        assert any(m[3] == "case_arrived" and "APPEAL" in m[5] for m in batched["outbox"] if m[0] == codes["received"])
    elif on_breach == "review":
        assert (g["level"], g["overdue_flagged"], g["review_flagged_at"]) == ("union", True, NOW)
        assert any(m[3] == "overdue_review" for m in batched["outbox"] if m[0] == codes["received"])
    else:
        assert (g["level"], g["overdue_flagged"], g["review_flagged_at"]) == ("union", True, None)
    assert verify_chains()[2] == []


def _set_on_breach(uow, on_breach: str) -> None:
    row = uow.session.scalar(sa.select(SlaPolicy).where(SlaPolicy.tier == "union", SlaPolicy.kind == "grievance",
                                                        SlaPolicy.category_id.is_(None)))
    if row is None:
        row = SlaPolicy(tier="union", kind="grievance", category_id=None, ack_days=2, resolve_days=7,
                        extension_days=10)
        uow.session.add(row)
    row.on_breach = on_breach


def test_a_batch_that_fails_half_way_leaves_nothing_of_itself(ctx, world, monkeypatch):
    codes = scenario(world)
    before = snapshot()
    real, calls = sweep_module._escalate, []

    def fails_after_three(uow, g, now, result, fx=None):
        calls.append(g.tracking_code)
        if len(calls) > 3:
            raise RuntimeError("the machine fell over")
        return real(uow, g, now, result, fx)

    monkeypatch.setattr(sweep_module, "_escalate", fails_after_three)
    with pytest.raises(RuntimeError, match="fell over"):
        sweep(NOW, batch=50)  # the acknowledgement breaches' batch commits first; the escalations' fails
    after = snapshot()
    breached = {e[0] for e in after["events"] if e[2] == "ack_breached"} - {
        e[0] for e in before["events"] if e[2] == "ack_breached"}
    assert codes["received"] in breached  # the earlier batch stands
    new_events = set(after["events"]) - set(before["events"])
    assert {e[2] for e in new_events} == {"ack_breached"}, "an escalation of the failed batch stayed"
    assert {k: v for k, v in after["grievances"].items() if v["escalation_count"] != before["grievances"][k][
        "escalation_count"]} == {}
    assert len(after["outbox"]) - len(before["outbox"]) == len(
        [e for e in new_events]), "only the breaches' webhook copies were queued"
    assert statistics.stored_counts(db.session) == statistics.recount(db.session)
    monkeypatch.setattr(sweep_module, "_escalate", real)
    assert sweep(NOW, batch=50).escalated  # the next pass does the work
    assert verify_chains()[2] == []


@pytest.mark.committing_db
def test_two_batch_sweeps_at_once_act_on_each_grievance_once(app, world):
    n = 40
    with app.app_context():
        codes = [builders.lodge(BARIA if i % 2 else BASAN, now=T0 + timedelta(seconds=i)).tracking_code
                 for i in range(n)]
        now = max(g.due_at for g in db.session.scalars(sa.select(Grievance))) + timedelta(hours=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                barrier.wait()
                results.append(sweep(now, batch=6))
                db.session.remove()
        except Exception as e:  # surfaced by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    with app.app_context():
        sweep(now)  # what both left to each other under contention
        escalated = [c for r in results for c, *_ in r.escalated]
        assert len(escalated) == len(set(escalated)), "a grievance was escalated by both sweeps"
        db.session.expire_all()
        counts = dict(db.session.execute(sa.select(Grievance.tracking_code, Grievance.escalation_count)).all())
        assert counts == {c: 1 for c in codes}
        types = dict(db.session.execute(sa.select(Event.type, sa.func.count()).group_by(Event.type)).all())
        assert (types["escalated"], types["deadline_breached"]) == (n, n)
        forwarded = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.template == "forwarded"))
        assert forwarded == n
        assert verify_chains()[2] == []
        assert statistics.stored_counts(db.session) == statistics.recount(db.session)


def test_a_pass_keeps_a_bounded_list_of_codes_and_counts_the_rest(ctx, world, monkeypatch):
    """The pass's memory must not grow with what is due: beyond KEPT codes a list it only counts them."""
    monkeypatch.setattr(sweep_module.SweepResult, "KEPT", 2)
    codes = [builders.lodge(BARIA, now=T0 + timedelta(minutes=i)).tracking_code for i in range(5)]
    result = sweep(NOW, batch=2)
    assert len(result.escalated) == 2 and result.count("escalated") == 5
    assert result.lines()[0].startswith(f"sweep at {NOW.isoformat()}: 5 escalated")
    assert {builders.find(c).level for c in codes} == {"upazila"}
