"""A confirmed USSD complaint as stored for the intake worker: one row of `inbound_messages` (provider and
command `ussd`, keyed by the session id), with what the menus collected as JSON in its `text`.

The final USSD step records it with its tracking code reserved (channels/ussd/service.py) and answers; the
intake worker (channels/sms/intake.py) reads it back with `from_text` and lodges `intake()`, the complaint
the request itself used to lodge.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from channels.sms.service import stored_key
from grs.services import ComplainantIn, Intake

PROVIDER = COMMAND = "ussd"  # inbound_messages.provider and .command of a recorded USSD complaint


@dataclass(frozen=True)
class Confirmed:
    """What the caller confirmed, with the session it came in (one complaint per session)."""

    session_id: str
    phone: str | None  # the network's number for the session (E.164); None when it is not a phone number
    programme: str
    category: str
    area: str
    description: str
    language: str

    def to_text(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_text(cls, text: str) -> "Confirmed":
        return cls(**json.loads(text))

    @property
    def source_ref(self) -> str:
        """The grievance's source_ref: a resent final answer, or the worker lodging it twice, finds the first."""
        return stored_key(f"ussd:{self.session_id}")

    def intake(self, tracking_code: str | None) -> Intake:
        """The complaint to lodge, under the code the caller was told."""
        return Intake(channel="ussd", programme=self.programme, category=self.category,
                      description=self.description, area=self.area, language=self.language,
                      complainant=ComplainantIn(phone=self.phone) if self.phone else None,
                      phone_verified=self.phone is not None,  # the network's number for the session
                      source_ref=self.source_ref, queue_receipt=True, tracking_code=tracking_code)
