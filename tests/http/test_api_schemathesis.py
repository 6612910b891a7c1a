"""Property-based test of the whole JSON API, driven by its own OpenAPI document (schemathesis).

Every operation of GET /api/v1/openapi.json is called in-process (the WSGI app, no port) with requests
schemathesis builds from the document — valid ones and ones that break it (negative mode) — as a national
admin and as a scoped officer, on the test world with grievances in several states. Each answer must be
no 500, a status code the document lists for that operation, its content type, and a body that fits the
schema documented for that status. Deterministic (derandomized, no example database) and bounded:
EXAMPLES per operation and role (GRS_SCHEMATHESIS_EXAMPLES=200 for a longer hunt). Destructive calls
(actions, deletes) are fine: each test's database is rolled back.
"""
from __future__ import annotations

import json
import os

import builders
import pytest
import schemathesis
from builders import BARIA, BARMI, BASAN, GAZIPUR, SADAR
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from grs.api import openapi

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = int(os.environ.get("GRS_SCHEMATHESIS_EXAMPLES", "20"))
ROLES = ("admin", "officer_baria")

# Real codes of the test world for the parameters and body fields that name one: random strings almost
# never do, and the interesting paths (a real programme, a real grievance) would go untried.
KNOWN = {
    "programme": ["OAA", "WA"], "category": ["payment", "other", "corruption"], "area": [BARIA, SADAR, GAZIPUR],
    "parent": [GAZIPUR, SADAR], "level": ["union", "upazila", "district"], "tier": ["union", "upazila"],
    "office": ["OFF-BD-UN-2870", "OFF-BD-UPZ-320"], "channel": ["web", "sms"], "phone": ["01712345678"],
    "decision": ["upheld"], "reason_code": ["unrelated"], "sub_id": ["1"], "call_id": ["1"], "policy_id": ["1", "40"],
    "holiday_id": ["1"], "attachment_id": ["1"],
}

DOCUMENT = openapi.document()


def _group(path: str) -> str:
    """Operations are tested in groups of one resource, so that each test's set-up serves several."""
    return path.strip("/").split("/")[0]


GROUPS = sorted({_group(path) for path in DOCUMENT["paths"]})
_schemas: dict[str, object] = {}
_strategies: dict[tuple[str, str, str], object] = {}


def _schema(served: dict):
    """The schemathesis schema of the document the app serves (loaded once per distinct document)."""
    key = json.dumps(served, sort_keys=True)
    if key not in _schemas:
        _schemas[key] = schemathesis.openapi.from_dict(served)
    return key, _schemas[key]


def _strategy(key: str, schema, path: str, method: str):
    if (key, path, method) not in _strategies:
        operation = schema[path][method.upper()]
        _strategies[(key, path, method)] = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    return _strategies[(key, path, method)]


@pytest.fixture
def codes(app, world):
    """Grievances in several states, in and out of the officer's office, one with no office yet."""
    fresh = builders.lodge_in(app, BARIA)
    resolved = builders.lodge_in(app, BARIA, phone=None)
    builders.act_in(app, world, "officer_baria", resolved, "resolve", decision="upheld", resolution="Paid.")
    elsewhere = builders.lodge_in(app, BARMI, channel="sms")
    triage = builders.lodge_in(app, None)
    basan = builders.lodge_in(app, BASAN)
    builders.act_in(app, world, "officer_basan", basan, "reject", note="Not ours.", reason_code="unrelated")
    return [fresh, resolved, elsewhere, triage, basan]


@pytest.mark.slow  # property-based over every operation and role: a long proof, run in CI
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("group", GROUPS)
def test_every_operation_answers_as_documented(app, client, auth, codes, group, role):
    served = client.get("/api/v1/openapi.json").get_json()
    key, schema = _schema(served)
    headers = auth(role)
    known = {**KNOWN, "code": codes + [BARIA]}  # /areas/{code} takes an area code
    known.update(grievance=codes, recipient=["01712345678", "+8801712345678"])  # /messages' filters
    operations = [(path, method) for path, item in served["paths"].items() for method in item
                  if _group(path) == group]
    assert operations
    for path, method in operations:

        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=_strategy(key, schema, path, method), data=st.data())
        def check(case, data):
            for part in (case.path_parameters, case.query, case.body):
                if isinstance(part, dict):
                    for name in [k for k in part if k in known]:
                        part[name] = data.draw(st.sampled_from([part[name], *known[name]]))
            response = case.call(app=app, headers=headers)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except Exception as e:
            e.add_note(f"operation: {method.upper()} {path} as {role}")
            raise
