"""SMS in the deployment's languages (issue 13, item 4): a French, Hausa or Somali keyword is answered in that
language, from its own texts; English keywords keep the sender's language; other packs' words are complaints."""
from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

import builders
from grs.extensions import db
from grs.models import Grievance, OutboxMessage
from grs.segments import measure
from grs.timeutil import utcnow
from grs.tracking import display

AT_URL = "/hooks/sms/africastalking?key=at-test-key"
NEIGHBOUR = "+8801812345678"  # no language stored for this phone


def at_post(client, text: str, *, msg_id: str, sender: str = NEIGHBOUR):
    body = urlencode({"from": sender, "to": "21356", "text": text, "date": "2026-03-01 10:00:00", "id": msg_id,
                      "linkId": ""})
    return client.post(AT_URL, data=body, content_type="application/x-www-form-urlencoded")


def replies(app, template: str) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == template)
                                  .order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
        return rows


def _code(app) -> str:
    with app.app_context():
        return builders.lodge(builders.BARIA, now=utcnow()).tracking_code


def _site(*langs: str):
    """A deployment speaking `langs` (config LANGUAGES, the default first)."""
    return pytest.mark.config(LANGUAGES={lang: lang for lang in langs})


@pytest.mark.parametrize("lang, keyword, expected", [
    pytest.param("fr", "STATUT", "plainte enregistrée", marks=_site("fr", "en")),
    pytest.param("ha", "MATSAYI", "an karɓa", marks=_site("en", "ha")),
    pytest.param("so", "XAALAD", "waa la helay", marks=_site("so", "en")),
])
def test_a_status_keyword_is_answered_in_its_language(app, client, world, lang, keyword, expected):
    code = _code(app)
    assert at_post(client, f"{keyword} {display(code)}", msg_id=f"AT-{lang}-1").status_code == 200
    [reply] = replies(app, "sms_status")
    assert reply.language == lang and reply.recipient == NEIGHBOUR
    assert display(code) in reply.body and expected in reply.body.casefold(), reply.body
    assert reply.segments == measure(reply.body)[1] <= 3


@pytest.mark.parametrize("lang", ["ha", "so"])
def test_the_hausa_and_somali_texts_teach_keywords_the_parser_reads(lang):
    # Every capitalised word an SMS text tells the citizen to send back (MATSAYI, A'A, XOG ...) is a keyword
    # of that language, understood by a deployment that speaks it.
    import glob
    import re

    from channels.sms.commands import parse
    from grs import ROOT

    taught = set()
    for path in glob.glob(os.path.join(ROOT, "templates", "messages", lang, "*.txt")):
        with open(path, encoding="utf-8") as fh:
            taught |= set(re.findall(r"\b([A-ZƊƘƁ'’]{2,}) \{\{ grievance.tracking_code \}\}", fh.read()))
    assert len(taught) >= 3, taught
    for word in taught:
        assert parse(f"{word} 482109375514", (lang, "en")).kind != "lodge", word


@_site("so", "en")
def test_a_bad_code_with_a_somali_keyword_gets_the_somali_hint(app, client, world):
    at_post(client, "XAALAD 1234 5678 9012", msg_id="AT-so-bad")
    [reply] = replies(app, "sms_bad_code")
    assert reply.language == "so" and "XAALAD" in reply.body


def test_the_english_keyword_keeps_the_senders_language(app, client, world):
    # A Bangla complainant who types the Latin STATUS (a Bangladesh site): Bangla, as before.
    code = _code(app)
    at_post(client, f"STATUS {code}", msg_id="AT-bn-1", sender="+8801712345678")  # the complainant's phone
    [reply] = replies(app, "sms_status")
    assert reply.language in ("en", "bn")
    with app.app_context():
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        assert reply.language == (g.language or "en")


def test_another_packs_keyword_is_a_complaint_on_this_site(app, client, world):
    # Bangladesh speaks Bangla and English: XAALAD and a code is a (short) complaint, not a status request.
    code = _code(app)
    at_post(client, f"XAALAD {code}", msg_id="AT-bd-so")
    assert replies(app, "sms_status") == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Grievance.id))) == 2
