"""Pure parsing of inbound SMS: the command, the reply language, the area, programme and category named."""
from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Indel

from grs import tracking

# Keywords per language and command, with the spellings people type on a basic phone: accents and Hausa's
# hooked letters are optional (ARRET for ARRÊT, DAUKAKA for ƊAUKAKA, KARA for ƘARA). A deployment accepts
# English and its country pack's languages (config LANGUAGES); a keyword of one language only (STATUT,
# MATSAYI, XAALAD, অবস্থা) also says which language to answer in. docs/channels-sms.md lists them.
KEYWORDS_BY_LANGUAGE: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {"status": ("status", "stat"), "yes": ("yes", "y"), "no": ("no", "n"), "appeal": ("appeal",),
           "stop": ("stop", "unsubscribe"), "start": ("start", "unstop"), "info": ("info",)},
    "bn": {"status": ("স্ট্যাটাস", "স্টেটাস", "অবস্থা"), "yes": ("হ্যাঁ", "হ্যা", "হাঁ", "হা", "জি"), "no": ("না",),
           "appeal": ("আপিল", "আপীল"), "stop": ("বন্ধ",), "start": ("চালু",), "info": ("তথ্য",)},
    "fr": {"status": ("statut", "etat", "état"), "yes": ("oui",), "no": ("non",), "appeal": ("appel", "recours"),
           "stop": ("stop", "arret", "arrêt"), "start": ("reprendre", "demarrer", "démarrer"), "info": ("info",)},
    "ha": {"status": ("matsayi", "hali"), "yes": ("eh", "ee"), "no": ("a'a", "a’a", "aa"),
           "appeal": ("daukaka", "ɗaukaka", "kara", "ƙara"), "stop": ("daina", "tsaya"), "start": ("fara",),
           "info": ("bayani", "bayanai")},
    "so": {"status": ("xaalad", "xaaladda"), "yes": ("haa",), "no": ("maya",), "appeal": ("racfaan", "rafcaan"),
           "stop": ("jooji",), "start": ("bilow", "bilaab"), "info": ("xog", "macluumaad")},
}
# Every command and all its words (tests/unit/test_sms_commands.py checks a handler exists for each command).
KEYWORDS: dict[str, tuple[str, ...]] = {
    cmd: tuple(dict.fromkeys(w for table in KEYWORDS_BY_LANGUAGE.values() for w in table.get(cmd, ())))
    for cmd in KEYWORDS_BY_LANGUAGE["en"]
}
# STOP and START change what we send, so they count only as the whole message ("stop taking bribes"
# is a complaint); STATUS/YES/NO count when what follows looks like a tracking code.
ALONE_ONLY = frozenset({"stop", "start"})
_CODE_CHARS = re.compile(r"^[\d০-৯\s\-./#:]*$")
_BANGLA = re.compile(r"[\u0980-\u09FF]")
_WORD = re.compile(r"[\w\u0980-\u09FF]+")


def _keyword_table(languages: Iterable[str] | None) -> dict[str, tuple[str, str | None]]:
    """word -> (command, the one language it belongs to, or None for a word several languages share or an
    English one: English says nothing about the reader, whose stored language then decides)."""
    wanted = tuple(KEYWORDS_BY_LANGUAGE) if languages is None else ("en", *languages)
    langs_of: dict[str, set[str]] = {}
    table: dict[str, str] = {}
    for lang in dict.fromkeys(wanted):
        for cmd, words in KEYWORDS_BY_LANGUAGE.get(lang, {}).items():
            for w in words:
                table.setdefault(w, cmd)
                langs_of.setdefault(w, set()).add(lang)
    # A word of English and another language ("stop", "info") is English's.
    return {w: (cmd, None if "en" in langs_of[w] or len(langs_of[w]) > 1 else next(iter(langs_of[w])))
            for w, cmd in table.items()}


_TABLES: dict[tuple[str, ...] | None, dict[str, tuple[str, str | None]]] = {}


