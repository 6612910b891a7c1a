"""Rate limits that hold (issue 11, findings 2 and 8): counted in the database every process shares, per
real client behind the configured proxies (not per proxy, not per made-up X-Forwarded-For), per destination
phone, per account and per SMS/USSD number; each 429 says what happened in the reader's language; and the
public forms take smaller files than staff."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA
from grs import ROOT
from grs.extensions import db, limiter
from grs.models import Grievance, InboundMessage, OutboxMessage
from grs.ratelimit import DatabaseStorage, counters

PHONE = "+8801712345678"
BARIA_PATH = {"area_1": "BD-DIV-6", "area_2": "BD-DIS-41", "area_3": "BD-UPZ-320", "area_4": BARIA}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
AT_SMS = "/hooks/sms/africastalking?key=at-test-key"
AT_USSD = "/hooks/ussd/africastalking?key=at-test-key"
FORM = "application/x-www-form-urlencoded"
PROXY = "10.0.0.1"


def _form(**overrides) -> dict:
    data = {"programme": "OAA", "category": "payment", "description": "My allowance was not paid this quarter.",
            "name": "Rahima Begum", "phone": "01712345678", "sex": "female", **BARIA_PATH}
    data.update(overrides)
    return data


def _from(address: str, forwarded: str | None = None) -> dict:
    """Request options for a client at `address`, or behind our proxy with X-Forwarded-For `forwarded`."""
    options = {"environ_base": {"REMOTE_ADDR": address}}
    if forwarded is not None:
        options["headers"] = {"X-Forwarded-For": forwarded}
    return options


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _receipts(app, phone: str = PHONE) -> int:
    return _count(app, OutboxMessage, OutboxMessage.recipient == phone, OutboxMessage.template == "receipt")


def _bad_login(client, email: str = "nobody@test.grs", **options) -> int:
    return client.post("/login", data={"email": email, "password": "guess-guess"}, **options).status_code


# ---------------------------------------------------------------- the public lodge form


@pytest.mark.config(LODGE_RATE_LIMIT="3 per minute")
def test_a_burst_of_lodges_from_one_client_is_refused_with_the_form_kept(app, client, world):
    codes = [client.post("/grievances/new", data=_form()).status_code for _ in range(3)]
    assert codes == [303, 303, 303]
    r = client.post("/grievances/new", data=_form(description="The fourth complaint, typed with care."))
    assert r.status_code == 429
    page = r.get_data(as_text=True)
    assert "Many complaints were sent from your connection in a short time" in page
    assert "The fourth complaint, typed with care." in page  # nothing typed is lost
    assert _count(app, Grievance) == 3


@pytest.mark.config(LODGE_RATE_LIMIT="1 per minute")
def test_the_refusal_is_in_bangla_for_a_bangla_page(app, client, world):
    assert client.post("/grievances/new?lang=bn", data=_form()).status_code == 303
    r = client.post("/grievances/new?lang=bn", data=_form())
    assert r.status_code == 429
    assert "অল্প সময়ে" in r.get_data(as_text=True)


@pytest.mark.config(RECEIPT_RATE_LIMIT="5 per hour")
def test_a_strangers_phone_gets_at_most_its_share_of_receipts(app, world):
    """The finding: 15 lodges in 1.5 s queued 15 receipts to one stranger's phone. From 16 addresses now
    (a per-client limit does not stop a spread-out attacker), every complaint is kept, 5 are texted."""
    for n in range(16):
        client = app.test_client()
        r = client.post("/grievances/new", data=_form(), **_from(f"198.51.100.{n + 1}"))
        assert r.status_code == 303
    assert _count(app, Grievance) == 16
    assert _receipts(app) == 5
    page = client.get("/grievances/lodged").get_data(as_text=True)
    assert 'id="receipt-withheld"' in page and 'id="tracking-code"' in page
    # Another number is texted as before.
    app.test_client().post("/grievances/new", data=_form(phone="01812345678"), **_from("198.51.100.99"))
    assert _receipts(app, "+8801812345678") == 1


@pytest.mark.config(RECEIPT_RATE_LIMIT="2 per hour")
def test_api_lodges_share_the_phones_receipt_limit(app, client, auth, world):
    headers = auth("operator")
    body = {"channel": "api", "programme": "OAA", "category": "payment", "area": BARIA,
            "description": "My allowance was not paid this quarter.", "complainant": {"phone": "01712345678"}}
    assert client.post("/grievances/new", data=_form()).status_code == 303
    codes = [client.post("/api/v1/grievances", json=body, headers=headers).status_code for _ in range(3)]
    assert codes == [201, 201, 201]
    assert _receipts(app) == 2


@pytest.mark.config(API_LODGE_RATE_LIMIT="2 per minute")
def test_api_lodges_are_limited_per_account_with_a_json_error(app, client, auth, world):
    body = {"channel": "api", "programme": "OAA", "category": "payment", "area": BARIA,
            "description": "My allowance was not paid this quarter."}
    operator = auth("operator")
    codes = [client.post("/api/v1/grievances", json=body, headers=operator).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    r = client.post("/api/v1/grievances", json=body, headers=operator)
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "too_many_requests"
    assert "nothing was saved" in r.get_json()["error"]["message"]
    assert client.post("/api/v1/grievances", json=body, headers=auth("admin")).status_code == 201
    assert _count(app, Grievance) == 3


OPEN311 = {"service_code": "OAA-payment", "attribute[area]": BARIA, "phone": "01712345678",
           "description": "My allowance was not paid this quarter."}


@pytest.mark.config(API_LODGE_RATE_LIMIT="2 per minute", RECEIPT_RATE_LIMIT="1 per hour")
def test_open311_lodges_are_limited_per_api_key_and_share_the_receipt_limit(app, client, world):
    with app.app_context():
        token = world.token("operator")
    codes = [client.post("/open311/v2/requests.json", data={**OPEN311, "api_key": token}).status_code
             for _ in range(3)]
    assert codes == [201, 201, 429]
    assert _count(app, Grievance) == 2 and _receipts(app) == 1


@pytest.mark.config(PUBLIC_MAX_UPLOAD_BYTES=1024 * 1024)
def test_the_public_form_takes_smaller_files_than_staff(app, client, world):
    import io

    big = PNG + b"\x00" * (1024 * 1024 + 10)  # over the public 1 MB, well under the 5 MB request limit
    r = client.post("/grievances/new", data=_form(attachment=(io.BytesIO(big), "slip.png")),
                    content_type="multipart/form-data")
    assert r.status_code == 400
    assert "Attach a file of at most 1 MB." in r.get_data(as_text=True)
    assert _count(app, Grievance) == 0
    r = client.post("/grievances/new", data=_form(attachment=(io.BytesIO(PNG), "slip.png")),
                    content_type="multipart/form-data")
    assert r.status_code == 303


def test_by_default_the_public_form_takes_at_most_2_mb(app, client, world):
    import io

    three_mb = PNG + b"\x00" * (3 * 1024 * 1024)
    r = client.post("/grievances/new", data=_form(attachment=(io.BytesIO(three_mb), "slip.png")),
                    content_type="multipart/form-data")
    assert r.status_code == 400 and "Attach a file of at most 2 MB." in r.get_data(as_text=True)


# ---------------------------------------------------------------- who the client is: trusted proxies


@pytest.mark.config(PROXY_COUNT=1, LOGIN_RATE_LIMIT=2)
def test_behind_one_proxy_each_client_has_its_own_count(client, world):
    """The finding: behind nginx every client shared the proxy's counter, so one attacker locked out all
    sign-ins. Now the address nginx saw is counted."""
    attacker = [_bad_login(client, **_from(PROXY, "203.0.113.5")) for _ in range(3)]
    assert attacker == [200, 200, 429]
    assert _bad_login(client, **_from(PROXY, "203.0.113.6")) == 200  # a colleague behind the same proxy


@pytest.mark.config(PROXY_COUNT=1, LOGIN_RATE_LIMIT=2)
def test_a_client_cannot_buy_fresh_counts_with_its_own_forwarded_for_entries(client, world):
    # nginx appends the address it saw; whatever the client wrote before it is not trusted.
    tries = [_bad_login(client, **_from(PROXY, f"192.0.2.{n}, 203.0.113.5")) for n in range(3)]
    assert tries == [200, 200, 429]


@pytest.mark.config(LOGIN_RATE_LIMIT=2)
def test_without_proxies_forwarded_for_is_ignored(client, world):
    tries = [_bad_login(client, **_from("203.0.113.7", f"192.0.2.{n}")) for n in range(3)]
    assert tries == [200, 200, 429]


@pytest.mark.config(PROXY_COUNT=1, TRACK_RATE_LIMIT=2)
def test_track_lookups_behind_the_proxy_are_counted_per_client(app, client, world):
    code = builders.lodge_in(app)
    assert [client.get(f"/track/{code}", **_from(PROXY, "203.0.113.5")).status_code
            for _ in range(3)] == [200, 200, 429]
    assert client.get(f"/track/{code}", **_from(PROXY, "203.0.113.6")).status_code == 200


# ---------------------------------------------------------------- sign-in per account


@pytest.mark.config(ACCOUNT_LOGIN_RATE_LIMIT="3 per hour")
def test_failed_sign_ins_are_limited_per_account_from_any_address(app, world):
    email = world.email("officer_baria")
    tries = [_bad_login(app.test_client(), email, **_from(f"198.51.100.{n}")) for n in range(3)]
    assert tries == [200, 200, 200]
    r = app.test_client().post("/login", data={"email": email.upper(), "password": world.password},
                               **_from("198.51.100.50"))
    assert r.status_code == 429  # even the right password waits while the account is under attack
    assert "Too many sign-in attempts" in r.get_data(as_text=True)
    other = app.test_client().post("/login", data={"email": world.email("officer_basan"), "password": world.password},
                                   **_from("198.51.100.51"))
    assert other.status_code == 302


@pytest.mark.config(LOGIN_RATE_LIMIT=1)
def test_the_per_client_sign_in_refusal_is_the_sign_in_page_in_bangla(client, world):
    assert _bad_login(client) == 200
    r = client.post("/login?lang=bn", data={"email": "nobody@test.grs", "password": "guess-guess"})
    assert r.status_code == 429
    page = r.get_data(as_text=True)
    assert '<html lang="bn">' in page and "অনেকবার" in page and 'name="email"' in page


# ---------------------------------------------------------------- SMS, USSD and the hooks


def _at_sms(client, text: str, n: int, sender: str = PHONE):
    body = urlencode({"from": sender, "to": "21356", "text": text, "id": f"ATXid_rl{n}"})
    return client.post(AT_SMS, data=body, content_type=FORM)


@pytest.mark.config(STATUS_LOOKUP_RATE_LIMIT="2 per hour")
def test_sms_status_lookups_are_limited_per_number(app, client, world):
    code = builders.lodge_in(app)
    before = _count(app, OutboxMessage, OutboxMessage.recipient == "+8801812345678")
    for n in range(4):
        assert _at_sms(client, f"STATUS {code}", n, sender="+8801812345678").status_code == 200
    replies = _count(app, OutboxMessage, OutboxMessage.recipient == "+8801812345678") - before
    assert replies == 2
    assert _count(app, InboundMessage) == 4  # the others are kept, unanswered
    # Another number still gets its answer.
    assert _at_sms(client, f"STATUS {code}", 9, sender="+8801912345678").status_code == 200
    assert _count(app, OutboxMessage, OutboxMessage.recipient == "+8801912345678") == 1


def _ussd(client, session_id: str, text: str, phone: str = PHONE):
    return client.post(AT_USSD, data={"sessionId": session_id, "serviceCode": "*384*333#", "phoneNumber": phone,
                                      "networkCode": "47001", "text": text})


@pytest.mark.config(STATUS_LOOKUP_RATE_LIMIT="2 per hour")
def test_ussd_status_lookups_are_limited_per_number(app, client, world):
    code = builders.lodge_in(app)
    screens = [_ussd(client, f"ATUid_rl{n}", f"2*{code}").get_data(as_text=True) for n in range(3)]
    assert all(s.startswith("END ") for s in screens)
    assert code[:4] in screens[0].replace(" ", "") and code[:4] in screens[1].replace(" ", "")
    assert screens[2] == "END Too many checks from this number. Please try again in an hour."
    assert _ussd(client, "ATUid_rl9", f"2*{code}", phone="+8801912345678").get_data(as_text=True) != screens[2]


@pytest.mark.config(WEBHOOK_AUTH_FAILURE_LIMIT="3 per minute")
def test_callbacks_that_fail_authentication_are_limited_per_address(app, client, world):
    forged = "/hooks/sms/africastalking?key=guess"
    body = urlencode({"from": PHONE, "to": "21356", "text": "hello", "id": "ATXid_forged"})
    codes = [client.post(forged, data=body, content_type=FORM, **_from("203.0.113.9")).status_code
             for _ in range(4)]
    assert codes == [403, 403, 403, 429]
    r = client.post(forged, data=body, content_type=FORM, **_from("203.0.113.9"))
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "too_many_requests"
    # The provider, from its own address, is not held up by the forger.
    ok = client.post(AT_SMS, data=urlencode({"from": PHONE, "to": "21356", "text": "hello", "id": "ATXid_ok"}),
                     content_type=FORM, **_from("203.0.113.10"))
    assert ok.status_code == 200


@pytest.mark.config(WEBHOOK_RATE_LIMIT="2 per minute")
def test_every_callback_counts_per_address(app, client, world):
    codes = [_ussd(client, f"ATUid_any{n}", "").status_code for n in range(3)]
    assert codes == [200, 200, 429]


# ---------------------------------------------------------------- one count for every process


def test_the_counters_are_in_the_database_by_default(app):
    assert isinstance(limiter.storage, DatabaseStorage)


@pytest.mark.config(RATELIMIT_STORAGE_URI="memory://")
def test_a_configured_storage_is_used_instead(app):
    from limits.storage import MemoryStorage

    assert isinstance(limiter.storage, MemoryStorage)


_OTHER_PROCESS = """
import json, os, sys
sys.path.insert(0, os.getcwd())
from grs import create_app
config = json.loads(os.environ["GRS_TEST_CONFIG"])
app = create_app(config)
client = app.test_client()
print(json.dumps([client.post("/login", data={"email": "nobody@test.grs", "password": "guess-guess"}).status_code
                  for _ in range(2)]))
