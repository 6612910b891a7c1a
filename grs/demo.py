"""Demo data for the running country (GRS_COUNTRY): its pack's areas, offices, reference data and policies,
one account per role and a year of grievances in the pack's languages (grs/packs/<cc>/demo.json). Bangladesh
is a real slice of the country with the accountability records (social_audit/demo.py) besides."""
from __future__ import annotations

import logging
import os
import random
from datetime import datetime, timedelta

import sqlalchemy as sa

from . import services as svc
from .countries import profile, read_json
from .errors import DomainError
from .models import Area, Category, Grievance, Office, OutboxMessage, Programme, User
from .services.accounts import create_user
from .services.actors import Actor
from .services.areas import import_areas
from .services.reference import seed_reference
from .timeutil import as_utc
from .uow import unit_of_work

DEMO_AREAS = os.path.join(os.path.dirname(__file__), "demo_data", "areas.csv")
DEMO_PASSWORD = "demo-pass-2026"
SAMPLE_COUNT = 300

# What the sample staff write at each step, unless the pack's demo.json words it in its own language ("notes").
NOTES = {"place": "placed by operator", "reject": "Not about a social protection programme.",
         "request_info": "Please send your beneficiary card number.", "resume": "Card number received.",
         "appeal": "Citizen not satisfied with the outcome.",
         "close": "No answer from the complainant within the window."}
CHANNEL_WEIGHTS = (("web", 15), ("sms", 30), ("ussd", 15), ("operator", 25), ("paper", 10), ("hearing", 3),
                   ("audit", 2))


def demo_spec(country: str) -> dict:
    """The pack's demo.json: accounts, the areas most samples come from, sample texts (see grs/packs/bd)."""
    spec = read_json(country, "demo.json")
    if spec is None:
        raise ValueError(f"the {country} pack has no demo.json: `grs demo` needs one (docs/operations.md)")
    return spec


def load_demo(*, now: datetime, only_if_empty: bool = False) -> list[str]:
    """Load everything the demo shows, as of `now`, in one unit of work; running it again adds nothing."""
    out: list[str] = []
    with unit_of_work() as uow:
        if only_if_empty and uow.session.scalar(sa.select(sa.func.count()).select_from(Grievance)):
            return ["demo: database already has grievances, left as it is"]
        country = uow.settings.country
        spec = demo_spec(country)
        other = uow.session.scalar(sa.select(Area.code).where(Area.parent_id.is_(None), Area.code != country).limit(1))
        if other is not None:  # one database, one country: its areas, tiers and policies are another's
            raise DomainError(f"this database holds {other}'s areas, not {country}'s: run the {country} demo on "
                              f"its own database (GRS_DATABASE_URL or GRS_INSTANCE_PATH)")
        report = import_areas(uow, profile(country).areas_file, country, with_offices=True)
        out += ["areas: " + "; ".join(report.lines())]
        created = seed_reference(uow)
        out.append("reference: " + ", ".join(f"{k} +{v}" for k, v in created.items()))
        out += _accounts(uow, spec)
        # A line per sample action would bury the accounts and passwords printed above.
        service_log = logging.getLogger("grs.services")
        level = service_log.level
        service_log.setLevel(logging.WARNING)
        try:
            out.append(_samples(uow, as_utc(now), spec))
            if spec.get("accountability"):
                from social_audit import demo as accountability_demo

                emails = {a["role"]: a["email"] for a in reversed(spec["accounts"])}
                out.append(accountability_demo.load(uow, now=as_utc(now), facilitator_email=emails["facilitator"],
                                                    admin_email=emails["admin"]))
        finally:
            service_log.setLevel(level)
    return out


def _accounts(uow, spec: dict) -> list[str]:
    lines = ["accounts (password for all: %s):" % DEMO_PASSWORD]
    for a in spec["accounts"]:
        email, role = a["email"], a["role"]
        if uow.session.scalar(sa.select(User.id).where(User.email == email)) is None:
            create_user(uow, email, DEMO_PASSWORD, role, area_code=a.get("area"), office_code=a.get("office"),
                        can_see_sensitive=bool(a.get("sensitive")), appellate=bool(a.get("appellate")),
                        language=a.get("language") or "en")
        lines.append(f"  {role + (' (appellate)' if a.get('appellate') else ''):<11} {email}")
    return lines


