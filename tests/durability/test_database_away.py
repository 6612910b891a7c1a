"""While the database cannot be reached, every kind of caller gets a 503 with Retry-After and a clear message
(JSON for the API and webhooks, the error page for people), never a 500; the restart proof (PostgreSQL
restarted under load, the app recovering by itself) is test_postgres_restart.py."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from grs import create_app

MESSAGE = "The service cannot reach its database just now, so nothing was saved. Try again in a minute."


@pytest.fixture
def away(settings, tmp_path):
    """The app pointed at a PostgreSQL server that is not there (no socket in that folder)."""
    return create_app({**settings, "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://postgres@/grs?host="
                                                              f"{tmp_path / 'no-server'}&port=5641&connect_timeout=2"})


def _unavailable(response):
    assert response.status_code == 503, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.headers["Retry-After"] == "30"


@pytest.mark.parametrize("method, path, kw", [
    ("post", "/hooks/sms/africastalking?key=at-test-key",
     {"data": urlencode({"from": "+8801712345678", "to": "21356", "text": "my allowance", "id": "AT-1"}),
      "content_type": "application/x-www-form-urlencoded"}),
    ("get", "/api/v1/grievances", {"headers": {"Authorization": "Bearer some-token"}}),
    ("post", "/hooks/ussd/africastalking?key=at-test-key",
     {"data": {"sessionId": "S1", "phoneNumber": "+8801712345678", "serviceCode": "*1#", "text": ""}}),
], ids=["sms-webhook", "api", "ussd-webhook"])  # not the URLs: test ids reach the logs, and these carry the key
def test_machines_get_a_json_503_with_retry_after(away, method, path, kw):
    response = getattr(away.test_client(), method)(path, **kw)
    _unavailable(response)
    assert response.get_json()["error"] == {"code": "database_unavailable", "message": MESSAGE}


@pytest.mark.parametrize("path", ["/", "/track/482109375512", "/grievances/new"])
def test_people_get_the_error_page_saying_nothing_was_saved(away, path):
    response = away.test_client().get(path)
    _unavailable(response)
    page = response.get_data(as_text=True)
    assert "Not available just now" in page and "what you sent was not saved" in page
    assert "Something went wrong" not in page


def test_a_signed_in_officer_gets_the_page_too_not_a_500_from_loading_the_account(away):
    client = away.test_client()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = "7:1", True
    response = client.get("/cases/")
    _unavailable(response)
    assert "Not available just now" in response.get_data(as_text=True)


def test_a_lodge_posted_while_the_database_is_away_is_a_503_page(away):
    response = away.test_client().post("/grievances/new", data={"programme": "OAA", "category": "payment",
                                                                "description": "My allowance was not paid."})
    _unavailable(response)
