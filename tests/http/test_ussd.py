"""USSD over HTTP as Africa's Talking drives it: golden transcripts, status, language, retries, bad input."""
from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa

import builders
from grs.extensions import db
from grs.models import Grievance, OutboxMessage, PhoneContact, UssdSession

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden", "ussd")
URL = "/hooks/ussd/africastalking?key=at-test-key"
CALLER = "+8801712345678"
# Set GRS_UPDATE_GOLDEN=1 to rewrite the transcripts from what the app says (then read the diff).
UPDATE = os.environ.get("GRS_UPDATE_GOLDEN") == "1"


def ussd(client, session_id: str, text: str, phone: str = CALLER, url: str = URL):
    return client.post(url, data={"sessionId": session_id, "serviceCode": "*384*333#", "phoneNumber": phone,
                                  "networkCode": "47001", "text": text})


def read_transcript(name: str) -> list[tuple[str, str]]:
    """(text as sent, expected reply) pairs from a golden file; '#' lines at the top are comments."""
    with open(os.path.join(GOLDEN, name), encoding="utf-8") as fh:
        body = "".join(line for line in fh if not line.startswith("#"))
    steps = re.split(r"^POST text=(.*)\n", body, flags=re.M)[1:]
    return [(steps[i], steps[i + 1].rstrip("\n")) for i in range(0, len(steps), 2)]


def play(client, name: str, session_id: str, answers: list[str] | None = None) -> str:
    """Send a transcript's requests in order, check every reply; returns the tracking code shown last."""
    path = os.path.join(GOLDEN, name)
    if UPDATE and answers is not None:
        header = "".join(line for line in open(path, encoding="utf-8") if line.startswith("#")) \
            if os.path.exists(path) else ""
        out, sent = [header], []
        for a in [None] + answers:
            if a is not None:
                sent.append(a)
            text = "*".join(sent)
            reply = ussd(client, session_id, text).get_data(as_text=True)
            out.append(f"POST text={text}\n{_masked(reply)}\n\n")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("".join(out).rstrip("\n") + "\n")
        return re.search(r"\d{4} \d{4} \d{4}", reply).group(0).replace(" ", "")
    steps = read_transcript(name)
    code = None
    for text, expected in steps:
        resp = ussd(client, session_id, text)
        assert resp.status_code == 200
        assert resp.mimetype == "text/plain"
        got = resp.get_data(as_text=True)
        found = re.search(r"\d{4} \d{4} \d{4}", got)
        if found and got.startswith("END"):
            code = found.group(0).replace(" ", "")
        assert _masked(got) == expected, f"after text={text!r}"
        assert len(got) - 4 <= 160
    return code


def _masked(reply: str) -> str:
    # The tracking code is random: the transcript says where it appears, the test checks it exists.
    return re.sub(r"\d{4} \d{4} \d{4}", "{code}", reply)


EN_ANSWERS = ["1", "1", "3", "2", "1", "1", "The agent took 200 taka from my allowance", "1"]
BN_ANSWERS = ["3", "2", "1", "2", "98", "0", "1", "2", "1", "2", "1", "1"]


def test_english_transcript_lodges_at_the_chosen_union_and_queues_one_receipt(app, client, world):
    code = play(client, "en_lodge_by_lists.txt", "ATUid_en_1", EN_ANSWERS)
    with app.app_context():
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        assert g is not None
        assert (g.channel, g.office.code, g.area.code, g.programme.code, g.category.code) == (
            "ussd", "OFF-BD-UN-2869", builders.BARIA, "OAA", "payment")
        assert g.description == "The agent took 200 taka from my allowance"
        assert g.complainant.phone == CALLER and g.language == "en"
        assert g.source_ref == "ussd:ATUid_en_1"
        sms = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.medium == "sms")).all()
        assert [(m.recipient, m.template, m.language) for m in sms] == [(CALLER, "receipt", "en")]
        assert code in sms[0].body
        assert db.session.get(UssdSession, "ATUid_en_1").grievance_id == g.id


def test_bangla_transcript_switches_language_then_lodges_in_bangla(app, client, world):
    code = play(client, "bn_lodge_by_lists.txt", "ATUid_bn_1", BN_ANSWERS)
    with app.app_context():
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        assert (g.channel, g.office.code, g.language) == ("ussd", "OFF-BD-UN-2870", "bn")
        assert g.description.startswith("বাদ পড়া")  # skipped: the category and programme stand in
        sms = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.medium == "sms")).all()
        assert [(m.recipient, m.template, m.language) for m in sms] == [(CALLER, "receipt", "bn")]


def test_a_union_code_typed_on_the_keypad_places_the_complaint(app, client, world):
    code = play(client, "en_lodge_by_union_code.txt", "ATUid_code_1",
                ["1", "2", "1", "99", "12345", "2877", "1", "1"])
    with app.app_context():
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        assert (g.office.code, g.programme.code, g.category.code) == ("OFF-BD-UN-2877", "WA", "exclusion")


def test_status_check_says_status_and_level_in_plain_words_and_nothing_personal(app, client, world):
    with app.app_context():
        g = builders.lodge()
        builders.act(world, "officer_baria", g.tracking_code, "acknowledge")
        builders.act(world, "officer_baria", g.tracking_code, "start")
        code = g.tracking_code
    spaced = " ".join(code[i:i + 4] for i in range(0, 12, 4))
    assert ussd(client, "ATUid_st", "").status_code == 200
    ussd(client, "ATUid_st", "2")
    wrong = ussd(client, "ATUid_st", "2*123456789012").get_data(as_text=True)
    assert wrong.startswith("CON Code not valid.\nType your 12-digit complaint code:")
    reply = ussd(client, "ATUid_st", "2*123456789012*" + spaced).get_data(as_text=True)
    assert reply.startswith(f"END Complaint {spaced}: being looked into, at the union office.")
    assert "Rahima" not in reply and "allowance" not in reply.lower() and "Baria" not in reply


