"""Admin pages for time limits and days off: admins only, CSRF-protected, deadlines follow."""
from datetime import timedelta

import pytest

import builders
from builders import BARIA
from grs.extensions import db
from grs import services as svc
from grs.timeutil import utcnow


def test_admin_sees_the_policies_in_force(client_as):
    page = client_as("admin").get("/admin/policies")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Time limits" in html and "Resolve" in html
    assert ">30<" in html  # national tier: 30 working days


@pytest.mark.parametrize("who", ["officer_baria", "supervisor", "analyst", "operator"])
def test_only_admins_may_open_the_admin_pages(client_as, who):
    assert client_as(who).get("/admin/policies").status_code == 403
    assert client_as(who).get("/admin/holidays").status_code == 403
    assert client_as(who).post("/admin/policies", data={"tier": "union"}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get("/admin/policies")
    assert response.status_code in (302, 401)


def test_changing_a_limit_moves_open_deadlines_and_says_how_many(app, world, client_as):
    with app.app_context():
        code = builders.lodge(BARIA, now=utcnow()).tracking_code
        before = builders.find(code).due_at
    admin = client_as("admin")
    response = admin.post("/admin/policies", data={
        "tier": "union", "kind": "grievance", "category": "", "ack_days": 1, "resolve_days": 3,
        "extension_days": 5}, follow_redirects=True)
    assert response.status_code == 200
    assert "1 open grievances got new deadlines" in response.get_data(as_text=True)
    with app.app_context():
        db.session.expire_all()
        assert builders.find(code).due_at < before


def test_bad_limits_are_refused_with_a_message(client_as):
    response = client_as("admin").post("/admin/policies", data={
        "tier": "union", "kind": "grievance", "category": "", "ack_days": 1, "resolve_days": -4,
        "extension_days": 5})
    assert response.status_code == 400
    assert "error" in response.get_data(as_text=True)


def test_adding_a_local_day_off(app, world, client_as):
    day = (utcnow() + timedelta(days=2)).date()
    response = client_as("admin").post("/admin/holidays", data={
        "day": day.isoformat(), "name": "Flood closure", "area": "BD-UPZ-320"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Flood closure" in html
    bad = client_as("admin").post("/admin/holidays", data={"day": day.isoformat(), "name": "X", "area": "NOPE"})
    assert bad.status_code == 422 and "Unknown area" in bad.get_data(as_text=True)


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_admin_forms_need_the_csrf_token(client_as):
    response = client_as("admin").post("/admin/policies", data={
        "tier": "union", "kind": "grievance", "ack_days": 1, "resolve_days": 3, "extension_days": 5})
    assert response.status_code == 400


def test_admin_pages_in_bangla(client_as):
    html = client_as("admin").get("/admin/policies?lang=bn").get_data(as_text=True)
    assert "সময়সীমা" in html
