"""The scorecard indicator library every deployment starts with: indicators for any programme, and
those of particular programmes (by programme code). A cycle picks from these or words its own."""
from __future__ import annotations

import sqlalchemy as sa

from grs.models import Programme

from .models import Indicator

# (programme code or None for any, code, English, other languages)
INDICATORS = (
    (None, "paid_in_full", "Allowance paid in full, with nothing deducted", {"bn": "কোনো কর্তন ছাড়াই পুরো ভাতা পাওয়া যায়"}),
    (None, "paid_on_time", "Payment comes on the announced date", {"bn": "ঘোষিত তারিখে ভাতা পাওয়া যায়"}),
    (None, "fair_selection", "Beneficiaries are selected fairly and openly", {"bn": "উপকারভোগী নির্বাচন ন্যায্য ও স্বচ্ছ"}),
    (None, "no_bribe", "Nobody asks for money to enrol or to pay", {"bn": "তালিকাভুক্তি বা ভাতার জন্য কেউ টাকা চায় না"}),
    (None, "respectful_staff", "Staff treat us with respect", {"bn": "কর্মচারীরা সম্মানের সঙ্গে আচরণ করেন"}),
    (None, "informed", "We are told what we are entitled to and of changes", {"bn": "প্রাপ্য ও পরিবর্তন সম্পর্কে আমাদের জানানো হয়"}),
    (None, "complaints_answered", "Complaints are heard and answered", {"bn": "অভিযোগ শোনা হয় ও উত্তর দেওয়া হয়"}),
    (None, "payment_point_access", "The payment point is easy to reach, also with a disability",
     {"bn": "ভাতা দেওয়ার স্থানে সহজে যাওয়া যায়, প্রতিবন্ধী ব্যক্তিরাও"}),
    ("PW", "wages_every_day", "Wages are paid for every day worked", {"bn": "কাজের প্রতিটি দিনের মজুরি দেওয়া হয়"}),
    ("PW", "worksite_safe", "The work site has shade, water and first aid", {"bn": "কর্মস্থলে ছায়া, পানি ও প্রাথমিক চিকিৎসা আছে"}),
    ("MA", "starts_in_pregnancy", "The allowance starts during pregnancy, as promised", {"bn": "প্রতিশ্রুতি অনুযায়ী গর্ভাবস্থায় ভাতা শুরু হয়"}),
)


def seed_indicators(uow) -> int:
    """Add the library's indicators that are missing (programmes not loaded are skipped); never overwrite."""
    session = uow.session
    programmes = dict(session.execute(sa.select(Programme.code, Programme.id)).all())
    existing = set(session.execute(sa.select(Indicator.programme_id, Indicator.code)).all())
    made = 0
    for programme, code, en, names in INDICATORS:
        pid = programmes.get(programme) if programme else None
        if programme and pid is None:
            continue
        if (pid, code) in existing:
            continue
        session.add(Indicator(programme_id=pid, code=code, name_en=en, names=dict(names)))
        made += 1
    session.flush()
    return made