def _keywords(languages: Iterable[str] | None) -> dict[str, tuple[str, str | None]]:
    key = None if languages is None else tuple(languages)
    if key not in _TABLES:
        _TABLES[key] = _keyword_table(key)
    return _TABLES[key]


@dataclass(frozen=True)
class Command:
    """What an inbound SMS asks for: kind is lodge, status, yes, no, stop, start or info."""

    kind: str
    code: str | None = None  # the normalised tracking code, None if missing or mistyped (both: "check the code")
    text: str = ""  # the whole message; for info, the answer after the code
    language: str = "en"  # the keyword's language when only one language has it, else the script's
    keyword_language: str | None = None  # set only by such a keyword (STATUT, XAALAD): answer in it


def language_of(text: str) -> str:
    """'bn' when the message is written in Bangla script, else 'en'."""
    return "bn" if _BANGLA.search(text or "") else "en"


# Short words that mark a Latin-script message as French, Hausa or Somali (or English, against them): a
# complaint in any of them is kept in its language and answered in it. Hausa's hooked letters settle it alone.
MARKER_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the my is was not i and of to have has been we our me he she they for did paid money "
                    "allowance got".split()),
    "fr": frozenset("je j'ai n'ai le la les pas mon ma mes nous de du des est une un pour depuis reçu payé "
                    "argent paiement aucun rien ne".split()),
    "ha": frozenset("ba ban na ya yi ni mu ta sun kuma amma saboda domin daga zuwa wanda yanzu tun kudi kuɗi "
                    "tallafi tallafin watanni wata biya ina".split()),
    "so": frozenset("waa waxaan waxay iyo aan ayaa ku ka la wax uma kuma lama helin lacag lacagta lacagtii "
                    "gargaar bilood laba ii i siin".split()),
}
_HAUSA_LETTERS = re.compile("[ɓɗƙƴƁƊƘƳ]")
_LATIN_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def guess_language(text: str, languages: Iterable[str] | None = None) -> str | None:
    """French, Hausa or Somali when a Latin-script message is plainly written in it (at least two of its
    marker words, more than any other language's and than English's), among `languages` (None: all); else
    None: English, or too little to tell."""
    wanted = [lang for lang in (languages or MARKER_WORDS) if lang in MARKER_WORDS and lang != "en"]
    if not text or not wanted:
        return None
    if "ha" in wanted and _HAUSA_LETTERS.search(text):
        return "ha"
    tokens = [t.casefold().replace("’", "'") for t in _LATIN_WORD.findall(text)]
    hits = {lang: sum(t in MARKER_WORDS[lang] for t in tokens) for lang in ("en", *wanted)}
    best = max(wanted, key=lambda lang: hits[lang])
    others = [n for lang, n in hits.items() if lang != best]
    return best if hits[best] >= 2 and hits[best] > max(others, default=0) else None


def reply_language(stored: Iterable[str | None], script: str, languages: Iterable[str]) -> str:
    """The language to answer in: the first language stored for the sender (their phone contact, then their
    complaint) that the deployment speaks; the script of the message only when nothing is stored."""
    known = tuple(languages)
    for lang in stored:
        if lang and lang in known:
            return lang
    return script


def parse(text: str | None, languages: Iterable[str] | None = None) -> Command:
    """The command in an SMS; anything that is not a command is a complaint to lodge. `languages`: those
    whose keywords count besides English (the deployment's); None: every language's."""
    body = " ".join((text or "").split())
    script = language_of(body)
    head, _, rest = body.partition(" ")
    kind, said_in = _keywords(languages).get(_fold_keyword(head), (None, None))
    rest = rest.strip()
    if kind is None:
        # A complaint: its language by script, or for Latin script by its words (French, Hausa, Somali).
        written = script if script != "en" else (guess_language(body, languages) or "en")
        return Command("lodge", text=body, language=written)
    lang = said_in or script
    if kind == "info":
        return _info(body, rest, lang, said_in)
    if kind in ALONE_ONLY:
        if rest.strip(" .!।"):
            return Command("lodge", text=body, language=script)
        return Command(kind, text=body, language=lang, keyword_language=said_in)
    if not _CODE_CHARS.match(rest):
        # "No payment for three months": a complaint that happens to start with a keyword.
        return Command("lodge", text=body, language=script)
    return Command(kind, code=tracking.normalise(rest), text=body, language=lang, keyword_language=said_in)


