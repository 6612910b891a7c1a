"""The reference data pages (issue 13, item 3): /admin/programmes and /admin/categories list, add and edit
programmes and categories with names in every language of the deployment, a sensitive flag and a start
tier (a tier, or "+N" within the ladder); admins only, every form with its CSRF token; a bad start tier or
a taken code is refused with its message, never a 500."""
import re

import pytest
import sqlalchemy as sa

from grs.extensions import db
from grs.models import AdminEvent, Category, Programme

pytestmark = pytest.mark.config(WTF_CSRF_ENABLED=True)


def token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def fresh(model, code):
    db.session.expire_all()
    return db.session.scalar(sa.select(model).where(model.code == code))


def test_an_admin_adds_and_edits_a_programme(app, world, client_as):
    admin = client_as("admin")
    page = admin.get("/admin/programmes")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Old Age Allowance" in html and "বয়স্ক ভাতা" in html
    assert 'href="/admin/programmes"' in html and 'aria-current="page">Programmes' in html  # the tab
    assert 'name="name_en"' in html and 'name="name_bn"' in html
    csrf = token(html)
    # Without the token nothing happens.
    assert admin.post("/admin/programmes", data={"code": "SCH", "name_en": "School stipend"}).status_code == 400
    r = admin.post("/admin/programmes", data={"csrf_token": csrf, "code": "SCH", "name_en": "School stipend",
                                              "name_bn": "উপবৃত্তি", "active": "y"}, follow_redirects=True)
    assert r.status_code == 200 and "SCH added." in r.get_data(as_text=True)
    with app.app_context():
        p = fresh(Programme, "SCH")
        assert p.name_en == "School stipend" and p.name("bn") == "উপবৃত্তি" and p.active
    # The same code again is refused, with the message on the code field.
    again = admin.post("/admin/programmes", data={"csrf_token": csrf, "code": "SCH", "name_en": "Other"})
    assert again.status_code == 409 and "exists already" in again.get_data(as_text=True)
    # Edit: the form comes filled; saving without the Bangla name and inactive.
    edit = admin.get("/admin/programmes?edit=SCH").get_data(as_text=True)
    assert 'value="School stipend"' in edit and 'value="SCH"' in edit
    r = admin.post("/admin/programmes", data={"csrf_token": csrf, "editing": "SCH", "code": "SCH",
                                              "name_en": "School stipend (secondary)", "name_bn": ""},
                   follow_redirects=True)
    assert "SCH saved." in r.get_data(as_text=True)
    with app.app_context():
        p = fresh(Programme, "SCH")
        assert p.name_en == "School stipend (secondary)" and p.names == {} and p.active is False
        kinds = db.session.scalars(sa.select(AdminEvent.kind).where(AdminEvent.target == "SCH")).all()
        assert kinds == ["programme_saved", "programme_saved"]
    # No English name: the form says so (400), nothing saved.
    bad = admin.post("/admin/programmes", data={"csrf_token": csrf, "code": "NOEN", "name_bn": "নাম"})
    assert bad.status_code == 400 and 'class="field invalid"' in bad.get_data(as_text=True)
    with app.app_context():
        assert fresh(Programme, "NOEN") is None


def test_an_admin_adds_a_sensitive_category_with_a_relative_start_tier(app, world, client_as):
    admin = client_as("admin")
    html = admin.get("/admin/categories").get_data(as_text=True)
    assert '<option value="+2">2 above the lowest (here: District)</option>' in html
    assert '<option value="district">District</option>' in html
    csrf = token(html)
    r = admin.post("/admin/categories", data={"csrf_token": csrf, "code": "harass", "name_en": "Harassment",
                                              "name_bn": "হয়রানি", "sensitive": "y", "start_tier": "+2",
                                              "active": "y"}, follow_redirects=True)
    assert r.status_code == 200 and "harass added." in r.get_data(as_text=True)
    with app.app_context():
        c = fresh(Category, "harass")
        assert c.sensitive and c.start_tier == "+2" and c.name("bn") == "হয়রানি"
    assert "2 above the lowest (here: District)" in admin.get("/admin/categories").get_data(as_text=True)


def test_a_bad_start_tier_is_refused_with_its_message(app, world, client_as):
    admin = client_as("admin")
    csrf = token(admin.get("/admin/categories").get_data(as_text=True))
    # Not a choice of the form (a tier of another country): the form refuses it.
    r = admin.post("/admin/categories", data={"csrf_token": csrf, "code": "x1", "name_en": "X", "start_tier": "lga"})
    assert r.status_code == 400 and "Not a valid choice" in r.get_data(as_text=True)
    with app.app_context():
        assert fresh(Category, "x1") is None
    # A bad code is the service's message on the code field.
    r = admin.post("/admin/categories", data={"csrf_token": csrf, "code": "bad code!", "name_en": "X"})
    assert r.status_code == 422 and "A code is 1 to 40 letters" in r.get_data(as_text=True)
    # Editing a code that does not exist: 404 with the message, not a 500.
    r = admin.post("/admin/categories", data={"csrf_token": csrf, "editing": "nope", "code": "nope", "name_en": "X"})
    assert r.status_code == 404 and "No category has this code." in r.get_data(as_text=True)


@pytest.mark.config(WTF_CSRF_ENABLED=False)  # the token check answers first (400) with it on
@pytest.mark.parametrize("who", ["officer_baria", "supervisor_sadar", "analyst", "operator"])
def test_other_roles_get_403(world, client_as, who):
    client = client_as(who)
    for path in ("/admin/programmes", "/admin/categories"):
        assert client.get(path).status_code == 403
        assert client.post(path, data={"code": "X", "name_en": "X"}).status_code == 403


def test_export_then_load_through_the_cli_changes_nothing(app, world, runner, tmp_path):
    out = tmp_path / "reference.json"
    r = runner.invoke(args=["reference", "export", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text(encoding="utf-8")
    assert '"OAA"' in text and "বয়স্ক ভাতা" in text  # UTF-8, not escaped
    r = runner.invoke(args=["reference", "load", str(out), "--replace"])
    assert r.exit_code == 0, r.output
    assert "programmes: 0 new, 0 updated" in r.output and "categories: 0 new, 0 updated" in r.output
    again = tmp_path / "again.json"
    runner.invoke(args=["reference", "export", str(again)])
    assert again.read_text(encoding="utf-8") == text
    # To standard output without a file.
    r = runner.invoke(args=["reference", "export"])
    assert r.exit_code == 0 and '"programmes"' in r.output


def test_cli_load_refuses_a_bad_file_and_names_the_row(app, world, runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"categories": [{"code": "c1", "names": {"en": "C"}, "start_tier": "ward"}]}', encoding="utf-8")
    r = runner.invoke(args=["reference", "load", str(bad)])
    assert r.exit_code != 0 and "categories[1].start_tier" in r.output
    bad.write_text("{not json", encoding="utf-8")
    r = runner.invoke(args=["reference", "load", str(bad)])
    assert r.exit_code != 0 and "not JSON" in r.output
    good = tmp_path / "good.json"
    good.write_text('{"programmes": [{"code": "NEWP", "names": {"en": "New"}}]}', encoding="utf-8")
    r = runner.invoke(args=["reference", "load", str(good)])
    assert r.exit_code == 0 and "programmes: 1 new, 0 updated, 0 unchanged" in r.output
    with app.app_context():
        assert fresh(Programme, "NEWP").name_en == "New"
