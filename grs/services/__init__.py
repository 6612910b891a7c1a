"""The use cases. Each takes the caller's unit of work (grs/uow.py) first and never commits.

- intake: what channels hand over (Intake, ActionRequest) and the checks on a complaint
- lodging: `lodge` a complaint; routing: which office holds it; clocks: its deadlines
- actions: `act` on a grievance through the transition table (escalation, appeals, closing)
- storage: attachments; history: the hash-chained events; accounts, areas, reference: set-up
"""
from .actions import (DECISIONS, REJECT_REASONS, act, close, complainant_appeal, escalate_one, find, may_appeal,
                      open_appeal)
from .intake import MAX_DESCRIPTION, ActionRequest, AttachmentIn, ComplainantIn, Intake
from .lodging import lodge

__all__ = ["DECISIONS", "MAX_DESCRIPTION", "REJECT_REASONS", "ActionRequest", "AttachmentIn", "ComplainantIn", "Intake", "act",
           "close", "complainant_appeal", "escalate_one", "find", "lodge", "may_appeal", "open_appeal"]
