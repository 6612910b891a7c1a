"""Information requests and decisions as the complainant reads them: how long the officer's question may
be so that the whole SMS fits, the question still waiting for an answer, and the decision taken."""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ValidationError
from ..models import Grievance
from ..segments import measure
from ..tracking import display

# The SMS carrying a question (or a decision) may take this many segments, never more.
MAX_SEGMENTS = 3
# Characters in that many segments: GSM-7 (153 a part) and UCS-2 (67 a part; Bangla needs it).
CAPACITY = {"GSM-7": 153 * MAX_SEGMENTS, "UCS-2": 67 * MAX_SEGMENTS}
_SAMPLE_CODE = "999999999999"  # every tracking code has 12 digits: the rendered length is the same


def _units(text: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return sum(2 if ch in "^{}\\[~]|€\f" else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def question_limits(uow, language: str) -> dict[str, int]:
    """How many characters the question may have in the `info_requested` SMS in this language:
    {"gsm": for a question in Latin letters, "ucs2": for one that needs UCS-2 (Bangla)}. Computed from
    the rendered template (its text without the question), so a reworded template moves the limit."""
    sample = Grievance(tracking_code=_SAMPLE_CODE, language=language, status="awaiting_info")  # never stored
    frame = uow.render("info_requested", language, code=display(_SAMPLE_CODE), question="", lang=language,
                       grievance=sample)
    encoding, _ = measure(frame)
    ucs2 = CAPACITY["UCS-2"] - _units(frame, "UCS-2") - 1  # the space the question takes is counted too
    gsm = ucs2 if encoding == "UCS-2" else CAPACITY["GSM-7"] - _units(frame, "GSM-7") - 1
    return {"gsm": max(gsm, 0), "ucs2": max(ucs2, 0)}


def question_limit(uow, language: str, question: str) -> int:
    """The limit that applies to this question (UCS-2 as soon as one character needs it)."""
    limits = question_limits(uow, language)
    return limits["gsm"] if measure(question)[0] == "GSM-7" else limits["ucs2"]


def check_question(uow, g: Grievance, question: str) -> None:
    """ValidationError on `note` unless the whole `info_requested` SMS, question included, fits."""
    language = g.language or "en"
    body = uow.render("info_requested", language, code=display(g.tracking_code), question=question,
                      lang=language, grievance=g)
    _, segments = measure(body)
    if segments > MAX_SEGMENTS:
        limit = question_limit(uow, language, question)
        raise ValidationError(
            "the question is too long for one SMS of three parts",
            {"note": f"Keep the question to {limit} characters so the whole SMS reaches the complainant "
                     f"(it has {len(question)})."})


def pending_question(g: Grievance) -> str | None:
    """The officer's question the complainant has not answered yet (None unless it waits for information)."""
    if g.status != "awaiting_info":
        return None
    for ev in reversed(g.events):
        if ev.type == "info_requested":
            return ev.note
    return None


@dataclass(frozen=True)
class Decision:
    """The decision in force as the complainant reads it."""

    kind: str  # resolved | rejected
    decision: str | None  # resolve: upheld, partly_upheld, ...
    reason_code: str | None  # reject: one of grs.events.REJECT_REASONS
    text: str | None  # written for the complainant


def decision_of(g: Grievance) -> Decision | None:
    """The latest decision (resolved or rejected) while it stands; None before one or after an appeal."""
    if g.status not in ("resolved", "rejected", "closed"):
        return None
    for ev in reversed(g.events):
        if ev.type in ("appealed", "transferred", "escalated"):
            return None
        if ev.type in ("resolved", "rejected"):
            data = ev.data or {}
            return Decision(ev.type, data.get("decision"), data.get("reason_code"), ev.note)
    return None


def fit(render, template: str, language: str, key: str, text: str, **context) -> str:
    """As much of `text` as lets the whole message (`template` rendered with it under `key`) fit in
    MAX_SEGMENTS segments: all of it when it fits, else its start and "..." (pure: `render` renders)."""
    text = " ".join((text or "").split())

    def segments(candidate: str) -> int:
        return measure(render(template, language, **{**context, key: candidate}))[1]

    if segments(text) <= MAX_SEGMENTS:
        return text
    low, high = 0, len(text)  # the longest start that fits lies in [low, high)
    while low < high - 1:
        middle = (low + high) // 2
        if segments(text[:middle].rstrip() + "...") <= MAX_SEGMENTS:
            low = middle
        else:
            high = middle
    return text[:low].rstrip() + "..." if low else ""


def citizen_context(g: Grievance) -> dict:
    """What tell_citizen renders a complainant's message with (for `fit`)."""
    return {"code": display(g.tracking_code), "grievance": g, "lang": g.language}
