"""Lodging a grievance: routing, triage, validation, retries, complainants, attachments, deadlines."""
import hashlib
import os
from datetime import timedelta

import pytest
import sqlalchemy as sa

import builders
from builders import BARIA, T0
from grs import tracking
from grs.errors import ValidationError
from grs.extensions import db
from grs.models import Attachment, Complainant, Event, Grievance, GrievanceOffice, Office, OutboxMessage
from grs import services as svc
from grs.services.actors import Actor

pytestmark = pytest.mark.both_backends  # the backend matters here (see tests/conftest.py)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"\x00" * 64


def events_of(g):
    return db.session.scalars(sa.select(Event).where(Event.grievance_id == g.id).order_by(Event.seq)).all()


def office(code):
    return db.session.scalar(sa.select(Office).where(Office.code == code))


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_union_grievance_lands_at_its_union_office(ctx, world):
    g = builders.lodge(BARIA)
    assert tracking.normalise(g.tracking_code) == g.tracking_code
    assert g.office.code == "OFF-BD-UN-2869" and g.level == "union"
    assert g.status == "received" and g.is_open and not g.sensitive
    assert g.received_at == T0 and g.channel == "web"
    lodged, routed = events_of(g)
    assert (lodged.type, lodged.actor_label, lodged.at, lodged.status_to) == ("lodged", "citizen:web", T0, "received")
    assert (routed.type, routed.at, routed.office_id, routed.level) == ("routed", T0, g.office_id, "union")
    assert routed.actor_label == "routing" and routed.data["office"] == "OFF-BD-UN-2869"
    assert [r.office_id for r in db.session.scalars(
        sa.select(GrievanceOffice).where(GrievanceOffice.grievance_id == g.id))] == [g.office_id]
    assert builders.find(tracking.display(g.tracking_code)).id == g.id


def test_receipt_is_queued_for_the_citizen_and_the_office_told(ctx, world):
    g = builders.lodge(BARIA, phone="017-1234-5678")
    sms = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.medium == "sms")).all()
    assert [(m.recipient, m.template, m.status, m.grievance_id) for m in sms] == [
        ("+8801712345678", "receipt", "queued", g.id)]
    assert tracking.display(g.tracking_code) in sms[0].body
    mails = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.medium == "email")).all()
    assert [m.recipient for m in mails] == [world.email("officer_baria")]


def test_deadlines_are_set_on_working_days(ctx, world):
    g = builders.lodge(BARIA)
    assert g.clock_started_at == T0
    assert g.ack_due_at is not None and g.due_at is not None
    assert T0 < g.ack_due_at <= g.due_at
    # A week of working days at least: the deadline is more than a calendar week away, never sooner.
    assert g.due_at - T0 > timedelta(days=7)


@pytest.mark.parametrize("category", ["corruption", "sea_gbv"])
def test_sensitive_category_goes_to_the_district_and_is_flagged(ctx, world, category):
    g = builders.lodge(BARIA, category=category)
    assert g.office.code == "OFF-BD-DIS-41" and g.level == "district"
    assert g.sensitive
    routed = events_of(g)[-1]
    assert routed.level == "district" and routed.office_id == office("OFF-BD-DIS-41").id
    # Only the district officer allowed to see sensitive cases is told about it.
    mails = db.session.scalars(sa.select(OutboxMessage.recipient).where(OutboxMessage.medium == "email")).all()
    assert mails == [world.email("officer_gazipur")]


def test_absent_area_goes_to_triage_and_the_operator_places_it(ctx, world):
    g = builders.lodge(None)
    assert g.office_id is None and g.level is None and g.status == "received"
    assert [e.type for e in events_of(g)] == ["lodged", "triaged"]
    later = T0 + timedelta(hours=3)
    g = builders.act(world, "operator", g.tracking_code, "place", area=BARIA, now=later, note="caller said Baria")
    assert g.office.code == "OFF-BD-UN-2869" and g.level == "union" and g.area.code == BARIA
    assert g.complainant.area.code == BARIA
    placed = events_of(g)[-1]
    assert (placed.type, placed.status_from, placed.status_to, placed.at) == ("placed", "received", "received", later)
    assert placed.actor_id == world.user("operator").id and placed.office_id == g.office_id
    assert g.clock_started_at == later and g.due_at > later


def test_place_needs_a_known_area(ctx, world):
    code = builders.lodge(None).tracking_code
    for area in (None, "BD-UN-0000"):
        with pytest.raises(ValidationError) as err:
            builders.act(world, "operator", code, "place", area=area)
        assert "area" in err.value.fields
    assert builders.find(code).office_id is None


@pytest.mark.parametrize("kw,field", [
    ({"programme": "NOPE"}, "programme"),
    ({"programme": ""}, "programme"),
    ({"category": "NOPE"}, "category"),
    ({"area": "BD-UN-0000"}, "area"),
    ({"description": "   "}, "description"),
    ({"description": "x" * 4001}, "description"),
    ({"phone": "12345"}, "phone"),
    ({"channel": "fax"}, "channel"),
    ({"language": "xx"}, "language"),
])
def test_validation_errors_name_the_field(ctx, world, kw, field):
    kw = dict(kw)  # the parameter dict is shared between the two backends
    area = kw.pop("area", BARIA)
    with pytest.raises(ValidationError) as err:
        builders.lodge(area, **kw)
    assert field in err.value.fields
    assert err.value.status == 422
    assert count(Grievance) == 0


