"""Staff accounts and API tokens."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ..errors import N_, Conflict, ValidationError
from ..models import ROLES, ApiToken, Area, Office, User
from ..timeutil import utcnow
from . import admin_audit
from .actors import Actor


def create_user(uow, email: str, password: str, role: str, *, area_code: str | None = None,
                office_code: str | None = None, name: str = "", can_see_sensitive: bool = False,
                appellate: bool = False, language: str = "en", phone: str | None = None,
                actor: Actor | None = None) -> User:
    """A new staff account; officers belong to an office, everyone to an area (default: the country)."""
    email = (email or "").strip().lower()
    if "@" not in email:
        raise ValidationError("invalid e-mail", {"email": N_("Enter an e-mail address.")})
    if role not in ROLES:
        raise ValidationError("unknown role", {"role": f"Use one of {', '.join(ROLES)}."})
    if len(password or "") < 8:
        raise ValidationError("password too short", {"password": N_("Use at least 8 characters.")})
    if uow.session.scalar(sa.select(User.id).where(User.email == email)):
        raise Conflict(f"an account for {email} exists already")
    office = None
    if office_code:
        office = uow.session.scalar(sa.select(Office).where(Office.code == office_code))
        if office is None:
            raise ValidationError("unknown office", {"office": N_("Unknown office.")})
    if area_code:
        area = uow.session.scalar(sa.select(Area).where(Area.code == area_code))
        if area is None:
            raise ValidationError("unknown area", {"area": N_("Unknown area.")})
    elif office is not None:
        area = office.area
    else:
        area = uow.session.scalar(sa.select(Area).where(Area.parent_id.is_(None)))
        if area is None:
            raise ValidationError("no areas loaded yet: run `grs import-areas` or `grs demo` first")
    if appellate and role != "officer":
        raise ValidationError("an appellate officer is an officer of an office (role officer)")
    if role == "officer" and office is None:
        # An officer without an explicit office works the lowest office on their area.
        office = uow.session.scalar(sa.select(Office).where(Office.area_id == area.id).limit(1))
        if office is None:
            raise ValidationError("officers need an office", {"office": N_("No office at that area.")})
    user = User(email=email, name=name or email.split("@")[0], role=role, area=area, office=office,
                can_see_sensitive=can_see_sensitive, appellate=bool(appellate), language=language, phone=phone)
    user.set_password(password, uow.settings.password_hash_method)
    uow.session.add(user)
    uow.session.flush()
    admin_audit.append(uow, "user_created", actor=actor, at=utcnow(), target=f"user:{user.id}",
                       data={"email": email, "role": role, "area": area.code, "office": office.code if office else None,
                             "can_see_sensitive": bool(can_see_sensitive), "appellate": bool(appellate),
                             "password": "changed"})
    return user


def create_token(uow, email: str, *, actor: Actor | None = None) -> str:
    """A new API token for a user; the plain token is returned once and never stored."""
    user = uow.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise ValidationError(f"no account for {email}")
    token = ApiToken.generate()
    row = ApiToken(user=user, token_hash=ApiToken.hash(token))
    uow.session.add(row)
    uow.session.flush()
    admin_audit.append(uow, "token_created", actor=actor, at=utcnow(), target=f"user:{user.id}",
                       data={"id": row.id})
    return token


def user_for_token(session, token: str, now: datetime) -> User | None:
    """The active user a bearer token belongs to, or None.

    Marks the token used (at most once a minute) without committing: a request that writes commits
    it with its own unit of work, a read-only one leaves the database untouched.
    """
    row = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token)))
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
    return row.user