_LEADING_CODE = re.compile(r"^[#:]?\s*((?:[\d০-৯][\s\-./]?){12})(?![\d০-৯])")


def _info(body: str, rest: str, lang: str, said_in: str | None = None) -> Command:
    """INFO <code> <answer>: the code is the first 12 digits (grouped as people type them); a message
    that starts with the word but names no code ("Info: nobody paid us") is a complaint."""
    if not rest or not re.match(r"^[#:]?\s*[\d০-৯]", rest):
        return Command("lodge", text=body, language=language_of(body))
    m = _LEADING_CODE.match(rest)
    if m is None:
        return Command("info", code=None, text="", language=lang, keyword_language=said_in)
    answer = rest[m.end():].strip(" \t-:,.")
    return Command("info", code=tracking.normalise(m.group(1)), text=answer, language=lang, keyword_language=said_in)


def _fold_keyword(word: str) -> str:
    return unicodedata.normalize("NFC", word).strip(" .,!?:;।").casefold()


# ---------------------------------------------------------------- where the complaint belongs


@dataclass(frozen=True)
class AreaName:
    """An area a complaint may name: a union or an upazila, with its parent for disambiguation."""

    code: str
    level: str  # the finer level comes first in `levels` given to match_area
    name_en: str
    local_names: tuple[str, ...] = ()  # its names in every other language it has (Bangla, Hausa, ...)
    parent_code: str | None = None


# Romanised Bangla is spelt many ways (Sreepur/Sripur, Kashimpur/Kasimpur): fold the usual variants.
_ROMAN_FOLDS = (("chh", "c"), ("ee", "i"), ("oo", "u"), ("ou", "u"), ("sh", "s"), ("kh", "k"), ("gh", "g"), ("ph", "f"),
                ("bh", "b"), ("dh", "d"), ("th", "t"), ("ch", "c"), ("jh", "j"), ("z", "j"), ("y", "i"),
                ("v", "b"), ("q", "k"))
# Bangla: long and short vowel signs and the dotted letters are often typed interchangeably.
# (The nukta of ড় ঢ় য় is dropped before this table applies.)
_BANGLA_FOLDS = str.maketrans({"ী": "ি", "ূ": "ু", "ঈ": "ই", "ঊ": "উ", "ৎ": "ত", "ঁ": None, "্": None,
                               "\u200c": None, "\u200d": None})


def fold(word: str) -> str:
    """A spelling-tolerant key for a place-name word (pure; used for both the names and the text)."""
    w = unicodedata.normalize("NFC", word).casefold()
    if _BANGLA.search(w):
        w = unicodedata.normalize("NFD", w)  # য় and ড় come apart as base + nukta
        w = w.replace("\u09bc", "")
        return unicodedata.normalize("NFC", w).translate(_BANGLA_FOLDS)
    w = re.sub(r"[^a-z]", "", w)
    for a, b in _ROMAN_FOLDS:
        w = w.replace(a, b)
    return re.sub(r"(.)\1+", r"\1", w)  # doubled letters: Gachha/Gacha


def words(text: str) -> list[str]:
    """The words of a message, folded; punctuation and digits dropped."""
    return [f for f in (fold(t) for t in _WORD.findall(text or "")) if f]


# Bangla case endings glued to a place name: "বাসনে", "বাসনের", "শ্রীপুরে"
_BANGLA_SUFFIXES = ("এর", "ের", "র", "ে", "তে", "য")


def _stripped(word: str) -> list[str]:
    out = [word]
    if _BANGLA.search(word):
        out += [word[: -len(s)] for s in _BANGLA_SUFFIXES if word.endswith(s) and len(word) > len(s) + 1]
    return out


# Short names match exactly or not at all ("Tokh" is not "took"); longer ones tolerate typos that keep the
# first letter and roughly the length (at most this many letters more or fewer).
MIN_FUZZY_LENGTH = 5
MAX_LENGTH_DIFFERENCE = 2


