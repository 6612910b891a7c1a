"""The USSD menu as a pure state machine: (state, latest answer, reference data) → the next screen.

No database, no clock, no provider: the caller loads the state, hands over reference data (lists and
look-ups) and stores what comes back. Every screen is at most MAX_SCREEN characters in every language;
lists are paged to fit, and labels too long for a line are shortened.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping, Protocol, Sequence

from grs import tracking
from grs.countries import name_columns, row_names

from .texts import LANGUAGE_NAMES, LANGUAGE_WORDS, LANGUAGES, decision_words, status_words, text

MAX_SCREEN = 160  # what the phone shows, after the "CON "/"END " prefix
MAX_ITEMS = 9  # one keypress per choice
LABEL_MAX = 28
MAX_DESCRIPTION = 500
BACK, HOME, MORE, BY_CODE = "0", "00", "98", "99"
PAGE_MARK_RESERVE = 6  # " 10/11"
DEFAULT_LANGUAGES = ("en", "bn")  # offered when the caller names none (a deployment passes config LANGUAGES)

_BN_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


# ---------------------------------------------------------------- data in and out


@dataclass(frozen=True)
class Option:
    """One choice in a list: a code the services understand and its names."""

    code: str
    en: str
    names: Mapping[str, str] = field(default_factory=dict, hash=False)  # other languages: code -> name

    def label(self, lang: str) -> str:
        return (self.names.get(lang) if lang != "en" else None) or self.en


@dataclass(frozen=True)
class StatusInfo:
    """What the status screen may say about a grievance: no names, no text, no office names."""

    code: str
    status: str
    level: Option | None  # None: still in the triage queue
    due: date | None = None
    decided: str | None = None  # the decision in force (upheld, ...) or a rejection's reason code


class Reference(Protocol):
    """The reference data the menu reads; `levels` are the area levels asked for, top first; `languages`
    the ones the language menu offers (the country pack's, default first)."""

    programmes: Sequence[Option]
    categories: Sequence[Option]
    levels: Sequence[Option]
    languages: Sequence[str]

    def areas(self, parent: str | None) -> Sequence[Option]: ...

    def area_by_number(self, number: str) -> Option | None: ...

    def status(self, code: str) -> StatusInfo | None: ...


@dataclass(frozen=True)
class LodgeRequest:
    """The complaint the caller confirmed; the channel turns it into an Intake."""

    programme: str
    category: str
    area: str
    description: str
    language: str


@dataclass(frozen=True)
class Reply:
    """The menu's answer: new state, the screen, whether the session ends, and what to do."""

    state: dict
    screen: str
    done: bool = False
    lodge: LodgeRequest | None = None  # set: record it for the intake worker, then show lodged_screen()
    remember_language: str | None = None


def area_number(code: str) -> str | None:
    """The short number a citizen types for an area: the digits at the end of its code (BD-UN-2869 → 2869)."""
    tail = code.rsplit("-", 1)[-1]
    return (tail.lstrip("0") or "0") if tail.isdigit() else None


@dataclass
class ListReference:
    """Reference data held in memory: for tests, and for the channel once it has loaded the lists."""

    programmes: list[Option]
    categories: list[Option]
    levels: list[Option]
    children: dict[str | None, list[Option]] = field(default_factory=dict)
    numbers: dict[str, Option] = field(default_factory=dict)
    statuses: dict[str, StatusInfo] = field(default_factory=dict)
    languages: Sequence[str] = DEFAULT_LANGUAGES

    def areas(self, parent: str | None) -> Sequence[Option]:
        return self.children.get(parent, [])

    def area_by_number(self, number: str) -> Option | None:
        return self.numbers.get(number.lstrip("0") or "0")

    def status(self, code: str) -> StatusInfo | None:
        return self.statuses.get(code)

    @classmethod
    def from_areas_csv(cls, path: str, programmes: list[Option], categories: list[Option],
                       levels: list[Option], local_language: str | None = None) -> "ListReference":
        """Areas from a hierarchy file (code, parent_code, level, name_en, name_<language>... or name_local in
        the pack's `local_language`), as `grs import-areas` reads."""
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            rows, columns = list(reader), name_columns(reader.fieldnames, local_language)
        wanted = [lv.code for lv in levels]
        ref = cls(programmes, categories, levels)
        for r in sorted(rows, key=lambda r: r["name_en"]):
            if r["level"] not in wanted:
                continue
            opt = Option(r["code"], r["name_en"], row_names(r, columns))
            parent = None if r["level"] == wanted[0] else r["parent_code"]
            ref.children.setdefault(parent, []).append(opt)
            if r["level"] == wanted[-1] and area_number(r["code"]):
                ref.numbers[area_number(r["code"])] = opt
        return ref


# ---------------------------------------------------------------- entry points


def start(lang: str, languages: Sequence[str] | None = None) -> Reply:
    """The main menu of a new session; `languages` are those the language menu offers (default first)."""
    offered = _offered(languages)
    state = {"lang": lang if lang in offered else offered[0], "screen": "main"}
    return Reply(state, _render(state, None, languages=offered))


def _offered(languages: Sequence[str] | None) -> tuple[str, ...]:
    """The languages offered, those the menu has texts for, in the order given (default first)."""
    found = tuple(lang for lang in dict.fromkeys(languages or DEFAULT_LANGUAGES) if lang in LANGUAGES)
    return found or ("en",)


def _languages_of(ref) -> tuple[str, ...]:
    return _offered(getattr(ref, "languages", None))


def step(state: dict, answer: str, ref: Reference) -> Reply:
    """Apply the caller's latest answer to the state and return the next screen."""
    state = {**state, "trail": list(state.get("trail") or [])}
    state.setdefault("lang", "en")
    state.setdefault("screen", "main")
    raw = (answer or "").strip()
    key = re.sub(r"\s", "", raw).translate(_BN_DIGITS)
    if key == HOME:
        return _show(_home(state), ref)
    return _HANDLERS[state["screen"]](state, raw, key, ref)


def lodged_screen(lang: str, code: str) -> str:
    """The END screen once the complaint is stored; `code` as it is read out."""
    return text(lang, "lodged", code=tracking.display(code))


def failed_screen(lang: str) -> str:
    return text(lang, "failed")


# ---------------------------------------------------------------- handlers


def _home(state: dict) -> dict:
    return {"lang": state["lang"], "screen": "main"}


def _show(state: dict, ref: Reference, hint: str | None = None, **kw) -> Reply:
    return Reply(state, _render(state, ref, hint), **kw)


def _end(state: dict, screen: str, **kw) -> Reply:
    return Reply({**state, "screen": "end"}, screen, done=True, **kw)


def _on_main(state, raw, key, ref):
    if key == "1":
        return _show({"lang": state["lang"], "screen": "programme", "page": 0}, ref)
    if key == "2":
        return _show({"lang": state["lang"], "screen": "tracking"}, ref)
    if key == "3":
        return _show({"lang": state["lang"], "screen": "language"}, ref)
    if key == BACK:
        return _show(_home(state), ref)
    return _show(state, ref, "hint_invalid")


def _on_language(state, raw, key, ref):
    offered = _languages_of(ref)
    chosen = offered[int(key) - 1] if key.isdigit() and 1 <= int(key) <= len(offered) else None
    if chosen:
        return _show({"lang": chosen, "screen": "main"}, ref, "language_saved", remember_language=chosen)
    if key == BACK:
        return _show(_home(state), ref)
    return _show(state, ref, "hint_invalid")


def _on_list(state, raw, key, ref):
    """Programme, category and area lists share paging, back and choice handling."""
    items = _items(state, ref)
    pages = _pages(state, ref, items)
    page = min(state.get("page", 0), len(pages) - 1)
    start_, end_ = pages[page]
    if key == MORE and page + 1 < len(pages):
        return _show({**state, "page": page + 1}, ref)
    if key == BACK:
        return _show({**state, "page": page - 1} if page > 0 else _previous(state), ref)
    if key == BY_CODE and _offers_code(state):
        return _show({**state, "screen": "area_code"}, ref)
    if key.isdigit() and 1 <= int(key) <= end_ - start_:
        return _chosen(state, items[start_ + int(key) - 1], ref)
    return _show(state, ref, "hint_invalid")


_LODGE_KEYS = ("programme", "category", "depth", "trail", "area", "area_en", "area_names", "via", "text")


def _forget(state: dict, *keys: str) -> dict:
    """The state without answers the caller has stepped back over, so equal screens are equal states."""
    return {k: v for k, v in state.items() if k not in keys}


def _previous(state: dict) -> dict:
    screen = state["screen"]
    if screen == "programme":
        return _home(state)
    if screen == "category":
        return {**_forget(state, *_LODGE_KEYS), "screen": "programme", "page": 0}
    depth = state.get("depth", 0)
    if depth == 0:
        return {**_forget(state, *_LODGE_KEYS[1:]), "screen": "category", "page": 0}
    return {**state, "depth": depth - 1, "trail": state["trail"][:depth - 1], "page": 0}


def _chosen(state: dict, opt: Option, ref: Reference) -> Reply:
    screen = state["screen"]
    if screen == "programme":
        return _show({**state, "programme": opt.code, "screen": "category", "page": 0}, ref)
    if screen == "category":
        return _show({**state, "category": opt.code, "screen": "area", "depth": 0, "trail": [], "page": 0}, ref)
    depth = state.get("depth", 0)
    if depth + 1 < len(ref.levels) and ref.areas(opt.code):
        return _show({**state, "depth": depth + 1, "trail": state["trail"][:depth] + [opt.code], "page": 0}, ref)
    # The lowest level, or an area with nothing below it: the complaint is placed here.
    return _show(_placed(state, opt, "list"), ref)


def _placed(state: dict, opt: Option, via: str) -> dict:
    return {**state, "screen": "describe", "area": opt.code, "area_en": opt.en,
            "area_names": dict(opt.names), "via": via}


def _on_area_code(state, raw, key, ref):
    if key == BACK:
        return _show({**state, "screen": "area", "depth": 0, "trail": [], "page": 0}, ref)
    opt = ref.area_by_number(key) if key.isdigit() else None
    if opt is None:
        return _show(state, ref, "hint_area_code")
    return _show(_placed(state, opt, "code"), ref)


def _on_describe(state, raw, key, ref):
    if key == BACK:
        placed = _forget(state, "area", "area_en", "area_names", "via", "text")
        back = {**placed, "screen": "area_code"} if state.get("via") == "code" else {**placed, "screen": "area",
                                                                                       "page": 0}
        return _show(back, ref)
    if key == "1":
        return _show({**state, "screen": "confirm", "text": None}, ref)
    if not raw:
        return _show(state, ref, "hint_empty")
    return _show({**state, "screen": "confirm", "text": raw[:MAX_DESCRIPTION]}, ref)


def _on_confirm(state, raw, key, ref):
    lang = state["lang"]
    if key == "1":
        description = state.get("text") or text(
            lang, "no_description", category=_label(ref.categories, state["category"], lang),
            programme=_label(ref.programmes, state["programme"], lang))
        req = LodgeRequest(state["programme"], state["category"], state["area"], description, lang)
        return Reply({**state, "screen": "lodged"}, "", done=True, lodge=req)
    if key == "2":
        return _end(state, text(lang, "cancelled"))
    if key == BACK:
        return _show({**_forget(state, "text"), "screen": "describe"}, ref)
    return _show(state, ref, "hint_invalid")


def _on_tracking(state, raw, key, ref):
    if key == BACK:
        return _show(_home(state), ref)
    code = tracking.normalise(key)
    if code is None:
        return _show(state, ref, "hint_tracking")
    info = ref.status(code)
    if info is None:
        return _show(state, ref, "hint_not_found")
    return _end(state, status_screen(state["lang"], info))


def _on_end(state, raw, key, ref):
    # A finished session that the network keeps alive: show the main menu again.
    return _show(_home(state), ref)


_HANDLERS = {
    "main": _on_main, "language": _on_language, "programme": _on_list, "category": _on_list, "area": _on_list,
    "area_code": _on_area_code, "describe": _on_describe, "confirm": _on_confirm, "tracking": _on_tracking,
    "end": _on_end, "lodged": _on_end,
}


# ---------------------------------------------------------------- screens


def status_screen(lang: str, info: StatusInfo) -> str:
    """The END screen of a status check: status and level in plain words, nothing personal."""
    where = text(lang, "where_office", level=_level_word(info.level, lang)) if info.level \
        else text(lang, "where_triage")
    status = (decision_words(lang, info.decided) if info.status in ("resolved", "rejected") else None) \
        or status_words(lang, info.status)
    out = text(lang, "status_line", code=tracking.display(info.code), status=status, where=where)
    if info.due is not None:
        due = " " + text(lang, "status_due", date=_date(info.due, lang))
        if len(out) + len(due) <= MAX_SCREEN:
            out += due
    return shorten(out, MAX_SCREEN)


def _date(d: date, lang: str) -> str:
    from grs.catalogue import long_date

    return long_date(d, lang)


def _level_word(level: Option, lang: str) -> str:
    word = level.label(lang)
    return word if lang == "bn" or word.isupper() else word.lower()  # "union", but "LGA" stays


def _render(state: dict, ref: Reference | None, hint: str | None = None,
            languages: Sequence[str] | None = None) -> str:
    lang = state["lang"]
    offered = _offered(languages) if languages else _languages_of(ref)
    lines = [text(lang, hint)] if hint else []
    screen = state["screen"]
    nav = text(lang, "back") + " " + text(lang, "home")
    if screen == "main":
        lines += [text(lang, "main_title"), text(lang, "main_lodge"), text(lang, "main_status"),
                  "3 " + "/".join(dict.fromkeys(LANGUAGE_WORDS[code] for code in offered))]
    elif screen == "language":
        lines += [" / ".join(dict.fromkeys(LANGUAGE_WORDS[code] for code in offered)) + ":"]
        lines += [f"{n} {LANGUAGE_NAMES[code]}" for n, code in enumerate(offered, start=1)]
        lines += [text(lang, "back")]
    elif screen in ("programme", "category", "area"):
        lines += _list_lines(state, ref)
    elif screen == "area_code":
        lines += [text(lang, "enter_area_code", level=_level_word(ref.levels[-1], lang)), nav]
    elif screen == "describe":
        lines += [_area_label(state, lang), text(lang, "describe"), nav]
    elif screen == "confirm":
        lines += _confirm_lines(state, ref, len("\n".join(lines)))
    elif screen == "tracking":
        lines += [text(lang, "enter_tracking"), nav]
    return "\n".join(lines)


def _area_name(state: dict, lang: str) -> str:
    """The chosen area's name in `lang` (English where it has none)."""
    return (state.get("area_names") or {}).get(lang) or state.get("area_en") or ""


def _area_label(state: dict, lang: str) -> str:
    return shorten(_area_name(state, lang), LABEL_MAX) + ":"


def _confirm_lines(state: dict, ref: Reference, used: int) -> list[str]:
    lang = state["lang"]
    head = text(lang, "confirm_title")
    foot = f"{text(lang, 'confirm_send')} {text(lang, 'confirm_cancel')} {text(lang, 'back')}"
    room = MAX_SCREEN - used - len(head) - len(foot) - 4 - (1 if used else 0)
    labels = [_label(ref.programmes, state["programme"], lang), _label(ref.categories, state["category"], lang),
              _area_name(state, lang)]
    # Short labels keep their length; what they leave over goes to the long ones.
    widths, left = {}, room
    for n, i in enumerate(sorted(range(3), key=lambda i: len(labels[i]))):
        widths[i] = max(8, min(len(labels[i]), LABEL_MAX + 12, left // (3 - n)))
        left -= widths[i]
    return [head] + [shorten(lb, widths[i]) for i, lb in enumerate(labels)] + [foot]


def _label(options: Sequence[Option], code: str, lang: str) -> str:
    return next((o.label(lang) for o in options if o.code == code), code)


def _items(state: dict, ref: Reference) -> Sequence[Option]:
    screen = state["screen"]
    if screen == "programme":
        return ref.programmes
    if screen == "category":
        return ref.categories
    depth = state.get("depth", 0)
    return ref.areas(state["trail"][depth - 1] if depth else None)


def _offers_code(state: dict) -> bool:
    return state["screen"] == "area" and state.get("depth", 0) == 0


def _title(state: dict, ref: Reference) -> str:
    lang, screen = state["lang"], state["screen"]
    if screen == "programme":
        return text(lang, "choose_programme")
    if screen == "category":
        return text(lang, "choose_category")
    return text(lang, "choose_area", level=_level_word(ref.levels[state.get("depth", 0)], lang))


def _footer(state: dict, ref: Reference, more: bool) -> str:
    lang = state["lang"]
    parts = [text(lang, "back"), text(lang, "home")]
    if more:
        parts.append(text(lang, "more"))
    if _offers_code(state):
        parts.append(text(lang, "by_code", level=_level_word(ref.levels[-1], lang)))
    return " ".join(parts)


def _item_lines(items: Sequence[Option], lang: str) -> list[str]:
    return [f"{n} {shorten(o.label(lang), LABEL_MAX)}" for n, o in enumerate(items, start=1)]


def _pages(state: dict, ref: Reference, items: Sequence[Option]) -> list[tuple[int, int]]:
    """Page boundaries for a list: as many items as fit, the same whether or not a hint is shown."""
    lang = state["lang"]
    # Room for the longest hint a list can show, so the numbering never shifts under a hint.
    fixed = len(text(lang, "hint_invalid")) + 1 + len(_title(state, ref)) + 2
    single = MAX_SCREEN - fixed - len(_footer(state, ref, more=False))
    lines = _item_lines(items[:MAX_ITEMS], lang)
    if len(items) <= MAX_ITEMS and sum(len(x) + 1 for x in lines) <= single:
        return [(0, len(items))]
    budget = MAX_SCREEN - fixed - PAGE_MARK_RESERVE - len(_footer(state, ref, more=True))
    pages, i = [], 0
    while i < len(items):
        j, used = i, 0
        while j < len(items) and j - i < MAX_ITEMS:
            cost = len(_item_lines([items[j]], lang)[0]) + 1
            if used + cost > budget and j > i:
                break
            used += cost
            j += 1
        pages.append((i, j))
        i = j
    return pages or [(0, 0)]


def _list_lines(state: dict, ref: Reference) -> list[str]:
    lang = state["lang"]
    items = _items(state, ref)
    pages = _pages(state, ref, items)
    page = min(state.get("page", 0), len(pages) - 1)
    start_, end_ = pages[page]
    mark = f" {page + 1}/{len(pages)}" if len(pages) > 1 else ""
    return ([f"{_title(state, ref)}{mark}:"] + _item_lines(items[start_:end_], lang)
            + [_footer(state, ref, more=page + 1 < len(pages))])


# Words a cut label must not end on ("যৌন শোষণ বা." reads as "sexual exploitation or."): dropped with the cut.
_DANGLING = frozenset({"বা", "ও", "এবং", "অথবা", "কিংবা", "or", "and", "of", "the", "a",
                       "ou", "et", "de", "du", "des", "la", "le", "les", "à", "au", "aux", "pour",  # French
                       "ko", "da", "na", "ta", "a", "ga", "wajen",  # Hausa: or, and/with, of, at, to
                       "ama", "iyo", "ee", "oo", "ka", "ku"})  # Somali: or, and, of, which, from, in


def shorten(label: str, width: int) -> str:
    """A label cut to `width`: first drop a bracketed aside, then cut at a word, never after a word like "or",
    and mark the cut: '.' in Latin script, '…' in Bangla (where a full stop would end the sentence)."""
    label = " ".join(label.split())
    if len(label) <= width:
        return label
    plain = re.sub(r"\s*\([^)]*\)", "", label).strip()
    if plain and len(plain) <= width:
        return plain
    cut = plain[:width - 1]
    # A word the cut ends inside goes; one it ends right after ("... Zamantakewa| na Jihar Imo") stays.
    if plain[width - 1] != " " and " " in cut and cut.rfind(" ") >= width // 2:
        cut = cut[:cut.rfind(" ")]
    cut = cut.rstrip(" ,;:-–।")
    while " " in cut and cut.rsplit(" ", 1)[1].casefold() in _DANGLING:
        cut = cut.rsplit(" ", 1)[0].rstrip(" ,;:-–।")
    return cut + ("…" if re.search(r"[\u0980-\u09FF]", cut) else ".")
