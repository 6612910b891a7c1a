"""Privacy operations: `grs retention anonymise` removes the person from old decided grievances but keeps
the statistics and a history `grs audit verify` still checks; `grs subject export` gives one person's
records. Both leave an admin event."""
import json
import os
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, BASAN, T0
from grs import services as svc
from grs import statistics
from grs.extensions import db
from grs.models import AdminEvent, Attachment, Complainant, Event, Grievance, OutboxMessage
from grs.services.actors import Actor
from grs.services.retention import MARKER

pytestmark = pytest.mark.both_backends  # the due query joins each grievance's last event; JSON per backend

DAY = timedelta(days=1)
PDF = b"%PDF-1.4 the payment slip of Rahima Begum"
NAME, PHONE = "Rahima Begum", "+8801712345678"
TEXTS = ("My allowance was not paid this quarter.", "কার্ড নম্বর কত?", "Paid in full at the union office.")


@pytest.fixture
def old_and_new(ctx, world, app):
    """A resolved-and-closed grievance from March with notes and a file, a rejected one, an open one, and a
    grievance closed just now."""
    g = builders.lodge(BARIA, attachments=(svc.AttachmentIn("slip.pdf", "application/pdf", PDF),))
    old = g.tracking_code
    for n, (action, kw) in enumerate([("acknowledge", {}), ("request_info", {"note": TEXTS[1]}), ("resume", {}),
                                      ("resolve", {"decision": "upheld", "resolution": TEXTS[2]})]):
        builders.act(world, "officer_baria", old, action, now=T0 + n * DAY, **kw)
    builders.run(svc.act, old, svc.ActionRequest("feedback", satisfied=True), actor=Actor.citizen("sms"),
                 now=T0 + 5 * DAY)
    rejected = builders.lodge(BASAN, phone="01812345678").tracking_code
    builders.act(world, "officer_basan", rejected, "reject", note="not ours", reason_code="out_of_scope",
                 now=T0 + DAY)
    open_ = builders.lodge(BARIA, phone="01912345678").tracking_code
    recent = builders.lodge(BARIA, phone="01612345678", now=T0 + 200 * DAY).tracking_code
    builders.act(world, "officer_baria", recent, "reject", note="duplicate", reason_code="duplicate",
                 now=T0 + 260 * DAY)
    return {"old": old, "rejected": rejected, "open": open_, "recent": recent}


def anonymise(runner, *args):
    return runner.invoke(args=["retention", "anonymise", *args])


def grievance(code):
    db.session.expire_all()
    return db.session.scalar(sa.select(Grievance).where(Grievance.tracking_code == code))


def test_old_decided_grievances_lose_the_person(runner, app, old_and_new):
    g = grievance(old_and_new["old"])
    file = os.path.join(app.config["UPLOAD_DIR"], g.attachments[0].sha256 + ".pdf")
    assert os.path.exists(file)
    person_id = g.complainant_id
    result = anonymise(runner, "--older-than", "180")
    assert result.exit_code == 0, result.output
    assert "retention: 2 anonymised, 0 skipped, 1 file(s) deleted" in result.output
    g = grievance(old_and_new["old"])
    assert g.description == MARKER and g.resolution == MARKER and g.attachments == []
    assert not os.path.exists(file)
    person = db.session.get(Complainant, person_id)
    assert (person.name, person.phone, person.beneficiary_id) == (None, None, None)
    notes = {e.note for e in g.events} - {None}
    assert notes == {MARKER}
    assert g.events[-1].type == "anonymised" and g.events[-1].data["events"] == len(g.events) - 1
    bodies = db.session.scalars(sa.select(OutboxMessage.body).where(OutboxMessage.grievance_id == g.id)).all()
    assert bodies and set(bodies) == {MARKER}
    for code in ("open", "recent"):
        assert grievance(old_and_new[code]).description == TEXTS[0]
    assert grievance(old_and_new["rejected"]).description == MARKER


def test_nothing_personal_is_left_anywhere_in_the_rows(runner, old_and_new):
    anonymise(runner, "--older-than", "180")
    g = grievance(old_and_new["old"])
    dump = json.dumps([[str(v) for v in row] for row in db.session.execute(sa.text(
        "SELECT e.note, e.data FROM events e WHERE e.grievance_id = :g"), {"g": g.id})], ensure_ascii=False)
    dump += json.dumps([[str(v) for v in row] for row in db.session.execute(sa.text(
        "SELECT recipient, body FROM outbox WHERE grievance_id = :g"), {"g": g.id})], ensure_ascii=False)
    for needle in (*TEXTS, NAME, PHONE, "1712345678"):
        assert needle not in dump


def test_statistics_are_the_same_before_and_after(runner, old_and_new):
    before = statistics.stored_counts(db.session)
    assert before == statistics.recount(db.session)
    result = anonymise(runner, "--older-than", "180")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert statistics.stored_counts(db.session) == before
    assert statistics.recount(db.session) == before


