"""Staff sign-in and sign-out, as a browser sees them."""
import re

import pytest
import sqlalchemy as sa

from grs.extensions import db
from grs.models import User

PASSWORD = "correct-horse-1"
FAILED = "Wrong e-mail or password"


def _login(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_login_page_has_the_form(client, world):
    r = client.get("/login")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert 'name="email"' in html and 'type="password"' in html


def test_login_sends_officer_to_inbox(client, world):
    r = _login(client, world.email("officer_baria"))
    assert r.status_code == 302
    assert r.headers["Location"] == "/cases/"
    page = client.get("/cases/").get_data(as_text=True)
    assert "Inbox" in page and "officer_baria" in page and "Sign out" in page


def test_email_is_case_insensitive(client, world):
    r = _login(client, "  Officer_Baria@TEST.grs ")
    assert r.headers["Location"] == "/cases/"


@pytest.mark.parametrize("email,password", [
    ("officer_baria@test.grs", "wrong-password"),
    ("nobody@test.grs", PASSWORD),
    ("officer_basan@test.grs", PASSWORD.upper()),
])
def test_failed_login_says_nothing_specific(client, world, email, password):
    r = _login(client, email, password)
    assert r.status_code == 200
    assert FAILED in r.get_data(as_text=True)
    assert client.get("/cases/").status_code == 302  # still signed out


def test_disabled_account_cannot_sign_in(app, client, world):
    with app.app_context():
        world.user("officer_baria").active = False
        db.session.commit()
    r = _login(client, world.email("officer_baria"))
    assert FAILED in r.get_data(as_text=True)
    assert client.get("/cases/").status_code == 302


def test_disabling_an_account_ends_its_session(app, client_as, world):
    c = client_as("officer_baria")
    assert c.get("/cases/").status_code == 200
    with app.app_context():
        world.user("officer_baria").active = False
        db.session.commit()
    r = c.get("/cases/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_password_is_stored_hashed(app, world):
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash).where(User.email == world.email("analyst")))
    assert PASSWORD not in stored
    assert stored.split(":")[0] in ("scrypt", "pbkdf2")


def test_signed_out_user_is_sent_to_login_and_back(client, world):
    r = client.get("/cases/?status=all")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")
    r = client.post(r.headers["Location"], data={"email": world.email("officer_baria"), "password": PASSWORD})
    assert r.headers["Location"] == "/cases/?status=all"


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example"])
def test_next_never_leaves_the_site(client, world, target):
    r = client.post("/login", query_string={"next": target},
                    data={"email": world.email("officer_baria"), "password": PASSWORD})
    assert r.status_code == 302
    assert r.headers["Location"] == "/cases/"


def test_operator_lands_on_console_when_it_exists(app, client, world):
    r = _login(client, world.email("operator"))
    expected = "/operator/" if "operator.console" in app.view_functions else "/cases/"
    assert r.headers["Location"] == expected


def test_signed_in_user_visiting_login_goes_to_inbox(client_as):
    r = client_as("officer_baria").get("/login")
    assert r.status_code == 302 and r.headers["Location"] == "/cases/"


def test_logout_by_get_only_asks(client_as):
    c = client_as("officer_baria")
    r = c.get("/logout")
    assert r.status_code == 200 and "Sign out" in r.get_data(as_text=True)
    assert c.get("/cases/").status_code == 200  # a link cannot sign anyone out


def test_logout_by_post_signs_out(client_as):
    c = client_as("officer_baria")
    r = c.post("/logout")
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert "You are signed out." in c.get("/login").get_data(as_text=True)
    assert c.get("/cases/").status_code == 302


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_login_needs_the_csrf_token(client, world):
    r = _login(client, world.email("officer_baria"))
    assert r.status_code == 400
    assert client.get("/cases/").status_code == 302
    token = _csrf(client.get("/login").get_data(as_text=True))
    r = _login(client, world.email("officer_baria"), csrf_token=token)
    assert r.status_code == 302 and r.headers["Location"] == "/cases/"


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_logout_needs_the_csrf_token(client, world):
    token = _csrf(client.get("/login").get_data(as_text=True))
    _login(client, world.email("officer_baria"), csrf_token=token)
    page = client.get("/cases/").get_data(as_text=True)
    assert client.post("/logout").status_code == 400
    assert client.get("/cases/").status_code == 200  # still signed in
    r = client.post("/logout", data={"csrf_token": _csrf(page)})
    assert r.status_code == 302
    assert client.get("/cases/").status_code == 302


def test_staff_language_is_used_after_sign_in(app, client, world):
    with app.app_context():
        world.user("officer_baria").language = "bn"
        db.session.commit()
    _login(client, world.email("officer_baria"))
    page = client.get("/cases/").get_data(as_text=True)
    assert "ইনবক্স" in page  # "Inbox"
    assert "সাইন আউট" in page  # "Sign out"
