"""The days-off admin page (issue 12, item 4): a day off nationally or for an area, a weekend day worked,
a package holiday worked, a correction removed; every form needs its CSRF token; deadlines follow."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from grs.extensions import db
from grs.models import Holiday

pytestmark = pytest.mark.config(WTF_CSRF_ENABLED=True)


def token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def rows():
    db.session.expire_all()
    return {(h.day, h.kind, h.area.code if h.area else None): h for h in db.session.scalars(sa.select(Holiday))}


def test_the_admin_page_corrects_the_calendar(app, world, client_as):
    with app.app_context():
        code = builders.lodge(BARIA, now=T0 + timedelta(days=14)).tracking_code  # Sunday 15 March 2026
        before = builders.find(code).due_at
    admin = client_as("admin")
    page = admin.get("/admin/holidays?year=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Not a day off this year" in html
    csrf = token(html)
    # Without the token nothing happens.
    assert admin.post("/admin/holidays", data={"day": "2026-03-07", "kind": "working", "name": "X"}).status_code == 400
    # A package holiday worked: Laylat al-Qadr, Tuesday 17 March, is a working day this year.
    r = admin.post("/admin/holidays", data={"csrf_token": csrf, "day": "2026-03-17", "kind": "not_off",
                                            "name": "Laylat al-Qadr"}, follow_redirects=True)
    text = r.get_data(as_text=True)
    assert r.status_code == 200 and "The public holiday is a working day now; 1 open grievances" in text
    assert "a working day this year" in text
    with app.app_context():
        assert builders.find(code).due_at < before
    # A weekend day worked, nationally.
    r = admin.post("/admin/holidays", data={"csrf_token": csrf, "day": "2026-03-28", "kind": "working",
                                            "name": "Working Saturday", "name_local": "কর্মদিবস"}, follow_redirects=True)
    assert "Working day declared; 1 open grievances" in r.get_data(as_text=True)
    # A weekday cannot be "worked": it is refused and says why.
    bad = admin.post("/admin/holidays", data={"csrf_token": csrf, "day": "2026-03-18", "kind": "working", "name": "X"})
    assert bad.status_code == 422 and "Only a weekend day" in bad.get_data(as_text=True)
    # A day off for one upazila.
    r = admin.post("/admin/holidays", data={"csrf_token": csrf, "day": "2026-03-16", "kind": "off",
                                            "name": "Flood closure", "area": "BD-UPZ-320"}, follow_redirects=True)
    assert "Day off added; 1 open grievances" in r.get_data(as_text=True)
    with app.app_context():
        found = rows()
        assert set(found) == {(date(2026, 3, 17), "not_off", None), (date(2026, 3, 28), "working", None),
                              (date(2026, 3, 16), "off", "BD-UPZ-320")}
        assert found[(date(2026, 3, 28), "working", None)].name("bn") == "কর্মদিবস"
        fair = found[(date(2026, 3, 16), "off", "BD-UPZ-320")].id
        with_all = builders.find(code).due_at
    # Removing a correction moves the deadline back.
    r = admin.post("/admin/holidays/delete", data={"csrf_token": csrf, "id": fair}, follow_redirects=True)
    assert "Calendar correction removed; 1 open grievances" in r.get_data(as_text=True)
    assert admin.post("/admin/holidays/delete", data={"id": fair}).status_code == 400
    with app.app_context():
        assert builders.find(code).due_at < with_all
        assert len(rows()) == 2
    bn = admin.get("/admin/holidays?year=2026&lang=bn").get_data(as_text=True)
    assert "ক্যালেন্ডারের সংশোধন" in bn and "কর্মদিবস" in bn
    # Each public holiday's button sends its English name, whatever the reader's language.
    assert 'name="name" value="Eid al-Fitr"' in bn
