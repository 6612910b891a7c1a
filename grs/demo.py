"""Demo data: a real slice of Bangladesh, its offices, one account per role and a year of grievances."""
from __future__ import annotations

import logging
import os
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from . import services as svc
from .errors import DomainError
from .models import Grievance, Office, OutboxMessage, Programme, User
from .services.accounts import create_user
from .services.actors import Actor
from .services.areas import import_areas
from .services.reference import CATEGORIES, seed_reference
from .timeutil import as_utc
from .uow import unit_of_work

DEMO_AREAS = os.path.join(os.path.dirname(__file__), "demo_data", "areas.csv")
DEMO_PASSWORD = "demo-pass-2026"
SAMPLE_COUNT = 300

# (email, role, area code or None, office code or None, sees sensitive, language)
ACCOUNTS = (
    ("admin@grs.demo", "admin", "BD", None, True, "en"),
    ("operator@grs.demo", "operator", "BD", None, False, "bn"),
    ("officer.baria@grs.demo", "officer", None, "OFF-BD-UN-2869", False, "bn"),
    ("officer.basan@grs.demo", "officer", None, "OFF-BD-UN-2870", False, "bn"),
    ("officer.sadar@grs.demo", "officer", None, "OFF-BD-UPZ-320", False, "en"),
    ("officer.gazipur@grs.demo", "officer", None, "OFF-BD-DIS-41", True, "en"),
    ("officer.national@grs.demo", "officer", None, "BD-NATIONAL", True, "en"),
    ("supervisor@grs.demo", "supervisor", "BD-DIS-41", None, True, "en"),
    ("facilitator@grs.demo", "facilitator", "BD-UPZ-320", None, False, "bn"),
    ("analyst@grs.demo", "analyst", "BD", None, False, "en"),
)

DESCRIPTIONS_EN = (
    "My old age allowance has not been paid for the last two instalments.",
    "The payment agent deducted 200 taka from my allowance without a reason.",
    "I am a widow and eligible but my name is not on the beneficiary list.",
    "My national ID number is wrong in the programme records, so payment fails.",
    "A man who owns land and a shop was selected while poor families were left out.",
    "The union office asked for money to put my name on the list.",
    "Nobody at the office tells us when the next payment will come.",
    "The public works site paid us for 30 days instead of 40.",
    "My mother has a disability card but the allowance was stopped.",
    "The maternity allowance was promised but I received nothing after delivery.",
)
DESCRIPTIONS_BN = (
    "গত দুই কিস্তি আমার বয়স্ক ভাতা দেওয়া হয়নি।",
    "এজেন্ট আমার ভাতা থেকে কারণ ছাড়াই ২০০ টাকা কেটে নিয়েছে।",
    "আমি বিধবা এবং যোগ্য, কিন্তু তালিকায় আমার নাম নেই।",
    "আমার জাতীয় পরিচয়পত্রের নম্বর ভুল লেখা হয়েছে, তাই টাকা আসে না।",
    "ইউনিয়ন অফিস তালিকায় নাম তোলার জন্য টাকা চেয়েছে।",
)
NAMES = ("Rahima Begum", "Abdul Karim", "Salma Khatun", "Jamal Uddin", "Fatema Akter", "Nurul Islam",
         "Shefali Rani", "Motaleb Mia", "Rokeya Begum", "Habibur Rahman")
CHANNEL_WEIGHTS = (("web", 15), ("sms", 30), ("ussd", 15), ("operator", 25), ("paper", 10), ("hearing", 3),
                   ("audit", 2))


def load_demo(*, now: datetime, only_if_empty: bool = False) -> list[str]:
    """Load everything the demo shows, as of `now`, in one unit of work; running it again adds nothing."""
    out: list[str] = []
    with unit_of_work() as uow:
        if only_if_empty and uow.session.scalar(sa.select(sa.func.count()).select_from(Grievance)):
            return ["demo: database already has grievances, left as it is"]
        report = import_areas(uow, DEMO_AREAS, uow.settings.country, with_offices=True)
        out += ["areas: " + "; ".join(report.lines())]
        created = seed_reference(uow)
        out.append("reference: " + ", ".join(f"{k} +{v}" for k, v in created.items()))
        out += _accounts(uow)
        # A line per sample action would bury the accounts and passwords printed above.
        service_log = logging.getLogger("grs.services")
        level = service_log.level
        service_log.setLevel(logging.WARNING)
        try:
            out.append(_samples(uow, as_utc(now)))
            from social_audit import demo as accountability_demo

            out.append(accountability_demo.load(uow, now=as_utc(now), facilitator_email="facilitator@grs.demo",
                                                admin_email="admin@grs.demo"))
        finally:
            service_log.setLevel(level)
    return out


def _accounts(uow) -> list[str]:
    lines = ["accounts (password for all: %s):" % DEMO_PASSWORD]
    for email, role, area, office, sensitive, lang in ACCOUNTS:
        if uow.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            create_user(uow, email, DEMO_PASSWORD, role, area_code=area, office_code=office,
                        can_see_sensitive=sensitive, language=lang)
        lines.append(f"  {role:<11} {email}")
    return lines


