"""Issue 10, items 1 and 2: the complainant reads the officer's question and the decision in full, and
answers an information request by any channel; the answer attaches to the waiting grievance, resumes
its clock and tells the office. A pause has a limit the sweep enforces."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from channels.sms.service import InboundSms, receive
from escalation.sweep import sweep
from grs import services as svc
from grs.errors import Forbidden, InvalidTransition, ValidationError
from grs.extensions import db
from grs.models import Grievance, InboundMessage, OutboxMessage
from grs.segments import measure
from grs.services import asking
from grs.services.actors import Actor
from grs.uow import unit_of_work

pytestmark = pytest.mark.both_backends

PHONE = "+8801712345678"
DAY = timedelta(days=1)
# 150 Bangla characters: the longest question the issue says must reach the complainant whole.
QUESTION_BN = ("আপনার ভাতা বইয়ের নম্বর, জাতীয় পরিচয়পত্রের নম্বর এবং শেষ কবে টাকা পেয়েছেন তা জানান। "
               "ব্যাংক এজেন্টের রসিদের ছবি থাকলে পাঠান, না থাকলে ইউনিয়ন অফিসে আসুন।")
QUESTION_BN = (QUESTION_BN * 2)[:150]
RESOLUTION = ("Your allowance for July to September was paid into your bank account on 12 March; the agent "
              "who held it back was suspended. Collect it at the Baria union office with your card.")


def sms(text: str, n: int, sender: str = PHONE):
    with unit_of_work() as uow:
        return receive(uow, InboundSms("africastalking", f"AT-{n}", sender, text), now=T0 + n * DAY,
                       reply_inline=False)


def outbox(g: Grievance, template: str, recipient: str | None = PHONE) -> list[OutboxMessage]:
    q = sa.select(OutboxMessage).where(OutboxMessage.grievance_id == g.id, OutboxMessage.template == template)
    if recipient:
        q = q.where(OutboxMessage.recipient == recipient)
    return db.session.scalars(q.order_by(OutboxMessage.id)).all()


def reload(code: str) -> Grievance:
    db.session.expire_all()
    return builders.find(code)


def officer_by_sms(world, key: str = "officer_baria") -> None:
    u = world.user(key)
    u.notify_by, u.phone = "sms", "+8801811111111"
    db.session.commit()


def lodged_by_sms(world, text: str = "আমার বয়স্ক ভাতার টাকা পাইনি। বাড়ীয়া ইউনিয়ন") -> Grievance:
    handled = sms(text, 0)
    assert handled.command == "lodge"
    return reload(handled.tracking_code)


def ask(world, code: str, question: str, when=T0 + DAY) -> Grievance:
    builders.act(world, "officer_baria", code, "acknowledge", now=when)
    return builders.act(world, "officer_baria", code, "request_info", note=question, now=when)


def test_sms_lodge_bangla_question_plain_reply_and_decision_reach_the_complainant(ctx, world):
    officer_by_sms(world)
    g = lodged_by_sms(world)
    code = g.tracking_code
    assert g.language == "bn" and g.office.code == "OFF-BD-UN-2869"
    assert len(QUESTION_BN) == 150
    ask(world, code, QUESTION_BN)
    g = reload(code)
    assert g.status == "awaiting_info" and g.paused_at is not None
    (msg,) = outbox(g, "info_requested")
    assert QUESTION_BN in msg.body and msg.segments <= 3 and measure(msg.body) == ("UCS-2", msg.segments)
    assert f"তথ্য {code}" in msg.body  # it teaches how to answer
    due_before = g.due_at
    grievances_before = db.session.scalar(sa.select(sa.func.count(Grievance.id)))

    handled = sms("আমার বই নম্বর ১২৩৪৫, শেষ টাকা পেয়েছি জানুয়ারিতে।", 5)
    assert (handled.command, handled.tracking_code) == ("info", code)
    g = reload(code)
    assert db.session.scalar(sa.select(sa.func.count(Grievance.id))) == grievances_before  # no new grievance
    assert g.status == "in_progress" and g.paused_at is None
    assert g.due_at > due_before  # the clock resumed, pushed by the days it waited
    ev = g.events[-1]
    assert ev.type == "info_added" and ev.note.startswith("আমার বই নম্বর") and ev.data["channel"] == "sms"
    assert ev.data["paused_working_days"] >= 3 and ev.actor_label == "citizen:sms"
    assert outbox(g, "info_added", "+8801811111111")  # the office is told
    (reply,) = outbox(g, "info_attached")
    assert code in reply.body.replace(" ", "")  # says which complaint it went to
    inbound = db.session.scalar(sa.select(InboundMessage).where(InboundMessage.provider_message_id == "AT-5"))
    assert (inbound.command, inbound.grievance_id) == ("info", g.id)

    builders.act(world, "officer_baria", code, "resolve", decision="upheld", resolution=RESOLUTION, now=T0 + 6 * DAY)
    g = reload(code)
    (decided,) = outbox(g, "resolved")
    assert decided.segments <= 3
    assert RESOLUTION[:40] in decided.body and f"হ্যাঁ {code}" in decided.body and f"না {code}" in decided.body  # Bangla keywords taught
    d = asking.decision_of(g)
    assert (d.kind, d.decision, d.text) == ("resolved", "upheld", RESOLUTION)


def test_a_decision_text_too_long_for_three_segments_is_cut_in_the_sms_only(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "acknowledge")
    long_text = RESOLUTION * 4
    builders.act(world, "officer_baria", code, "resolve", decision="partly_upheld", resolution=long_text)
    g = reload(code)
    (msg,) = outbox(g, "resolved")
    assert msg.segments == 3 and "..." in msg.body and "partly upheld" in msg.body
    assert g.resolution == long_text and asking.decision_of(g).text == long_text


def test_a_rejection_tells_the_reason_in_plain_words_and_the_text(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "reject", reason_code="unrelated",
                 note="Land disputes are handled by the land office at the upazila.")
    g = reload(code)
    (msg,) = outbox(g, "rejected")
    assert "not about a programme" in msg.body and "land office" in msg.body and msg.segments <= 3
    d = asking.decision_of(g)
    assert (d.kind, d.reason_code) == ("rejected", "unrelated")


def test_the_question_limit_comes_from_the_template_and_the_service_refuses_more(ctx, world):
    with unit_of_work(read_only=True) as uow:
        bn, en = asking.question_limits(uow, "bn"), asking.question_limits(uow, "en")
    assert 150 <= bn["ucs2"] < 201 and bn["gsm"] == bn["ucs2"]  # a Bangla text is UCS-2 whatever the question
    assert 380 <= en["gsm"] < 459 and 100 <= en["ucs2"] < 201
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "acknowledge")
    with pytest.raises(ValidationError) as err:
        builders.act(world, "officer_baria", code, "request_info", note="x" * (en["gsm"] + 1))
    assert "note" in err.value.fields and str(en["gsm"]) in err.value.fields["note"]
    assert reload(code).status == "acknowledged"
    builders.act(world, "officer_baria", code, "request_info", note="x" * en["gsm"])
    (msg,) = outbox(reload(code), "info_requested")
    assert msg.segments == 3 and "x" * en["gsm"] in msg.body


@pytest.mark.config(SMS_NUMBER="16262")
def test_a_short_code_in_the_text_still_leaves_a_bangla_question_150_characters(ctx):
    with unit_of_work(read_only=True) as uow:
        assert asking.question_limits(uow, "bn")["ucs2"] >= 150
        assert asking.question_limits(uow, "en")["gsm"] >= 380


@pytest.mark.parametrize("keyword", ["INFO", "info", "তথ্য"])
def test_info_keyword_always_attaches_even_with_two_waiting(ctx, world, keyword):
    first = lodged_by_sms(world).tracking_code
    second = reload(sms("Basan union: my disability allowance stopped", 1).tracking_code).tracking_code
    ask(world, first, "Which month was the last payment?")
    builders.act(world, "officer_basan", second, "acknowledge")
    builders.act(world, "officer_basan", second, "request_info", note="Send your card number.")
    spaced = " ".join(second[i:i + 4] for i in (0, 4, 8))
    handled = sms(f"{keyword} {spaced} card 5566", 4)
    assert (handled.command, handled.tracking_code) == ("info", second)
    g = reload(second)
    assert g.status == "in_progress" and g.events[-1].note == "card 5566"
    assert reload(first).status == "awaiting_info"


def test_plain_text_with_two_waiting_grievances_is_a_new_complaint(ctx, world):
    first = lodged_by_sms(world).tracking_code
    second = sms("Basan union: my disability allowance stopped", 1).tracking_code
    ask(world, first, "Which month was the last payment?")
    builders.act(world, "officer_basan", second, "acknowledge")
    builders.act(world, "officer_basan", second, "request_info", note="Send your card number.")
    handled = sms("The agent asked me for 500 taka", 4)
    assert handled.command == "lodge" and handled.tracking_code not in (first, second)
    assert reload(first).status == reload(second).status == "awaiting_info"


def test_info_for_someone_elses_or_a_not_waiting_grievance_is_refused(ctx, world):
    code = lodged_by_sms(world).tracking_code
    handled = sms(f"INFO {code} here it is", 2)
    assert handled.command == "info" and reload(code).status == "received"
    assert outbox(reload(code), "sms_info_refused")
    ask(world, code, "Which month?")
    other = sms(f"INFO {code} not mine", 3, sender="+8801999999999")
    assert other.command == "info" and reload(code).status == "awaiting_info"


def test_staff_add_info_as_the_operator_for_a_caller_and_who_may_not(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    ask(world, code, "Which payment point?")
    with pytest.raises(Forbidden):
        builders.act(world, "officer_baria", code, "add_info", note="x")
    with pytest.raises(ValidationError) as err:
        builders.act(world, "operator", code, "add_info", note=" ")
    assert "text" in err.value.fields
    builders.act(world, "operator", code, "add_info", note="The caller says: the post office in Baria.")
    g = reload(code)
    ev = g.events[-1]
    assert (ev.type, ev.data["channel"], ev.actor_id) == ("info_added", "operator", world.user("operator").id)
    with pytest.raises(InvalidTransition):
        builders.act(world, "operator", code, "add_info", note="again")


def test_add_info_attachment_is_checked_as_on_the_lodge_form(ctx, world):
    code = builders.lodge(BARIA).tracking_code
    ask(world, code, "Send a photo of your card.")
    fake = svc.AttachmentIn("card.png", "image/png", b"not a png")
    with pytest.raises(ValidationError) as err:
        builders.run(svc.act, code, svc.ActionRequest("add_info", note="here", attachments=(fake,)),
                     actor=Actor.citizen("web"), now=T0 + DAY)
    assert "attachment" in err.value.fields and reload(code).status == "awaiting_info"
    png = svc.AttachmentIn("card.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    builders.run(svc.act, code, svc.ActionRequest("add_info", note="here", attachments=(png,)),
                 actor=Actor.citizen("web"), now=T0 + DAY)
    g = reload(code)
    assert g.status == "in_progress" and len(g.attachments) == 1 and g.events[-1].data["attachments"] == 1


def test_the_sweep_ends_a_pause_past_its_limit_once(ctx, world):
    officer_by_sms(world)
    code = builders.lodge(BARIA).tracking_code
    ask(world, code, "Which payment point?", when=T0)
    g = reload(code)
    assert sweep(T0 + 10 * DAY).unpaused == []  # within 15 working days
    assert reload(code).status == "awaiting_info"
    limit_at = asking_limit(code)
    result = sweep(limit_at + timedelta(minutes=1))
    assert result.unpaused == [code]
    g = reload(code)
    assert g.status == "in_progress" and g.paused_at is None and g.due_at is not None
    ev = g.events[-1]
    assert ev.type == "resumed" and ev.data["pause_limit"] is True and ev.data["paused_working_days"] == 15
    assert outbox(g, "pause_ended") and outbox(g, "pause_ended_office", "+8801811111111")
    n = g.event_count
    again = sweep(limit_at + timedelta(minutes=2))
    assert again.unpaused == [] and reload(code).event_count == n
    assert len(outbox(reload(code), "pause_ended")) == 1


def asking_limit(code: str):
    from grs.services import clocks
    with unit_of_work(read_only=True) as uow:
        g = builders.find(code)
        return clocks.calendar(uow, g, g.clock_started_at).add_working_days(g.paused_at, 15)


def test_a_policy_sets_a_shorter_pause_limit(ctx, world):
    from escalation.admin import PolicyIn, save_policy
    code = builders.lodge(BARIA).tracking_code
    builders.run(save_policy, PolicyIn(tier="union", kind="grievance", ack_days=2, resolve_days=7, extension_days=10,
                                       pause_days=5), actor=world.actor("admin"), now=T0)
    ask(world, code, "Which payment point?", when=T0)
    with unit_of_work(read_only=True) as uow:
        g = builders.find(code)
        from grs.services import clocks
        five = clocks.calendar(uow, g, g.clock_started_at).add_working_days(g.paused_at, 5)
    assert sweep(five - timedelta(minutes=1)).unpaused == []
    assert sweep(five + timedelta(minutes=1)).unpaused == [code]
    g = reload(code)
    assert g.status == "in_progress" and g.events[-1].data["paused_working_days"] >= 5
