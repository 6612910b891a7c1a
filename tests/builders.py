"""Builders for test data: the demo geography, accounts by role, and grievances in any state."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from grs.demo import DEMO_AREAS
from grs.extensions import db
from grs.models import User
from grs import services as svc
from grs.services.accounts import create_token, create_user
from grs.services.actors import Actor
from grs.services.areas import import_areas
from grs.services.reference import seed_reference
from grs.uow import unit_of_work

PASSWORD = "correct-horse-1"
# A Sunday (a working day in Bangladesh), mid-morning in Dhaka.
T0 = datetime(2026, 3, 1, 4, 0, tzinfo=timezone.utc)

BARIA, BASAN, BARMI = "BD-UN-2869", "BD-UN-2870", "BD-UN-2877"  # Baria, Basan (Gazipur Sadar); Barmi (Sreepur)
SADAR, SREEPUR, GAZIPUR = "BD-UPZ-320", "BD-UPZ-321", "BD-DIS-41"

ACCOUNTS = {
    # key: (role, area, office, sensitive)
    "officer_baria": ("officer", None, "OFF-BD-UN-2869", False),
    "officer_basan": ("officer", None, "OFF-BD-UN-2870", False),
    "officer_sadar": ("officer", None, "OFF-BD-UPZ-320", False),
    "officer_sreepur": ("officer", None, "OFF-BD-UPZ-321", False),
    # The appellate officer of Gazipur Sadar upazila: hears the appeals of its unions (Baria, Basan).
    "appellate_sadar": ("officer", None, "OFF-BD-UPZ-320", False),
    "officer_gazipur": ("officer", None, "OFF-BD-DIS-41", True),
    "officer_gazipur_plain": ("officer", None, "OFF-BD-DIS-41", False),
    "officer_national": ("officer", None, "BD-NATIONAL", True),
    "supervisor": ("supervisor", GAZIPUR, None, True),
    "supervisor_sadar": ("supervisor", SADAR, None, False),
    "operator": ("operator", "BD", None, False),
    "analyst": ("analyst", "BD", None, False),
    "facilitator": ("facilitator", SADAR, None, False),
    "admin": ("admin", "BD", None, True),
}
APPELLATE = frozenset({"appellate_sadar"})  # accounts of ACCOUNTS that are appellate officers of their office


@dataclass
class World:
    emails: dict[str, str]
    password: str = PASSWORD

    def email(self, key: str) -> str:
        return self.emails[key]

    def user(self, key: str) -> User:
        return db.session.scalar(sa.select(User).where(User.email == self.emails[key]))

    def actor(self, key: str) -> Actor:
        return Actor.staff(self.user(key))

    def token(self, key: str) -> str:
        with unit_of_work() as uow:
            return create_token(uow, self.emails[key])


def make_world() -> World:
    with unit_of_work() as uow:
        import_areas(uow, DEMO_AREAS, "BD", with_offices=True)
        seed_reference(uow)
        emails = {}
        for key, (role, area, office, sensitive) in ACCOUNTS.items():
            email = f"{key}@test.grs"
            create_user(uow, email, PASSWORD, role, area_code=area, office_code=office,
                        can_see_sensitive=sensitive, appellate=key in APPELLATE)
            emails[key] = email
    return World(emails)


def intake(area: str | None = BARIA, *, category: str = "payment", programme: str = "OAA",
           channel: str = "web", phone: str | None = "01712345678", language: str = "en",
           description: str = "My allowance was not paid this quarter.", **kw) -> svc.Intake:
    person = svc.ComplainantIn(name="Rahima Begum", phone=phone, sex="female", age_band="60_plus") \
        if phone is not None else None
    return svc.Intake(channel=channel, programme=programme, category=category, description=description,
                      area=area, language=language, complainant=person, **kw)


def lodge(area: str | None = BARIA, *, now: datetime = T0, **kw):
    """Lodge a grievance as a citizen on the web, in its own unit of work; returns the Grievance."""
    with unit_of_work() as uow:
        return svc.lodge(uow, intake(area, **kw), actor=Actor.citizen(kw.get("channel", "web")), now=now)


def act(world: World, who: str, code: str, action: str, *, now: datetime = T0, **kw):
    """Take a lifecycle action in its own unit of work; returns the Grievance."""
    with unit_of_work() as uow:
        return svc.act(uow, code, svc.ActionRequest(action, **kw), actor=world.actor(who), now=now)


def lodge_in(app, area: str | None = BARIA, **kw) -> str:
    """Lodge inside an app context (for HTTP tests); returns the tracking code."""
    with app.app_context():
        return lodge(area, **kw).tracking_code


def act_in(app, world: World, who: str, code: str, action: str, **kw) -> None:
    """Take a lifecycle action inside an app context (for HTTP tests)."""
    with app.app_context():
        act(world, who, code, action, **kw)


def run(service, *args, **kw):
    """Call a service in its own unit of work, as a view or a command does; returns what it returns."""
    with unit_of_work() as uow:
        return service(uow, *args, **kw)


def find(code: str):
    """The grievance with this tracking code, read fresh."""
    return svc.find(db.session, code)


def run_intake_worker(app) -> int:
    """Run the intake worker until nothing is pending (what `grs intake work --once` does): the inbound
    SMS the Africa's Talking webhook recorded become complaints and answers. The number it handled."""
    from channels.sms import intake

    with app.app_context():
        try:
            return intake.work(once=True)
        finally:
            db.session.remove()