def test_bad_sex_and_age_band_name_their_fields(ctx, world):
    person = svc.ComplainantIn(name="A", phone="01712345678", sex="unknown", age_band="old")
    intake = svc.Intake(channel="web", programme="OAA", category="payment", description="x", area=BARIA,
                        complainant=person)
    with pytest.raises(ValidationError) as err:
        builders.run(svc.lodge, intake, actor=Actor.citizen("web"), now=T0)
    assert {"sex", "age_band"} <= set(err.value.fields)


def test_every_error_is_reported_at_once(ctx, world):
    # A form shows all its mistakes together, the phone number included.
    person = svc.ComplainantIn(name="A", phone="12345", sex="unknown")
    intake = svc.Intake(channel="web", programme="NOPE", category="NOPE", description="", area="BD-UN-0000",
                        complainant=person)
    with pytest.raises(ValidationError) as err:
        builders.run(svc.lodge, intake, actor=Actor.citizen("web"), now=T0)
    assert {"programme", "category", "area", "description", "phone", "sex"} <= set(err.value.fields)


def test_source_ref_retry_returns_the_same_grievance_without_new_events(ctx, world):
    first = builders.lodge(BARIA, channel="sms", source_ref="ATX-1")
    n_events, n_outbox = count(Event), count(OutboxMessage)
    again = builders.lodge(BARIA, channel="sms", source_ref="ATX-1", now=T0 + timedelta(minutes=5))
    assert again.id == first.id and again.tracking_code == first.tracking_code
    assert count(Grievance) == 1 and count(Event) == n_events and count(OutboxMessage) == n_outbox
    # The same reference on another channel is another message.
    other = builders.lodge(BARIA, channel="ussd", source_ref="ATX-1")
    assert other.id != first.id


def test_complainant_is_reused_by_a_verified_phone_only(ctx, world):
    """The same phone again finds the person when it is theirs for sure (an SMS, a USSD session, an operator
    on the call); a web form naming that phone gets a record of its own (issue 11, finding 1)."""
    a = builders.lodge(BARIA, phone="01712345678", channel="sms", phone_verified=True)
    b = builders.lodge(BARIA, phone="+880 1712-345678", now=T0 + timedelta(days=1), channel="operator",
                       phone_verified=True)
    c = builders.lodge(BARIA, phone="01812345678", channel="sms", phone_verified=True)
    web = builders.lodge(BARIA, phone="01712345678")
    assert a.complainant_id == b.complainant_id != c.complainant_id
    assert a.complainant.phone == web.complainant.phone == "+8801712345678"
    assert web.complainant_id not in (a.complainant_id, c.complainant_id)
    assert a.complainant.verified and not web.complainant.verified
    assert count(Complainant) == 3


def test_anonymous_complaint_has_no_complainant_and_no_sms(ctx, world):
    g = builders.lodge(BARIA, phone=None)
    assert g.anonymous and g.complainant_id is None
    assert events_of(g)[0].data["anonymous"] is True
    assert count(Complainant) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.medium == "sms")) == 0


@pytest.mark.parametrize("ctype,data", [("image/png", PNG), ("image/jpeg", JPEG), ("application/pdf", PDF)])
def test_attachments_are_stored_under_their_hash(ctx, world, ctype, data):
    g = builders.lodge(BARIA, attachments=(svc.AttachmentIn("../../etc/slip.bin", ctype, data),))
    (att,) = db.session.scalars(sa.select(Attachment).where(Attachment.grievance_id == g.id)).all()
    digest = hashlib.sha256(data).hexdigest()
    assert (att.content_type, att.size, att.sha256) == (ctype, len(data), digest)
    assert att.filename == "slip.bin"  # no path from the sender's machine is kept
    stored = [f for f in os.listdir(ctx.config["UPLOAD_DIR"]) if f.startswith(digest)]
    assert len(stored) == 1
    with open(os.path.join(ctx.config["UPLOAD_DIR"], stored[0]), "rb") as fh:
        assert fh.read() == data


@pytest.mark.parametrize("att", [
    svc.AttachmentIn("notes.txt", "text/plain", b"hello"),
    svc.AttachmentIn("fake.png", "image/png", JPEG),  # magic bytes do not match the type
    svc.AttachmentIn("fake.pdf", "application/pdf", b"<html>"),
    svc.AttachmentIn("huge.png", "image/png", PNG + b"\x00" * (5 * 1024 * 1024)),
], ids=["type", "magic-png", "magic-pdf", "size"])
def test_bad_attachments_are_refused_and_nothing_is_kept(ctx, world, att):
    with pytest.raises(ValidationError) as err:
        builders.lodge(BARIA, attachments=(att,))
    assert "attachment" in err.value.fields
    # A caller that goes on to commit other work (a webhook logging the inbound message) must not
    # commit a half-made grievance.
    db.session.commit()
    assert count(Grievance) == 0 and count(Event) == 0 and count(Attachment) == 0
    assert count(OutboxMessage) == 0 and count(Complainant) == 0


def test_paper_form_keeps_its_own_received_date(ctx, world):
    filled = T0 - timedelta(days=3)
    g = builders.run(svc.lodge, builders.intake(BARIA, channel="paper", received_at=filled), actor=Actor.citizen("paper"), now=T0)
    assert g.received_at == filled
    assert events_of(g)[0].at == T0  # the history records when it was entered
