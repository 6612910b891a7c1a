"""The unit of work: the outermost block commits, inner ones flush or savepoint; side effects after commit."""
import os
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from grs import services as svc
from grs.errors import InvalidTransition, ValidationError
from grs.extensions import db
from grs.models import Attachment, Event, Grievance, OutboxMessage, Programme
from grs.services.actors import Actor
from grs.uow import current_uow, unit_of_work

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def grievances() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Grievance))


def programme_named(code: str):
    return db.session.scalar(sa.select(Programme).where(Programme.code == code))


@pytest.mark.committing_db
def test_the_outermost_block_commits_once_and_inner_blocks_only_flush(ctx, world):
    seen_by_another_connection = []
    with unit_of_work() as outer:
        db.session.add(Programme(code="XX", name_en="Test programme"))
        with unit_of_work() as inner:
            assert inner is outer and current_uow() is outer
            db.session.add(Programme(code="YY", name_en="Another"))
        with db.engine.connect() as other:  # not committed yet: nobody else sees it
            seen_by_another_connection.append(other.scalar(
                sa.select(sa.func.count()).select_from(Programme).where(Programme.code.in_(("XX", "YY")))))
    assert current_uow() is None
    with db.engine.connect() as other:
        seen_by_another_connection.append(other.scalar(
            sa.select(sa.func.count()).select_from(Programme).where(Programme.code.in_(("XX", "YY")))))
    assert seen_by_another_connection == [0, 2]


def test_an_exception_anywhere_rolls_back_everything(ctx, world):
    before = grievances()
    with pytest.raises(RuntimeError):
        with unit_of_work() as uow:
            svc.lodge(uow, builders.intake(BARIA), actor=Actor.citizen("web"), now=T0)
            with unit_of_work():
                raise RuntimeError("boom")
    assert grievances() == before


def test_a_savepoint_lets_one_row_fail_alone(ctx, world):
    before = grievances()
    with unit_of_work() as uow:
        for i, programme in enumerate(("OAA", "NO-SUCH", "WA")):
            try:
                with unit_of_work(savepoint=True):
                    svc.lodge(uow, builders.intake(BARIA, programme=programme, phone=f"0171234567{i}"),
                              actor=Actor.citizen("web"), now=T0)
            except ValidationError:
                pass
    assert grievances() == before + 2


def test_a_failed_action_leaves_nothing_behind_in_the_callers_transaction(ctx, world, monkeypatch):
    # "Not satisfied" records the feedback first, then opens the appeal; when the appeal fails (here made
    # to), the savepoint drops the feedback too and the caller's own work still commits.
    from grs.services import actions

    def refuse(*args, **kwargs):
        raise InvalidTransition("no office to appeal to")
    code = builders.lodge(BARIA).tracking_code
    builders.act(world, "officer_baria", code, "acknowledge")
    builders.act(world, "officer_baria", code, "resolve", decision="upheld", resolution="Action taken.")
    events = builders.find(code).event_count
    monkeypatch.setattr(actions, "open_appeal", refuse)
    with unit_of_work() as uow:
        with pytest.raises(InvalidTransition):
            svc.act(uow, code, svc.ActionRequest("feedback", satisfied=False), actor=Actor.citizen("sms"), now=T0)
        db.session.add(Programme(code="ZZ", name_en="Work after the failure still commits"))
    g = builders.find(code)
    assert (g.status, g.event_count, g.satisfied) == ("resolved", events, None)
    assert programme_named("ZZ") is not None


def test_after_commit_work_runs_only_when_the_transaction_holds(ctx):
    ran = []
    with unit_of_work() as uow:
        uow.after_commit(lambda: ran.append("committed"))
        uow.on_rollback(lambda: ran.append("not this"))
    with pytest.raises(RuntimeError):
        with unit_of_work() as uow:
            uow.after_commit(lambda: ran.append("not this either"))
            uow.on_rollback(lambda: ran.append("rolled back"))
            raise RuntimeError
    assert ran == ["committed", "rolled back"]


def test_a_read_only_unit_of_work_never_commits(ctx, world):
    with unit_of_work(read_only=True):
        db.session.add(Programme(code="RO", name_en="Read only"))
    assert programme_named("RO") is None


