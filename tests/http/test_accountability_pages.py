"""The accountability pages end to end: a facilitator records a scorecard cycle (groups, input tracking,
indicators, community and provider scores, an action plan item with a follow-up), a social audit with a
finding lodged as a grievance, a hearing; readers see the records of their area only."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from builders import BARIA, BASAN, run
from social_audit import services as sa_svc
from social_audit.models import Activity, Item
from social_audit.services import ForumIn, MemberIn


@pytest.fixture
def forum_id(app, world):
    with app.app_context():
        return run(sa_svc.create_forum, ForumIn(
            name="Baria Union SP Forum", tier="union", ngo="Uttaran", area=BARIA,
            members=(MemberIn("Facilitator", role="facilitator", user_email=world.email("facilitator")),)),
            user=world.user("admin")).id


def _new(client, kind, forum_id, **fields):
    data = {"forum": forum_id, "area": BARIA, "title": f"A {kind}", "held_on": "2026-11-20", "status": "completed",
            **fields}
    return client.post(f"/accountability/new/{kind}", data=data)


def _id(response) -> int:
    return int(re.search(r"/accountability/(\d+)", response.headers["Location"]).group(1))


def test_a_scorecard_cycle_recorded_on_the_pages(app, client_as, forum_id):
    c = client_as("facilitator")
    r = _new(c, "scorecard", forum_id, programme="OAA", service_point="Baria UP", women=10, men=8, total=18)
    assert r.status_code == 302, re.findall(r'class="error"[^>]*>([^<]*)', r.get_data(as_text=True))
    aid = _id(r)
    assert c.post(f"/accountability/{aid}/groups", data={"group-name": "Elderly women", "group-kind": "elderly",
                                                          "group-women": 12, "group-men": 0}).status_code == 302
    assert c.post(f"/accountability/{aid}/groups", data={"group-name": "Men", "group-kind": "men",
                                                          "group-men": 9}).status_code == 302
    assert c.post(f"/accountability/{aid}/inputs", data={"input-item": "Allowance per month",
                                                          "input-entitlement": "600 taka",
                                                          "input-actual": "500 taka"}).status_code == 302
    assert c.post(f"/accountability/{aid}/indicators", data={"indicator-own": "Allowance paid in full"}).status_code == 302
    with app.app_context():
        from grs.extensions import db
        a = db.session.get(Activity, aid)
        ci, women, men = a.indicators[0].id, a.groups[0].id, a.groups[1].id
    for group, score in ((women, 2), (men, 4), ("providers", 5)):
        r = c.post(f"/accountability/{aid}/scores", data={"group": group, f"score-{ci}": score,
                                                          f"reason-{ci}": "why"})
        assert r.status_code == 302, r.data
    r = c.post(f"/accountability/{aid}/scores", data={"group": women, f"score-{ci}": 9})
    assert r.status_code == 422 and "scale" in r.get_data(as_text=True)
    r = c.post(f"/accountability/{aid}/items", data={"item-kind": "action", "item-title": "Agent deductions",
                                                      "item-action": "Pay by mobile money", "item-responsible": "UNO",
                                                      "item-due_on": "2026-11-25", "item-status": "open"})
    assert r.status_code == 302
    page = c.get(f"/accountability/{aid}").get_data(as_text=True)
    # Community mean 3 against providers 5, side by side, with the chart and its table.
    row = re.search(r"<th scope=\"row\">Allowance paid in full</th>(.*?)</tr>", page, re.S).group(1)
    assert re.search(r"data-community>.*?3", row, re.S) and re.search(r"data-provider>.*?5", row, re.S)
    assert 'data-chart="scores"' in page and "Past its date" in page  # due 25 Nov, today is 29 Nov
    with app.app_context():
        from grs.extensions import db
        item = db.session.scalars(db.select(Item).where(Item.activity_id == aid)).one()
    r = c.post(f"/accountability/items/{item.id}/follow-ups", data={"followup-on": "2026-11-01",
                                                                     "followup-note": "x", "followup-status": "done"})
    assert r.status_code == 422 and "before the meeting" in r.get_data(as_text=True)
    r = c.post(f"/accountability/items/{item.id}/follow-ups", data={"followup-on": "2026-11-24",
                                                                     "followup-note": "Paid", "followup-status": "done"})
    assert r.status_code == 302
    assert "Past its date" not in c.get(f"/accountability/{aid}").get_data(as_text=True)


def test_a_finding_lodged_from_the_page_shows_on_both_sides(app, client_as, forum_id):
    c = client_as("facilitator")
    aid = _id(_new(c, "audit", forum_id, programme="OAA", period_from="2025-07-01", period_to="2025-12-31",
                   checked=50, found=45, not_found=5))
    c.post(f"/accountability/{aid}/items", data={"item-kind": "finding", "item-title": "Agent keeps 100 taka",
                                                 "item-finding_type": "unauthorised_deduction", "item-amount": 5000})
    with app.app_context():
        from grs.extensions import db
        item = db.session.scalars(db.select(Item).where(Item.activity_id == aid)).one()
        item_id = item.id
    r = c.post(f"/accountability/items/{item_id}/grievance", data={"lodge-category": "payment",
                                                                    "lodge-programme": "OAA"})
    assert r.status_code == 302
    page = c.get(f"/accountability/{aid}").get_data(as_text=True)
    code = re.search(r"/cases/([A-Z0-9-]+)\">", page).group(1)
    case = client_as("officer_baria").get(f"/cases/{code}").get_data(as_text=True)
    assert "Social audit" in case and f"/accountability/{aid}" in case  # the grievance shows its source


def test_attendance_that_does_not_add_up_is_explained(client_as, forum_id):
    r = _new(client_as("facilitator"), "hearing", forum_id, women=10, men=5, total=20)
    assert r.status_code == 422
    assert "do not add up to the total" in r.get_data(as_text=True)


def test_scope_readers_of_another_area_get_404_and_non_members_403(app, client_as, world, forum_id):
    c = client_as("facilitator")
    aid = _id(_new(c, "hearing", forum_id, women=3, men=2, total=5))
    assert client_as("officer_basan").get(f"/accountability/{aid}").status_code == 404
    assert client_as("officer_baria").get(f"/accountability/{aid}").status_code == 200
    assert client_as("operator").get("/accountability/").status_code == 403
    # A reader cannot record.
    assert client_as("officer_baria").post(f"/accountability/{aid}/items", data={
        "item-kind": "issue", "item-title": "x"}).status_code == 403
    with app.app_context():
        other = run(sa_svc.create_forum, ForumIn(name="Basan forum", tier="union", ngo="NGO", area=BASAN),
                    user=world.user("admin")).id
    r = c.post("/accountability/new/hearing", data={"forum": other, "area": BASAN, "title": "x",
                                                    "held_on": "2026-11-20"})
    assert r.status_code in (403, 422)


def test_oversight_and_its_exports(app, client_as, forum_id):
    c = client_as("facilitator")
    aid = _id(_new(c, "awareness", forum_id, event_type="courtyard_meeting", women=40, men=12))
    page = client_as("supervisor_sadar").get("/accountability/oversight").get_data(as_text=True)
    assert "data-oversight" in page
    csv_text = client_as("supervisor_sadar").get("/accountability/oversight.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].lstrip("\ufeff").startswith("programme,scorecards")
    assert csv_text.splitlines()[-1].startswith("total,") and ",52," in csv_text.splitlines()[-1]
    assert client_as("supervisor_sadar").get("/accountability/oversight.xlsx").status_code == 200
    assert client_as("supervisor_sadar").get("/accountability/oversight?area=NOPE").status_code == 422


def test_oversight_follows_scorecard_scores_across_half_years(app, client_as, world, forum_id):
    from grs.uow import unit_of_work
    from social_audit.services import ActivityIn, GroupIn, ScoreIn

    with app.app_context():
        for held_on, value in ((date(2025, 9, 1), 2), (date(2026, 3, 1), 4)):
            a = run(sa_svc.record_activity, ActivityIn(
                kind="scorecard", forum_id=forum_id, area=BARIA, title="Cycle", held_on=held_on, programme="OAA",
                groups=(GroupIn("Women", women=5),), indicators=("paid_in_full",)),
                user=world.user("facilitator"), now=datetime(2026, 11, 29, tzinfo=timezone.utc))
            run(sa_svc.set_scores, a.id, [ScoreIn(a.indicators[0].id, value, a.groups[0].id)],
                user=world.user("facilitator"))
        with unit_of_work(read_only=True) as uow:
            total, rows = sa_svc.oversight(uow, world.user("analyst"), today=date(2026, 11, 29))
    assert total.community_trend() == {"2025-H2": 2.0, "2026-H1": 4.0} and total.scorecards == 2
    page = client_as("analyst").get("/accountability/oversight").get_data(as_text=True)
    assert 'data-chart="scorecard-trend"' in page and "2025-H2" in page


def test_a_record_can_be_corrected_under_the_same_rules(app, client_as, forum_id):
    c = client_as("facilitator")
    aid = _id(_new(c, "hearing", forum_id, women=3, men=2, total=5, panel="UNO"))
    form = c.get(f"/accountability/{aid}/edit").get_data(as_text=True)
    assert 'value="A hearing"' in form and "UNO" in form
    r = c.post(f"/accountability/{aid}/edit", data={"forum": forum_id, "area": BARIA, "title": "Hearing on WA",
                                                    "held_on": "2026-11-21", "status": "completed", "women": 3,
                                                    "men": 2, "total": 9})
    assert r.status_code == 422 and "do not add up" in r.get_data(as_text=True)
    r = c.post(f"/accountability/{aid}/edit", data={"forum": forum_id, "area": BARIA, "title": "Hearing on WA",
                                                    "held_on": "2026-11-21", "status": "completed", "women": 4,
                                                    "men": 2, "total": 6, "panel": "UNO, UP chairman"})
    assert r.status_code == 302
    page = c.get(f"/accountability/{aid}").get_data(as_text=True)
    assert "Hearing on WA" in page and "UP chairman" in page
    assert client_as("officer_baria").get(f"/accountability/{aid}/edit").status_code == 403


def test_the_inbox_counts_commitments_past_their_date(client_as, forum_id):
    c = client_as("facilitator")
    aid = _id(_new(c, "hearing", forum_id, women=3, men=2, total=5))
    c.post(f"/accountability/{aid}/items", data={"item-kind": "commitment", "item-title": "Review the list",
                                                 "item-responsible": "UNO", "item-due_on": "2026-11-25",
                                                 "item-status": "open"})
    page = client_as("officer_baria").get("/cases/").get_data(as_text=True)
    assert "1 commitment made to a forum in your area is past its date." in page
    assert "past its date" not in client_as("officer_basan").get("/cases/").get_data(as_text=True)
