"""No right lost by a click (issue 10, items 3-5): closing waits for the complainant's answer, a NO appeals one
tier up (or, at the top, goes to the national review list), an overdue undecided grievance can be appealed,
and the complainant is told each step that changes what they should expect."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from channels.sms import service as sms
from escalation.sweep import sweep
from grs import queries, services as svc
from grs.errors import InvalidTransition, ValidationError
from grs.extensions import db
from grs.models import Event, OutboxMessage, PhoneContact
from grs.services.actors import Actor

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

DAY = timedelta(days=1)
RESOLVE = {"decision": "upheld", "resolution": "Arrears paid through the union office."}
RAHIMA = "+8801712345678"


def events_of(g):
    return db.session.scalars(sa.select(Event).where(Event.grievance_id == g.id).order_by(Event.seq)).all()


def messages(g, *, medium="sms", template=None):
    q = sa.select(OutboxMessage).where(OutboxMessage.grievance_id == g.id, OutboxMessage.medium == medium)
    if template:
        q = q.where(OutboxMessage.template == template)
    return db.session.scalars(q.order_by(OutboxMessage.id)).all()


def dhaka_day(at) -> str:
    return at.astimezone(ZoneInfo("Asia/Dhaka")).strftime("%-d %b %Y")


def resolved(world, now=T0):
    code = builders.lodge(BARIA, now=now).tracking_code
    return builders.act(world, "officer_baria", code, "resolve", now=now, **RESOLVE)


def test_an_officer_cannot_close_while_the_complainant_may_answer(ctx, world):
    g = resolved(world)
    due = g.feedback_due_at
    with pytest.raises(InvalidTransition) as err:
        builders.act(world, "officer_baria", g.tracking_code, "close", note="Done.", now=T0 + DAY)
    assert err.value.status == 409 and f"may answer until {dhaka_day(due)}" in err.value.message
    assert builders.find(g.tracking_code).status == "resolved"
    # A supervisor is no different; once the window is over, closing is allowed again.
    with pytest.raises(InvalidTransition):
        builders.act(world, "supervisor", g.tracking_code, "close", now=T0 + DAY)
    closed = builders.act(world, "officer_baria", g.tracking_code, "close", now=due + DAY)
    assert closed.status == "closed"


def test_an_admin_closes_in_the_window_only_with_a_reason(ctx, world):
    g = resolved(world)
    with pytest.raises(ValidationError) as err:
        builders.act(world, "admin", g.tracking_code, "close", now=T0 + DAY)
    assert "note" in err.value.fields
    with pytest.raises(ValidationError):
        builders.act(world, "admin", g.tracking_code, "close", note="x", reason_code="bored", now=T0 + DAY)
    g = builders.act(world, "admin", g.tracking_code, "close", note="The complainant withdrew at the office.",
                     reason_code="withdrawn", now=T0 + DAY)
    assert g.status == "closed"
    last = events_of(g)[-1]
    assert last.type == "closed" and last.note == "The complainant withdrew at the office."
    assert last.data == {"reason": "withdrawn"}
    (told,) = messages(g, template="closed")
    assert "withdrawn" in told.body


def test_no_after_a_decision_appeals_one_tier_up_and_both_offices_are_told(ctx, world):
    g = resolved(world)
    g = builders.run(svc.act, g.tracking_code, svc.ActionRequest("feedback", satisfied=False),
                     actor=Actor.citizen("sms"), now=T0 + DAY)
    assert (g.status, g.level, g.clock_kind, g.appeal_count) == ("received", "upazila", "appeal", 1)
    assert [e.type for e in events_of(g)][-2:] == ["feedback", "appealed"]
    arrived = [m for m in messages(g, medium="email", template="case_arrived")
               if m.recipient == world.email("appellate_sadar")]  # the office's appellate officer
    assert arrived and "APPEAL" in arrived[-1].body
    (left,) = [m for m in messages(g, medium="email", template="appeal_left")]
    assert left.recipient == world.email("officer_baria") and "APPEAL" in left.body
    assert messages(g, template="appeal_opened")


def test_an_overdue_undecided_grievance_can_be_appealed(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    g = builders.act(world, "officer_baria", code, "acknowledge")
    due = g.due_at
    with pytest.raises(InvalidTransition, match="deadline"):
        builders.run(svc.complainant_appeal, code, channel="web", now=due - DAY)
    g = builders.run(svc.complainant_appeal, code, channel="web", now=due + DAY, note="Nobody answered.")
    assert (g.status, g.level, g.clock_kind) == ("received", "upazila", "appeal")
    last = events_of(g)[-1]
    assert last.type == "appealed" and last.actor_label == "citizen:web"
    assert last.data["undecided"] is True and last.data["overdue_since"] == due.isoformat()
    arrived = [m for m in messages(g, medium="email", template="case_arrived")
               if m.recipient == world.email("appellate_sadar")]  # the office's appellate officer
    assert "APPEAL" in arrived[-1].body


def test_an_operator_appeals_an_overdue_grievance_for_a_caller(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    due = builders.find(code).due_at
    with pytest.raises(InvalidTransition):
        builders.act(world, "operator", code, "appeal", now=due - DAY)
    g = builders.act(world, "operator", code, "appeal", note="Caller: no answer yet.", now=due + DAY)
    assert g.level == "upazila" and g.clock_kind == "appeal"


def test_no_at_the_top_tier_is_on_the_national_review_list(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    for n in range(3):
        builders.act(world, "admin", code, "escalate", note="up", now=T0 + n * DAY)
    builders.act(world, "admin", code, "resolve", now=T0 + 3 * DAY, **RESOLVE)
    builders.run(svc.act, code, svc.ActionRequest("feedback", satisfied=False, note="by SMS"),
                 actor=Actor.citizen("sms"), now=T0 + 4 * DAY)
    g = builders.find(code)
    assert g.review_flagged_at == T0 + 4 * DAY and g.satisfied is False and g.status == "resolved"
    listed = lambda who: db.session.scalars(queries.grievance_list(  # noqa: E731
        world.user(who), queries.GrievanceFilter(national_review=True), T0 + 5 * DAY)).all()
    assert [x.tracking_code for x in listed("admin")] == [code]
    # Left alone by the sweep (it was answered) and by officers; an admin closes it with a reason.
    assert code not in sweep(g.resolved_at + 60 * DAY).closed
    with pytest.raises(InvalidTransition, match="national review"):
        builders.act(world, "officer_national", code, "close", now=T0 + 5 * DAY)
    builders.act(world, "admin", code, "close", note="Reviewed nationally: decision stands.", now=T0 + 5 * DAY)
    assert listed("admin") == []


def test_no_to_a_rejection_at_the_top_tier_is_recorded_too(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    for n in range(3):
        builders.act(world, "admin", code, "escalate", note="up", now=T0 + n * DAY)
    builders.act(world, "admin", code, "reject", note="Not about a programme.", reason_code="unrelated",
                 now=T0 + 3 * DAY)
    builders.run(svc.complainant_appeal, code, channel="web", now=T0 + 4 * DAY)
    g = builders.find(code)
    assert g.status == "rejected" and g.review_flagged_at is not None
    assert events_of(g)[-1].data == {"satisfied": False, "national_review": True}


def test_the_complainant_is_told_each_step(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "acknowledge")
    g = builders.act(world, "officer_baria", code, "extend", note="Field visit.", now=T0 + DAY)
    (ext,) = messages(g, template="extended")
    assert g.due_at.astimezone(ZoneInfo("Asia/Dhaka")).strftime("%-d %b %Y") in ext.body
    g = builders.act(world, "officer_baria", code, "escalate", note="Needs the upazila.", now=T0 + 2 * DAY)
    fwd = messages(g, template="forwarded")[-1]
    assert g.office.name("en") in fwd.body and "higher-level decision" in fwd.body
    g = builders.act(world, "officer_sadar", code, "resolve", now=T0 + 3 * DAY, **RESOLVE)
    sweep(g.feedback_due_at + DAY)
    g = builders.find(code)
    assert g.status == "closed"
    assert "no answer came within the time to reply" in messages(g, template="closed")[-1].body


def test_the_sweeps_escalation_tells_why(ctx, world):
    g = builders.lodge(BARIA)
    sweep(g.due_at + DAY)
    fwd = messages(builders.find(g.tracking_code), template="forwarded")[-1]
    assert "as the time limit passed" in fwd.body


def test_yes_closes_as_satisfied(ctx, world):
    g = resolved(world)
    builders.run(svc.act, g.tracking_code, svc.ActionRequest("feedback", satisfied=True),
                 actor=Actor.citizen("sms"), now=T0 + DAY)
    assert "satisfied" in messages(builders.find(g.tracking_code), template="closed")[-1].body


# ---------------------------------------------------------------- the citizen's language, by SMS


def _sms(text: str, msg_id: str, now):
    return builders.run(sms.receive, sms.InboundSms("africastalking", msg_id, RAHIMA, text), now=now,
                        reply_inline=False)


def test_a_bangla_complainant_typing_latin_status_is_answered_in_bangla(ctx, world):
    g = builders.lodge(BARIA, language="bn", channel="ussd", phone_verified=True)  # their phone, so remembered
    db.session.get(PhoneContact, RAHIMA).language = "bn"
    db.session.commit()
    _sms(f"STATUS {g.tracking_code}", "ATX-st-1", T0 + DAY)
    reply = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == "sms_status")).all()[-1]
    assert reply.language == "bn"
    local = g.due_at.astimezone(ZoneInfo("Asia/Dhaka"))
    months = ["জানুয়ারী", "ফেব্রুয়ারী", "মার্চ", "এপ্রিল", "মে", "জুন", "জুলাই", "আগস্ট", "সেপ্টেম্বর", "অক্টোবর",
              "নভেম্বর", "ডিসেম্বর"]
    digits = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
    assert f"{str(local.day).translate(digits)} {months[local.month - 1]} {str(local.year).translate(digits)}" \
        in reply.body
    assert "-এর মধ্যে উত্তর পাবেন" in reply.body


def test_nothing_stored_falls_back_to_the_script(ctx, world):
    _sms("অবস্থা 123456789012", "ATX-st-2", T0)
    reply = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.recipient == RAHIMA)).all()[-1]
    assert reply.language == "bn"


def test_sms_no_after_a_decision_and_appeal_when_overdue(ctx, world):
    g = resolved(world)
    _sms(f"NO {g.tracking_code}", "ATX-no-1", T0 + DAY)
    assert builders.find(g.tracking_code).level == "upazila"
    code = builders.lodge(BARIA).tracking_code
    due = builders.find(code).due_at
    _sms(f"আপিল {code}", "ATX-ap-1", due - DAY)  # not yet overdue: refused, nothing changes
    assert builders.find(code).level == "union"
    _sms(f"APPEAL {code}", "ATX-ap-2", due + DAY)
    g = builders.find(code)
    assert g.level == "upazila" and events_of(g)[-1].type == "appealed"
