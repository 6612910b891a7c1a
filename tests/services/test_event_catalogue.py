"""The event catalogue's words render in English and Bangla, and the staff and track pages read them."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from grs import create_app, events
from grs.events import CATALOGUE, EventType
from grs.staff import labels
from channels.web import wording

PLACEHOLDERS = {"office": "OFFICE", "channel": "CHANNEL", "days": "7"}


@pytest.fixture(scope="module")
def babel_app():
    """The app for its translations only: no database is touched."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        yield app


def rendered(lazy, lang: str) -> str:
    with force_locale(lang):
        text = str(lazy)
        return text % PLACEHOLDERS if "%(" in text else text


def every_citizen_sentence():
    for t, spec in CATALOGUE.items():
        if spec.public:
            yield t, spec.citizen
            yield from ((t, s) for s in spec.citizen_when.values())


@pytest.mark.parametrize("t", list(EventType))
def test_staff_label_is_translated_into_bangla(babel_app, t):
    label = CATALOGUE[t].staff_label
    en, bn = rendered(label, "en"), rendered(label, "bn")
    assert en.strip() and bn.strip() and bn != en, (t, en, bn)


@pytest.mark.parametrize("t, sentence", list(every_citizen_sentence()))
def test_citizen_sentence_is_translated_into_bangla_with_its_placeholders(babel_app, t, sentence):
    en, bn = rendered(sentence, "en"), rendered(sentence, "bn")
    assert en.strip() and bn.strip() and bn != en, (t, en, bn)
    for value in PLACEHOLDERS.values():
        assert (value in en) == (value in bn), (t, value, bn)


def test_staff_history_labels_are_the_catalogue(babel_app):
    assert set(labels.EVENT) == {str(t) for t in EventType}
    with force_locale("bn"):
        assert labels.word(labels.EVENT, "resolved") == str(CATALOGUE[EventType.RESOLVED].staff_label)
        assert labels.word(labels.EVENT, "warned") == "দপ্তরকে সতর্ক করা হয়েছে: সময়সীমা নিকটে"


def event(type_: str, **data):
    return SimpleNamespace(type=type_, data=data, office=None)


def test_track_sentence_comes_from_the_catalogue_with_its_variants(babel_app):
    with force_locale("en"):
        assert wording.event_sentence(event("escalated", breach=False), "en") == "Moved up to the office."
        assert wording.event_sentence(event("escalated", breach=True), "en") == \
            "The time limit passed, so it moved up to the office."
        assert wording.event_sentence(event("feedback", satisfied=True), "en") == "You said you were satisfied."
        assert wording.event_sentence(event("feedback", satisfied=False), "en") == \
            "You said you were not satisfied."
        assert wording.event_sentence(event("extended", days=5), "en") == \
            "The time limit was extended by 5 working days."
        assert wording.event_sentence(event("lodged", channel="sms"), "en") == "Complaint received through SMS."
        assert wording.event_sentence(event("resolved", decision="upheld"), "en") == \
            "the office resolved the complaint. Your complaint was upheld."
        assert wording.event_sentence(event("no_such_type"), "en") == "The complaint was updated."
    with force_locale("bn"):
        assert wording.event_sentence(event("feedback", satisfied=True), "bn") == "আপনি জানিয়েছেন যে আপনি সন্তুষ্ট।"


def test_track_history_shows_only_types_the_catalogue_declares_public(babel_app):
    steps = [event("lodged", channel="web"), event("warned", due_at="2026-03-16T09:00:00+00:00"),
             event("no_such_type")]
    with force_locale("en"):
        shown = [ev.type for ev, _sentence in wording.history(SimpleNamespace(events=steps), "en")]
    assert shown == [t.type for t in steps if t.type in events.PUBLIC] == ["lodged", "warned"]
