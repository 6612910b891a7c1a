"""Every word the USSD menu says, in English and Bangla; option keys stay Latin digits on both."""
from __future__ import annotations

LANGUAGES = ("en", "bn")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "main_title": "Grievance service",
        "main_lodge": "1 Make a complaint",
        "main_status": "2 Check a complaint",
        "main_language": "3 Language/ভাষা",
        "choose_programme": "Which programme",
        "choose_category": "What is the problem",
        "choose_area": "Your {level}",
        "back": "0 Back",
        "home": "00 Menu",
        "more": "98 More",
        "by_code": "99 {level} code",
        "enter_area_code": "Type your {level} code number:",
        "describe": "In a few words, what happened? Or 1 to skip.",
        "confirm_title": "Send this complaint?",
        "confirm_send": "1 Send",
        "confirm_cancel": "2 Cancel",
        "lodged": "Complaint received. Your code: {code}. Keep it to check the status. An SMS with the code follows.",
        "cancelled": "Cancelled. Nothing was sent.",
        "failed": "Sorry, the complaint could not be saved. Please try again later.",
        "enter_tracking": "Type your 12-digit complaint code:",
        "status_line": "Complaint {code}: {status}, {where}.",
        "status_due": " Answer due by {date}.",
        "where_office": "at the {level} office",
        "where_triage": "being sent to the right office",
        "language_title": "Language / ভাষা:",
        "language_saved": "Language saved.",
        "hint_invalid": "Not a choice, try again.",
        "hint_area_code": "Code not found.",
        "hint_tracking": "Code not valid.",
        "hint_not_found": "No complaint has that code.",
        "hint_empty": "Please type something.",
        "no_description": "{category} ({programme}). Lodged by USSD without a description.",
    },
    "bn": {
        "main_title": "অভিযোগ সেবা",
        "main_lodge": "1 অভিযোগ করুন",
        "main_status": "2 অভিযোগের অবস্থা",
        "main_language": "3 Language/ভাষা",
        "choose_programme": "কোন কর্মসূচি",
        "choose_category": "সমস্যা কী",
        "choose_area": "আপনার {level}",
        "back": "0 পিছনে",
        "home": "00 মেনু",
        "more": "98 আরও",
        "by_code": "99 {level} কোড",
        "enter_area_code": "আপনার {level} কোড নম্বর লিখুন:",
        "describe": "সংক্ষেপে কী হয়েছে লিখুন, অথবা বাদ দিতে 1 দিন।",
        "confirm_title": "অভিযোগটি পাঠাবেন?",
        "confirm_send": "1 পাঠান",
        "confirm_cancel": "2 বাতিল",
        "lodged": "অভিযোগ গৃহীত। আপনার কোড: {code}। অবস্থা জানতে কোডটি রাখুন। কোডসহ এসএমএস আসছে।",
        "cancelled": "বাতিল হয়েছে। কিছু পাঠানো হয়নি।",
        "failed": "দুঃখিত, অভিযোগটি সংরক্ষণ করা যায়নি। পরে আবার চেষ্টা করুন।",
        "enter_tracking": "আপনার ১২ অঙ্কের অভিযোগ কোড লিখুন:",
        "status_line": "অভিযোগ {code}: {status}, {where}।",
        "status_due": " উত্তরের শেষ তারিখ {date}।",
        "where_office": "{level} অফিসে",
        "where_triage": "সঠিক অফিসে পাঠানো হচ্ছে",
        "language_title": "Language / ভাষা:",
        "language_saved": "ভাষা সংরক্ষিত।",
        "hint_invalid": "ভুল উত্তর, আবার চেষ্টা করুন।",
        "hint_area_code": "কোডটি পাওয়া যায়নি।",
        "hint_tracking": "কোডটি সঠিক নয়।",
        "hint_not_found": "এই কোডে কোনো অভিযোগ নেই।",
        "hint_empty": "কিছু লিখুন।",
        "no_description": "{category} ({programme})। বিবরণ ছাড়া ইউএসএসডি-তে দাখিল।",
    },
}

# Statuses in plain words: what the citizen needs to know, not the workflow's vocabulary.
STATUS_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "received": "received, waiting to be seen",
        "acknowledged": "seen by the office",
        "in_progress": "being looked into",
        "awaiting_info": "waiting for information from you",
        "resolved": "resolved",
        "rejected": "closed as not about a programme",
        "closed": "closed",
    },
    "bn": {
        "received": "গৃহীত, দেখার অপেক্ষায়",
        "acknowledged": "অফিস দেখেছে",
        "in_progress": "খতিয়ে দেখা হচ্ছে",
        "awaiting_info": "আপনার কাছে তথ্যের অপেক্ষায়",
        "resolved": "নিষ্পত্তি হয়েছে",
        "rejected": "কর্মসূচি-সংশ্লিষ্ট নয় বলে বন্ধ",
        "closed": "বন্ধ",
    },
}

HINTS = ("hint_invalid", "hint_area_code", "hint_tracking", "hint_not_found", "hint_empty", "language_saved")


def text(lang: str, key: str, **values) -> str:
    """One text in the caller's language (English if the language is not offered)."""
    table = TEXTS.get(lang) or TEXTS["en"]
    return table[key].format(**values) if values else table[key]


def status_words(lang: str, status: str) -> str:
    return (STATUS_WORDS.get(lang) or STATUS_WORDS["en"]).get(status, status.replace("_", " "))