def _samples(uow, now: datetime, spec: dict) -> str:
    rng = random.Random(20261122)
    session = uow.session
    lowest = profile(uow.settings.country).tiers[0][0]
    lowest_codes = session.scalars(
        sa.select(Office.code).where(Office.tier == lowest).order_by(Office.code)).all()
    places = [c.removeprefix("OFF-") for c in lowest_codes]
    # Most complaints come from a few lowest-tier areas, as in real programmes: the demo officers' ones and
    # their neighbours get the most, so every account opens on real work.
    hot = [u for u in spec.get("hot_areas", ()) if u in places] or places[:4]
    programmes = session.scalars(sa.select(Programme.code).order_by(Programme.id)).all()
    categories = session.scalars(sa.select(Category.code).where(Category.active.is_(True))
                                 .order_by(Category.id)).all()
    cat_weights = [3 if c in ("payment", "exclusion") else 1 for c in categories]
    channels, ch_weights = zip(*CHANNEL_WEIGHTS)
    languages = list(spec["sample_languages"].items())  # the share of samples in each language
    phone = spec["phone"]
    # The office's first-tier officer acts on its samples (not its appellate officer).
    officer_ids = {o.office_id: o for o in session.scalars(sa.select(User).where(
        User.role == "officer", User.appellate.is_(False)).order_by(User.id))}
    admin = session.scalar(sa.select(User).where(User.role == "admin"))
    made = 0
    for n in range(SAMPLE_COUNT):
        ref = f"demo-{n:04d}"
        channel = rng.choices(channels, ch_weights)[0]
        if session.scalar(sa.select(Grievance.id).where(Grievance.source_ref == ref)):
            continue
        # Skewed towards recent months, as a live programme's caseload is.
        lodged_at = now - timedelta(days=1 + 364 * rng.random() ** 1.6, minutes=rng.randint(0, 600))
        lang = _pick(languages, rng.random())
        area = rng.choice(hot) if rng.random() < 0.6 else rng.choice(places)
        anonymous = rng.random() < 0.12
        person = None if anonymous else svc.ComplainantIn(
            name=rng.choice(spec["names"]),
            phone=f"{phone['prefix']}{rng.randint(10 ** (phone['digits'] - 1), 10 ** phone['digits'] - 1)}",
            sex=rng.choice(("female", "female", "male")), age_band=rng.choice(("18_34", "35_59", "60_plus")),
            disability=rng.random() < 0.15)
        intake = svc.Intake(
            channel=channel, programme=rng.choice(programmes), category=rng.choices(categories, cat_weights)[0],
            description=rng.choice(spec["descriptions"][lang]),
            area=None if rng.random() < 0.04 else area, language=lang, complainant=person,
            source_ref=ref)
        g = svc.lodge(uow, intake, actor=Actor.citizen(channel), now=lodged_at)
        _progress(uow, g, rng, lodged_at, now, officer_ids, admin, spec)
        made += 1
    # What the demo "sent" in the past was sent; only new messages go through the dispatcher.
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.created_at < now - timedelta(minutes=1))
                    .values(status="sent", provider="demo", sent_at=OutboxMessage.created_at))
    total = session.scalar(sa.select(sa.func.count()).select_from(Grievance))
    return f"grievances: {made} new, {total} in all"


def _pick(shares: list[tuple[str, float]], r: float) -> str:
    """The language whose share `r` (0..1) falls in, in the order given (the last one past the end)."""
    for lang, share in shares:
        if r < share:
            return lang
        r -= share
    return shares[-1][0]


def _progress(uow, g, rng: random.Random, lodged_at, now, officers: dict, admin, spec: dict) -> None:
    """Walk a sample grievance some way through its life, at plausible times before now."""
    code = g.tracking_code
    t = lodged_at
    notes = {**NOTES, **spec.get("notes", {})}
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
            step("place", 20, area=rng.choice(spec["place_areas"]), note=notes["place"])
        else:
            return
    fate = rng.random()
    if age_days < 12 and fate < 0.6:
        return  # fresh and untouched
    if not step("acknowledge", rng.uniform(2, 40)):
        return
    if fate < 0.08:
        step("reject", rng.uniform(5, 48), reason_code="unrelated", note=notes["reject"])
        return
    if not step("start", rng.uniform(5, 72)):
        return
    if fate < 0.18 and step("request_info", 24, note=notes["request_info"]):
        if not step("resume", rng.uniform(24, 120), note=notes["resume"]):
            return
    if fate > 0.8:
        return  # still in progress, probably overdue by now
    if not step("resolve", rng.uniform(24, 24 * 12), decision=rng.choice(("upheld", "upheld", "partly_upheld",
                                                                            "not_upheld")),
                resolution=spec["resolution"]):
        return
    answer = rng.random()
    if answer < 0.55:
        step("feedback", rng.uniform(2, 72), satisfied=True)
    elif answer < 0.7:
        step("appeal", rng.uniform(2, 72), note=notes["appeal"])
    elif age_days > 20:
        step("close", 24 * 15, note=notes["close"])