class PlaceIndex:
    """Union and upazila names prepared once for matching many messages; `match` is match_area.

    Each name word is looked up, not compared with every area: exact forms through a dict, near forms
    through rapidfuzz among the words of the same first letter and length. rapidfuzz's Indel ratio
    (longest common subsequence) is never below difflib's ratio for the same pair, so it finds every
    word difflib would accept and difflib then scores the few it finds: the picks and the threshold
    mean exactly what they meant when every name was compared with difflib.
    """

    def __init__(self, areas: Iterable[AreaName]):
        self.levels: list[str] = []  # in the order given: finer first
        self._names: list[tuple[AreaName, tuple[str, ...]]] = []
        self._by_word: dict[str, list[tuple[int, int]]] = {}  # name word -> (name number, place in name)
        self._fuzzy: dict[tuple[str, int], list[str]] = {}  # (first letter, length) -> long name words
        for area in areas:
            if area.level not in self.levels:
                self.levels.append(area.level)
            for name in (area.name_en, *area.local_names):
                key = tuple(k for k in (fold(w) for w in _WORD.findall(name or "")) if k)
                if not key:
                    continue
                for j, k in enumerate(key):
                    self._by_word.setdefault(k, []).append((len(self._names), j))
                self._names.append((area, key))
        for k in self._by_word:
            if len(k) >= MIN_FUZZY_LENGTH:
                self._fuzzy.setdefault((k[0], len(k)), []).append(k)

    def __len__(self) -> int:
        return len(self._names)

    def match(self, text: str, *, threshold: float = 0.85) -> str | None:
        """The code of the union or upazila a message names, or None if none (or it is ambiguous)."""
        tokens = words(text)
        if not tokens:
            return None
        # For each word of the message: the name words it may be, with their score.
        near = [self._near(t, threshold) for t in tokens]
        hits: list[tuple[float, int, int, AreaName]] = []  # score, start, length in words, area
        tried: set[tuple[int, int]] = set()
        for i, found in enumerate(near):
            for k in found:
                for number, j in self._by_word[k]:
                    start = i - j
                    if start < 0 or (number, start) in tried:
                        continue
                    tried.add((number, start))
                    area, key = self._names[number]
                    if start + len(key) > len(tokens):
                        continue
                    score = min(near[start + m].get(w, 0.0) for m, w in enumerate(key))
                    if score >= threshold:
                        hits.append((score, start, len(key), area))
        return _choose(hits, self.levels)

    def _near(self, token: str, threshold: float) -> dict[str, float]:
        """Name words within `threshold` of a message word (or of it without a Bangla case ending)."""
        found: dict[str, float] = {}
        for v in _stripped(token):
            if v in self._by_word:
                found[v] = 1.0
            for length in range(max(len(v) - MAX_LENGTH_DIFFERENCE, MIN_FUZZY_LENGTH),
                                len(v) + MAX_LENGTH_DIFFERENCE + 1):
                choices = self._fuzzy.get((v[0], length))
                if not choices:
                    continue
                for k, _, _ in process.extract(v, choices, scorer=Indel.normalized_similarity,
                                               score_cutoff=threshold - 1e-9, limit=None):
                    if k != v:
                        score = difflib.SequenceMatcher(None, v, k).ratio()
                        if score >= threshold and found.get(k, 0.0) < score:
                            found[k] = score
        return found


