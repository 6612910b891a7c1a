"""Plain words for the codes the accountability pages show, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND = {
    "scorecard": _l("Community scorecard"),
    "audit": _l("Social audit"),
    "hearing": _l("Public hearing"),
    "dialogue": _l("LGU dialogue"),
    "awareness": _l("Awareness event"),
    "report_card": _l("Citizen report card"),
}
KIND_PLURAL = {
    "scorecard": _l("Community scorecards"),
    "audit": _l("Social audits"),
    "hearing": _l("Public hearings"),
    "dialogue": _l("LGU dialogues"),
    "awareness": _l("Awareness events"),
    "report_card": _l("Citizen report cards"),
}
FORUM_TIER = {
    "union": _l("Union"),
    "paurashava": _l("Paurashava"),
    "upazila": _l("Upazila"),
    "district": _l("District"),
    "national": _l("National"),
}
MEMBER_ROLE = {"facilitator": _l("Facilitator"), "chair": _l("Chair"), "secretary": _l("Secretary"),
               "member": _l("Member")}
ACTIVITY_STATUS = {"planned": _l("Planned"), "in_progress": _l("In progress"), "completed": _l("Completed")}
AWARENESS_TYPE = {
    "courtyard_meeting": _l("Courtyard meeting"),
    "school_programme": _l("School programme"),
    "video_show": _l("Video show"),
    "radio_spot": _l("Radio spot"),
    "fair": _l("Fair"),
    "other": _l("Other"),
}
GROUP_KIND = {"women": _l("Women"), "men": _l("Men"), "elderly": _l("Elderly people"),
              "disability": _l("People with disabilities"), "youth": _l("Young people"), "mixed": _l("Mixed")}
ITEM_KIND = {
    "finding": _l("Finding"),
    "issue": _l("Issue raised"),
    "commitment": _l("Commitment"),
    "action": _l("Action plan item"),
    "result": _l("Survey result"),
}
ITEM_STATUS = {"open": _l("Open"), "in_progress": _l("In progress"), "done": _l("Done"), "dropped": _l("Dropped")}
FINDING_TYPE = {
    "ineligible_beneficiary": _l("Ineligible beneficiary on the list"),
    "missing_beneficiary": _l("Eligible person left out"),
    "underpayment": _l("Paid less than due"),
    "unauthorised_deduction": _l("Money deducted without right"),
    "bribe": _l("Bribe asked"),
    "late_payment": _l("Late payment"),
    "record_error": _l("Error in the records"),
    "staff_absent": _l("Staff absent"),
    "other": _l("Other"),
}
# Faces for a score on a 1–5 scale (other scales are mapped onto these five).
FACES = ("😠", "🙁", "😐", "🙂", "😀")
FACE_WORDS = (_l("Very bad"), _l("Bad"), _l("Neither good nor bad"), _l("Good"), _l("Very good"))


def face(score: float | None, low: int, high: int) -> tuple[str, str]:
    """The face and its word for a score on the scale low..high."""
    if score is None or high <= low:
        return "", ""
    i = round((score - low) / (high - low) * (len(FACES) - 1))
    i = max(0, min(len(FACES) - 1, i))
    return FACES[i], str(FACE_WORDS[i])


def word(table: dict, code: str | None) -> str:
    return str(table.get(code, code or ""))