"""


@pytest.mark.committing_db
@pytest.mark.config(LOGIN_RATE_LIMIT=3)
def test_another_process_on_the_same_database_shares_the_count(app, tmp_path):
    """The finding: counters were per process, so N workers allowed N times the limit."""
    client = app.test_client()
    assert [_bad_login(client) for _ in range(2)] == [200, 200]
    config = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "LOGIN_RATE_LIMIT",
                                               "ACCOUNT_LOGIN_RATE_LIMIT", "UPLOAD_DIR", "PASSWORD_HASH_METHOD")}
    config.update(TESTING=True, WTF_CSRF_ENABLED=False, LOG_LEVEL="WARNING")
    env = {**os.environ, "GRS_TEST_CONFIG": json.dumps(config), "GRS_INSTANCE_PATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", _OTHER_PROCESS], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [200, 429]
    assert _bad_login(client) == 429  # and this process sees the other's attempts


@pytest.mark.committing_db
@pytest.mark.both_backends
def test_concurrent_increments_are_atomic(app):
    """Twenty threads, ten hits each, on one key: every count from 1 to 200 is handed out exactly once."""
    storage = DatabaseStorage()
    seen: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def worker():
        try:
            with app.app_context():
                for _ in range(10):
                    n = storage.incr("LIMITER/test/key", 60)
                    with lock:
                        seen.append(n)
                db.session.remove()
        except BaseException as e:  # noqa: BLE001  reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors[:1]
    assert sorted(seen) == list(range(1, 201))
    with app.app_context():
        assert storage.get("LIMITER/test/key") == 200
        storage.clear("LIMITER/test/key")
        assert storage.get("LIMITER/test/key") == 0


def test_a_window_starts_again_once_it_has_passed(app):
    storage = DatabaseStorage()
    with app.app_context():
        assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
        db.session.execute(sa.update(counters).values(expires_at=1.0))  # the window ended long ago
        db.session.commit()
        assert storage.get("k") == 0
        assert storage.incr("k", 60) == 1
        long_key = "x" * 500
        assert storage.incr(long_key, 60) == 1 and storage.incr(long_key, 60) == 2
