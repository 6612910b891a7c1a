"""Reference data every deployment starts with: programmes, categories and default time limits."""
from __future__ import annotations

import os

import sqlalchemy as sa

from escalation.admin import load_policies

from ..models import Category, Programme, Tier

DEFAULT_POLICIES = os.path.join(os.path.dirname(__file__), "..", "..", "escalation", "default_policies.json")

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

# (code, English, Bangla, sensitive, start tier). Time limits live in escalation/default_policies.json
# (sensitive categories: acknowledge in 1, resolve in 5 working days; a programme may set e.g. 2 for GBV).
CATEGORIES = (
    ("exclusion", "Exclusion error (eligible but left out)", "বাদ পড়া (যোগ্য কিন্তু তালিকায় নেই)", False, None),
    ("inclusion", "Inclusion error (ineligible but enrolled)", "অযোগ্য ব্যক্তি তালিকাভুক্ত", False, None),
    ("payment", "Payment (late, short, deducted, bribe asked)", "ভাতা প্রদান (দেরি, কম, কর্তন, ঘুষ দাবি)", False, None),
    ("data_correction", "Data correction", "তথ্য সংশোধন", False, None),
    ("selection_appeal", "Appeal of a selection decision", "নির্বাচনের সিদ্ধান্তের বিরুদ্ধে আপিল", False, None),
    ("service_quality", "Service quality", "সেবার মান", False, None),
    ("misconduct", "Misconduct by staff", "কর্মচারীর অসদাচরণ", False, None),
    ("corruption", "Corruption or fraud by officials", "দুর্নীতি বা প্রতারণা", True, "district"),
    ("sea_gbv", "Sexual exploitation, abuse or gender-based violence", "যৌন শোষণ, নির্যাতন বা লিঙ্গভিত্তিক সহিংসতা", True, "district"),
    ("information", "Information request", "তথ্যের অনুরোধ", False, None),
    ("other", "Other", "অন্যান্য", False, None),
)


def seed_reference(uow) -> dict[str, int]:
    """Create the programmes, categories and tier policies that are missing; never overwrite edits."""
    created = {"programmes": 0, "categories": 0, "policies": 0}
    for code, en, bn in PROGRAMMES:
        if uow.session.scalar(sa.select(Programme.id).where(Programme.code == code)) is None:
            uow.session.add(Programme(code=code, name_en=en, name_bn=bn))
            created["programmes"] += 1
    tiers = set(uow.session.scalars(sa.select(Tier.code)).all())
    for code, en, bn, sensitive, start in CATEGORIES:
        cat = uow.session.scalar(sa.select(Category).where(Category.code == code))
        if cat is None:
            cat = Category(code=code, name_en=en, name_bn=bn, sensitive=sensitive,
                           start_tier=start if start in tiers else None)
            uow.session.add(cat)
            uow.session.flush()
            created["categories"] += 1
    uow.session.flush()
    created["policies"], _ = load_policies(uow, DEFAULT_POLICIES)
    return created
