"""Reference data every deployment starts with: programmes, categories and default time limits."""
from __future__ import annotations

import os

import sqlalchemy as sa

from escalation.admin import load_policies

from ..models import Category, Programme, Tier
from ..timeutil import utcnow
from . import admin_audit

DEFAULT_POLICIES = os.path.join(os.path.dirname(__file__), "..", "..", "escalation", "default_policies.json")

# (code, English, other languages: language code -> name)
PROGRAMMES = (
    ("OAA", "Old Age Allowance", {"bn": "বয়স্ক ভাতা"}),
    ("WA", "Widow Allowance", {"bn": "বিধবা ভাতা"}),
    ("DA", "Disability Allowance", {"bn": "প্রতিবন্ধী ভাতা"}),
    ("MA", "Maternity Allowance", {"bn": "মাতৃত্বকালীন ভাতা"}),
    ("CT", "Cash Transfer", {"bn": "নগদ অর্থ সহায়তা"}),
    ("PW", "Public Works (Employment Generation)", {"bn": "কর্মসৃজন কর্মসূচি"}),
    ("FN", "Food and Nutrition Support", {"bn": "খাদ্য ও পুষ্টি সহায়তা"}),
    ("IGA", "Income-Generating Activities", {"bn": "আয়বর্ধক কার্যক্রম"}),
)

# (code, English, other languages, sensitive, start tier). A start tier "+2" skips the two lowest tiers of the
# country's ladder (grs.services.routing.resolve_start_rank): Bangladesh's district, as the GRS sends complaints
# against officials, bribes and SEA/GBV to a higher office confidentially; Nigeria's and Somalia's state,
# Mali's region. Complaints against staff (misconduct) and bribes asked (corruption) are sensitive: the
# union office they name must not see them. Time limits live in escalation/default_policies.json
# (sensitive categories: acknowledge in 1, resolve in 5 working days; a programme may set e.g. 2 for GBV).
CATEGORIES = (
    ("exclusion", "Exclusion error (eligible but left out)", {"bn": "বাদ পড়া (যোগ্য কিন্তু তালিকায় নেই)"}, False, None),
    ("inclusion", "Inclusion error (ineligible but enrolled)", {"bn": "অযোগ্য ব্যক্তি তালিকাভুক্ত"}, False, None),
    ("payment", "Payment (late, short, deducted, bribe asked)", {"bn": "ভাতা প্রদান (দেরি, কম, কর্তন, ঘুষ দাবি)"}, False, None),
    ("data_correction", "Data correction", {"bn": "তথ্য সংশোধন"}, False, None),
    ("selection_appeal", "Appeal of a selection decision", {"bn": "নির্বাচনের সিদ্ধান্তের বিরুদ্ধে আপিল"}, False, None),
    ("service_quality", "Service quality", {"bn": "সেবার মান"}, False, None),
    ("misconduct", "Misconduct by staff", {"bn": "কর্মচারীর অসদাচরণ"}, True, "+2"),
    ("corruption", "Corruption or fraud by officials", {"bn": "দুর্নীতি বা প্রতারণা"}, True, "+2"),
    ("sea_gbv", "Sexual exploitation, abuse or gender-based violence", {"bn": "যৌন শোষণ, নির্যাতন বা লিঙ্গভিত্তিক সহিংসতা"}, True, "+2"),
    ("information", "Information request", {"bn": "তথ্যের অনুরোধ"}, False, None),
    ("other", "Other", {"bn": "অন্যান্য"}, False, None),
)


def seed_reference(uow) -> dict[str, int]:
    """Create the programmes, categories and tier policies that are missing; never overwrite edits."""
    created = {"programmes": 0, "categories": 0, "policies": 0, "scorecard indicators": 0}
    for code, en, names in PROGRAMMES:
        if uow.session.scalar(sa.select(Programme.id).where(Programme.code == code)) is None:
            uow.session.add(Programme(code=code, name_en=en, names=dict(names)))
            created["programmes"] += 1
    tiers = set(uow.session.scalars(sa.select(Tier.code)).all())
    for code, en, names, sensitive, start in CATEGORIES:
        cat = uow.session.scalar(sa.select(Category).where(Category.code == code))
        if cat is None:
            cat = Category(code=code, name_en=en, names=dict(names), sensitive=sensitive,
                           start_tier=start if start is None or start in tiers or start.startswith("+") else None)
            uow.session.add(cat)
            uow.session.flush()
            created["categories"] += 1
    uow.session.flush()
    created["policies"], _ = load_policies(uow, DEFAULT_POLICIES)
    from social_audit.library import seed_indicators  # the forums' scorecard library rides along

    created["scorecard indicators"] = seed_indicators(uow)
    if created["programmes"] or created["categories"]:
        admin_audit.append(uow, "reference_seeded", actor=None, at=utcnow(), target="programmes, categories",
                           data={"programmes": created["programmes"], "categories": created["categories"]})
    return created
