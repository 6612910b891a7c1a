"""GET /api/v1/messages and /admin/messages: what each citizen and office was sent and what failed, for admins
and supervisors within their area, sensitive grievances' messages only with that right."""
from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BARMI, BASAN, GAZIPUR, T0
from grs.extensions import db
from grs.models import Grievance, OutboxMessage
from grs.services.accounts import create_token, create_user

PHONE = "+8801712345678"


def _lodge(app, area=BARIA, **kw) -> str:
    return builders.lodge_in(app, area, **kw)


def _receipt(app, code: str) -> OutboxMessage:
    with app.app_context():
        return db.session.scalar(sa.select(OutboxMessage).join(Grievance).where(
            Grievance.tracking_code == code, OutboxMessage.template == "receipt"))


def _codes(items) -> set:
    return {m["grievance"] for m in items}


def _get(client, headers, query: str = ""):
    r = client.get(f"/api/v1/messages{query}", headers=headers)
    return r, r.get_json()


def _headers_for(app, email: str, role: str, area: str, sensitive: bool) -> dict:
    with app.app_context():
        builders.run(create_user, email, builders.PASSWORD, role, area_code=area, can_see_sensitive=sensitive)
        return {"Authorization": f"Bearer {builders.run(create_token, email)}"}


def test_an_admin_reads_each_row_as_it_was_queued_and_sent(app, client, auth, world):
    code = _lodge(app, phone="01712345678")
    r, body = _get(client, auth("admin"), f"?grievance={code}")
    assert r.status_code == 200
    receipt = next(m for m in body["items"] if m["template"] == "receipt")
    assert receipt["grievance"] == code and receipt["medium"] == "sms" and receipt["recipient"] == PHONE
    assert receipt["language"] == "en" and code in receipt["body"].replace(" ", "")
    assert receipt["encoding"] == "GSM-7" and receipt["segments"] == 1
    assert receipt["status"] == "queued" and receipt["attempts"] == 0
    assert receipt["provider"] is None and receipt["provider_message_id"] is None
    assert receipt["delivery_status"] is None
    with app.app_context():
        row = db.session.get(OutboxMessage, receipt["id"])
        row.status, row.attempts, row.provider, row.provider_message_id, row.sent_at = "sent", 1, "fake", "F-1", T0
        db.session.commit()
    m = next(m for m in _get(client, auth("admin"), f"?grievance={code}")[1]["items"] if m["id"] == receipt["id"])
    assert (m["status"], m["attempts"], m["provider"], m["provider_message_id"], m["delivery_status"]) == (
        "sent", 1, "fake", "F-1", "awaiting_report")
    with app.app_context():
        row = db.session.get(OutboxMessage, receipt["id"])
        row.status, row.last_error = "failed", "fake delivery report: Rejected"
        db.session.commit()
    m = next(m for m in _get(client, auth("admin"), f"?grievance={code}")[1]["items"] if m["id"] == receipt["id"])
    assert m["delivery_status"] == "undelivered" and m["last_error"] == "fake delivery report: Rejected"


def test_filters_by_grievance_recipient_and_status(app, client, auth, world):
    mine = _lodge(app, phone="01712345678")
    other = _lodge(app, BASAN, phone="01812345678")
    headers = auth("admin")
    assert _codes(_get(client, headers, f"?grievance={mine}")[1]["items"]) == {mine}
    spaced = f"{mine[:4]} {mine[4:8]}-{mine[8:]}"
    assert _codes(_get(client, headers, f"?grievance={spaced}")[1]["items"]) == {mine}
    local = _get(client, headers, "?recipient=01812345678")[1]["items"]
    assert {m["recipient"] for m in local} == {"+8801812345678"} and _codes(local) == {other}
    assert _get(client, headers, "?recipient=%2B8801812345678")[1]["items"] == local
    assert _get(client, headers, "?status=failed")[1]["items"] == []
    queued = _get(client, headers, "?status=queued")[1]
    assert queued["total"] >= 2 and {m["status"] for m in queued["items"]} == {"queued"}


@pytest.mark.parametrize("query, field", [("?grievance=12345", "grievance"), ("?status=lost", "status"),
                                          ("?recipient=not-a-number", "recipient"), ("?colour=red", "colour"),
                                          ("?per_page=0", "per_page")])
def test_bad_filters_are_named(client, auth, world, query, field):
    r, body = _get(client, auth("admin"), query)
    assert r.status_code == 422 and field in body["error"]["fields"]


