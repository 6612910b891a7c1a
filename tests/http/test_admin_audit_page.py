"""/admin/audit and GET /api/v1/admin/audit: admins only, newest first, filtered by kind and day, paged,
in the reader's language; no secret ever shown."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

import builders
from escalation import admin as policy_admin
from grs.extensions import db
from grs.models import AdminEvent
from grs.services.actors import Actor
from grs.timeutil import utcnow


def add_holidays(app, world, n: int = 1):
    with app.app_context():
        actor = Actor.staff(world.user("admin"))
        for i in range(n):
            builders.run(policy_admin.add_holiday, date(2026, 12, 1 + i), f"Day off {i}", None, actor=actor,
                         now=utcnow())


def test_an_admin_sees_what_was_done_and_by_whom(app, world, client_as):
    add_holidays(app, world)
    html = client_as("admin").get("/admin/audit").get_data(as_text=True)
    assert "Admin history" in html and "Day off added" in html and "admin@test.grs" in html
    assert "2026-12-01/*" in html and "Day off 0" in html
    assert html.index("Day off added") < html.index("Staff account created")  # newest first


@pytest.mark.parametrize("who", ["officer_baria", "supervisor", "analyst", "operator", "facilitator"])
def test_only_admins(client_as, who):
    assert client_as(who).get("/admin/audit").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    r = client.get("/admin/audit")
    assert r.status_code in (302, 401) and "/login" in r.headers.get("Location", "/login")


def test_filter_by_kind_and_day(app, world, client_as):
    add_holidays(app, world)
    admin = client_as("admin")
    only = admin.get("/admin/audit?kind=holiday_added").get_data(as_text=True)
    assert "Day off added" in only and "Staff account created</td>" not in only and "1 admin event" in only
    day = utcnow().date().isoformat()
    assert "1 admin event" in admin.get(f"/admin/audit?kind=holiday_added&date_from={day}&date_to={day}")\
        .get_data(as_text=True)
    assert "0 admin events" in admin.get("/admin/audit?date_to=2020-01-01").get_data(as_text=True)


def test_a_bad_filter_is_named_on_its_field(client_as):
    r = client_as("admin").get("/admin/audit?kind=nope&date_from=31-12-2026")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Unknown kind of admin event." in html and "Give a date as YYYY-MM-DD." in html


def test_paged(app, world, client_as):
    add_holidays(app, world, 3)
    with app.app_context():
        total = db.session.scalar(sa.select(sa.func.count()).select_from(AdminEvent))
    from grs.admin import audit
    pages = -(-total // audit.PER_PAGE)
    html = client_as("admin").get("/admin/audit").get_data(as_text=True)
    if pages > 1:
        assert f"Page 1 of {pages}" in html
    assert html.count('class="admin-event ') == min(total, audit.PER_PAGE)


def test_the_page_in_bangla(app, world, client_as):
    add_holidays(app, world)
    html = client_as("admin").get("/admin/audit?lang=bn").get_data(as_text=True)
    assert "প্রশাসনিক ইতিহাস" in html and "ছুটির দিন যোগ করা হয়েছে" in html


def test_the_api_lists_the_chain(app, world, client, auth):
    add_holidays(app, world, 2)
    r = client.get("/api/v1/admin/audit?kind=holiday_added&per_page=1", headers=auth("admin"))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["total"] == 2 and len(body["items"]) == 1 and body["next"]
    item = body["items"][0]
    assert item["kind"] == "holiday_added" and item["actor"] == "admin@test.grs" and item["data"]["name"] == "Day off 1"
    second = client.get(body["next"], headers=auth("admin")).get_json()
    assert second["items"][0]["hash"] == item["prev_hash"]  # the chain, link by link


def test_the_api_refuses_others_and_bad_filters(client, world, auth):
    assert client.get("/api/v1/admin/audit", headers=auth("supervisor")).status_code == 403
    r = client.get("/api/v1/admin/audit?from=yesterday&colour=red", headers=auth("admin"))
    assert r.status_code == 422
