"""The citizen lodge form: a grievance made through the web pages, as the citizen sees it."""
from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from builders import BARIA
from grs.extensions import db
from grs.models import Grievance

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

BARIA_PATH = {"area_1": "BD-DIV-6", "area_2": "BD-DIS-41", "area_3": "BD-UPZ-320", "area_4": BARIA}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
CODE = re.compile(r'id="tracking-code">(\d{4} \d{4} \d{4})<')


def form(**overrides) -> dict:
    data = {"programme": "OAA", "category": "payment",
            "description": "My old age allowance was not paid this quarter.",
            "name": "Rahima Begum", "phone": "01712345678", "sex": "female", "age_band": "60_plus",
            "disability": "", **BARIA_PATH}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def only(app) -> SimpleNamespace:
    """What the database holds about the one grievance lodged, read while the session is open."""
    with app.app_context():
        rows = db.session.scalars(sa.select(Grievance)).all()
        assert len(rows) == 1
        g = rows[0]
        person = g.complainant
        return SimpleNamespace(
            tracking_code=g.tracking_code, office=g.office.code if g.office else None, status=g.status,
            channel=g.channel, language=g.language, anonymous=g.anonymous,
            phone=person.phone if person else None, name=person.name if person else None,
            attachments=[(a.filename, a.content_type, a.size) for a in g.attachments])


def test_lodge_form_is_labelled_and_offers_divisions(client, world):
    page = client.get("/grievances/new").get_data(as_text=True)
    for field in ("programme", "category", "description", "attachment", "anonymous", "name", "phone", "sex",
                  "age_band", "disability", "area_1", "area_2", "area_3", "area_4"):
        assert f'for="{field}"' in page, field
    assert "Old Age Allowance" in page
    assert '<option value="BD-DIV-6">Dhaka</option>' in page
    assert 'src="/static/js/area-picker.js"' in page and "//cdn" not in page


def test_valid_complaint_shows_code_and_reaches_the_baria_union_office(app, client, world):
    r = client.post("/grievances/new", data=form())
    assert r.status_code == 303
    page = client.get(r.headers["Location"])
    text = page.get_data(as_text=True)
    code = CODE.search(text).group(1)
    assert "Baria" in text and "What happens next" in text
    assert "You should have an answer by" in text
    g = only(app)
    assert g.tracking_code == code.replace(" ", "")
    assert g.office == f"OFF-{BARIA}"
    assert g.channel == "web" and g.language == "en"
    assert g.phone == "+8801712345678" and g.name == "Rahima Begum"


def test_confirmation_without_a_new_complaint_goes_back_to_the_form(client, world):
    r = client.get("/grievances/lodged")
    assert r.status_code == 302 and r.headers["Location"].endswith("/grievances/new")


def test_missing_fields_are_shown_next_to_their_inputs(app, client, world):
    r = client.post("/grievances/new", data=form(programme="", description="  "))
    text = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Choose a programme." in text and "Describe the complaint." in text
    assert 'aria-describedby="programme-error"' in text and 'id="programme-error"' in text
    assert 'href="#description"' in text  # the summary links to the field
    assert 'value="Rahima Begum"' in text  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Grievance.id))) == 0


def test_invalid_phone_comes_back_from_the_service_as_a_field_error(app, client, world):
    r = client.post("/grievances/new", data=form(phone="12"))
    text = r.get_data(as_text=True)
    assert r.status_code == 400
    assert 'id="phone-error"' in text and "Enter a valid phone number." in text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Grievance.id))) == 0


def test_the_area_must_be_chosen_down_to_the_union(client, world):
    r = client.post("/grievances/new", data=form(area_4=""))
    text = r.get_data(as_text=True)
    assert r.status_code == 400
    assert 'id="area-error"' in text and "Choose the area down to the union" in text