def test_pages_like_the_other_listings(app, client, auth, world):
    for _ in range(3):
        _lodge(app, phone="01712345678")
    headers = auth("admin")
    first = _get(client, headers, "?recipient=01712345678&per_page=2")[1]
    assert first["page"] == 1 and first["per_page"] == 2 and first["total"] == 3 and len(first["items"]) == 2
    assert first["next"] == "/api/v1/messages?recipient=01712345678&page=2&per_page=2"
    second = client.get(first["next"], headers=headers).get_json()
    assert len(second["items"]) == 1 and second["next"] is None
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 3  # newest first, each once


def test_a_supervisor_reads_only_their_areas_messages(app, client, auth, world):
    baria = _lodge(app, phone="01712345678")
    barmi = _lodge(app, BARMI, phone="01812345678")  # Sreepur: outside Gazipur Sadar
    sadar = auth("supervisor_sadar")
    seen = _codes(_get(client, sadar, "")[1]["items"])
    assert baria in seen and barmi not in seen
    r, body = _get(client, sadar, f"?grievance={barmi}")
    assert r.status_code == 200 and body["items"] == [] and body["total"] == 0  # as if it had none
    assert barmi in _codes(_get(client, auth("supervisor"), "")[1]["items"])  # Gazipur's supervisor: both
    assert None not in seen  # messages about no grievance are for national accounts


def test_sensitive_grievances_messages_need_the_right(app, client, auth, world):
    sensitive = _lodge(app, category="corruption", phone="01712345678")
    plain = _headers_for(app, "plain.supervisor@test.grs", "supervisor", GAZIPUR, sensitive=False)
    assert sensitive not in _codes(_get(client, plain, "")[1]["items"])
    assert _get(client, plain, f"?grievance={sensitive}")[1]["items"] == []
    assert sensitive in _codes(_get(client, auth("supervisor"), f"?grievance={sensitive}")[1]["items"])
    assert sensitive in _codes(_get(client, auth("admin"), f"?grievance={sensitive}")[1]["items"])


@pytest.mark.parametrize("who", ["officer_baria", "operator", "analyst", "facilitator"])
def test_other_roles_are_refused(client, auth, world, who):
    r, body = _get(client, auth(who))
    assert r.status_code == 403 and body["error"]["code"] == "forbidden"


def test_it_is_described_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/messages"]["get"]
    assert [p["name"] for p in op["parameters"]] == ["grievance", "recipient", "status", "page", "per_page"]
    item = doc["components"]["schemas"]["Message"]["properties"]
    for name in ("template", "language", "body", "encoding", "segments", "status", "attempts",
                 "provider_message_id", "delivery_status"):
        assert name in item


def test_the_console_gateway_logs_no_bodies(app, world, caplog):
    from channels.gateways import ConsoleGateway
    from grs.phones import mask

    caplog.set_level(logging.INFO, logger="channels.gateways")
    ConsoleGateway().send(PHONE, "GRS 4821: the office asks: your NID number please")
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "console sms to" in logged and "NID" not in logged and "the office asks" not in logged
    assert PHONE not in logged and mask(PHONE) in logged


# ---------------------------------------------------------------- /admin/messages

def _rows(html: str) -> list[str]:
    return re.findall(r'<tr class="message[^"]*" id="message-(\d+)"', html)


def test_the_admin_page_lists_and_filters_the_same_rows(app, client_as, auth, world):
    mine = _lodge(app, phone="01712345678")
    other = _lodge(app, BASAN, phone="01812345678")
    c = client_as("admin")
    r = c.get("/admin/messages")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and mine in html.replace(" ", "") and other in html.replace(" ", "")
    for label in ("Tracking code", "Recipient", "Status"):
        assert f">{label}</label>" in html
    filtered = c.get(f"/admin/messages?grievance={mine}").get_data(as_text=True)
    assert other not in filtered.replace(" ", "") and _rows(filtered)
    api_ids = [str(m["id"]) for m in _get(app.test_client(), auth("admin"), f"?grievance={mine}")[1]["items"]]
    assert _rows(filtered) == api_ids
    assert "Not a tracking code" in c.get("/admin/messages?grievance=12").get_data(as_text=True)


def test_the_admin_page_is_for_admins_and_supervisors_in_their_scope(app, client_as, world):
    barmi = _lodge(app, BARMI, phone="01812345678")
    html = client_as("supervisor_sadar").get("/admin/messages").get_data(as_text=True)
    assert barmi not in html.replace(" ", "")
    assert client_as("officer_baria").get("/admin/messages").status_code == 403
