"""Reference data every deployment starts with: programmes, categories and default time limits."""
from __future__ import annotations

import sqlalchemy as sa

from escalation import policy as defaults

from ..extensions import db
from ..models import Category, Programme, SlaPolicy, Tier

PROGRAMMES = (
    ("OAA", "Old Age Allowance", "বয়স্ক ভাতা"),
    ("WA", "Widow Allowance", "বিধবা ভাতা"),
    ("DA", "Disability Allowance", "প্রতিবন্ধী ভাতা"),
    ("MA", "Maternity Allowance", "মাতৃত্বকালীন ভাতা"),
    ("CT", "Cash Transfer", "নগদ অর্থ সহায়তা"),
    ("PW", "Public Works (Employment Generation)", "কর্মসৃজন কর্মসূচি"),
    ("FN", "Food and Nutrition Support", "খাদ্য ও পুষ্টি সহায়তা"),
    ("IGA", "Income-Generating Activities", "আয়বর্ধক কার্যক্রম"),
)

# (code, English, Bangla, sensitive, start tier, ack days, resolve days). None: the default, which for
# sensitive categories is 1 and 5 working days (a programme may set e.g. 2 for GBV, 3 for corruption).
CATEGORIES = (
    ("exclusion", "Exclusion error (eligible but left out)", "বাদ পড়া (যোগ্য কিন্তু তালিকায় নেই)", False, None, None, None),
    ("inclusion", "Inclusion error (ineligible but enrolled)", "অযোগ্য ব্যক্তি তালিকাভুক্ত", False, None, None, None),
    ("payment", "Payment (late, short, deducted, bribe asked)", "ভাতা প্রদান (দেরি, কম, কর্তন, ঘুষ দাবি)", False, None, None, None),
    ("data_correction", "Data correction", "তথ্য সংশোধন", False, None, None, None),
    ("selection_appeal", "Appeal of a selection decision", "নির্বাচনের সিদ্ধান্তের বিরুদ্ধে আপিল", False, None, None, None),
    ("service_quality", "Service quality", "সেবার মান", False, None, None, None),
    ("misconduct", "Misconduct by staff", "কর্মচারীর অসদাচরণ", False, None, None, None),
    ("corruption", "Corruption or fraud by officials", "দুর্নীতি বা প্রতারণা", True, "district", None, None),
    ("sea_gbv", "Sexual exploitation, abuse or gender-based violence", "যৌন শোষণ, নির্যাতন বা লিঙ্গভিত্তিক সহিংসতা", True, "district", None, None),
    ("information", "Information request", "তথ্যের অনুরোধ", False, None, None, None),
    ("other", "Other", "অন্যান্য", False, None, None, None),
)


def seed_reference() -> dict[str, int]:
    """Create the programmes, categories and tier policies that are missing; never overwrite edits."""
    created = {"programmes": 0, "categories": 0, "policies": 0}
    for code, en, bn in PROGRAMMES:
        if db.session.scalar(sa.select(Programme.id).where(Programme.code == code)) is None:
            db.session.add(Programme(code=code, name_en=en, name_bn=bn))
            created["programmes"] += 1
    tiers = set(db.session.scalars(sa.select(Tier.code)).all())
    for code, en, bn, sensitive, start, ack, resolve in CATEGORIES:
        cat = db.session.scalar(sa.select(Category).where(Category.code == code))
        if cat is None:
            cat = Category(code=code, name_en=en, name_bn=bn, sensitive=sensitive,
                           start_tier=start if start in tiers else None)
            db.session.add(cat)
            db.session.flush()
            created["categories"] += 1
        if sensitive or resolve:
            for tier in tiers:
                if _policy(tier, cat.id) is None:
                    db.session.add(SlaPolicy(tier=tier, category_id=cat.id, kind="grievance",
                                             ack_days=ack or (defaults.SENSITIVE_ACK_DAYS if sensitive
                                                              else defaults.DEFAULT_ACK_DAYS),
                                             resolve_days=resolve or defaults.SENSITIVE_RESOLVE_DAYS,
                                             extension_days=defaults.DEFAULT_EXTENSION_DAYS))
                    created["policies"] += 1
    for tier in tiers:
        if _policy(tier, None) is None:
            db.session.add(SlaPolicy(tier=tier, category_id=None, kind="grievance",
                                     ack_days=defaults.DEFAULT_ACK_DAYS,
                                     resolve_days=defaults.DEFAULT_RESOLVE_DAYS.get(
                                         tier, defaults.DEFAULT_RESOLVE_DAYS_OTHER),
                                     extension_days=defaults.DEFAULT_EXTENSION_DAYS))
            created["policies"] += 1
        if _policy(tier, None, "appeal") is None:
            db.session.add(SlaPolicy(tier=tier, category_id=None, kind="appeal",
                                     ack_days=defaults.DEFAULT_ACK_DAYS,
                                     resolve_days=defaults.DEFAULT_APPEAL_DAYS,
                                     extension_days=defaults.DEFAULT_EXTENSION_DAYS))
            created["policies"] += 1
    db.session.commit()
    return created


def _policy(tier: str, category_id: int | None, kind: str = "grievance") -> SlaPolicy | None:
    return db.session.scalar(sa.select(SlaPolicy).where(
        SlaPolicy.tier == tier, SlaPolicy.kind == kind,
        SlaPolicy.category_id.is_(None) if category_id is None else SlaPolicy.category_id == category_id))
