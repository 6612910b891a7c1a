"""Disk full on the upload folder: a lodge with an attachment is refused with a clear message and the form as
typed, and leaves nothing behind — no grievance, no message queued, no file (not even a half-written one)."""
from __future__ import annotations

import io
import os
import subprocess

import pytest
import sqlalchemy as sa

import builders
import grs.services.storage
from grs.extensions import db
from grs.models import Attachment, Grievance, OutboxMessage

pytestmark = pytest.mark.both_backends

PATH = {"area_1": "BD-DIV-6", "area_2": "BD-DIS-41", "area_3": "BD-UPZ-320", "area_4": builders.BARIA}
DESCRIPTION = "My old age allowance was not paid this quarter; the slip is attached."
SLIP = b"\x89PNG\r\n\x1a\n" + os.urandom(200 * 1024)  # a real PNG start, larger than the 64 kB disk
REFUSED = "The file could not be stored just now, so nothing was sent."


def _form(**extra) -> dict:
    return {"programme": "OAA", "category": "payment", "description": DESCRIPTION, "name": "Rahima Begum",
            "phone": "01712345678", "sex": "female", "age_band": "60_plus", "disability": "", **PATH, **extra}


@pytest.fixture
def full_disk(app):
    """The upload folder on a 64 kB tmpfs (a real full disk), unmounted afterwards."""
    folder = app.config["UPLOAD_DIR"]
    os.makedirs(folder, exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", folder], capture_output=True,
                              text=True)
        why = (done.stderr.strip() or "not permitted") if done.returncode else None
    except OSError as e:  # no mount(8) here
        why = str(e)
    if why:
        pytest.skip(f"cannot mount a small tmpfs here ({why}); "
                    "test_a_write_that_fails_with_enospc covers the same refusal without one")
    yield folder
    subprocess.run(["umount", "-l", folder], check=True)


@pytest.fixture
def enospc_on_write(app, monkeypatch):
    """The disk is full in the way that matters here: the file is created, its bytes cannot be written
    (its descriptor is /dev/full, whose every write fails with ENOSPC)."""
    real_mkstemp = grs.services.storage.tempfile.mkstemp

    def mkstemp(*args, **kw):
        fd, path = real_mkstemp(*args, **kw)
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), path

    monkeypatch.setattr(grs.services.storage.tempfile, "mkstemp", mkstemp)
    return app.config["UPLOAD_DIR"]


def _nothing_kept(app, folder):
    with app.app_context():
        counted = {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                   for model in (Grievance, Attachment, OutboxMessage)}
    assert counted == {"Grievance": 0, "Attachment": 0, "OutboxMessage": 0}, "a half-written grievance"
    assert os.listdir(folder) == [], "a file was left in the upload folder"


def _refused_with_the_form_kept(response):
    page = response.get_data(as_text=True)
    assert response.status_code in (400, 503), response.status_code
    assert REFUSED in page
    assert DESCRIPTION in page and 'value="Rahima Begum"' in page, "the form came back empty"
    assert 'action="/grievances/new"' in page


def _lodge_with_slip(client):
    return client.post("/grievances/new", data=_form(attachment=(io.BytesIO(SLIP), "slip.png")),
                       content_type="multipart/form-data")


def test_a_full_upload_disk_refuses_the_lodge_clearly_and_leaves_nothing_half_written(app, client, world,
                                                                                      full_disk):
    _refused_with_the_form_kept(_lodge_with_slip(client))
    _nothing_kept(app, full_disk)
    # The disk being full stops only files: the same complaint without one goes through.
    assert client.post("/grievances/new", data=_form()).status_code == 303


def test_a_write_that_fails_with_enospc_refuses_the_lodge_and_leaves_no_file(app, client, world, enospc_on_write):
    _refused_with_the_form_kept(_lodge_with_slip(client))
    _nothing_kept(app, enospc_on_write)