def _samples(uow, now: datetime) -> str:
    rng = random.Random(20261122)
    session = uow.session
    union_codes = session.scalars(
        sa.select(Office.code).where(Office.tier == "union").order_by(Office.code)).all()
    unions = [c.removeprefix("OFF-") for c in union_codes]
    # Most complaints come from a few unions, as in real programmes.
    # The demo officers' unions (Baria, Basan) and their neighbours get the most, so every account
    # opens on real work.
    hot = [u for u in ("BD-UN-2869", "BD-UN-2870", "BD-UN-2871", "BD-UN-2877") if u in unions] or unions[:4]
    programmes = session.scalars(sa.select(Programme.code).order_by(Programme.id)).all()
    categories = [c[0] for c in CATEGORIES]
    cat_weights = [3 if c in ("payment", "exclusion") else 1 for c in categories]
    channels, ch_weights = zip(*CHANNEL_WEIGHTS)
    officer_ids = {o.office_id: o for o in session.scalars(sa.select(User).where(User.role == "officer"))}
    admin = session.scalar(sa.select(User).where(User.role == "admin"))
    made = 0
    for n in range(SAMPLE_COUNT):
        ref = f"demo-{n:04d}"
        channel = rng.choices(channels, ch_weights)[0]
        if session.scalar(sa.select(Grievance.id).where(Grievance.source_ref == ref)):
            continue
        # Skewed towards recent months, as a live programme's caseload is.
        lodged_at = now - timedelta(days=1 + 364 * rng.random() ** 1.6, minutes=rng.randint(0, 600))
        bangla = rng.random() < 0.5
        area = rng.choice(hot) if rng.random() < 0.6 else rng.choice(unions)
        anonymous = rng.random() < 0.12
        person = None if anonymous else svc.ComplainantIn(
            name=rng.choice(NAMES), phone=f"+88017{rng.randint(10000000, 99999999)}",
            sex=rng.choice(("female", "female", "male")), age_band=rng.choice(("18_34", "35_59", "60_plus")),
            disability=rng.random() < 0.15)
        intake = svc.Intake(
            channel=channel, programme=rng.choice(programmes), category=rng.choices(categories, cat_weights)[0],
            description=rng.choice(DESCRIPTIONS_BN if bangla else DESCRIPTIONS_EN),
            area=None if rng.random() < 0.04 else area, language="bn" if bangla else "en", complainant=person,
            source_ref=ref)
        g = svc.lodge(uow, intake, actor=Actor.citizen(channel), now=lodged_at)
        _progress(uow, g, rng, lodged_at, now, officer_ids, admin)
        made += 1
    # What the demo "sent" in the past was sent; only new messages go through the dispatcher.
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.created_at < now - timedelta(minutes=1))
                    .values(status="sent", provider="demo", sent_at=OutboxMessage.created_at))
    total = session.scalar(sa.select(sa.func.count()).select_from(Grievance))
    return f"grievances: {made} new, {total} in all"


def _progress(uow, g, rng: random.Random, lodged_at, now, officers: dict, admin) -> None:
    """Walk a sample grievance some way through its life, at plausible times before now."""
    code = g.tracking_code
    t = lodged_at
    age_days = (now - lodged_at).days

    def step(action: str, hours: float, **kw) -> bool:
        nonlocal t
        t = t + timedelta(hours=hours)
        if t >= now:
            return False
        actor_user = officers.get(g.office_id) or admin
        try:
            svc.act(uow, code, svc.ActionRequest(action, **kw), actor=Actor.staff(actor_user), now=t)
        except DomainError:  # a sample that cannot take this step simply stops here (act rolled it back)
            return False
        return True

    if g.office_id is None:
        if age_days > 3 and rng.random() < 0.7:
            step("place", 20, area=rng.choice(("BD-UN-2869", "BD-UN-2870", "BD-UN-2877")), note="placed by operator")
        else:
            return
    fate = rng.random()
    if age_days < 12 and fate < 0.6:
        return  # fresh and untouched
    if not step("acknowledge", rng.uniform(2, 40)):
        return
    if fate < 0.08:
        step("reject", rng.uniform(5, 48), reason_code="unrelated", note="Not about a social protection programme.")
        return
    if not step("start", rng.uniform(5, 72)):
        return
    if fate < 0.18 and step("request_info", 24, note="Please send your beneficiary card number."):
        if not step("resume", rng.uniform(24, 120), note="Card number received."):
            return
    if fate > 0.8:
        return  # still in progress, probably overdue by now
    if not step("resolve", rng.uniform(24, 24 * 12), decision=rng.choice(("upheld", "upheld", "partly_upheld",
                                                                            "not_upheld")),
                resolution="Payment restored and arrears paid through the union office."):
        return
    answer = rng.random()
    if answer < 0.55:
        step("feedback", rng.uniform(2, 72), satisfied=True)
    elif answer < 0.7:
        step("appeal", rng.uniform(2, 72), note="Citizen not satisfied with the outcome.")
    elif age_days > 20:
        step("close", 24 * 15, note="No answer from the complainant within the window.")
