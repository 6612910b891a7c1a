"""Signing out, a new password and deactivation end every session of the account (issue 11, finding 6):
a session cookie or remember-me cookie copied before is worth nothing after."""
from __future__ import annotations

import sqlalchemy as sa

from grs.extensions import db
from grs.models import User
from grs.uow import unit_of_work

INBOX = "/cases/"


def _sign_in(app, world, key: str = "officer_baria"):
    client = app.test_client()
    r = client.post("/login", data={"email": world.email(key), "password": world.password, "remember": "y"})
    assert r.status_code == 302
    assert client.get(INBOX).status_code == 200
    return client, client.get_cookie("session").value, client.get_cookie("remember_token").value


def _signed_in_with(app, **cookies) -> bool:
    """Whether a fresh browser holding only these cookies reaches the inbox."""
    replay = app.test_client()
    for name, value in cookies.items():
        replay.set_cookie(name, value)
    r = replay.get(INBOX)
    return r.status_code == 200


def _change(app, world, key: str, change) -> None:
    with app.app_context():
        with unit_of_work() as uow:
            change(uow.session.scalar(sa.select(User).where(User.email == world.email(key))))


def test_after_sign_out_the_copied_session_and_remember_cookies_no_longer_work(app, world):
    client, session_cookie, remember = _sign_in(app, world)
    assert _signed_in_with(app, session=session_cookie)
    assert _signed_in_with(app, remember_token=remember)  # the remember-me cookie alone signs in

    assert client.post("/logout").status_code == 302
    assert not _signed_in_with(app, session=session_cookie)
    assert not _signed_in_with(app, remember_token=remember)
    assert not _signed_in_with(app, session=session_cookie, remember_token=remember)
    # Signing in again works, with new cookies.
    _sign_in(app, world)


def test_signing_out_on_one_device_ends_the_others_too(app, world):
    laptop, _, _ = _sign_in(app, world)
    phone, phone_session, phone_remember = _sign_in(app, world)
    assert laptop.post("/logout").status_code == 302
    assert phone.get(INBOX).status_code == 302
    assert not _signed_in_with(app, session=phone_session, remember_token=phone_remember)


def test_a_new_password_ends_every_session(app, world):
    _, session_cookie, remember = _sign_in(app, world)
    _change(app, world, "officer_baria", lambda u: u.set_password("a-new-password-1", "pbkdf2:sha256:1000"))
    assert not _signed_in_with(app, session=session_cookie)
    assert not _signed_in_with(app, remember_token=remember)


def test_deactivation_ends_every_session_even_after_reactivation(app, world):
    _, session_cookie, remember = _sign_in(app, world)

    def deactivate(user):
        user.active = False

    def reactivate(user):
        user.active = True

    _change(app, world, "officer_baria", deactivate)
    assert not _signed_in_with(app, session=session_cookie, remember_token=remember)
    _change(app, world, "officer_baria", reactivate)
    assert not _signed_in_with(app, session=session_cookie)
    assert not _signed_in_with(app, remember_token=remember)


def test_a_session_id_without_the_current_version_names_nobody(app, world):
    with app.app_context():
        user = world.user("officer_baria")
        assert User.from_session_id(db.session, user.get_id()) is user
        assert User.from_session_id(db.session, str(user.id)) is None  # a cookie from before versions
        assert User.from_session_id(db.session, f"{user.id}:{user.session_version + 1}") is None
        assert User.from_session_id(db.session, "x:1") is None
        assert User.from_session_id(db.session, f"{2**40}:1") is None
