"""In a real headless Chromium on a 360 px phone: Mali's site, French first, takes a complaint at a commune."""
from __future__ import annotations

import re
import threading

import pytest

from grs import create_app
from grs.countries import profile
from grs.extensions import db

pytestmark = pytest.mark.e2e

PORT = 5613  # this session's range for servers (5611-5619)
COMMUNE = ("ML-KAYES", "ML-KAYES-KAYES", "ML-KAYES-KAYES-KHOULOUM")


@pytest.fixture
def mali_server(tmp_path):
    """Mali's pack (areas, offices, programmes, categories, time limits) served on a local port."""
    from werkzeug.serving import make_server

    from grs.services.areas import import_areas
    from grs.services.reference import seed_reference
    from grs.uow import unit_of_work

    app = create_app({
        "TESTING": True, "SECRET_KEY": "e2e-secret", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/ml.sqlite3",
        "UPLOAD_DIR": str(tmp_path / "uploads"), "SMS_PROVIDER": "fake", "LOG_LEVEL": "WARNING", "COUNTRY": "ML",
    })
    with app.app_context():
        db.create_all()
        with unit_of_work() as uow:
            import_areas(uow, profile("ML").areas_file, "ML", with_offices=True)
            seed_reference(uow)
    server = make_server("127.0.0.1", PORT, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{PORT}", app
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


def test_a_complaint_lodged_in_french_on_a_small_phone_reaches_the_commune(browser, mali_server):
    url, app = mali_server
    page = browser.new_page(viewport={"width": 360, "height": 720}, locale="fr-ML")
    page.set_default_timeout(15000)
    page.goto(f"{url}/grievances/new")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sticks out sideways
    for i, level in enumerate(("Région", "Cercle", "Commune"), start=1):
        assert page.locator(f'label[for="area_{i}"]').inner_text().strip().startswith(level)
    page.locator("#programme").select_option("TM")
    page.locator("#category").select_option("payment_agency")
    for i, code in enumerate(COMMUNE, start=1):  # each choice makes the page's script fetch the next level
        page.locator(f"#area_{i}").select_option(code)
    page.locator("#description").fill("L'agent payeur a retenu 5 000 FCFA sur mon transfert sans raison.")
    page.locator("#phone").fill("+223 76 12 34 56")
    page.locator("#description").press("Tab")
    page.locator('form button[type="submit"]').last.click()
    page.wait_for_url(re.compile(r"/grievances/lodged$"))
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", code)
    main = page.locator("main").inner_text()
    assert "Khouloum" in main and "complaint" not in main.lower()  # in French, naming the commune's office
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    import sqlalchemy as sa

    from grs.models import Grievance, OutboxMessage

    with app.app_context():
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code.replace(" ", "")))
        assert (g.office.code, g.level, g.language) == (f"OFF-{COMMUNE[-1]}", "commune", "fr")
        receipt = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.grievance_id == g.id,
                                                                   OutboxMessage.template == "receipt"))
        assert receipt.language == "fr" and receipt.recipient == "+22376123456"