def _choose(hits: list[tuple[float, int, int, AreaName]], levels: list[str]) -> str | None:
    """The one area the matched names point to: the finest level, the best score, the named parent."""
    if not hits:
        return None
    # A name inside a longer matched name does not count: "Gazipur" in "Gazipur Sadar".
    spans = [(s, i, n, a) for s, i, n, a in hits
             if not any(n2 > n and i2 <= i and i + n <= i2 + n2 for _, i2, n2, _ in hits)]
    finer = {lvl: rank for rank, lvl in enumerate(levels)}
    named_codes = {a.code for _, _, _, a in spans}
    best: dict[str, tuple[float, AreaName]] = {}
    for s, _, _, a in spans:
        if a.code not in best or best[a.code][0] < s:
            best[a.code] = (s, a)
    candidates = sorted(best.values(), key=lambda sa: (finer.get(sa[1].level, 99), -sa[0]))
    for level in levels:
        at_level = [(s, a) for s, a in candidates if a.level == level]
        if not at_level:
            continue
        # A union inside an upazila that is also named wins over a namesake elsewhere.
        inside = [(s, a) for s, a in at_level if a.parent_code in named_codes]
        pool = inside or at_level
        top = max(s for s, _ in pool)
        leaders = {a.code for s, a in pool if s == top}
        if len(leaders) == 1:
            return leaders.pop()
        # Same name in two places and nothing to tell them apart: try the coarser level.
    return None


def match_area(text: str, areas: list[AreaName], *, threshold: float = 0.85) -> str | None:
    """The code of the union or upazila a message names, or None if none (or it is ambiguous).

    For one message; many messages against the same areas share a PlaceIndex (channels/sms/places.py).
    """
    return PlaceIndex(areas).match(text, threshold=threshold)


# ---------------------------------------------------------------- programme and category

# (keyword fragments, code). The first programme and the first category that match win; keep these
# short and documented in docs/channels-sms.md. Fragments match the start of a word.
PROGRAMME_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("widow", "বিধবা"), "WA"),
    (("disab", "handicap", "প্রতিবন্ধী"), "DA"),
    (("maternity", "pregnan", "মাতৃত্ব", "গর্ভবতী"), "MA"),
    (("public works", "work scheme", "কর্মসৃজন", "কাবিখা"), "PW"),
    (("old age", "elderly", "বয়স্ক"), "OAA"),
)
# Categories, in order: the first that matches wins, so a bribe asked for a payment is corruption, not payment.
# Sensitive ones need a clear signal; see docs/channels-sms.md ("How a complaint is classified"). The corpus
# tests/unit/sms_classifier_corpus.csv (tests/unit/test_sms_classifier_corpus.py) holds this at >= 90%.
CATEGORY_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    # Sexual exploitation and abuse: words that say so on their own.
    (("rape", "sex", "touched me", "touch me", "touching me", "touches me", "touched my", "molest", "indecent", "grope", "spend the night", "sleep with", "kiss",
      "যৌন", "ধর্ষণ", "শ্লীলতা", "গায়ে হাত", "শরীরে হাত", "কুপ্রস্তাব", "খারাপ প্রস্তাব", "বাজে প্রস্তাব",
      "অশালীন", "অশ্লীল", "রাতে থাক", "রাত কাটা", "জড়িয়ে ধর",
      # violence at home (gender-based): named with the husband, or as such
      "husband beat", "husband hit", "domestic violence", "dowry", "স্বামী মার", "স্বামী নির্যাতন", "যৌতুক"), "sea_gbv"),
    # Bribes and fraud, whoever asks: officials, union parishad members, payment or bank agents, dealers.
    (("bribe", "corrupt", "fraud", "kickback", "speed money", "extra money", "commission", "cut money",
      "asked for money", "asked me for money", "demanded money", "asked for taka", "demanded taka", "wanted money",
      "pay him", "pay them", "unless i pay", "unless we pay", "for a fee", "charged me",
      "ঘুষ", "উৎকোচ", "দুর্নীতি", "প্রতারণা", "বখশিশ", "খরচাপাতি", "খরচ দিতে", "খরচ দাও", "খরচ চায়", "চা খরচ",
      "টাকা চেয়েছে", "টাকা চায়", "টাকা চাইছে", "টাকা চেয়েছেন", "টাকা দাবি", "টাকা দিতে হবে", "টাকা না দিলে",
      "টাকা দিলে", "টাকা নিয়েছে", "টাকা নিয়েছেন", "কমিশন", "জালিয়াতি", "আত্মসাৎ"), "corruption"),
    # Misconduct by staff: words that name it.
    (("rude", "insult", "threat", "shouted", "beat me", "beaten", "slapped", "misbehav", "abused me verbally",
      "verbal abuse", "bad behaviour", "bad behavior", "humiliat", "drunk",
      "দুর্ব্যবহার", "খারাপ ব্যবহার", "গালি", "হুমকি", "মারধর", "মেরেছে", "অপমান", "ধমক", "তাড়িয়ে দিয়েছে"), "misconduct"),
)

