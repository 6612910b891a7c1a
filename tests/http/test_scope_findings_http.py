"""Issue 11, findings 3, 4 and 9, as a tester probes them from outside: transfers to offices out of the
actor's reach (API and the case page's form), attachments of cases whose personal data is hidden from the
role, and an operator of one upazila working the whole country's triage queue."""
import re

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BASAN, SADAR
from grs import services as svc
from grs.extensions import db
from grs.models import Area, Attachment, Grievance
from grs.services.accounts import create_user
from grs.uow import unit_of_work

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SAVAR_UNION = "BD-UN-3271"  # another district
FAR_OFFICE = f"OFF-{SAVAR_UNION}"


def office_of(app, code: str) -> str:
    with app.app_context():
        return builders.find(code).office.code


def offered(html: str) -> set[str]:
    """The offices the transfer form's select offers."""
    form = html[html.index("/actions/transfer"):] if "/actions/transfer" in html else ""
    select = form[:form.index("</select>")] if "</select>" in form else ""
    return set(re.findall(r'<option[^>]*value="([^"]+)"', select))


# ---------------------------------------------------------------- finding 3: transfers


def test_the_api_refuses_a_transfer_across_the_country(app, client, auth, world):
    code = builders.lodge_in(app, BARIA)
    r = client.post(f"/api/v1/grievances/{code}/actions", headers=auth("officer_baria"),
                    json={"action": "transfer", "office": FAR_OFFICE, "note": "Not ours."})
    assert r.status_code == 422, r.get_json()
    assert "office" in r.get_json()["error"]["fields"]
    assert office_of(app, code) == f"OFF-{BARIA}"
    r = client.post(f"/api/v1/grievances/{code}/actions", headers=auth("officer_baria"),
                    json={"action": "transfer", "office": "OFF-BD-UPZ-320", "note": "Up a tier."})
    assert r.status_code == 422 and office_of(app, code) == f"OFF-{BARIA}"  # escalation is the way up


def test_the_case_page_offers_and_accepts_only_the_neighbours(app, world, client_as):
    code = builders.lodge_in(app, BARIA)
    c = client_as("officer_baria")
    choices = offered(c.get(f"/cases/{code}").get_data(as_text=True))
    assert f"OFF-{BASAN}" in choices
    assert FAR_OFFICE not in choices and "OFF-BD-UPZ-320" not in choices and f"OFF-{BARIA}" not in choices
    r = c.post(f"/cases/{code}/actions/transfer", data={"office": FAR_OFFICE, "note": "Not ours."})
    assert r.status_code == 422
    assert "You may not transfer the grievance to that office" in r.get_data(as_text=True)
    assert office_of(app, code) == f"OFF-{BARIA}"
    assert c.post(f"/cases/{code}/actions/transfer",
                  data={"office": f"OFF-{BASAN}", "note": "Lives in Basan."}).status_code == 302
    assert office_of(app, code) == f"OFF-{BASAN}"


def test_a_supervisor_is_offered_their_subtree_and_a_national_admin_anywhere(app, world, client_as):
    code = builders.lodge_in(app, BARIA)
    sadar = offered(client_as("supervisor_sadar").get(f"/cases/{code}").get_data(as_text=True))
    assert "OFF-BD-UPZ-320" in sadar and f"OFF-{BASAN}" in sadar and FAR_OFFICE not in sadar
    r = client_as("admin").post(f"/cases/{code}/actions/transfer", data={"office": FAR_OFFICE, "note": "Moved."})
    assert r.status_code == 302 and office_of(app, code) == FAR_OFFICE


# ---------------------------------------------------------------- finding 4: attachments


def with_slip(app, category: str) -> tuple[str, int]:
    with app.app_context():
        g = builders.lodge(BARIA, category=category, attachments=(svc.AttachmentIn("nid.png", "image/png", PNG),))
        return g.tracking_code, db.session.scalar(sa.select(Attachment.id).where(Attachment.grievance_id == g.id))


# role → (page answer for a plain Baria case, for a sensitive one) for the attachment; 404: the case is out of
# sight; 403: the case is in sight but its personal data is not shown to the role.
ATTACHMENT_ANSWERS = {
    "officer_baria": (200, 404),
    "officer_basan": (404, 404),
    "officer_sadar": (200, 404),
    "officer_sreepur": (404, 404),
    "officer_gazipur": (200, 200),
    "officer_gazipur_plain": (200, 404),
    "officer_national": (200, 200),
    "supervisor": (200, 200),
    "supervisor_sadar": (200, 404),
    "operator": (200, 404),
    "analyst": (403, 404),
    "facilitator": (403, 404),
    "admin": (200, 200),
}


