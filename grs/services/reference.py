"""Reference data every deployment starts with: programmes, categories and default time limits."""
from __future__ import annotations

import os

from escalation.admin import load_policies

from ..countries import profile, read_json
from ..timeutil import utcnow
from .reference_admin import load_reference

DEFAULT_POLICIES = os.path.join(os.path.dirname(__file__), "..", "..", "escalation", "default_policies.json")


def pack_reference(country: str) -> dict:
    """The country pack's reference.json: {"programmes": [{code, names, active}], "categories": [{code, names,
    sensitive, start_tier, active}]}, names by language code ("en" always). A start tier "+2" skips the two
    lowest tiers of the country's ladder (grs.services.routing.resolve_start_rank): Bangladesh's district, as
    the GRS sends complaints against officials, bribes and SEA/GBV to a higher office confidentially;
    Nigeria's and Somalia's state, Mali's region. Complaints against staff (misconduct) and bribes asked
    (corruption) are sensitive: the lowest office they name must not see them. Time limits live in the
    pack's policies.json (sensitive categories: acknowledge in 1, resolve in 5 working days)."""
    return read_json(country, "reference.json") or {"programmes": [], "categories": []}


def pack_policies(country: str) -> str:
    """The pack's policies.json (its own tier names); Bangladesh's includes escalation/default_policies.json."""
    path = profile(country).path("policies.json")
    return path if os.path.isfile(path) else DEFAULT_POLICIES


def _tuples(country: str):
    doc = pack_reference(country)
    programmes = tuple((p["code"], p["names"]["en"], {k: v for k, v in p["names"].items() if k != "en"})
                       for p in doc["programmes"])
    categories = tuple((c["code"], c["names"]["en"], {k: v for k, v in c["names"].items() if k != "en"},
                        bool(c.get("sensitive")), c.get("start_tier")) for c in doc["categories"])
    return programmes, categories


# Bangladesh's lists as tuples, for code and tests that name them: (code, English, other languages) and
# (code, English, other languages, sensitive, start tier).
PROGRAMMES, CATEGORIES = _tuples("BD")


def seed_reference(uow) -> dict[str, int]:
    """Create the programmes, categories and tier policies that are missing; never overwrite edits."""
    created = {"programmes": 0, "categories": 0, "policies": 0, "scorecard indicators": 0}
    country = uow.settings.country
    # The pack's reference.json, as `grs reference load` reads it: only what is missing, never an admin's edit.
    loaded = load_reference(uow, pack_reference(country), actor=None, now=utcnow())
    created["programmes"] = loaded["programmes"]["created"]
    created["categories"] = loaded["categories"]["created"]
    created["policies"], _ = load_policies(uow, pack_policies(country))
    from social_audit.library import seed_indicators  # the forums' scorecard library rides along

    created["scorecard indicators"] = seed_indicators(uow)
    return created
