"""An unpaired surrogate ("\\ud800" in JSON) is valid JSON but not text a database can store: every JSON
body with one, in any field, is a 400 that says nothing was saved, never a 500 (issue 11, finding 7)."""
from __future__ import annotations

import builders
import pytest
import sqlalchemy as sa
from builders import BARIA

from grs.extensions import db
from grs.models import Grievance

pytestmark = pytest.mark.both_backends  # PostgreSQL is the one that refused to store it


def raw_json(client, path, text: str, headers):
    return client.post(path, data=text.encode(), content_type="application/json", headers=headers)


def count(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(Grievance))


@pytest.mark.parametrize("field", ["description", "complainant.name", "complainant.beneficiary_id"])
def test_a_lodge_with_a_lone_surrogate_is_a_400_and_stores_nothing(app, client, auth, field):
    before = count(app)
    body = {"description": '"My allowance"', "name": '"Rahima"', "beneficiary_id": '"OAA-1"'}
    body[field.split(".")[-1]] = '"bad \\ud800 text"'
    text = ('{"channel": "api", "programme": "OAA", "category": "payment", "area": "%s", '
            '"description": %s, "language": "bn", "complainant": {"name": %s, "phone": "01712345678", '
            '"beneficiary_id": %s}}' % (BARIA, body["description"], body["name"], body["beneficiary_id"]))
    r = raw_json(client, "/api/v1/grievances", text, auth("operator"))
    assert r.status_code == 400, r.get_data(as_text=True)
    assert "unpaired surrogate" in r.get_json()["error"]["message"] and "nothing was saved" in \
        r.get_json()["error"]["message"]
    assert count(app) == before


def test_an_action_a_webhook_and_an_accountability_record_refuse_it_too(app, client, auth, world):
    code = builders.lodge_in(app, BARIA)
    r = raw_json(client, f"/api/v1/grievances/{code}/actions",
                 '{"action": "resolve", "decision": "upheld", "resolution": "Paid \\udfff."}', auth("officer_baria"))
    assert r.status_code == 400
    with app.app_context():
        assert builders.find(code).status != "resolved"
    r = raw_json(client, "/api/v1/webhooks", '{"url": "https://mis.example/hook", "secret": "s\\ud800cret-1234567890", '
                 '"events": ["lodged"]}', auth("admin"))
    assert r.status_code == 400
    r = raw_json(client, "/api/v1/forums", '{"name": "\\ud800 forum"}', auth("admin"))
    assert r.status_code == 400


def test_a_pair_of_escapes_is_the_character_it_stands_for(app, client, auth):
    text = ('{"channel": "api", "programme": "OAA", "category": "payment", "area": "%s", '
            '"description": "Not paid \\ud83d\\ude1e", "language": "bn", "complainant": {"phone": "01712345678"}}'
            % BARIA)
    r = raw_json(client, "/api/v1/grievances", text, auth("operator"))
    assert r.status_code == 201, r.get_data(as_text=True)
    assert r.get_json()["description"] == "Not paid 😞"