@pytest.mark.parametrize("who", sorted(ATTACHMENT_ANSWERS))
def test_attachments_follow_the_personal_data_right(app, world, client_as, client, auth, who):
    plain, sensitive = with_slip(app, "payment"), with_slip(app, "corruption")
    web = client_as(who)
    headers = auth(who)
    for (code, att), expected in zip((plain, sensitive), ATTACHMENT_ANSWERS[who]):
        r = web.get(f"/cases/{code}/attachments/{att}")
        assert r.status_code == expected, (who, code)
        assert (r.data == PNG) == (expected == 200)
        api = client.get(f"/api/v1/grievances/{code}/attachments/{att}", headers=headers)
        assert api.status_code == (200 if expected == 200 else 403), (who, code)
        assert PNG not in api.data or expected == 200
        listed = client.get(f"/api/v1/grievances/{code}/attachments", headers=headers)
        assert listed.status_code == (200 if expected == 200 else 403)
        if expected == 403:
            html = web.get(f"/cases/{code}").get_data(as_text=True)
            assert "nid.png" not in html and f"/attachments/{att}" not in html


# ---------------------------------------------------------------- finding 9: the triage queue


@pytest.fixture
def sadar_operator(app, world, client_as):
    with app.app_context(), unit_of_work() as uow:
        create_user(uow, "operator_sadar@test.grs", builders.PASSWORD, "operator", area_code=SADAR)
    world.emails["operator_sadar"] = "operator_sadar@test.grs"
    return client_as("operator_sadar")


def triaged(app, area_code: str | None) -> str:
    """A complaint in the triage queue, its area known (as when no office covered it) or not."""
    with app.app_context():
        code = builders.lodge(None, description="Triage story of Rahima, 01712345678.").tracking_code
        if area_code is not None:
            with unit_of_work() as uow:
                g = uow.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
                g.area = uow.session.scalar(sa.select(Area).where(Area.code == area_code))
        return code


def test_an_upazila_operator_sees_and_places_only_its_triage(app, world, sadar_operator, client_as, client, auth):
    mine, far, unknown = triaged(app, SADAR), triaged(app, SAVAR_UNION), triaged(app, None)
    inbox = sadar_operator.get("/cases/", query_string={"status": "all"}).get_data(as_text=True)
    assert f'href="/cases/{mine}"' in inbox
    assert f'href="/cases/{far}"' not in inbox and f'href="/cases/{unknown}"' not in inbox
    for code in (far, unknown):
        assert sadar_operator.get(f"/cases/{code}").status_code == 404
        assert sadar_operator.post(f"/cases/{code}/actions/place", data={"area": BARIA}).status_code == 404
        with app.app_context():
            assert builders.find(code).office_id is None
        headers = auth("operator_sadar")
        assert client.get(f"/api/v1/grievances/{code}", headers=headers).status_code == 403
        listed = client.get("/api/v1/grievances", headers=headers).get_data(as_text=True)
        assert code not in listed
        r = client.post(f"/api/v1/grievances/{code}/actions", headers=headers, json={"action": "place", "area": BARIA})
        assert r.status_code == 403
    r = sadar_operator.post(f"/cases/{mine}/actions/place", data={"area": SAVAR_UNION})
    assert r.status_code == 422 and "That area is outside your own." in r.get_data(as_text=True)
    assert sadar_operator.post(f"/cases/{mine}/actions/place", data={"area": BARIA}).status_code == 302
    assert office_of(app, mine) == f"OFF-{BARIA}"
    # The country's operator still works the whole queue.
    national = client_as("operator").get("/cases/", query_string={"status": "all"}).get_data(as_text=True)
    assert f'href="/cases/{far}"' in national and f'href="/cases/{unknown}"' in national


def test_the_inbox_shows_even_a_masked_phone_only_to_case_handlers(app, world, client_as):
    code = builders.lodge_in(app, BARIA, phone="01712345678")
    officer = client_as("officer_baria").get("/cases/").get_data(as_text=True)
    assert f'href="/cases/{code}"' in officer and "+880•••••••678" in officer
    for who in ("analyst", "facilitator"):
        html = client_as(who).get("/cases/").get_data(as_text=True)
        assert f'href="/cases/{code}"' in html
        assert "•••" not in html and "678</td>" not in html and ">Phone<" not in html
