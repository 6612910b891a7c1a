"""The appellate officer's inbox (issue 12, item 2): an appeal lands in their Appeals tab marked as an appeal,
the case page says it is on the appellate officer's clock (in Bangla too), an officer of another office cannot
act on it, and the supervisor of the subtree still sees it."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

import builders
from builders import BARIA, T0
from grs import services as svc
from grs.extensions import db
from grs.models import SlaPolicy
from grs.tracking import display

RESOLVE = {"decision": "upheld", "resolution": "Arrears paid through the union office."}


def appealed(app, world) -> str:
    with app.app_context():
        code = builders.lodge(BARIA).tracking_code
        builders.act(world, "officer_baria", code, "resolve", **RESOLVE)
        builders.run(svc.complainant_appeal, code, channel="web", now=T0 + timedelta(hours=2))
    return code


def test_an_appeal_lands_marked_in_the_appellate_officers_appeals_tab(app, world, client_as):
    code = appealed(app, world)
    plain = builders.lodge_in(app, "BD-UPZ-320", description="Lodged at the upazila itself, not an appeal.")
    client = client_as("appellate_sadar")
    html = client.get("/cases/").get_data(as_text=True)
    assert 'id="appeals-tab"' in html and "Appeals (1)" in html
    assert 'class="tag appeal"' in html
    tab = client.get("/cases/?appeals=y").get_data(as_text=True)
    assert 'class="tag appeal"' in tab
    assert display(code) in tab and display(plain) not in tab


def test_the_case_page_says_it_is_on_the_appellate_officers_clock(app, world, client_as):
    code = appealed(app, world)
    client = client_as("appellate_sadar")
    html = client.get(f"/cases/{code}").get_data(as_text=True)
    assert 'id="appeal-notice"' in html
    notice = html.split("id=\"appeal-notice\">")[1].split("<")[0]
    assert notice == "Appeal — on the appellate officer's 20-working-day clock", notice
    bn = client.get(f"/cases/{code}?lang=bn").get_data(as_text=True)
    assert "আপিল কর্মকর্তার" in bn and "কার্যদিবসের সময়সীমায়" in bn
    # the resolve form is offered to the appellate officer
    assert f"/cases/{code}/actions/resolve" in html


def test_a_plain_officer_sees_no_appeals_tab(app, world, client_as):
    appealed(app, world)
    html = client_as("officer_baria").get("/cases/").get_data(as_text=True)
    assert 'id="appeals-tab"' not in html


def test_an_officer_of_another_office_cannot_act_and_the_supervisor_still_sees_it(app, world, client_as):
    code = appealed(app, world)
    other = client_as("officer_sreepur")
    assert other.get(f"/cases/{code}").status_code in (403, 404)
    r = other.post(f"/cases/{code}/actions/resolve", data={"decision": "upheld", "resolution": "Not mine."})
    assert r.status_code in (400, 403, 404)
    for key in ("supervisor", "supervisor_sadar"):
        sup = client_as(key)
        page = sup.get(f"/cases/{code}")
        assert page.status_code == 200 and 'id="appeal-notice"' in page.get_data(as_text=True)
        assert 'class="tag appeal"' in sup.get("/cases/?appeals=y").get_data(as_text=True)


def test_an_appeal_clock_in_calendar_days_says_so(app, world, client_as):
    with app.app_context():
        rows = db.session.scalars(sa.select(SlaPolicy).where(SlaPolicy.tier == "upazila",
                                                             SlaPolicy.kind == "appeal")).all()
        assert rows
        for row in rows:
            row.day_kind, row.resolve_days = "calendar", 21
        db.session.commit()
    code = appealed(app, world)
    html = client_as("appellate_sadar").get(f"/cases/{code}").get_data(as_text=True)
    notice = html.split("id=\"appeal-notice\">")[1].split("<")[0]
    assert notice == "Appeal — on the appellate officer's 21-day clock", notice