def test_unknown_area_goes_to_triage_and_says_an_operator_places_it(app, client, world):
    data = form(area_1="", area_2="", area_3="", area_4="", area_unknown="y")
    r = client.post("/grievances/new", data=data, follow_redirects=True)
    assert "An operator will place your complaint" in r.get_data(as_text=True)
    g = only(app)
    assert g.office is None and g.status == "received"


def test_area_is_narrowed_step_by_step_without_javascript(client, world):
    r = client.post("/grievances/new", data=form(area_2=None, area_3=None, area_4=None, narrow="1"))
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and 'class="error"' not in text
    assert '<option value="BD-DIS-41">Gazipur</option>' in text
    assert 'id="area-error"' not in text and 'value="Rahima Begum"' in text
    r = client.post("/grievances/new", data=form(area_4=None, narrow="3"))
    assert '<option value="BD-UN-2869">Baria</option>' in r.get_data(as_text=True)


def test_a_stale_lower_choice_is_dropped_when_a_higher_level_changes(client, world):
    # Baria is not in Sreepur: the union choice no longer fits and must be asked again.
    r = client.post("/grievances/new", data=form(area_3="BD-UPZ-321"))
    text = r.get_data(as_text=True)
    assert r.status_code == 400 and 'id="area-error"' in text
    assert '<option value="BD-UN-2877">Barmi</option>' in text


def test_anonymous_complaint_keeps_no_contact_and_warns_the_citizen(app, client, world):
    r = client.post("/grievances/new", data=form(anonymous="y"), follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "nobody can contact you" in text and "Keep the tracking code" in text
    g = only(app)
    assert g.anonymous and g.phone is None


def test_attachment_is_stored(app, client, world):
    data = form(attachment=(io.BytesIO(PNG), "slip.png"))
    r = client.post("/grievances/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 303
    g = only(app)
    assert g.attachments == [("slip.png", "image/png", len(PNG))]


def test_attachment_of_another_type_is_refused(app, client, world):
    data = form(attachment=(io.BytesIO(b"MZ\x90\x00"), "tool.exe"))
    r = client.post("/grievances/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 400
    assert "Attach a JPEG, PNG or PDF file." in r.get_data(as_text=True)


def test_attachment_whose_content_is_not_its_type_is_refused(app, client, world):
    data = form(attachment=(io.BytesIO(b"just text, not a picture"), "photo.png"))
    r = client.post("/grievances/new", data=data, content_type="multipart/form-data")
    assert r.status_code == 400
    assert "The file is not a real JPEG, PNG or PDF." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Grievance.id))) == 0


@pytest.mark.config(MAX_CONTENT_LENGTH=4096)
def test_too_large_upload_gets_a_clear_page(app, client, world):
    data = form(attachment=(io.BytesIO(PNG + b"\x00" * 8000), "big.png"))
    r = client.post("/grievances/new", data=data, content_type="multipart/form-data")
    text = r.get_data(as_text=True)
    assert r.status_code == 413
    # The form itself, filled in, with the reason (tests/http/test_lodge_form_details.py has the details).
    assert "The file was larger than 1 MB, so it was not sent." in text and 'action="/grievances/new"' in text


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_post_without_csrf_token_is_refused(app, client, world):
    r = client.post("/grievances/new", data=form())
    assert 400 <= r.status_code < 500
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Grievance.id))) == 0
    page = client.get("/grievances/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/grievances/new", data=form(csrf_token=token)).status_code == 303


def test_bangla_page_lodges_a_bangla_grievance(app, client, world):
    page = client.get("/grievances/new?lang=bn").get_data(as_text=True)
    assert "অভিযোগ করুন" in page and "বয়স্ক ভাতা" in page and '<html lang="bn">' in page
    r = client.post("/grievances/new", data=form(description="গত দুই কিস্তি আমার বয়স্ক ভাতা দেওয়া হয়নি।"),
                    follow_redirects=True)
    assert "আপনার ট্র্যাকিং কোড" in r.get_data(as_text=True)
    assert only(app).language == "bn"
