"""The USSD lists are kept per process (channels/ussd/reference.py): a change flushed in this process shows on
the next screen, one rolled back is not kept, and an unchanged list is not read again."""
from __future__ import annotations

import sqlalchemy as sa

from channels.ussd.reference import DbReference
from grs.extensions import db
from grs.models import Programme


def _codes(ref):
    return [o.code for o in ref.programmes]


def test_a_programme_added_here_shows_at_once_and_one_rolled_back_does_not(ctx, world):
    before = _codes(DbReference("BD"))
    assert before and "NEWPROG" not in before
    reads = []

    def note(conn, cursor, statement, *args):
        reads.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert _codes(DbReference("BD")) == before  # kept: not read again
        assert not any("FROM programmes" in statement for statement in reads)
        savepoint = db.session.begin_nested()
        db.session.add(Programme(code="GONE", name_en="Rolled back"))
        db.session.flush()
        assert "GONE" in _codes(DbReference("BD"))  # inside the transaction that made it
        savepoint.rollback()
        assert "GONE" not in _codes(DbReference("BD"))
        db.session.add(Programme(code="NEWPROG", name_en="New programme"))
        db.session.commit()
        assert _codes(DbReference("BD"))[-1] == "NEWPROG"
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
