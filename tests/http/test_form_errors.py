"""A service's refusal shows on the form field it names, in the reader's language, on every page."""
from datetime import timedelta

import builders
from grs.timeutil import utcnow


def test_staff_case_page_shows_the_service_message_on_the_field_in_bangla(app, world, client_as):
    code = builders.lodge_in(app)
    c = client_as("officer_baria")
    builders.act_in(app, world, "officer_baria", code, "acknowledge")
    r = c.post(f"/cases/{code}/actions/request_info?lang=bn", data={"note": ""})
    assert r.status_code == 422
    assert "কী তথ্য দরকার তা লিখুন।" in r.get_data(as_text=True)
    r = c.post(f"/cases/{code}/actions/request_info?lang=en", data={"note": ""})
    assert "Say what information is needed." in r.get_data(as_text=True)


def test_admin_page_shows_the_service_message_on_the_field_in_bangla(client_as):
    day = (utcnow() + timedelta(days=2)).date().isoformat()
    r = client_as("admin").post("/admin/holidays?lang=bn", data={"day": day, "name": "X", "area": "NOPE"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "অজানা এলাকা।" in html and "Unknown area." not in html
