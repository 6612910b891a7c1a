"""SIGKILL the gunicorn master and its workers in the middle of an SMS intake load, start it again, let the
provider go on: every message that was answered 2xx is in the database exactly once, nothing is doubled,
and no grievance exists without the message it came from."""
from __future__ import annotations

from collections import Counter

import pytest

from . import procs

pytestmark = pytest.mark.slow

PORT = 5640


@pytest.fixture
def database(pg, settings):
    url = pg.create_database("grs_durability_kill")
    return url, procs.build_database(url, settings)


def test_sigkill_of_gunicorn_mid_stream_loses_no_answered_sms_and_doubles_none(database, settings, tmp_path,
                                                                               runner_for):
    url, _ = database
    earlier = set(procs.inbound_state(url)["grievances"])  # the world's own grievance, lodged on the web
    server = procs.Gunicorn(procs.server_env(url, PORT, settings, tmp_path), PORT, tmp_path / "gunicorn.log").start()
    load = procs.SmsLoad(PORT, threads=3, per_thread=40)
    try:
        load.start()
        load.wait_for(25)
        before = load.count()
        answered_before = sorted(load.answered)
        assert before >= 25, f"only {before} answered before the kill: {server.log_tail()}"
        in_flight = load.outstanding
        killed = server.kill9()  # master and workers, mid-stream: requests in flight get no answer
        server.start()  # the provider keeps retrying meanwhile
        load.join()
        # Answers the provider lost (it re-delivers): each is recognised as the message already stored.
        redelivered = load.redeliver(answered_before[:10])
    finally:
        server.stop()

    assert len(killed) == 3, killed
    assert not load.problems, load.problems[:5]
    sent = {f"ATXid_dur_{t}_{n:04d}" for t in range(3) for n in range(40)}
    assert set(load.answered) == sent, f"{len(sent - set(load.answered))} messages never answered"
    assert load.count() > before, "nothing was answered after the restart"
    assert [(i, s, d) for i, s, d in redelivered if (s, d) != (200, True)] == [], "a re-delivery was not a duplicate"
    assert in_flight >= 1 and load.no_answer, "the kill cut off no request"

    procs.run_intake_worker(url, settings)  # the recorded messages become grievances (channels/sms/intake.py)
    state = procs.inbound_state(url)
    per_id = Counter(msg_id for msg_id, _ in state["rows"])
    assert {i for i, n in per_id.items() if n > 1} == set(), "a message stored twice"
    missing = [i for i in load.answered if per_id[i] != 1]
    assert missing == [], f"answered 2xx but not in the database: {missing[:5]}"
    assert set(per_id) == sent, "a message nobody sent"
    linked = Counter(g for _, g in state["rows"])
    assert None not in linked, "a message stored without its grievance"
    assert all(n == 1 for n in linked.values()), "two messages on one grievance"
    assert set(state["grievances"]) - earlier == set(linked), "a grievance without the message it came from"
    # The hash chains of the grievances written around the kill are whole.
    verified = runner_for(url).invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "every chain intact" in verified.output, verified.output
    print(f"killed {killed} with {before} answered and {in_flight} in flight; "
          f"{len(load.duplicates)} retries found their message already stored")
