"""Rejecting takes the contract's reason_code: offered as a select on the case page, required by the
service and the API, stored on the `rejected` event, and told to the complainant in plain words."""
from __future__ import annotations

import re

import builders
from builders import BARIA

from grs import services as svc


def test_case_page_offers_the_reasons_and_stores_the_chosen_one(app, world, client_as):
    code = builders.lodge_in(app, BARIA)
    c = client_as("officer_baria")
    html = c.get(f"/cases/{code}").get_data(as_text=True)
    form = html.split(f'action="/cases/{code}/actions/reject"', 1)[1].split("</form>", 1)[0]
    assert set(re.findall(r'<option[^>]*value="(\w*)"', form)) == {"", *svc.REJECT_REASONS}
    assert "Not about a programme (unrelated)" in form
    r = c.post(f"/cases/{code}/actions/reject", data={"note": "About a road."})
    assert r.status_code == 422 and "Choose why the grievance is rejected." in r.get_data(as_text=True)
    r = c.post(f"/cases/{code}/actions/reject", data={"note": "About a road.", "reason_code": "unrelated"})
    assert r.status_code == 302
    with app.app_context():
        g = builders.find(code)
        assert g.status == "rejected"
        assert g.events[-1].type == "rejected" and g.events[-1].data["reason_code"] == "unrelated"
    assert "Not about a programme (unrelated)" in c.get(f"/cases/{code}").get_data(as_text=True)


def test_track_page_says_why_in_plain_words(app, world, client):
    code = builders.lodge_in(app, BARIA)
    builders.act_in(app, world, "officer_baria", code, "reject", note="Duplicate of 1234.",
                    reason_code="duplicate")
    text = client.get(f"/track/{code}").get_data(as_text=True)
    assert "It repeats a complaint already made." in text
    assert "Duplicate of 1234." in text  # the officer's reason, written for the complainant, in full


def test_api_reject_stores_the_reason(client, auth, world, app):
    code = builders.lodge_in(app, BARIA)
    r = client.post(f"/api/v1/grievances/{code}/actions", headers=auth("officer_baria"),
                    json={"action": "reject", "note": "Withdrawn by phone.", "reason_code": "withdrawn"})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["events"][-1]["data"]["reason_code"] == "withdrawn"