def test_the_history_still_verifies_and_tampering_is_still_named(runner, old_and_new):
    anonymise(runner, "--older-than", "180")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    g = grievance(old_and_new["old"])
    db.session.execute(sa.text("UPDATE events SET status_to = 'rejected' WHERE grievance_id = :g AND seq = 3"),
                       {"g": g.id})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"FAIL {g.tracking_code} event 3: event altered" in result.output


def test_a_redacted_note_cannot_be_put_back_differently(runner, old_and_new):
    anonymise(runner, "--older-than", "180")
    g = grievance(old_and_new["old"])
    db.session.execute(sa.text("UPDATE events SET note = 'the officer took a bribe' WHERE grievance_id = :g AND "
                               "note = :m"), {"g": g.id, "m": MARKER})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"FAIL {g.tracking_code} event" in result.output


def test_an_anonymised_event_deleted_is_named(runner, old_and_new):
    anonymise(runner, "--older-than", "180")
    g = grievance(old_and_new["old"])
    db.session.execute(sa.text("DELETE FROM events WHERE grievance_id = :g AND type = 'anonymised'"), {"g": g.id})
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and f"FAIL {g.tracking_code} event -: events missing" in result.output


def test_dry_run_changes_nothing_and_a_second_run_finds_nothing(runner, old_and_new):
    head = db.session.scalar(sa.select(sa.func.max(AdminEvent.seq)))
    result = anonymise(runner, "--older-than", "180", "--dry-run")
    assert "retention: 2 grievance(s)" in result.output
    assert grievance(old_and_new["old"]).description == TEXTS[0]
    assert db.session.scalar(sa.select(sa.func.max(AdminEvent.seq))) == head
    anonymise(runner, "--older-than", "180")
    kinds = db.session.scalars(sa.select(AdminEvent).where(AdminEvent.seq > head)).all()
    assert [k.kind for k in kinds] == ["retention_anonymised"]
    assert kinds[0].data["grievances"] == 2 and kinds[0].actor_label == "cli:retention"
    n_events = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    again = anonymise(runner, "--older-than", "1")
    assert "retention: 1 grievance(s)" in again.output  # only the recent rejection; the old ones are done
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == n_events + 1


@pytest.mark.config(RETENTION_DAYS=180)
def test_the_setting_gives_the_period(runner, old_and_new):
    result = anonymise(runner)
    assert "retention: 2 anonymised" in result.output


def test_without_a_period_nothing_runs(runner, old_and_new):
    result = anonymise(runner)
    assert result.exit_code != 0 and "no retention period" in result.output
    assert grievance(old_and_new["old"]).description == TEXTS[0]


def test_a_broken_history_is_not_anonymised(runner, old_and_new):
    g = grievance(old_and_new["rejected"])
    db.session.execute(sa.text("UPDATE events SET note = 'edited' WHERE grievance_id = :g AND seq = 1"), {"g": g.id})
    db.session.commit()
    result = anonymise(runner, "--older-than", "180")
    assert result.exit_code == 1 and f"SKIP {g.tracking_code}" in result.output
    assert grievance(old_and_new["rejected"]).description == TEXTS[0]


def test_a_shared_file_stays_while_another_grievance_uses_it(runner, app, old_and_new, world):
    builders.lodge(BARIA, phone="01512345678", attachments=(svc.AttachmentIn("same.pdf", "application/pdf", PDF),))
    sha = db.session.scalar(sa.select(Attachment.sha256).limit(1))
    result = anonymise(runner, "--older-than", "180")
    assert "0 file(s) deleted" in result.output
    assert os.path.exists(os.path.join(app.config["UPLOAD_DIR"], sha + ".pdf"))


# ---------------------------------------------------------------- data-subject export


def test_subject_export_gives_one_persons_records(runner, old_and_new, tmp_path):
    out = tmp_path / "subject.json"
    head = db.session.scalar(sa.select(sa.func.max(AdminEvent.seq)))
    result = runner.invoke(args=["subject", "export", "--phone", "01712345678", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    codes = {g["tracking_code"] for g in data["grievances"]}
    assert old_and_new["old"] in codes and old_and_new["open"] not in codes  # another phone
    assert {c["phone"] for c in data["complainants"]} == {PHONE}
    old = next(g for g in data["grievances"] if g["tracking_code"] == old_and_new["old"])
    assert old["description"] == TEXTS[0] and old["attachments"][0]["filename"] == "slip.pdf"
    assert [e["type"] for e in old["events"]][:2] == ["lodged", "routed"]
    assert all("note" not in e for e in old["events"])
    assert data["messages_sent"] and all(m["body"] for m in data["messages_sent"])
    ev = db.session.scalar(sa.select(AdminEvent).where(AdminEvent.seq > head))
    assert ev.kind == "subject_exported" and old_and_new["old"] in ev.data["grievances"]
    assert PHONE not in json.dumps(ev.data) + ev.target


def test_subject_export_refuses_a_non_number(runner, ctx):
    result = runner.invoke(args=["subject", "export", "--phone", "not-a-phone"])
    assert result.exit_code == 2 and "not a phone number" in result.output
