"""Rejecting takes the contract's reason_code: offered as a select on the case page, required by the
service and the API, stored on the `rejected` event, and told to the complainant in plain words."""
from __future__ import annotations

import re

import builders
import pytest
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


@pytest.mark.config(REJECT_REASONS=["duplicate", "unrelated"])
def test_a_deployment_offers_the_reasons_it_chose_in_its_order(app, world, client_as, client, auth):
    """GRS_REJECT_REASONS: the case page offers only those, in that order; the service and the API refuse
    another (422 naming reason_code), and GET /api/v1/actions lists them."""
    code = builders.lodge_in(app, BARIA)
    c = client_as("officer_baria")
    html = c.get(f"/cases/{code}").get_data(as_text=True)
    form = html.split(f'action="/cases/{code}/actions/reject"', 1)[1].split("</form>", 1)[0]
    assert re.findall(r'<option[^>]*value="(\w*)"', form) == ["", "duplicate", "unrelated"]
    r = client.post(f"/api/v1/grievances/{code}/actions", headers=auth("officer_baria"),
                    json={"action": "reject", "note": "Withdrawn by phone.", "reason_code": "withdrawn"})
    assert r.status_code == 422 and "duplicate, unrelated" in r.get_json()["error"]["fields"]["reason_code"]
    assert client.get("/api/v1/actions", headers=auth("officer_baria")).get_json()["reject_reasons"] == \
        ["duplicate", "unrelated"]
    r = c.post(f"/cases/{code}/actions/reject", data={"note": "Same as before.", "reason_code": "duplicate"})
    assert r.status_code == 302


def test_an_unknown_reason_in_the_settings_stops_the_app_at_start():
    from grs.config import from_environment
    from grs.uow import reject_reasons
    assert from_environment({"GRS_REJECT_REASONS": "duplicate, unrelated"})["REJECT_REASONS"] == ["duplicate",
                                                                                                   "unrelated"]
    assert reject_reasons({}) == svc.REJECT_REASONS
    with pytest.raises(ValueError, match="dupe"):
        reject_reasons({"REJECT_REASONS": "dupe,unrelated"})
    from grs import create_app
    with pytest.raises(ValueError, match="dupe"):
        create_app({"REJECT_REASONS": ["dupe"], "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
