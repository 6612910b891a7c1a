"""GET /api/v1/grievances beyond the inbox's filters: channel, received dates (the country's local date),
open or decided, part of a tracking code; and the same filters on the file exports."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import builders
import pytest
from builders import BARIA, BARMI

pytestmark = pytest.mark.both_backends  # date bounds and booleans are dialect SQL

# Dhaka is UTC+6: 19:00 UTC on 1 March is already 2 March there.
LATE_EVENING = datetime(2026, 3, 1, 19, 0, tzinfo=timezone.utc)
MORNING = datetime(2026, 3, 1, 4, 0, tzinfo=timezone.utc)
APRIL = datetime(2026, 4, 10, 6, 0, tzinfo=timezone.utc)


@pytest.fixture
def dated(app, world):
    with app.app_context():
        morning = builders.lodge(BARIA, now=MORNING).tracking_code
        evening = builders.lodge(BARIA, now=LATE_EVENING, channel="sms").tracking_code
        april = builders.lodge(BARMI, now=APRIL, channel="ussd").tracking_code
        builders.act(world, "officer_baria", morning, "resolve", now=APRIL, decision="upheld", resolution="Paid.")
    return {"morning": morning, "evening": evening, "april": april}


def listed(client, headers, **query) -> set[str]:
    r = client.get("/api/v1/grievances", query_string=query, headers=headers)
    assert r.status_code == 200, r.get_json()
    return {g["tracking_code"] for g in r.get_json()["items"]}


def test_channel_filter(client, auth, dated):
    headers = auth("admin")
    assert listed(client, headers, channel="sms") == {dated["evening"]}
    assert listed(client, headers, channel="ussd") == {dated["april"]}
    assert listed(client, headers, channel="paper") == set()


def test_dates_are_the_countrys_local_dates_both_inclusive(client, auth, dated):
    headers = auth("admin")
    assert listed(client, headers, **{"from": "2026-03-01", "to": "2026-03-01"}) == {dated["morning"]}
    assert listed(client, headers, **{"from": "2026-03-02", "to": "2026-03-02"}) == {dated["evening"]}
    assert listed(client, headers, **{"from": "2026-03-02"}) == {dated["evening"], dated["april"]}
    assert listed(client, headers, to="2026-04-09") == {dated["morning"], dated["evening"]}
    assert listed(client, headers, **{"from": "2026-04-10", "to": "2026-04-10"}) == {dated["april"]}
    # The far ends of the calendar are no bound at all, not an error.
    assert listed(client, headers, **{"from": "0001-01-01", "to": "9999-12-31"}) == set(dated.values())


def test_open_and_code_filters(client, auth, dated):
    headers = auth("admin")
    assert listed(client, headers, open="false") == {dated["morning"]}
    assert listed(client, headers, open="true") == {dated["evening"], dated["april"]}
    code = dated["april"]
    assert listed(client, headers, code=f"{code[:4]}-{code[4:8]} {code[8:]}") == {code}


def test_filters_combine_with_scope(client, auth, dated):
    assert listed(client, auth("officer_baria"), **{"from": "2026-03-01"}) == {dated["morning"], dated["evening"]}
    assert listed(client, auth("officer_baria"), channel="ussd") == set()


def test_next_link_keeps_the_new_filters(client, auth, dated):
    page = client.get("/api/v1/grievances", query_string={"from": "2026-03-01", "channel": "web", "open": "false",
                                                          "per_page": 1}, headers=auth("admin")).get_json()
    assert page["total"] == 1 and page["next"] is None
    page = client.get("/api/v1/grievances", query_string={"from": "2026-03-01", "to": "2026-12-31", "per_page": 1},
                      headers=auth("admin")).get_json()
    assert page["total"] == 3
    assert "from=2026-03-01" in page["next"] and "to=2026-12-31" in page["next"]
    second = client.get(page["next"], headers=auth("admin")).get_json()
    assert second["page"] == 2 and second["total"] == 3


def test_the_export_takes_the_same_filters(client, auth, dated):
    r = client.get("/api/v1/grievances", query_string={"channel": "sms", "format": "csv"}, headers=auth("admin"))
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [row["tracking_code"] for row in rows] == [dated["evening"]]


@pytest.mark.parametrize("query, field", [
    ({"channel": "fax"}, "channel"),
    ({"from": "2026-3-1"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "from"),
    ({"open": "perhaps"}, "open"),
    ({"code": "x" * 61}, "code"),
])
def test_bad_new_filters_are_422_naming_them(client, auth, world, query, field):
    r = client.get("/api/v1/grievances", query_string=query, headers=auth("admin"))
    assert r.status_code == 422
    assert field in r.get_json()["error"]["fields"]
