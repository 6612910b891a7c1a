"""The public pages in Hausa and Somali (issue 13, item 4): home, lodge, lodged, track and status pages, the
statistics page and the error pages show no citizen text left in English on a site that speaks the language."""
from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

import builders
from grs.catalogue import translations
from grs.citizen_texts import citizen_facing
from grs.extensions import db
from grs.models import Grievance
from grs.tracking import display

LANGS = ["ha", "so"]


def _citizen_english(lang: str) -> list[str]:
    """The English of every citizen text whose translation differs (a long one: short words such as "SMS"
    or "Menu" are the same in many languages)."""
    import os

    from babel.messages.pofile import read_po

    from grs.catalogue import DIRECTORY

    with open(os.path.join(DIRECTORY, lang, "LC_MESSAGES", "messages.po"), "rb") as fh:
        catalog = read_po(fh, locale=lang)
    out = []
    for m in catalog:
        if m.id and isinstance(m.id, str) and m.context is None and citizen_facing(m) and m.string != m.id:
            english = m.id.split("%(")[0].strip()  # the part before a placeholder, as the page shows it
            if len(english) >= 16:
                out.append(english)
    return out


def _visible(page: str) -> str:
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def _english_left(page: str, lang: str) -> list[str]:
    shown = _visible(page)
    return [e for e in _citizen_english(lang) if " ".join(e.split()) in shown]


def _site(lang: str):
    return pytest.mark.config(LANGUAGES=[lang, "en"])


@pytest.mark.parametrize("lang", [pytest.param(lang, marks=_site(lang)) for lang in LANGS])
def test_home_lodge_track_and_statistics_pages_speak_the_language(app, client, world, lang):
    t = translations(lang)
    for path in ("/", "/grievances/new", "/track", "/stats", "/no-such-page"):
        resp = client.get(path)
        assert resp.status_code in (200, 404), path
        page = resp.get_data(as_text=True)
        assert f'lang="{lang}"' in page, path
        assert _english_left(page, lang) == [], path
    home = client.get("/").get_data(as_text=True)
    assert t.gettext("Make a complaint") in home and t.gettext("Make a complaint") != "Make a complaint"


@pytest.mark.parametrize("lang", [pytest.param(lang, marks=_site(lang)) for lang in LANGS])
def test_a_complaint_lodged_on_the_form_and_its_status_page_in_the_language(app, client, world, lang):
    data = {"programme": "OAA", "category": "payment", "phone": "01712345678",
            "description": "Ba a biya ni ba tun watanni uku" if lang == "ha" else "Saddex bilood lacag ma helin",
            "area_1": "BD-DIV-6", "area_2": "BD-DIS-41", "area_3": "BD-UPZ-320", "area_4": builders.BARIA}
    resp = client.post("/grievances/new", data=data, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200, _visible(page)[:500]
    assert _english_left(page, lang) == [], _visible(page)[:800]
    found = re.search(r"\d{4} \d{4} \d{4}", _visible(page))
    assert found, _visible(page)[:800]
    code = found.group(0).replace(" ", "")
    with app.app_context():
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        assert g.language == lang
    status = client.get(f"/track/{code}").get_data(as_text=True)
    assert display(code) in _visible(status)
    assert _english_left(status, lang) == [], _visible(status)[:800]
    assert translations(lang).gettext("Received") in _visible(status)


@pytest.mark.parametrize("lang", [pytest.param(lang, marks=_site(lang)) for lang in LANGS])
def test_the_check_sees_english_where_it_is_shown(client, world, lang):
    # Guards the tests above: the same pages in English are full of the texts they look for.
    for path in ("/?lang=en", "/grievances/new", "/track"):
        assert len(_english_left(client.get(path).get_data(as_text=True), lang)) >= 3, path
