"""Demo accountability records: a forum at each tier over Gazipur Sadar, two scorecard cycles of the Old
Age Allowance in Baria six months apart (so the trend shows), a social audit with findings, a public
hearing with commitments, awareness events and a citizen report card — some raised as grievances, some
commitments done on time and one past its date, so every page shows real content."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from grs.countries import profile
from grs.models import Area, OutboxMessage, User

from . import services as svc
from .models import Forum
from .services import ActivityIn, FollowUpIn, ForumIn, GroupIn, InputIn, ItemIn, LodgeIn, MemberIn, ScoreIn, TeamIn

FORUMS = (  # (name, tier, area code)
    ("Baria Union Social Protection Forum", "union", "BD-UN-2869"),
    ("Basan Union Social Protection Forum", "union", "BD-UN-2870"),
    ("Gazipur Sadar Upazila Social Protection Forum", "upazila", "BD-UPZ-320"),
    ("Gazipur District Social Protection Forum", "district", "BD-DIS-41"),
    ("National Social Protection Forum", "national", "BD"),
)
NGO = "Uttaran"


def load(uow, *, now: datetime, facilitator_email: str, admin_email: str) -> str:
    """Create the demo records once (a second run finds the forums and adds nothing)."""
    session = uow.session
    if session.scalar(sa.select(sa.func.count()).select_from(Forum)):
        return "accountability: forums already there, left as they are"
    admin = session.scalar(sa.select(User).where(User.email == admin_email))
    facilitator = session.scalar(sa.select(User).where(User.email == facilitator_email))
    areas = set(session.scalars(sa.select(Area.code)).all())
    if admin is None or facilitator is None or not {code for _, _, code in FORUMS} <= areas:
        return "accountability: demo areas or accounts missing, skipped"
    forums = {}
    for name, tier, code in FORUMS:
        members = [MemberIn("Shahana Parvin", role="chair", sex="female", organisation="Women's group"),
                   MemberIn("Abdul Mannan", role="member", sex="male", organisation="Retired teacher")]
        if tier in ("union", "upazila"):
            members.insert(0, MemberIn("Demo facilitator", role="facilitator", sex="female",
                                       organisation=NGO, user_email=facilitator_email))
        forums[code] = svc.create_forum(uow, ForumIn(name=name, tier=tier, ngo=NGO, area=code,
                                                     members=tuple(members)), user=admin)
    today = now.astimezone(ZoneInfo(profile(uow.settings.country).timezone)).date()
    baria = forums["BD-UN-2869"].id
    cycles = [_scorecard(uow, baria, today - timedelta(days=200), facilitator, now, first=True),
              _scorecard(uow, baria, today - timedelta(days=20), facilitator, now, first=False)]
    audit = _audit(uow, forums["BD-UPZ-320"].id, today - timedelta(days=45), facilitator, now)
    hearing = _hearing(uow, forums["BD-UPZ-320"].id, today - timedelta(days=30), facilitator, now)
    events = _awareness(uow, forums, today, facilitator, now)
    card = _report_card(uow, forums["BD-UN-2870"].id, today - timedelta(days=60), facilitator, now)
    # What the forums' grievances "sent" the morning after each meeting was sent then (as grs/demo.py does).
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.created_at < now - timedelta(minutes=1),
                                                   OutboxMessage.status == "queued")
                    .values(status="sent", provider="demo", sent_at=OutboxMessage.created_at))
    return (f"accountability: {len(forums)} forums, {len(cycles)} scorecard cycles, 1 social audit "
            f"({len(audit.items)} findings), 1 public hearing ({len(hearing.items)} issues and commitments), "
            f"{events} awareness events, 1 report card ({len(card.items)} results)")


def _scorecard(uow, forum_id, held_on: date, user, now, *, first: bool):
    a = svc.record_activity(uow, ActivityIn(
        kind="scorecard", forum_id=forum_id, area="BD-UN-2869", programme="OAA", held_on=held_on,
        title=f"Old Age Allowance scorecard, Baria ({'first' if first else 'second'} cycle)",
        service_point="Baria Union Parishad payment point", women=21, men=17, total=38,
        interface_attendees="UP chairman, Upazila Social Services Officer, payment agent, 3 UP members",
        groups=(GroupIn("Elderly women", kind="elderly", women=14, with_disability=3, age_band="60_plus"),
                GroupIn("Elderly men", kind="elderly", men=11, with_disability=2, age_band="60_plus"),
                GroupIn("People with disabilities", kind="disability", women=4, men=5, with_disability=9)),
        inputs=(InputIn("Allowance per month", "600 taka", "600 taka" if not first else "500 taka",
                        None if not first else "Agent keeps 100 taka per payment"),
                InputIn("Payment dates", "Every 3 months, announced", "Every 4–5 months, not announced"),
                InputIn("Staff present on payment day", "2 officials", "1 official")),
        indicators=("paid_in_full", "paid_on_time", "respectful_staff", "complaints_answered")), user=user, now=now)
    community = ((2, 1, 3, 2), (2, 2, 3, 1), (1, 2, 2, 2)) if first else ((4, 2, 4, 3), (4, 3, 4, 3), (3, 2, 3, 3))
    provider = (5, 4, 5, 4) if first else (5, 4, 5, 4)
    scores = []
    for group, row in zip(a.groups, community):
        for ci, value in zip(a.indicators, row):
            scores.append(ScoreIn(ci.id, value, group.id, "Deductions at the payment point" if value <= 2 else None,
                                  "Pay by mobile money" if value <= 2 else None))
    for ci, value in zip(a.indicators, provider):
        scores.append(ScoreIn(ci.id, value, None))
    svc.set_scores(uow, a.id, scores, user=user)
    first_item = svc.add_item(uow, a.id, ItemIn(
        kind="action", title="Stop deductions by the payment agent", action="Move payment to mobile money",
        responsible="Upazila Social Services Officer", due_on=held_on + timedelta(days=60)), user=user)
    svc.add_item(uow, a.id, ItemIn(kind="action", title="Announce payment dates at the mosque and market",
                                   action="Miking two days before each payment", responsible="UP secretary",
                                   due_on=held_on + timedelta(days=14)), user=user)
    if first:
        svc.follow_up(uow, first_item.id, FollowUpIn(held_on + timedelta(days=50), "Agent replaced; bKash payments "
                                                                                   "started in two wards", "done"),
                      user=user, now=now)
        svc.lodge_item(uow, first_item.id, LodgeIn(category="payment"), user=user,
                  now=_soon_after(held_on, now))
    return a


def _audit(uow, forum_id, held_on: date, user, now):
    a = svc.record_activity(uow, ActivityIn(
        kind="audit", forum_id=forum_id, area="BD-UN-2870", programme="OAA", held_on=held_on,
        title="Social audit of the Old Age Allowance, Basan", period_from=held_on - timedelta(days=365),
        period_to=held_on - timedelta(days=30), records_examined="Beneficiary list, payment sheets, UP resolutions",
        checked=160, found=151, not_found=9, ineligible=7, amount_due=1152000, amount_paid=1060800,
        women=64, men=48, total=112,
        team=(TeamIn("Nasrin Akter", "Team lead", "BD-UN-2877"), TeamIn("Kamal Hossain", "Member", "BD-UN-2869"),
              TeamIn("Rina Das", "Member", "BD-UN-2870"))), user=user, now=now)
    f1 = svc.add_item(uow, a.id, ItemIn(kind="finding", title="Nine listed beneficiaries could not be found",
                                        finding_type="missing_beneficiary", amount=64800,
                                        responsible="UP secretary",
                                        description="Payments for nine names continued after they moved away or died."),
                      user=user)
    svc.add_item(uow, a.id, ItemIn(kind="finding", title="Seven enrolled people are not eligible",
                                   finding_type="ineligible_beneficiary", amount=50400,
                                   responsible="Union selection committee"), user=user)
    svc.add_item(uow, a.id, ItemIn(kind="finding", title="100 taka deducted at each payment",
                                   finding_type="unauthorised_deduction", amount=27600, responsible="Payment agent"),
                 user=user)
    svc.lodge_item(uow, f1.id, LodgeIn(category="inclusion"), user=user,
                  now=_soon_after(held_on, now))
    return a


def _hearing(uow, forum_id, held_on: date, user, now):
    a = svc.record_activity(uow, ActivityIn(
        kind="hearing", forum_id=forum_id, area="BD-UPZ-320", programme="WA", held_on=held_on,
        title="Public hearing on the Widow Allowance, Gazipur Sadar", women=142, men=58, total=200,
        panel="Upazila Nirbahi Officer, Upazila Social Services Officer, two UP chairmen"), user=user, now=now)
    issue = svc.add_item(uow, a.id, ItemIn(kind="issue", title="Widows asked for 2,000 taka to be put on the list",
                                           description="Raised by three women from Baria ward 4."), user=user)
    svc.add_item(uow, a.id, ItemIn(kind="issue", title="The payment point is 8 km away"), user=user)
    svc.add_item(uow, a.id, ItemIn(kind="commitment", title="Review the waiting list in open meetings",
                                   responsible="Upazila Nirbahi Officer", due_on=held_on + timedelta(days=15)),
                 user=user)  # past its date, not done
    done = svc.add_item(uow, a.id, ItemIn(kind="commitment", title="A second payment point in Basan",
                                          responsible="Upazila Social Services Officer",
                                          due_on=held_on + timedelta(days=25)), user=user)
    svc.follow_up(uow, done.id, FollowUpIn(held_on + timedelta(days=20), "Payment point opened at Basan UP",
                                           "done"), user=user, now=now)
    svc.lodge_item(uow, issue.id, LodgeIn(category="corruption", programme="WA"), user=user,
                  now=_soon_after(held_on, now))
    return a


def _awareness(uow, forums, today: date, user, now) -> int:
    events = (("BD-UN-2869", "courtyard_meeting", "Courtyard meeting on allowances and complaints", 38, 9, 70),
              ("BD-UN-2870", "video_show", "Video show: how to complain by SMS", 120, 85, 45),
              ("BD-UPZ-320", "school_programme", "School programme on social protection", 160, 140, 30))
    for code, kind, title, women, men, days in events:
        svc.record_activity(uow, ActivityIn(kind="awareness", forum_id=forums[code].id, area=code, title=title, held_on=today
                                            - timedelta(days=days), event_type=kind, women=women, men=men),
                            user=user, now=now)
    return len(events)


def _report_card(uow, forum_id, held_on: date, user, now):
    a = svc.record_activity(uow, ActivityIn(
        kind="report_card", forum_id=forum_id, area="BD-UN-2870", programme="OAA", held_on=held_on,
        title="Citizen report card: Old Age Allowance, Basan", period_from=held_on - timedelta(days=180),
        period_to=held_on, groups=(GroupIn("Respondents", women=58, men=42, with_disability=11),)),
        user=user, now=now)
    svc.add_item(uow, a.id, ItemIn(kind="result", title="Was the last payment on time?",
                                   results={"Yes": 41, "No": 59}), user=user)
    svc.add_item(uow, a.id, ItemIn(kind="result", title="Did anyone ask you for money?",
                                   results={"Yes": 23, "No": 77}), user=user)
    return a


def _soon_after(held_on: date, now: datetime) -> datetime:
    """When the forum lodges what a meeting raised: the morning after it (a finding older than the paper
    limit, GRS_RECEIVED_MAX_AGE_DAYS, would need a supervisor), never after the demo's now."""
    return min(now, datetime.combine(held_on + timedelta(days=1), time(4, 0), tzinfo=timezone.utc))
