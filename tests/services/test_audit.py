"""`grs audit verify`: every event chain checks out after normal work, and any tampering is named."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BARMI, BASAN, T0
from grs.extensions import db
from grs.models import Grievance

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

DAY = timedelta(days=1)
RESOLVE = {"decision": "partly_upheld", "resolution": "অর্ধেক টাকা ফেরত দেওয়া হয়েছে।"}


@pytest.fixture
def activity(ctx, world):
    """Demo-like work: every kind of event, Bangla text, triage, transfer, escalation, appeal, feedback."""
    from grs import services as svc
    from grs.services.actors import Actor

    codes = {}
    g = builders.lodge(BARIA, language="bn", description="গত দুই কিস্তি আমার বয়স্ক ভাতা দেওয়া হয়নি।")
    codes["full"] = g.tracking_code
    for n, (action, kw) in enumerate([("acknowledge", {}), ("start", {}), ("request_info", {"note": "কার্ড নম্বর?"}),
                                      ("resume", {}), ("extend", {"note": "visit"}), ("resolve", RESOLVE)]):
        builders.act(world, "officer_baria", g.tracking_code, action, now=T0 + n * DAY, **kw)
    builders.run(svc.act, g.tracking_code, svc.ActionRequest("feedback", satisfied=True), actor=Actor.citizen("sms"),
            now=T0 + 7 * DAY)

    g = builders.lodge(BASAN, channel="sms", source_ref="m-1")
    codes["appealed"] = g.tracking_code
    builders.act(world, "officer_basan", g.tracking_code, "reject", note="unrelated", reason_code="unrelated")
    builders.run(svc.act, g.tracking_code, svc.ActionRequest("appeal", note="No!"), actor=Actor.citizen("sms"), now=T0 + DAY)

    g = builders.lodge(None, phone=None)
    codes["placed"] = g.tracking_code
    builders.act(world, "operator", g.tracking_code, "place", area=BARMI)
    builders.act(world, "supervisor", g.tracking_code, "escalate", note="slow", now=T0 + DAY)

    g = builders.lodge(BARIA)
    codes["transferred"] = g.tracking_code
    builders.act(world, "officer_baria", g.tracking_code, "transfer", office="OFF-BD-UN-2870", note="Basan")
    codes["fresh"] = builders.lodge(BARMI, category="corruption").tracking_code
    return codes


def verify(runner):
    return runner.invoke(args=["audit", "verify"])


def gid(code):
    return db.session.scalar(sa.select(Grievance.id).where(Grievance.tracking_code == code))


def tamper(sql, **params):
    db.session.execute(sa.text(sql), params)
    db.session.commit()


def assert_fails_naming(runner, activity, name, problem):
    result = verify(runner)
    assert result.exit_code == 1, result.output
    code = activity[name]
    assert f"FAIL {code}" in result.output and problem in result.output
    for other, other_code in activity.items():
        if other != name:
            assert other_code not in result.output, f"{other} was named but not touched"


def test_verify_passes_after_normal_activity(runner, activity):
    result = verify(runner)
    assert result.exit_code == 0, result.output
    n_events = db.session.scalar(sa.text("SELECT count(*) FROM events"))
    assert f"OK, {len(activity)} grievances, {n_events} events" in result.output
    assert n_events > 20


@pytest.mark.parametrize("column,value", [("note", "nothing was paid"), ("actor_label", "user:999"),
                                          ("status_to", "closed")])
def test_an_edited_event_is_named(runner, activity, column, value):
    tamper(f"UPDATE events SET {column} = :v WHERE grievance_id = :g AND seq = 5", v=value, g=gid(activity["full"]))
    assert_fails_naming(runner, activity, "full", "event 5: event altered")


def test_an_event_moved_in_time_is_named(runner, activity):
    tamper("UPDATE events SET at = :at WHERE grievance_id = :g AND type = 'resolved'",
           at=(T0 + 2 * DAY).replace(tzinfo=None), g=gid(activity["full"]))
    assert_fails_naming(runner, activity, "full", "event altered")


def test_edited_event_data_is_named(runner, activity):
    tamper("UPDATE events SET data = :d WHERE grievance_id = :g AND seq = 2", d='{"office": "OFF-BD-UN-2870"}',
           g=gid(activity["transferred"]))
    assert_fails_naming(runner, activity, "transferred", "event 2: event altered")


def test_a_deleted_middle_event_is_named(runner, activity):
    tamper("DELETE FROM events WHERE grievance_id = :g AND seq = 3", g=gid(activity["appealed"]))
    assert_fails_naming(runner, activity, "appealed", "event 3: event missing")


def test_a_deleted_first_event_is_named(runner, activity):
    tamper("DELETE FROM events WHERE grievance_id = :g AND seq = 1", g=gid(activity["placed"]))
    assert_fails_naming(runner, activity, "placed", "event missing")


def test_a_deleted_last_event_is_named(runner, activity):
    g = gid(activity["full"])
    tamper("DELETE FROM events WHERE grievance_id = :g AND seq = (SELECT max(seq) FROM events WHERE grievance_id = :g)",
           g=g)
    assert_fails_naming(runner, activity, "full", "missing at the end")


def test_deleting_the_last_event_and_fixing_the_count_is_still_caught(runner, activity):
    g = gid(activity["fresh"])
    tamper("DELETE FROM events WHERE grievance_id = :g AND seq = 2", g=g)
    tamper("UPDATE grievances SET event_count = 1 WHERE id = :g", g=g)
    assert_fails_naming(runner, activity, "fresh", "missing at the end")


def test_an_edited_head_hash_is_named(runner, activity):
    tamper("UPDATE grievances SET head_hash = :h WHERE id = :g", h="0" * 64, g=gid(activity["placed"]))
    assert_fails_naming(runner, activity, "placed", "missing at the end")


def test_a_recomputed_hash_does_not_hide_an_edit(runner, activity):
    # Someone who edits a note and writes a fresh hash for that event still breaks the next link.
    from grs.models import Event
    from grs.services.history import event_hash

    g = db.session.get(Grievance, gid(activity["full"]))
    e = db.session.scalar(sa.select(Event).where(Event.grievance_id == g.id, Event.seq == 3))
    h = event_hash(g.tracking_code, e.seq, e.type, e.at, e.actor_id, e.actor_label, e.office_id, e.level,
                   e.status_from, e.status_to, "forged", e.data, e.prev_hash)
    tamper("UPDATE events SET note = 'forged', hash = :h WHERE id = :id", h=h, id=e.id)
    assert_fails_naming(runner, activity, "full", "event 4: chain broken")
