"""The case page: details, history, and only the actions this user may take."""
import re

import builders
import pytest
import sqlalchemy as sa
from builders import BARIA, BASAN

from grs.extensions import db
from grs.models import Area
from grs import services as svc

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


lodge, act = builders.lodge_in, builders.act_in


def page(client, code) -> str:
    r = client.get(f"/cases/{code}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def action_forms(html: str) -> set[str]:
    return set(re.findall(r'action="/cases/\d{12}/actions/(\w+)"', html))


def history(html: str) -> str:
    return html.split("<h2>History</h2>", 1)[1]


def test_case_page_shows_details_history_and_full_phone(app, world, client_as):
    code = lodge(app, BARIA, phone="01712345678")
    html = page(client_as("officer_baria"), code)
    assert "Old Age Allowance" in html
    assert "Gazipur › Gazipur Sadar › Baria" in html
    assert "Baria Union Parishad GRS" in html
    assert "+8801712345678" in html  # the full number, for calling back
    assert "Rahima Begum" in html
    assert "My allowance was not paid this quarter." in html
    assert "Complaint lodged" in history(html) and "Sent to the office" in history(html)
    assert "1 Mar 2026, 10:00" in html  # 04:00 UTC shown in Dhaka time


def test_officer_of_the_office_gets_its_actions_only(app, world, client_as):
    code = lodge(app, BARIA)
    forms = action_forms(page(client_as("officer_baria"), code))
    assert forms == {"acknowledge", "start", "resolve", "reject", "transfer", "escalate", "reclassify"}


@pytest.mark.parametrize("who", ["analyst", "facilitator", "officer_sadar"])
def test_readers_get_no_action_forms(app, world, client_as, who):
    code = lodge(app, BARIA)
    html = page(client_as(who), code)  # in scope: they may read it
    assert "Baria Union Parishad GRS" in html
    assert action_forms(html) == set()
    assert "<h2>Actions</h2>" not in html


def test_supervisor_above_may_act(app, world, client_as):
    code = lodge(app, BARIA)
    assert "escalate" in action_forms(page(client_as("supervisor"), code))


def test_other_office_gets_404(app, world, client_as):
    code = lodge(app, BASAN)
    c = client_as("officer_baria")
    assert c.get(f"/cases/{code}").status_code == 404
    r = c.post(f"/cases/{code}/actions/acknowledge")
    assert r.status_code == 404
    assert "Acknowledged" not in history(page(client_as("officer_basan"), code))


def test_spaced_code_redirects_to_the_case(app, world, client_as):
    code = lodge(app, BARIA)
    r = client_as("officer_baria").get(f"/cases/{code[:4]} {code[4:8]} {code[8:]}")
    assert r.status_code == 302 and r.headers["Location"] == f"/cases/{code}"
    assert client_as("officer_baria").get("/cases/123456789012").status_code == 404


def test_acknowledge_then_resolve_appear_in_history(app, world, client_as):
    code = lodge(app, BARIA)
    c = client_as("officer_baria")
    r = c.post(f"/cases/{code}/actions/acknowledge", data={"note": "Checking the payroll."})
    assert r.status_code == 302 and r.headers["Location"] == f"/cases/{code}"
    html = page(c, code)
    assert "The grievance was acknowledged." in html
    assert "Checking the payroll." in history(html) and "officer_baria" in history(html)
    assert '<dd class="status">Acknowledged</dd>' in html

    r = c.post(f"/cases/{code}/actions/resolve",
               data={"decision": "upheld", "resolution": "The missed instalment was paid on 3 March."})
    assert r.status_code == 302
    html = page(c, code)
    assert '<dd class="status">Resolved</dd>' in html
    assert "Resolved: Upheld" in history(html)
    assert "The missed instalment was paid on 3 March." in history(html)
    # The complainant may still answer (YES, or NO to appeal): close is not offered in that window.
    assert action_forms(html) == set()


def test_disallowed_transition_is_409_with_a_message(app, world, client_as):
    code = lodge(app, BARIA)
    r = client_as("officer_baria").post(f"/cases/{code}/actions/resume")
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "cannot resume a grievance that is received" in html
    assert "Work resumed" not in history(html)
    assert '<dd class="status">Received</dd>' in html


def test_missing_resolution_is_422_on_the_form(app, world, client_as):
    code = lodge(app, BARIA)
    r = client_as("officer_baria").post(f"/cases/{code}/actions/resolve", data={"decision": "upheld"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Write the resolution for the complainant." in html
    assert '<dd class="status">Received</dd>' in html


def test_reader_posting_an_action_is_403(app, world, client_as):
    code = lodge(app, BARIA)
    r = client_as("analyst").post(f"/cases/{code}/actions/acknowledge")
    assert r.status_code == 403
    assert "may not acknowledge" in r.get_data(as_text=True)


def test_unknown_action_is_404(app, world, client_as):
    code = lodge(app, BARIA)
    assert client_as("officer_baria").post(f"/cases/{code}/actions/delete").status_code == 404


def test_request_info_then_resume(app, world, client_as):
    code = lodge(app, BARIA)
    act(app, world, "officer_baria", code, "acknowledge")
    c = client_as("officer_baria")
    r = c.post(f"/cases/{code}/actions/request_info", data={"note": "Send a photo of the payment card."})
    assert r.status_code == 302
    html = page(c, code)
    assert "Waiting for information" in html and "clock paused" in html
    assert "resume" in action_forms(html)
    assert c.post(f"/cases/{code}/actions/resume").status_code == 302
    assert "Work resumed" in history(page(c, code))


def test_extend_is_offered_once(app, world, client_as):
    code = lodge(app, BARIA)
    act(app, world, "officer_baria", code, "acknowledge")
    c = client_as("officer_baria")
    assert "extend" in action_forms(page(c, code))
    assert c.post(f"/cases/{code}/actions/extend", data={"note": "Field visit needed."}).status_code == 302
    html = page(c, code)
    assert "Time limit extended" in history(html) and "extend" not in action_forms(html)
    r = c.post(f"/cases/{code}/actions/extend", data={"note": "Again."})
    assert r.status_code == 409 and "already been extended" in r.get_data(as_text=True)


def test_transfer_moves_the_case_to_the_other_union(app, world, client_as):
    code = lodge(app, BARIA)
    c = client_as("officer_baria")
    assert 'value="OFF-BD-UN-2870"' in page(c, code)  # Basan is offered
    r = c.post(f"/cases/{code}/actions/transfer",
               data={"office": "OFF-BD-UN-2870", "note": "The complainant lives in Basan."})
    assert r.status_code == 302
    html = page(c, code)  # past offices keep read access
    assert "Transferred" in history(html) and action_forms(html) == set()
    assert "acknowledge" in action_forms(page(client_as("officer_basan"), code))


def test_operator_places_a_triaged_case(app, world, client_as):
    code = lodge(app, None)
    c = client_as("operator")
    assert action_forms(page(c, code)) == {"place"}  # operators place; officers reject
    r = c.post(f"/cases/{code}/actions/place", data={"area": "NOWHERE"})
    assert r.status_code == 422 and "Unknown area." in r.get_data(as_text=True)
    assert c.post(f"/cases/{code}/actions/place", data={"area": BARIA}).status_code == 302
    assert code in client_as("officer_baria").get("/cases/").get_data(as_text=True)


def test_attachment_download_is_scoped(app, world, client_as):
    with app.app_context():
        code = builders.lodge(BARIA, attachments=(svc.AttachmentIn("slip.png", "image/png", PNG),)).tracking_code
    c = client_as("officer_baria")
    html = page(c, code)
    link = re.search(r'href="(/cases/\d{12}/attachments/\d+)">slip.png</a>', html).group(1)
    r = c.get(link)
    assert r.status_code == 200 and r.data == PNG
    assert "attachment" in r.headers["Content-Disposition"] and "slip.png" in r.headers["Content-Disposition"]
    assert client_as("officer_basan").get(link).status_code == 404
    other = lodge(app, BARIA)
    assert c.get(link.replace(code, other)).status_code == 404  # the id belongs to another grievance


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_action_forms_need_the_csrf_token(app, world, client_as):
    code = lodge(app, BARIA)
    c = client_as("officer_baria")
    html = page(c, code)
    r = c.post(f"/cases/{code}/actions/acknowledge", data={"note": "x"})
    assert r.status_code == 400
    assert "Acknowledged" not in history(page(c, code))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    r = c.post(f"/cases/{code}/actions/acknowledge", data={"note": "x", "csrf_token": token})
    assert r.status_code == 302
    assert "Acknowledged" in history(page(c, code))


def test_case_page_in_bangla(app, world, client_as):
    code = lodge(app, BARIA)
    html = client_as("officer_baria").get(f"/cases/{code}?lang=bn").get_data(as_text=True)
    assert "ইতিহাস" in html and "অভিযোগ দাখিল" in html  # "History", "Complaint lodged"
    assert "প্রাপ্তি স্বীকার করুন" in html  # the Acknowledge button
    with app.app_context():
        baria_bn = db.session.scalar(sa.select(Area).where(Area.code == BARIA)).names["bn"]
    assert f"› {baria_bn}</dd>" in html  # the area path in Bangla too
