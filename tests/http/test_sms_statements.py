"""A free-text SMS through the Africa's Talking webhook reads no place names from the database once the
process's place index is built: its cost does not grow with the country."""
from __future__ import annotations

from urllib.parse import urlencode

import sqlalchemy as sa

AT_URL = "/hooks/sms/africastalking?key=at-test-key"


def at_post(client, text: str, msg_id: str, sender: str):
    body = urlencode({"from": sender, "to": "21356", "text": text, "date": "2026-03-01 10:00:00",
                      "id": msg_id, "linkId": ""})
    return client.post(AT_URL, data=body, content_type="application/x-www-form-urlencoded")


def statements_of(fn) -> list[str]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
    return seen


def reads_place_names(statement: str) -> bool:
    """A statement that reads area names other than the one area a grievance is lodged in."""
    return "areas.name_en" in statement and "WHERE areas.code = " not in statement


def test_a_second_sms_reads_no_place_names(client, world):
    first = statements_of(lambda: at_post(client, "My allowance in Bariya union was not paid", "ATXst1",
                                          "+8801712345678"))
    assert any(reads_place_names(s) for s in first), "the first SMS of a process builds the index"
    second = statements_of(lambda: at_post(client, "বাড়িয়া ইউনিয়নে ভাতা পাইনি", "ATXst2", "+8801799999999"))
    assert [s for s in second if reads_place_names(s)] == []
    print(f"\nstatements: first SMS {len(first)}, second SMS {len(second)}")


def test_a_lodged_sms_writes_its_grievance_once_and_stays_within_its_statement_budget(client, world):
    """Routing, clocks and the first events are settled before the row is written: one INSERT, no UPDATE.
    The budget (31 statements besides savepoints, 35 before the unit of work; 2 of them the statistics
    counters' upsert and the grievance's contribution, 2 the reply language stored for the sender and the
    check for a grievance of theirs awaiting information, which a plain reply would answer) keeps it from
    creeping up."""
    at_post(client, "My allowance in Bariya union was not paid", "ATXc1", "+8801712345678")
    second = statements_of(lambda: at_post(client, "Payment not received in Basan union", "ATXc2",
                                           "+8801799999998"))
    work = [s for s in second if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]
    # the webhook's rate-limit counter (grs/ratelimit.py: its own small transaction, before the handler runs)
    limiter = [s for s in work if "rate_limit_counters" in s]
    assert len(limiter) <= 2
    work = [s for s in work if s not in limiter]
    # the intake worker's bookkeeping (channels/sms/intake.py; the test client runs it after the webhook):
    # claiming its batch, locking and reading it and marking the message done, once per batch of messages
    queue = [s for s in work if "inbound_messages" in s
             and not s.startswith(("INSERT INTO inbound_messages ", "UPDATE inbound_messages SET grievance_id"))]
    assert len(queue) <= 7, "\n".join(queue)
    work = [s for s in work if s not in queue]
    assert [s for s in work if s.startswith("INSERT INTO grievances ")] != []
    assert [s for s in work if s.startswith("UPDATE grievances ")] == []
    assert len([s for s in work if s.startswith("SELECT offices")]) == 1
    assert len(work) <= 31, "\n".join(work)