def test_status_of_an_unknown_code_gets_a_hint(client, world):
    ussd(client, "ATUid_unknown", "")
    reply = ussd(client, "ATUid_unknown", "2*482109375514").get_data(as_text=True)
    assert reply.startswith("CON No complaint has that code.")


def test_the_language_chosen_is_remembered_for_the_next_session(app, client, world):
    ussd(client, "ATUid_lang_1", "")
    reply = ussd(client, "ATUid_lang_1", "3*2").get_data(as_text=True)
    assert reply.startswith("CON ভাষা সংরক্ষিত।\nঅভিযোগ সেবা")
    later = ussd(client, "ATUid_lang_2", "").get_data(as_text=True)
    assert later.startswith("CON অভিযোগ সেবা\n1 অভিযোগ করুন")
    other = ussd(client, "ATUid_lang_3", "", phone="+8801812345678").get_data(as_text=True)
    assert other.startswith("CON Grievance service")
    with app.app_context():
        assert db.session.get(PhoneContact, CALLER).language == "bn"


def test_a_resent_request_gets_the_same_screen_and_never_a_second_grievance(app, client, world):
    texts = ["*".join(EN_ANSWERS[:n]) for n in range(len(EN_ANSWERS) + 1)]
    replies = [ussd(client, "ATUid_again", t).get_data(as_text=True) for t in texts[:4]]
    # The network resends the fourth request: same screen, and the menu does not move on.
    assert ussd(client, "ATUid_again", texts[3]).get_data(as_text=True) == replies[3]
    for t in texts[4:-1]:
        ussd(client, "ATUid_again", t)
    with app.app_context():
        row = db.session.get(UssdSession, "ATUid_again")
        before_final = (dict(row.state), row.last_text, row.last_reply)
    last = ussd(client, "ATUid_again", texts[-1]).get_data(as_text=True)
    assert last.startswith("END Complaint received.")
    assert ussd(client, "ATUid_again", texts[-1]).get_data(as_text=True) == last
    with app.app_context():
        # Even if the session row had missed the final step, the session id keeps it to one grievance.
        row = db.session.get(UssdSession, "ATUid_again")
        row.state, row.last_text, row.last_reply = before_final
        db.session.commit()
    again = ussd(client, "ATUid_again", texts[-1]).get_data(as_text=True)
    assert again == last
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.medium == "sms")) == 1


def test_a_broken_answer_shows_the_same_screen_with_a_hint(client, world):
    ussd(client, "ATUid_bad", "")
    programmes = ussd(client, "ATUid_bad", "1").get_data(as_text=True)
    reply = ussd(client, "ATUid_bad", "1*42").get_data(as_text=True)
    assert reply == "CON Not a choice, try again.\n" + programmes.removeprefix("CON ")
    reply = ussd(client, "ATUid_bad", "1*42*xyz").get_data(as_text=True)
    assert reply == "CON Not a choice, try again.\n" + programmes.removeprefix("CON ")


def test_answers_in_the_first_request_are_all_applied(client, world):
    reply = ussd(client, "ATUid_short", "2").get_data(as_text=True)
    assert reply == "CON Type your 12-digit complaint code:\n0 Back 00 Menu"


@pytest.mark.parametrize("url", ["/hooks/ussd/africastalking", "/hooks/ussd/africastalking?key=wrong"])
def test_without_the_right_key_the_callback_is_refused(client, world, url):
    resp = ussd(client, "ATUid_x", "", url=url)
    assert resp.status_code == 403
    assert "CON" not in resp.get_data(as_text=True)


def test_a_request_without_a_session_id_is_a_400_not_a_500(client, world):
    resp = client.post(URL, data={"phoneNumber": CALLER, "text": ""})
    assert resp.status_code == 400


# The same walk in each pack language (issue 13): the deployment speaks it first and English second (config
# LANGUAGES), so the menu opens in it and the language menu lists both; the caller picks it again (3, 1), then
# lodges an old-age allowance payment complaint at Baria union with a description typed in that language.
PACK_TRANSCRIPTS = {
    "fr": "L'agent a pris 200 taka sur mon allocation",
    "ha": "Wakili ya karɓi taka 200 daga tallafina",
    "so": "Wakiilku wuxuu iga qaatay 200 taka gargaarkayga",
}


@pytest.mark.parametrize("lang", [pytest.param(lang, marks=pytest.mark.config(LANGUAGES=[lang, "en"]))
                                  for lang in PACK_TRANSCRIPTS])
def test_transcripts_in_french_hausa_and_somali_lodge_in_that_language(app, client, world, lang):
    described = PACK_TRANSCRIPTS[lang]
    code = play(client, f"{lang}_lodge_by_lists.txt", f"ATUid_{lang}_1",
                ["3", "1", "1", "1", "3", "2", "1", "1", described, "1"])
    with app.app_context():
        g = db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))
        assert (g.channel, g.office.code, g.programme.code, g.category.code, g.language) == (
            "ussd", "OFF-BD-UN-2869", "OAA", "payment", lang)
        assert g.description == described
        [sms] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.medium == "sms")).all()
        assert (sms.recipient, sms.template, sms.language) == (CALLER, "receipt", lang)
        assert code in sms.body
        assert db.session.get(PhoneContact, CALLER).language == lang
