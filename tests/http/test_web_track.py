"""The public track page: status, level, office and history in plain words, and never personal data."""
from __future__ import annotations

import builders
import pytest
from grs import tracking

# "Baria" in Bangla exactly as the areas file spells it (precomposed letters, unlike typed text).
BARIA_BN = "\u09ac\u09be\u09dc\u09c0\u09df\u09be"


def lodge(app, **kw) -> str:
    with app.app_context():
        return builders.lodge(**kw).tracking_code


def wrong_check_digit(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)


def test_track_shows_status_office_and_history_but_no_personal_data(app, client, world):
    code = lodge(app, description="The agent Karim took 500 taka from my allowance.")
    r = client.get(f"/track/{code}")
    text = r.get_data(as_text=True)
    assert r.status_code == 200
    assert tracking.display(code) in text
    assert 'id="status">Received<' in text
    assert "Baria" in text and "Union level" in text
    assert "Answer expected by" in text
    assert "Complaint received through the website." in text and "Sent to Baria" in text
    for secret in ("Rahima", "Begum", "1712345678", "01712345678", "Karim", "500 taka", "allowance was not paid"):
        assert secret not in text, secret


def test_history_follows_the_case_in_plain_words_without_notes(app, client, world):
    code = lodge(app)
    with app.app_context():
        builders.act(world, "officer_baria", code, "acknowledge", note="Called Rahima on 01712345678")
        builders.act(world, "officer_baria", code, "start")
        builders.act(world, "officer_baria", code, "resolve", decision="upheld",
                     resolution="You were paid 1500 taka in cash.")
    text = client.get(f"/track/{code}").get_data(as_text=True)
    assert 'id="status">Resolved<' in text
    assert "acknowledged the complaint." in text and "started looking into the complaint." in text
    assert "resolved the complaint. Your complaint was upheld." in text
    assert "Answer expected by" not in text
    # The resolution is written for the complainant: shown in full (issue 10); staff notes never are.
    assert "You were paid 1500 taka in cash." in text
    for secret in ("Rahima", "01712345678", "Called"):
        assert secret not in text, secret


def test_escalation_reads_as_moving_up(app, client, world):
    code = lodge(app)
    with app.app_context():
        builders.act(world, "officer_baria", code, "escalate", note="needs the upazila")
    text = client.get(f"/track/{code}").get_data(as_text=True)
    assert "Moved up to" in text and "Upazila level" in text and "needs the upazila" not in text


def test_triaged_complaint_says_it_is_not_placed_yet(app, client, world):
    code = lodge(app, area=None)
    text = client.get(f"/track/{code}").get_data(as_text=True)
    assert "Not yet placed" in text and "Waiting for an operator to choose the right office." in text


def test_code_typed_with_spaces_in_the_form_opens_the_status(app, client, world):
    code = lodge(app)
    r = client.get("/track", query_string={"code": tracking.display(code)})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/track/{code}")


def test_wrong_check_digit_is_a_clear_400(app, client, world):
    code = lodge(app)
    for r in (client.get(f"/track/{wrong_check_digit(code)}"),
              client.get("/track", query_string={"code": wrong_check_digit(code)})):
        text = r.get_data(as_text=True)
        assert r.status_code == 400
        assert "That is not a valid tracking code" in text and 'id="code-error"' in text


def test_valid_but_unknown_code_is_a_clear_404(client, world):
    body = "12345678901"
    r = client.get(f"/track/{body}{tracking.check_digit(body)}")
    assert r.status_code == 404 and "No complaint has that tracking code" in r.get_data(as_text=True)


def test_track_page_in_bangla(app, client, world):
    code = lodge(app)
    text = client.get(f"/track/{code}?lang=bn").get_data(as_text=True)
    assert '<html lang="bn">' in text
    assert "গৃহীত" in text and BARIA_BN in text and "ইতিহাস" in text
    assert "Received" not in text


@pytest.mark.config(TRACK_RATE_LIMIT=3)
def test_lookups_are_rate_limited_with_a_clear_page(app, client, world):
    code = lodge(app)
    assert [client.get(f"/track/{code}").status_code for _ in range(3)] == [200, 200, 200]
    r = client.get(f"/track/{code}")
    assert r.status_code == 429
    assert "Too many look-ups" in r.get_data(as_text=True)
