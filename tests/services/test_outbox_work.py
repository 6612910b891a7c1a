"""`grs outbox work`: the dispatcher as a loop sends each due message once and stops when told."""
from __future__ import annotations

import threading

import builders
from builders import T0
from channels import gateways
from channels.outbox import work
from grs.extensions import db
from grs.notifications import queue_sms

PHONES = [f"+88017123457{n:02d}" for n in range(3)]


def test_the_loop_sends_each_due_message_once_then_idles_until_stopped(ctx):
    for phone in PHONES:
        builders.run(queue_sms, phone, "closed", "en", now=T0, code="4821 0937 5512")
    db.session.commit()
    stop = threading.Event()
    passes = []

    def clock():
        passes.append(T0)
        if len(passes) == 3:  # a third pass: the first sent everything, the second found nothing due
            stop.set()
        return T0

    assert work(stop=stop, idle=0, clock=clock) == 3
    assert sorted(r for r, _, _ in gateways.fake(ctx).sent) == sorted(PHONES)
    assert len(passes) == 3