def test_an_attachment_file_is_written_only_once_its_grievance_is_committed(ctx, world, app):
    folder = app.config["UPLOAD_DIR"]
    intake = builders.intake(BARIA, attachments=(svc.AttachmentIn("card.png", "image/png", PNG),))
    with pytest.raises(RuntimeError):
        with unit_of_work() as uow:
            svc.lodge(uow, intake, actor=Actor.citizen("web"), now=T0)
            raise RuntimeError("the request fails after the lodge")
    assert not os.path.isdir(folder) or os.listdir(folder) == []
    g = builders.lodge(BARIA, attachments=(svc.AttachmentIn("card.png", "image/png", PNG),))
    att = db.session.scalar(sa.select(Attachment).where(Attachment.grievance_id == g.id))
    assert os.listdir(folder) == [att.sha256 + ".png"]


def test_services_never_commit():
    """A source check backing the design rule: no service module calls commit() or rollback()."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    services = [*(root / "grs" / "services").glob("*.py"), root / "grs" / "notifications.py",
                *(root / "escalation" / n for n in ("admin.py", "digest.py", "policy.py")),
                *(root / "channels" / c / "service.py" for c in ("sms", "ussd", "operator"))]
    offenders = [p.name for p in services if ".commit()" in p.read_text() or ".rollback()" in p.read_text()]
    assert offenders == []


# ---------------------------------------------------------------- within_limit on the event


def resolved_event(code: str) -> Event:
    g = builders.find(code)
    return db.session.scalar(sa.select(Event).where(Event.grievance_id == g.id, Event.type == "resolved")
                             .order_by(Event.seq.desc()).limit(1))


def test_a_resolution_in_time_stores_within_limit_true_and_the_deadline_it_met(ctx, world):
    g = builders.lodge(BARIA)
    code, due = g.tracking_code, g.due_at
    builders.act(world, "officer_baria", code, "acknowledge")
    builders.act(world, "officer_baria", code, "resolve", decision="upheld", resolution="Paid.", now=due)
    ev = resolved_event(code)
    assert ev.data["within_limit"] is True and ev.data["due_at"] == due.isoformat()


def test_a_late_resolution_stores_within_limit_false(ctx, world):
    g = builders.lodge(BARIA)
    code, due = g.tracking_code, g.due_at
    builders.act(world, "officer_baria", code, "acknowledge")
    builders.act(world, "officer_baria", code, "resolve", decision="upheld", resolution="Paid.",
                 now=due + timedelta(seconds=1))
    assert resolved_event(code).data["within_limit"] is False


def test_the_time_waited_for_the_complainant_does_not_count_against_the_office(ctx, world):
    g = builders.lodge(BARIA)
    code, due = g.tracking_code, g.due_at
    builders.act(world, "officer_baria", code, "acknowledge")
    builders.act(world, "officer_baria", code, "request_info", note="Your card number?", now=T0 + timedelta(hours=1))
    builders.act(world, "officer_baria", code, "resume", now=due)  # waited (almost) the whole limit
    later = builders.find(code).due_at
    assert later > due
    builders.act(world, "officer_baria", code, "resolve", decision="upheld", resolution="Paid.", now=later)
    ev = resolved_event(code)
    assert ev.data["within_limit"] is True and ev.data["due_at"] == later.isoformat()


# ---------------------------------------------------------------- concurrent duplicates


@pytest.mark.pg_only
@pytest.mark.committing_db
def test_two_lodges_with_one_source_ref_at_once_make_one_grievance(app, world):
    """A resent final USSD answer, arriving twice at the same moment: one grievance, no 500."""
    intake = builders.intake(BARIA, channel="ussd", source_ref="ussd:same-session")
    first_inserted, codes, errors = threading.Event(), [], []

    def one(first: bool):
        with app.app_context():
            try:
                if not first:
                    first_inserted.wait(10)
                with unit_of_work() as uow:
                    g = svc.lodge(uow, intake, actor=Actor.citizen("ussd"), now=T0)
                    codes.append(g.tracking_code)
                    if first:
                        # Hold the transaction open: the second lodge's insert waits on this row.
                        first_inserted.set()
                        time.sleep(0.5)
            except Exception as e:  # noqa: BLE001 - the test reports any error
                errors.append(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=one, args=(first,)) for first in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    with app.app_context():
        n = db.session.scalar(sa.select(sa.func.count()).select_from(Grievance)
                              .where(Grievance.source_ref == "ussd:same-session"))
        receipts = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                                     .where(OutboxMessage.template == "receipt"))
    assert errors == [] and n == 1 and len(set(codes)) == 1 and receipts == 1
