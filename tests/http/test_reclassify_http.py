"""Changing a grievance's category (issue 12, item 3) through the API and the case page: a bribe reported as a
late payment goes to the confidential district office, an event records why, and a sensitive case is never
transferred below its start tier (409)."""
import re

import builders
import pytest
from builders import BARIA

from grs import statistics
from grs.extensions import db
from grs.timeutil import utcnow

lodge = builders.lodge_in


def act(client, headers, code, **body):
    return client.post(f"/api/v1/grievances/{code}/actions", json=body, headers=headers)


def test_reclassify_through_the_api_moves_a_bribe_to_the_district(app, client, auth, world):
    code = lodge(app, BARIA, now=utcnow())
    officer = auth("officer_baria")
    r = act(client, officer, code, action="reclassify", category="corruption")
    assert r.status_code == 422 and "note" in r.get_json()["error"]["fields"]
    r = act(client, officer, code, action="reclassify", category="corruption",
            note="The agent asked 500 taka before paying.")
    assert r.status_code == 200, r.get_json()
    # The officer of the union may no longer see it: it went to the district, confidentially.
    district = auth("officer_gazipur")
    got = client.get(f"/api/v1/grievances/{code}", headers=district).get_json()
    assert got["category"] == "corruption" and got["office"]["code"] == "OFF-BD-DIS-41"
    assert got["events"][-1]["type"] == "reclassified"
    assert client.get(f"/api/v1/grievances/{code}", headers=officer).status_code == 403
    r = act(client, district, code, action="transfer", office="OFF-BD-UPZ-320", note="Let the upazila look.")
    assert r.status_code == 409 and "district tier or above" in r.get_json()["error"]["message"]
    with app.app_context():
        assert statistics.stored_counts(db.session) == statistics.recount(db.session)


def test_reclassify_is_listed_among_the_actions(client, auth, world):
    actions = client.get("/api/v1/actions", headers=auth("admin")).get_json()
    found = [a for a in actions.get("items", actions) if isinstance(a, dict) and a.get("action", a.get("code"))
             == "reclassify"]
    assert found, actions


def test_the_case_page_offers_the_change_of_category(app, world, client_as):
    code = lodge(app, BARIA)
    c = client_as("officer_baria")
    html = c.get(f"/cases/{code}").get_data(as_text=True)
    assert f'action="/cases/{code}/actions/reclassify"' in html
    assert 'value="corruption"' in html and 'value="payment"' not in html.split("actions/reclassify", 1)[1] \
        .split("</form>", 1)[0]  # its own category is not offered
    r = c.post(f"/cases/{code}/actions/reclassify", data={"category": "data_correction", "note": ""})
    assert r.status_code == 422
    r = c.post(f"/cases/{code}/actions/reclassify",
               data={"category": "data_correction", "note": "The name is misspelt, nothing was paid late."})
    assert r.status_code == 302
    html = c.get(f"/cases/{code}").get_data(as_text=True)
    assert "Category changed" in html and "The name is misspelt" in html


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_the_change_of_category_needs_the_csrf_token(app, world, client_as):
    code = lodge(app, BARIA)
    c = client_as("officer_baria")
    html = c.get(f"/cases/{code}").get_data(as_text=True)
    data = {"category": "data_correction", "note": "Wrong NID."}
    assert c.post(f"/cases/{code}/actions/reclassify", data=data).status_code == 400
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert c.post(f"/cases/{code}/actions/reclassify", data={**data, "csrf_token": token}).status_code == 302


def test_the_case_page_in_bangla_names_the_action(app, world, client_as):
    code = lodge(app, BARIA)
    c = client_as("officer_baria")
    html = c.get(f"/cases/{code}?lang=bn", headers={"Accept-Language": "bn"}).get_data(as_text=True)
    assert "ধরন পরিবর্তন করুন" in html