# Words that may mean mistreatment by an official or only ordinary red tape ("হয়রানি": running from office to
# office); on their own they make nothing sensitive. With an official named they are misconduct; with a sexual
# signal (above) they are already sea_gbv.
AMBIGUOUS_WORDS = ("harass", "abuse", "abusive", "mistreat", "হয়রানি", "হয়রানী", "নির্যাতন", "হেনস্থা", "হেনস্তা")
OFFICIAL_WORDS = ("chairman", "member", "secretary", "officer", "official", "agent", "staff", "clerk", "councillor",
                  "dealer", "supervisor", "employee", "uno", "pio",
                  "চেয়ারম্যান", "মেম্বার", "মেম্বর", "সচিব", "কর্মকর্তা", "অফিসার", "এজেন্ট", "কর্মচারী", "কেরানি",
                  "ডিলার", "ইউএনও", "পিআইও", "স্যার")

# Money asked or taken by an official named (OFFICIAL_WORDS) is corruption even without the word "bribe".
MONEY_WORDS = ("money", "taka", "tk", "টাকা")
DEMAND_WORDS = ("want", "took", "take", "taken", "demand", "asked", "asks", "ask for", "চায়", "চেয়ে", "দাবি", "নিয়েছে",
                "নিয়েছেন", "নেয়")

# The ordinary categories, after the sensitive ones and the ambiguous rule.
ORDINARY_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("not on the list", "left out", "excluded", "my name is not", "name was removed", "name is missing",
      "dropped from", "cut from the list", "not included", "not selected",
      "নাম নেই", "বাদ পড়", "বাদ দিয়েছে", "বাদ দেওয়া", "নাম কেটে", "তালিকা থেকে", "নাম তালিকায়", "তালিকায় ওঠে",
      "নাম আসেনি"),
     "exclusion"),
    (("wrong name", "wrong nid", "correction", "correct my", "nid number", "misspel", "wrong date of birth",
      "wrong age", "wrong number", "change my number", "update my",
      "ভুল", "সংশোধন", "ঠিক করে", "পরিবর্তন করতে"), "data_correction"),
    (("not paid", "payment", "paid", "deduct", "money", "taka", "allowance has not", "not received",
      "did not get", "didn't get", "haven't received", "late", "delay", "short", "only half", "arrived",
      "টাকা", "ভাতা পাই", "ভাতা পাচ্ছি না", "কেটে", "পাইনি", "পাচ্ছি না", "আসেনি", "দেরি", "বিলম্ব", "কম দিয়েছে"),
     "payment"),
)


def classify(text: str) -> tuple[str | None, str | None]:
    """(programme code, category code) that keywords in the text point to; None where nothing does."""
    folded = " " + " ".join(re.sub(r"[^\w\u0980-\u09FF]+", " ", _nfc(text).casefold()).split())

    def hit(fragment: str) -> bool:
        f = _nfc(fragment)
        # Bangla endings attach to the word, so Bangla fragments may sit anywhere in it.
        return (" " + f) in folded or (bool(_BANGLA.search(f)) and f in folded)

    def first(table):
        for fragments, code in table:
            if any(hit(f) for f in fragments):
                return code
        return None

    category = first(CATEGORY_WORDS)
    official = any(hit(f) for f in OFFICIAL_WORDS)
    if category is None and official and any(hit(f) for f in MONEY_WORDS) and any(hit(f) for f in DEMAND_WORDS):
        category = "corruption"  # an official (member, agent, ...) who wants or took money
    if category is None and official and any(hit(f) for f in AMBIGUOUS_WORDS):
        category = "misconduct"
    return first(PROGRAMME_WORDS), category or first(ORDINARY_WORDS)


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")
