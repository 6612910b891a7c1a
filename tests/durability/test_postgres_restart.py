"""PostgreSQL stopped and started again under load: while it is away every caller gets a 503 with Retry-After
(JSON for webhooks and the API, the error page for people), never a 500; once it is back the same gunicorn
master and workers answer again (no restart), and every SMS answered 2xx is stored exactly once."""
from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter

import pytest

import pgserver
from . import procs

pytestmark = pytest.mark.slow

PORT = 5641


@pytest.fixture
def own_pg():
    """A PostgreSQL server of this test's own: restarting it disturbs no other test."""
    reason = pgserver.available()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):  # as tests/conftest.py's `pg` fixture
            pytest.fail(f"PostgreSQL is required in CI: {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    server = procs.RestartablePg().start()
    yield server
    server.stop()


class Readers:
    """People and API clients reading while SMS arrive: (when, who, status, retry-after, body) per answer."""

    def __init__(self, port: int, token: str, code: str):
        self.port, self.token, self.code = port, token, code
        self.answers: list[tuple[float, str, int, str | None, bytes]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(who,), daemon=True)
                         for who in ("home", "page", "api")]

    def _run(self, who: str) -> None:
        path, headers = {"home": ("/", {}),  # its figures come from a cache: it may go on answering 200
                         "page": (f"/track/{self.code}", {}),
                         "api": ("/api/v1/grievances", {"Authorization": f"Bearer {self.token}"})}[who]
        while not self._stop.is_set():
            try:
                status, h, body = procs.request("GET", self.port, path, headers=headers)
                self.answers.append((time.monotonic(), who, status, h.get("retry-after"), body))
            except OSError as e:  # the app itself must stay up: no answer at all is a failure
                self.errors.append(f"{who}: {type(e).__name__}")
            time.sleep(0.1)

    def start(self):
        for t in self._threads:
            t.start()
        return self

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(20)


def test_postgres_restart_under_load_is_503_while_away_and_recovers_without_restarting_the_app(own_pg, settings,
                                                                                               tmp_path):
    url = own_pg.create_database("grs_durability_restart")
    built = procs.build_database(url, settings)
    server = procs.Gunicorn(procs.server_env(url, PORT, settings, tmp_path), PORT, tmp_path / "gunicorn.log").start()
    master, workers = server.proc.pid, server.workers()
    load = procs.SmsLoad(PORT, threads=2, per_thread=60)
    readers = Readers(PORT, built["token"], built["code"])
    try:
        load.start()
        readers.start()
        load.wait_for(15)
        went_down = time.monotonic()
        own_pg.down()
        time.sleep(3)  # away for a while, under load
        came_back = time.monotonic()
        own_pg.up()
        load.join()
        time.sleep(max(1.0, came_back + 7 - time.monotonic()))  # readers go on well after the recovery
        readers.stop()
        workers_after = server.workers()
        master_alive = server.proc.poll() is None
    finally:
        readers.stop()
        server.stop()

    # Nobody was left without an answer, and nothing was a 500 (or anything but 2xx / 503).
    assert readers.errors == [], readers.errors[:5]
    assert load.problems == [], load.problems[:5]
    everything = list(readers.answers)
    everything += [(w, "sms", s, None, b"") for w, s, _ in load.statuses]
    assert {s for _, _, s, _, _ in everything} <= {200, 503}, Counter(s for _, _, s, _, _ in everything)

    for _, who, status, retry_after, _ in readers.answers:
        assert status == 200 or retry_after == "30", (who, status, retry_after)
    away = [a for a in readers.answers if went_down + 0.5 < a[0] < came_back and a[1] != "home"]
    assert {who for _, who, _, _, _ in away} == {"page", "api"}, "no reader asked while the database was away"
    for _, who, status, retry_after, body in away:
        assert (status, retry_after) == (503, "30"), (who, status, retry_after)
        if who == "api":
            assert json.loads(body)["error"]["code"] == "database_unavailable"
        else:
            assert "Not available just now" in body.decode()
    sms_away = [s for w, s, _ in load.statuses if went_down + 0.5 < w < came_back]
    assert sms_away and set(sms_away) == {503}, Counter(sms_away)

    # Back by itself: the same processes, every caller answered again.
    assert master_alive and len(workers) == 2
    assert workers_after == workers, f"workers were replaced ({workers} -> {workers_after}): {server.log_tail()}"
    recovered = [a for a in readers.answers if a[0] > came_back + 5]
    assert recovered and all(a[2] == 200 for a in recovered), Counter(a[2] for a in recovered)
    assert load.count() == 120, f"only {load.count()} SMS answered after the database came back"
    state = procs.inbound_state(url)
    per_id = Counter(msg_id for msg_id, _ in state["rows"])
    assert set(per_id) == set(load.answered) and set(per_id.values()) == {1}, "an SMS lost or stored twice"
