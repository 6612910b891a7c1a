"""The SMS classifier against a corpus of real-sounding complaints in English and Bangla (issue 12, item 3):
bribes (asked by officials, union parishad members, payment and bank agents), sexual exploitation and abuse,
harassment by officials, ordinary payment delays, exclusion and data correction, each with the category a
grievance officer would give it. It must get at least 90% right; the misses are listed with the run."""
import csv
import os

from channels.sms.commands import classify

CORPUS = os.path.join(os.path.dirname(__file__), "sms_classifier_corpus.csv")
SENSITIVE = {"corruption", "sea_gbv", "misconduct"}


def _rows():
    with open(CORPUS, newline="", encoding="utf-8") as fh:
        return [(r["text"], r["expected"] or None, r["note"]) for r in csv.DictReader(fh)]


def test_the_corpus_is_big_enough_and_in_both_languages():
    rows = _rows()
    assert len(rows) >= 60
    bangla = [t for t, _, _ in rows if any("\u0980" <= ch <= "\u09ff" for ch in t)]
    assert len(bangla) >= 25 and len(rows) - len(bangla) >= 25
    assert {e for _, e, _ in rows} >= {"corruption", "sea_gbv", "misconduct", "payment", "exclusion",
                                       "data_correction", None}


def test_the_classifier_gets_at_least_90_percent_right(capsys):
    rows = _rows()
    misses = [(text, expected, classify(text)[1], note) for text, expected, note in rows
              if classify(text)[1] != expected]
    with capsys.disabled():
        print(f"\nSMS classifier: {len(rows) - len(misses)}/{len(rows)} right; misses:")
        for text, expected, got, note in misses:
            print(f"  expected {expected}, got {got}: {text} ({note})")
    assert len(rows) - len(misses) >= 0.9 * len(rows), misses


def test_no_ordinary_complaint_is_made_sensitive():
    """A wrongly sensitive case leaves the office that should answer it: the worse mistake, so none is allowed
    (the ambiguous "হয়রানি", red tape, among them)."""
    wrong = [(text, classify(text)[1]) for text, expected, _ in _rows()
             if expected not in SENSITIVE and classify(text)[1] in SENSITIVE]
    assert wrong == []


def test_an_ambiguous_word_alone_makes_nothing_sensitive():
    assert classify("খুব হয়রানি হচ্ছি")[1] is None
    assert classify("I was harassed")[1] is None
    assert classify("চেয়ারম্যান হয়রানি করছে")[1] == "misconduct"  # an official named
    assert classify("অফিসার যৌন হয়রানি করেছে")[1] == "sea_gbv"  # a sexual signal
