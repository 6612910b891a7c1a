"""The office digest goes out on the office's working days only (issue 12, item 6)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from builders import BARIA, BASAN

import builders
from escalation.digest import send_daily_digests
from grs.extensions import db
from grs.models import Area, Holiday, OutboxMessage
from grs.uow import unit_of_work

pytestmark = pytest.mark.both_backends

# 07:00 in Dhaka (UTC+6): the scheduler's hour
THURSDAY = datetime(2026, 3, 5, 1, 0, tzinfo=timezone.utc)
FRIDAY = datetime(2026, 3, 6, 1, 0, tzinfo=timezone.utc)  # the weekend (Friday and Saturday)
SUNDAY = datetime(2026, 3, 8, 1, 0, tzinfo=timezone.utc)


def digests() -> list[str]:
    db.session.expire_all()
    return [m.dedupe_key for m in db.session.scalars(sa.select(OutboxMessage)
                                                      .where(OutboxMessage.template == "digest"))]


def send(now) -> int:
    with unit_of_work() as uow:
        return send_daily_digests(uow, now)


def test_the_digest_goes_out_on_working_days_only(ctx, world):
    builders.lodge(BARIA, now=THURSDAY)
    builders.lodge(BASAN, now=THURSDAY)
    assert send(THURSDAY) == 2  # the two union officers
    assert send(FRIDAY) == 0
    assert send(SUNDAY) == 2
    assert len(digests()) == 4


def test_a_local_day_off_keeps_that_areas_digest_back(ctx, world):
    builders.lodge(BARIA, now=THURSDAY)
    builders.lodge(BASAN, now=THURSDAY)
    with unit_of_work() as uow:
        baria = uow.session.scalar(sa.select(Area).where(Area.code == BARIA))
        uow.session.add(Holiday(day=date(2026, 3, 8), name_en="Local fair", area_id=baria.id))
    assert send(SUNDAY) == 1
    assert all("digest:2026-03-08" in k for k in digests())
